// The QEMU engine behind VmEngine: guest RAM in one shared file per NUMA
// node (so the host reads the ring straight from node 0's file) — on a
// huge-page tmpfs of its own where the host allows it (vmm/huge_ram.hpp),
// else in /dev/shm — QEMU as a child process in its own process group, its
// diagnostics in qemu.log.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "base/fd.hpp"
#include "base/process.hpp"
#include "vmm/engine.hpp"
#include "vmm/huge_ram.hpp"
#include "vmm/qemu/qemu_argv.hpp"
#include "vmm/run_files.hpp"

namespace ktstr::vmm {
namespace {

constexpr auto kPollSlice = std::chrono::milliseconds(2);
constexpr auto kTerminateGrace = std::chrono::milliseconds(500);

class QemuEngine final : public VmEngine {
 public:
  static Result<std::unique_ptr<VmEngine>> create(const LaunchSpec& spec, bool use_kvm) {
    const VmConfig& cfg = *spec.config;
    if (!find_in_path(cfg.qemu_binary))
      return fail("{} not found in PATH (install it: apt-get install qemu-system-x86)", cfg.qemu_binary);
    auto e = std::unique_ptr<QemuEngine>(new QemuEngine());
    e->accel_ = use_kvm ? Accel::kKvm : Accel::kTcg;
    e->interactive_ = cfg.interactive;
    e->log_path_ = spec.run_dir / "qemu.log";
    KTSTR_TRY_VOID(e->create_ram(spec.memory, spec.run_dir));
    e->node_bytes_ = spec.memory.node_bytes;
    e->argv_ = qemu_argv(QemuPlan{.qemu_binary = cfg.qemu_binary,
                                  .accel = e->accel_,
                                  .topology = cfg.topology,
                                  .memory = spec.memory,
                                  .memory_files = e->ram_paths_,
                                  .memory_huge = !e->huge_fds_.empty(),
                                  .kernel = std::filesystem::absolute(cfg.kernel).string(),
                                  .initrd = spec.initrd.string(),
                                  .cmdline = spec.cmdline,
                                  .console_log = spec.console_log.string(),
                                  .interactive = cfg.interactive});
    return std::unique_ptr<VmEngine>(std::move(e));
  }

  [[nodiscard]] std::string accel() const override { return accel_ == Accel::kKvm ? "kvm" : "tcg"; }
  // -M pc lays the node backends out from guest-physical 0 (guest_ram.hpp).
  [[nodiscard]] std::vector<RamRange> ram_ranges() const override {
    std::vector<std::filesystem::path> files(ram_paths_.begin(), ram_paths_.end());
    return qemu_pc_ram_ranges(node_bytes_, files);
  }

  Result<void> start() override {
    auto log = KTSTR_TRY(open_file(log_path_, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    auto devnull = KTSTR_TRY(open_file("/dev/null", O_RDWR));
    // Interactive: QEMU's stdio is the user's terminal (its stdio chardev) and
    // it stays in the terminal's foreground process group; its own
    // diagnostics still go to qemu.log.
    qemu_ = KTSTR_TRY(ChildProcess::spawn(argv_, {.stdin_fd = interactive_ ? -1 : devnull.get(),
                                                  .stdout_fd = interactive_ ? -1 : log.get(),
                                                  .stderr_fd = log.get(),
                                                  .new_process_group = !interactive_,
                                                  .kill_on_parent_death = true,
                                                  .inherit_fds = huge_fd_numbers()}));
    return {};
  }

  EngineState wait_until(Clock::time_point deadline) override {
    for (;;) {
      if ((status_ = qemu_.poll())) return EngineState::kEnded;
      const auto now = Clock::now();
      if (now >= deadline) return EngineState::kRunning;
      std::this_thread::sleep_for(std::min<Clock::duration>(deadline - now, kPollSlice));
    }
  }

  // Once the guest runs, QEMU has mapped its RAM: unlink the files now, so
  // even a SIGKILL of the launcher leaves nothing in /dev/shm.
  void guest_running() override {
    for (auto& f : ram_) f.remove();
  }

  void stop() override {
    if (!status_) {
      status_ = qemu_.terminate(kTerminateGrace);
      stopped_by_host_ = true;
    }
    guest_running();
  }

  [[nodiscard]] std::string stop_detail() const override {
    if (!status_ || stopped_by_host_ || status_->success()) return {};
    return fmt::format("QEMU {}", status_->describe());
  }

  [[nodiscard]] std::optional<Error> failure(bool got_frames) const override {
    if (!status_ || stopped_by_host_ || status_->success() || got_frames) return std::nullopt;
    return Error{fmt::format("QEMU failed ({}): {} (full log: {})", status_->describe(), complaint(),
                             log_path_.string())};
  }

 private:
  QemuEngine() = default;

  // KTSTR_GUEST_RAM=shm skips the huge-page tmpfs (and its mount namespace).
  Result<void> create_ram(const MemoryPlan& mem, const std::filesystem::path& run_dir) {
    const char* pick = std::getenv("KTSTR_GUEST_RAM");
    if (!(pick && std::string_view(pick) == "shm")) {
      if (auto fds = create_huge_ram_files(run_dir, mem.node_bytes)) {
        huge_fds_ = std::move(*fds);
        for (const auto& fd : huge_fds_)
          ram_paths_.push_back(fd ? fmt::format("/proc/self/fd/{}", fd.get()) : std::string());
        return {};
      }
    }
    static std::atomic<int> run_counter{0};
    const int run_id = run_counter++;
    // A memoryless node has no file (and an empty path); node 0 always has
    // memory, so ram_.front() is node 0's file, the one holding the ring.
    for (size_t n = 0; n < mem.node_bytes.size(); ++n) {
      if (mem.node_bytes[n] == 0) {
        ram_paths_.emplace_back();
        continue;
      }
      ram_.push_back(KTSTR_TRY(
          ShmFile::create(fmt::format("/dev/shm/ktstr-{}-{}-node{}", ::getpid(), run_id, n), mem.node_bytes[n])));
      ram_paths_.push_back(ram_.back().path().string());
    }
    return {};
  }

  [[nodiscard]] std::vector<int> huge_fd_numbers() const {
    std::vector<int> out;
    for (const auto& fd : huge_fds_)
      if (fd) out.push_back(fd.get());
    return out;
  }

  // The last lines QEMU wrote to its stderr, for a launch failure.
  [[nodiscard]] std::string complaint() const {
    auto text = read_file(log_path_).value_or("");
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (text.size() > 2000) text = text.substr(text.size() - 2000);
    return text.empty() ? "no message" : text;
  }

  Accel accel_ = Accel::kTcg;
  bool interactive_ = false;
  std::filesystem::path log_path_;
  std::vector<ShmFile> ram_;            // /dev/shm files, when not on the huge-page tmpfs
  std::vector<UniqueFd> huge_fds_;      // huge-page tmpfs files, one per node (empty for a memoryless one)
  std::vector<std::string> ram_paths_;  // per NUMA node, as QEMU and the host open them; empty for a memoryless node
  std::vector<uint64_t> node_bytes_;
  std::vector<std::string> argv_;
  ChildProcess qemu_;
  std::optional<ExitStatus> status_;
  bool stopped_by_host_ = false;
};

}  // namespace

Result<std::unique_ptr<VmEngine>> make_qemu_engine(const LaunchSpec& spec, bool use_kvm) {
  return QemuEngine::create(spec, use_kvm);
}

}  // namespace ktstr::vmm
