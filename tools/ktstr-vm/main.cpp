// ktstr-vm: boot a kernel with a declared CPU topology and run the
// initramfs's /init; the guest's exit code becomes ours.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "base/exit_codes.hpp"
#include "vmm/accel.hpp"
#include "vmm/guest_output.hpp"
#include "vmm/stop_signal.hpp"
#include "tools/ktstr-vm/test_mode.hpp"
#include "vmm/vm.hpp"

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

using ktstr::verdict::RunEnd;

struct LauncherArgs {
  std::string kernel, initramfs, topology = "1n1l1c1t", engine = "auto", cmdline, out_dir, vmlinux;
  uint64_t memory = 0;
  int monitor_ms = 100;
  int timeout = 300;
  bool console = false;
  std::vector<std::string> guest_args;
};

void add_options(CLI::App& app, LauncherArgs& a) {
  app.add_option("--kernel", a.kernel, "bzImage to boot")->required();
  app.add_option("--initramfs", a.initramfs, "newc cpio archive(s), comma-separated, unpacked in order")->required();
  app.add_option("--topology", a.topology,
                 "NnLlCcTt: NUMA nodes, LLCs in total, cores per LLC, threads per core; uneven shapes list a "
                 "field (1n2l3_1c1t), an m field gives RAM shares (2n2l2c1t1_0m); README \"Topology strings\"");
  app.add_option("--memory", a.memory, "guest RAM in MiB (default: from the initramfs size)");
  app.add_option("--timeout", a.timeout, "seconds from launch before the VM is killed")
      ->check(CLI::Range(1, 7 * 24 * 3600));
  app.add_option("--engine", a.engine, "auto, qemu or kvm");
  app.add_option("--cmdline", a.cmdline, "extra kernel command-line words");
  app.add_option("--out-dir", a.out_dir, "directory for console.log and qemu.log (default: temporary, kept on failure)");
  app.add_flag("--console", a.console, "echo the guest console (ttyS0) to stderr");
  app.add_option("--monitor-period", a.monitor_ms,
                 "host-side monitor: ms between samples of every guest CPU's runqueue; 0 turns it off")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--vmlinux", a.vmlinux, "the kernel's vmlinux for the monitor (default: next to --kernel)");
  app.add_option("guest_args", a.guest_args, "arguments for the guest (after --)");
}

ktstr::Result<ktstr::vmm::VmConfig> make_config(const LauncherArgs& a) {
  auto topo = ktstr::Topology::parse(a.topology);
  if (!topo) return ktstr::fail("--topology: {}", topo.error().message);
  auto eng = ktstr::vmm::parse_engine(a.engine);
  if (!eng) return ktstr::fail("--engine: {}", eng.error().message);
  ktstr::vmm::VmConfig cfg{.kernel = a.kernel,
                           .initramfs = {},
                           .topology = *topo,
                           .memory_mib = a.memory,
                           .timeout = std::chrono::seconds(a.timeout),
                           .engine = *eng,
                           .extra_cmdline = a.cmdline,
                           .guest_args = a.guest_args,
                           .out_dir = a.out_dir,
                           .echo_console = a.console,
                           .monitor_period = std::chrono::milliseconds(a.monitor_ms),
                           .vmlinux = a.vmlinux};
  for (auto& i : split_commas(a.initramfs)) cfg.initramfs.emplace_back(i);
  // A directory names a kernel build tree or cache entry holding bzImage.
  if (std::filesystem::is_directory(cfg.kernel)) {
    for (auto cand : {cfg.kernel / "bzImage", cfg.kernel / "arch/x86/boot/bzImage"})
      if (std::filesystem::exists(cand)) {
        cfg.kernel = cand;
        break;
      }
  }
  return cfg;
}

// Everything ktstr-vm does, from its command line to the end of the run.
// Every way out is a RunEnd, so main applies --expect-fail to all of them.
RunEnd launch(int argc, char** argv, ktstr::vmm::TestModeOptions& test_mode) {
  CLI::App app{"ktstr-vm: boot a kernel in a VM with a declared CPU topology and run its initramfs's /init"};
  LauncherArgs args;
  add_options(app, args);
  ktstr::vmm::add_test_mode_options(app, test_mode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    ktstr::vmm::recover_expect_fail(app, test_mode);
    // app.exit prints the error (or the usage, for --help: exit 0, no run).
    return {.kind = RunEnd::Kind::kNoVerdict, .exit_code = app.exit(e),
            .reason = e.get_exit_code() == 0 ? std::string("printed the usage, no run") : std::string(e.what())};
  }
  auto cfg = make_config(args);
  if (!cfg) return ktstr::vmm::launch_error(cfg.error().message);
  if (auto why = ktstr::vmm::kvm_requirement_unmet(ktstr::vmm::choose_accel()); !why.empty())
    return {.kind = RunEnd::Kind::kPolicySkip,
            .exit_code = ktstr::report_failure("ktstr-vm", "skip: " + why, ktstr::kExitSkip),
            .reason = why};

  ktstr::vmm::install_stop_signals();
  if (!test_mode.test.empty()) return ktstr::vmm::run_test_mode(*cfg, test_mode);
  auto print = [](ktstr::proto::MsgType type, std::string_view payload) {
    ktstr::vmm::print_guest_output(type, payload, ktstr::vmm::OutputRoute::kPassThrough);
  };
  auto outcome = ktstr::vmm::run_vm(*cfg, print);
  if (!outcome) return ktstr::vmm::launch_error(outcome.error().message);
  if (auto what = outcome->describe(); !what.empty()) fmt::print(stderr, "ktstr-vm: {}\n", what);
  return {.kind = RunEnd::Kind::kNoVerdict, .exit_code = outcome->exit_code()};
}

}  // namespace

int main(int argc, char** argv) {
  ktstr::vmm::TestModeOptions test_mode;
  RunEnd end;
  try {
    end = launch(argc, argv, test_mode);
  } catch (const std::exception& e) {
    end = ktstr::vmm::launch_error(fmt::format("unexpected exception: {}", e.what()));
  }
  return ktstr::vmm::conclude(end, test_mode);
}
