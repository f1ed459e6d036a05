// VM tests of the launcher: boots the real kernel with the probe as /init and
// checks one property per invocation (one CTest entry each, label vm):
//   vm_check topology T          guest sysfs topology == declaration T, every field
//   vm_check flood MIB           MIB of self-checksummed messages arrive intact
//   vm_check panic K             K messages then a guest panic: all K arrive, outcome kPanic
//   vm_check hang                outcome kTimeout after the guest booted
//   vm_check exit-hang [N]       exit frame N, then a guest that never resets: exit N, no timeout
//   vm_check exit CODE           the guest's exit code is the outcome's
//   vm_check dynamic             a dynamically linked probe (library closure) boots
//   vm_check sigterm             SIGTERM to ktstr-vm: QEMU gone, no RAM file left (once with
//                                KTSTR_GUEST_RAM=shm, once with the default huge-page tmpfs,
//                                whose RAM must be on 2 MiB pages when root)
//   vm_check faults              the same faults fail the same way on both engines (one
//                                supervisor): a missing initramfs on qemu and kvm; an
//                                initramfs the kernel cannot unpack (qemu here; the nested
//                                rig runs it on the own engine), its run directory kept
// Exit 0 pass, 1 fail, 77 skip (no kernel).
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "probe_payload.hpp"
#include "test_env.hpp"
#include "topology_check.hpp"
#include "vmm/vm.hpp"

namespace fs = std::filesystem;
using ktstr::proto::MsgType;
using ktstr::vmm::VmOutcome;

namespace {

int failed(const std::string& why) {
  fmt::print(stderr, "FAIL: {}\n", why);
  return ktstr::kExitFail;
}

ktstr::vmm::VmConfig base_config(const fs::path& kernel, const fs::path& initramfs, std::string topo,
                                 std::vector<std::string> args) {
  return {.kernel = kernel,
          .initramfs = {initramfs},
          .topology = *ktstr::Topology::parse(topo),
          .timeout = std::chrono::seconds(240),
          .guest_args = args,
          // Per case under the build tree, so kept logs of expected failures
          // (panic, hang) replace each other instead of piling up in /tmp.
          .out_dir = ktstr::vmmtest::self_dir() / "vm-runs" / fmt::format("{}-{}", fmt::join(args, "-"), topo),
          .quiet = true};
}

// Runs the VM; prints the outcome; nullopt (after printing) on launch failure.
std::optional<VmOutcome> boot(const ktstr::vmm::VmConfig& cfg, const ktstr::vmm::FrameSink& sink) {
  auto out = ktstr::vmm::run_vm(cfg, sink);
  if (!out) {
    fmt::print(stderr, "launch failed: {}\n", out.error().message);
    return std::nullopt;
  }
  fmt::print("outcome exit_code={} boot={:.2f}s wall={:.2f}s frames={} bytes={} {}\n", out->exit_code(),
             out->boot_seconds, out->wall_seconds, out->frames, out->payload_bytes, out->describe());
  return std::move(*out);
}

int check_topology(const fs::path& kernel, const fs::path& cpio, const std::string& topo_str) {
  auto topo = ktstr::Topology::parse(topo_str);
  if (!topo) return failed(topo.error().message);
  std::string reported;
  auto out = boot(base_config(kernel, cpio, topo_str, {"topology"}), [&](MsgType t, std::string_view p) {
    if (t == MsgType::kTopology) reported = p;
  });
  if (!out || out->exit_code() != 0) return failed("the probe did not exit 0");
  fmt::print("guest sysfs: {}\n", reported);
  auto bad = ktstr::vmmtest::topology_mismatches(*topo, nlohmann::json::parse(reported, nullptr, false));
  for (const auto& b : bad) fmt::print(stderr, "mismatch: {}\n", b);
  return bad.empty() ? ktstr::kExitPass : failed(fmt::format("{} topology fields differ", bad.size()));
}

int check_flood(const fs::path& kernel, const fs::path& cpio, uint64_t mib) {
  uint64_t next = 0, bytes = 0, broken = 0;
  std::string stats;
  auto out = boot(base_config(kernel, cpio, "1n1l1c1t", {"flood", std::to_string(mib)}),
                  [&](MsgType t, std::string_view p) {
                    if (t == MsgType::kLog) stats = p;
                    if (t != MsgType::kData) return;
                    uint64_t index = 0;
                    if (!ktstr::probe::check_message(p, index) || index != next) ++broken;
                    next = index + 1;
                    bytes += p.size();
                  });
  if (!out || out->exit_code() != 0) return failed("the probe did not exit 0");
  auto j = nlohmann::json::parse(stats, nullptr, false);
  if (j.is_object() && j.contains("flood_ns"))
    fmt::print("guest send rate: {:.1f} MB/s ({} bytes in {:.2f} s)\n",
               j["flood_bytes"].get<double>() / j["flood_ns"].get<double>() * 1e3, j["flood_bytes"].get<uint64_t>(),
               j["flood_ns"].get<double>() / 1e9);
  if (broken) return failed(fmt::format("{} messages corrupt or out of order", broken));
  if (bytes != mib << 20) return failed(fmt::format("{} bytes arrived, {} sent", bytes, mib << 20));
  return ktstr::kExitPass;
}

int check_panic(const fs::path& kernel, const fs::path& cpio, uint64_t k) {
  uint64_t next = 0;
  bool in_order = true;
  auto out = boot(base_config(kernel, cpio, "1n1l1c1t", {"panic", std::to_string(k)}),
                  [&](MsgType t, std::string_view p) {
                    if (t != MsgType::kData) return;
                    if (p != fmt::format("msg {}", next)) in_order = false;
                    ++next;
                  });
  if (!out) return failed("launch");
  if (out->kind != VmOutcome::Kind::kPanic) return failed("outcome is not kPanic");
  if (out->exit_code() != ktstr::kExitPanic) return failed("exit code is not kExitPanic");
  if (!in_order || next != k) return failed(fmt::format("{} of {} messages arrived (in order: {})", next, k, in_order));
  return ktstr::kExitPass;
}

int check_hang(const fs::path& kernel, const fs::path& cpio) {
  auto cfg = base_config(kernel, cpio, "1n1l1c1t", {"hang"});
  cfg.timeout = std::chrono::seconds(45);
  bool hello = false;
  auto out = boot(cfg, [&](MsgType t, std::string_view) { hello |= t == MsgType::kHello; });
  if (!out) return failed("launch");
  if (!hello) return failed("the guest never said hello (boot slower than the timeout?)");
  if (out->kind != VmOutcome::Kind::kTimeout || out->exit_code() != ktstr::kExitTimeout)
    return failed("outcome is not kTimeout");
  if (out->describe().find("timeout after 45 s") == std::string::npos) return failed("message lacks 'timeout after'");
  return ktstr::kExitPass;
}

int check_exit(const fs::path& kernel, const fs::path& cpio, int code) {
  auto out = boot(base_config(kernel, cpio, "1n1l1c1t", {"exit", std::to_string(code)}), {});
  if (!out) return failed("launch");
  return out->kind == VmOutcome::Kind::kExited && out->exit_code() == code
             ? ktstr::kExitPass
             : failed(fmt::format("exit code {} instead of {}", out->exit_code(), code));
}

// The guest sends its exit frame and then never resets: the run must end
// kExitGrace later with the guest's code, not at the timeout.
int check_exit_hang(const fs::path& kernel, const fs::path& cpio, int code) {
  auto cfg = base_config(kernel, cpio, "1n1l1c1t", {"exit-hang", std::to_string(code)});
  cfg.timeout = std::chrono::seconds(120);
  auto out = boot(cfg, {});
  if (!out) return failed("launch");
  if (out->kind != VmOutcome::Kind::kExited || out->exit_code() != code)
    return failed(fmt::format("outcome {} instead of exit code {}", out->describe(), code));
  if (out->wall_seconds >= 60) return failed(fmt::format("took {:.1f} s: the grace did not stop the VM", out->wall_seconds));
  fmt::print("exit frame, then a hung guest: stopped with exit {} after {:.1f} s (boot {:.1f} s)\n", out->exit_code(),
             out->wall_seconds, out->boot_seconds);
  return ktstr::kExitPass;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> kids;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
    auto text = ktstr::read_file(task.path() / "children");
    if (!text) continue;
    std::istringstream in(*text);
    for (pid_t k; in >> k;) kids.push_back(k);
  }
  return kids;
}

std::vector<fs::path> shm_files_of(pid_t pid) {
  std::vector<fs::path> v;
  const std::string prefix = fmt::format("ktstr-{}-", pid);
  for (const auto& e : fs::directory_iterator("/dev/shm"))
    if (e.path().filename().string().starts_with(prefix)) v.push_back(e.path());
  return v;
}

// kB of QEMU's guest-RAM file mappings (a path ending in /node<N>, not in
// /dev/shm) and how much of that is mapped with 2 MiB pages.
struct HugeRam {
  uint64_t kb = 0;
  uint64_t pmd_kb = 0;
};
HugeRam huge_ram_of(pid_t qemu) {
  HugeRam h;
  std::istringstream in(ktstr::read_file(fmt::format("/proc/{}/smaps", qemu)).value_or(""));
  bool ram = false;
  for (std::string line; std::getline(in, line);) {
    const std::string first = line.substr(0, line.find(' '));
    if (first.find('-') != std::string::npos && first.find(':') == std::string::npos) {  // a mapping's header
      const auto sp = line.rfind(' ');
      const std::string path = line.substr(sp + 1);
      ram = path.find("/node") != std::string::npos && !path.starts_with("/dev/shm/");
    } else if (ram && line.starts_with("Size:")) {
      h.kb += std::stoull(line.substr(5));
    } else if (ram && line.starts_with("ShmemPmdMapped:")) {
      h.pmd_kb += std::stoull(line.substr(15));
    }
  }
  return h;
}

// Whether this host lets ktstr-vm put guest RAM on a huge-page tmpfs of its
// own (vmm/huge_ram.hpp): root and transparent huge pages.
bool huge_ram_expected() {
  return ::geteuid() == 0 && fs::exists("/sys/kernel/mm/transparent_hugepage/shmem_enabled");
}

// One SIGTERM run. shm: KTSTR_GUEST_RAM=shm, guest RAM in /dev/shm files that
// must exist while QEMU runs and be gone after. Otherwise the default: on a
// host that allows it the RAM is a huge-page tmpfs file QEMU maps with 2 MiB
// pages, and nothing at all is in /dev/shm.
int sigterm_run(const fs::path& kernel, const fs::path& cpio, bool shm) {
  const fs::path vm = ktstr::vmmtest::self_dir() / "ktstr-vm";
  ktstr::SpawnOptions opts;
  if (shm) opts.extra_env.push_back("KTSTR_GUEST_RAM=shm");
  auto child = ktstr::ChildProcess::spawn({vm.string(), "--kernel", kernel.string(), "--initramfs", cpio.string(),
                                           "--topology", "1n1l2c1t", "--timeout", "200", "--", "hang"},
                                          opts);
  if (!child) return failed(child.error().message);
  const bool want_huge = !shm && huge_ram_expected();
  // SIGTERM while QEMU runs with its RAM in place (and, for huge RAM, touched).
  pid_t qemu = -1;
  HugeRam huge;
  auto ready = [&] {
    if (qemu < 0) return false;
    if (shm) return !shm_files_of(child->pid()).empty();
    huge = huge_ram_of(qemu);
    return !want_huge || huge.pmd_kb > 0;
  };
  for (int i = 0; i < 6000 && !ready(); ++i) {
    auto kids = children_of(child->pid());
    if (!kids.empty()) qemu = kids[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (qemu < 0) return failed("ktstr-vm started no QEMU");
  const auto files = shm_files_of(child->pid());
  fmt::print("{}: ktstr-vm pid {}, QEMU pid {}, {} /dev/shm files, huge-page tmpfs RAM {} kB ({} kB on 2 MiB pages)\n",
             shm ? "KTSTR_GUEST_RAM=shm" : "default", child->pid(), qemu, files.size(), huge.kb, huge.pmd_kb);
  if (shm && files.empty()) return failed("no /dev/shm guest RAM file seen");
  if (!shm && !files.empty()) return failed("guest RAM in /dev/shm although the huge-page tmpfs was not refused");
  if (want_huge && huge.pmd_kb == 0) return failed("root with transparent huge pages, but no guest RAM on 2 MiB pages");
  child->kill(SIGTERM);
  auto st = child->wait();
  fmt::print("ktstr-vm: {}\n", st.describe());
  if (!st.exited || st.code != ktstr::kExitSignalBase + SIGTERM) return failed("ktstr-vm did not exit 128+SIGTERM");
  if (::kill(qemu, 0) == 0 || errno != ESRCH) return failed(fmt::format("QEMU pid {} still exists", qemu));
  for (const auto& f : files)
    if (fs::exists(f)) return failed(fmt::format("{} left behind", f.string()));
  return ktstr::kExitPass;
}

int check_sigterm(const fs::path& kernel, const fs::path& cpio) {
  if (int rc = sigterm_run(kernel, cpio, true); rc != ktstr::kExitPass) return rc;
  return sigterm_run(kernel, cpio, false);
}

// A missing initramfs is refused before any engine starts, with the same
// message on both; an initramfs the guest kernel cannot unpack is an error
// (never an outcome) whose console log is kept. Only QEMU boots here: the own
// engine needs hardware KVM (tests/nested checks it there).
int check_faults(const fs::path& kernel) {
  const fs::path dir = ktstr::vmmtest::self_dir() / "vm-runs" / "faults";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  std::vector<std::string> messages;
  for (auto engine : {ktstr::vmm::Engine::kQemu, ktstr::vmm::Engine::kKvm}) {
    auto cfg = base_config(kernel, dir / "missing.cpio", "1n1l1c1t", {"exit", "0"});
    cfg.engine = engine;
    auto out = ktstr::vmm::run_vm(cfg, {});
    if (out) return failed("a missing initramfs booted");
    fmt::print("missing initramfs, engine {}: {}\n", engine == ktstr::vmm::Engine::kKvm ? "kvm" : "qemu",
               out.error().message);
    messages.push_back(out.error().message);
  }
  if (messages[0] != messages[1] || messages[0].find("not found") == std::string::npos)
    return failed("the engines disagree about a missing initramfs");

  const fs::path garbage = dir / "garbage.cpio";
  if (auto w = ktstr::write_file_atomic(garbage, std::string(256 * 1024, '\x5a')); !w) return failed(w.error().message);
  auto cfg = base_config(kernel, garbage, "1n1l1c1t", {"exit", "0"});
  cfg.engine = ktstr::vmm::Engine::kQemu;
  cfg.out_dir.clear();  // a temporary run directory: it must be kept for this failure
  cfg.timeout = std::chrono::seconds(60);
  auto out = ktstr::vmm::run_vm(cfg, {});
  if (out) return failed(fmt::format("an unpackable initramfs gave an outcome (exit {})", out->exit_code()));
  const std::string& why = out.error().message;
  fmt::print("garbage initramfs: {}\n", why);
  if (why.find("could not unpack") == std::string::npos) return failed("not reported as an unpack failure");
  const auto at = why.rfind("console log: ");
  if (at == std::string::npos) return failed("the error names no console log");
  const fs::path log = why.substr(at + 13, why.size() - at - 14);
  if (!fs::exists(log)) return failed(fmt::format("{} was not kept", log.string()));
  fs::remove_all(log.parent_path(), ec);
  return ktstr::kExitPass;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return failed("usage: vm_check CASE [ARG]");
  auto kernel = ktstr::vmmtest::find_kernel();
  if (!kernel) {
    fmt::print("skip: no kernel (set KTSTR_KERNEL to a bzImage, or run `ktstr kernel build`)\n");
    return ktstr::kExitSkip;
  }
  if (args[0] == "faults") return check_faults(*kernel);
  const bool dynamic = args[0] == "dynamic";
  auto cpio = ktstr::vmmtest::probe_initramfs(dynamic ? KTSTR_PROBE_DYNAMIC : KTSTR_PROBE_STATIC, dynamic);
  if (!cpio) return failed(cpio.error().message);
  fmt::print("kernel {}, initramfs {}\n", kernel->string(), cpio->string());
  const std::string arg = args.size() > 1 ? args[1] : "";
  const std::string& what = args[0];
  if (what == "topology") return check_topology(*kernel, *cpio, arg);
  if (what == "flood") return check_flood(*kernel, *cpio, arg.empty() ? 64 : std::stoull(arg));
  if (what == "panic") return check_panic(*kernel, *cpio, arg.empty() ? 100 : std::stoull(arg));
  if (what == "hang") return check_hang(*kernel, *cpio);
  if (what == "exit") return check_exit(*kernel, *cpio, arg.empty() ? 5 : std::stoi(arg));
  if (what == "exit-hang") return check_exit_hang(*kernel, *cpio, arg.empty() ? 6 : std::stoi(arg));
  if (what == "dynamic") return check_topology(*kernel, *cpio, "1n1l2c1t");
  if (what == "sigterm") return check_sigterm(*kernel, *cpio);
  return failed("unknown case " + what);
}
