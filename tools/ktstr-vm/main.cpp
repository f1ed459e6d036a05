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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ktstr-vm: boot a kernel in a VM with a declared CPU topology and run its initramfs's /init"};
  std::string kernel, initramfs, topology = "1n1l1c1t", engine = "auto", cmdline, out_dir;
  uint64_t memory = 0;
  int timeout = 300;
  bool console = false;
  std::vector<std::string> guest_args;
  app.add_option("--kernel", kernel, "bzImage to boot")->required();
  app.add_option("--initramfs", initramfs, "newc cpio archive(s), comma-separated, unpacked in order")->required();
  app.add_option("--topology", topology, "NnLlCcTt: NUMA nodes, LLCs in total, cores per LLC, threads per core");
  app.add_option("--memory", memory, "guest RAM in MiB (default: from the initramfs size)");
  app.add_option("--timeout", timeout, "seconds from launch before the VM is killed")->check(CLI::PositiveNumber);
  app.add_option("--engine", engine, "auto, qemu or kvm");
  app.add_option("--cmdline", cmdline, "extra kernel command-line words");
  app.add_option("--out-dir", out_dir, "directory for console.log and qemu.log (default: temporary, kept on failure)");
  app.add_flag("--console", console, "echo the guest console (ttyS0) to stderr");
  app.add_option("guest_args", guest_args, "arguments for the guest (after --)");
  ktstr::vmm::TestModeOptions test_mode;
  ktstr::vmm::add_test_mode_options(app, test_mode);
  CLI11_PARSE(app, argc, argv);

  using ktstr::report_failure;
  auto topo = ktstr::Topology::parse(topology);
  if (!topo) return report_failure("ktstr-vm", "--topology: " + topo.error().message, ktstr::kExitInfra);
  auto eng = ktstr::vmm::parse_engine(engine);
  if (!eng) return report_failure("ktstr-vm", "--engine: " + eng.error().message, ktstr::kExitInfra);
  if (auto why = ktstr::vmm::kvm_requirement_unmet(ktstr::vmm::choose_accel()); !why.empty())
    return report_failure("ktstr-vm", "skip: " + why, ktstr::kExitSkip);

  ktstr::vmm::VmConfig cfg{.kernel = kernel,
                           .initramfs = {},
                           .topology = *topo,
                           .memory_mib = memory,
                           .timeout = std::chrono::seconds(timeout),
                           .engine = *eng,
                           .extra_cmdline = cmdline,
                           .guest_args = guest_args,
                           .out_dir = out_dir,
                           .echo_console = console};
  for (auto& a : split_commas(initramfs)) cfg.initramfs.emplace_back(a);
  // A directory names a kernel build tree or cache entry holding bzImage.
  if (std::filesystem::is_directory(cfg.kernel)) {
    for (auto cand : {cfg.kernel / "bzImage", cfg.kernel / "arch/x86/boot/bzImage"})
      if (std::filesystem::exists(cand)) {
        cfg.kernel = cand;
        break;
      }
  }

  ktstr::vmm::install_stop_signals();
  if (!test_mode.test.empty()) return ktstr::vmm::run_test_mode(cfg, test_mode);
  auto print = [](ktstr::proto::MsgType type, std::string_view payload) {
    ktstr::vmm::print_guest_output(type, payload, ktstr::vmm::OutputRoute::kPassThrough);
  };
  auto outcome = ktstr::vmm::run_vm(cfg, print);
  if (!outcome) return report_failure("ktstr-vm", outcome.error().message, ktstr::kExitInfra);
  if (auto what = outcome->describe(); !what.empty()) fmt::print(stderr, "ktstr-vm: {}\n", what);
  return outcome->exit_code();
}
