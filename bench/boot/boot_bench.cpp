// Launch overhead of ktstr-vm: launch -> first channel frame and launch ->
// exit for 1, 2, 4, 8 vCPUs, each against a hand-written plain QEMU command
// booting the same kernel and initrd in the same invocation (runs
// interleaved, medians reported), plus the guest's own boot time (uptime at
// /init) as the floor.
//   boot_bench [REPS=2]
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "base/exit_codes.hpp"
#include "base/process.hpp"
#include "test_env.hpp"
#include "vmm/memory_plan.hpp"
#include "vmm/qemu/qemu_argv.hpp"
#include "vmm/run_archive.hpp"
#include "vmm/vm.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The reference: the QEMU command a person would type for the same guest.
std::optional<double> plain_qemu(const fs::path& kernel, const fs::path& initrd, int vcpus, uint64_t mem_mib,
                                 const std::string& cmdline) {
  const std::vector<std::string> argv = {
      "qemu-system-x86_64", "-M",   "pc", "-accel", "tcg,thread=multi", "-cpu",   "max",
      "-smp",               std::to_string(vcpus), "-m", fmt::format("{}M", mem_mib), "-display", "none",
      "-nodefaults",        "-no-reboot",          "-kernel", kernel.string(), "-initrd", initrd.string(),
      "-append",            cmdline,               "-serial", "file:/dev/null"};
  const auto t0 = Clock::now();
  auto r = ktstr::run_capture(argv);
  if (!r || !r->status.success()) return std::nullopt;
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2;
  auto kernel = ktstr::vmmtest::find_kernel();
  if (!kernel) return ktstr::report_failure("boot_bench", "skip: no kernel (set KTSTR_KERNEL)", ktstr::kExitSkip);
  auto cpio = ktstr::vmmtest::probe_initramfs(KTSTR_PROBE_STATIC, false);
  if (!cpio) return ktstr::report_failure("boot_bench", cpio.error().message, ktstr::kExitInfra);
  const fs::path initrd = ktstr::vmmtest::self_dir() / "boot_bench_initrd.cpio";
  auto initrd_bytes = ktstr::vmm::assemble_initrd({*cpio}, {"exit", "0"}, initrd);
  if (!initrd_bytes) return ktstr::report_failure("boot_bench", initrd_bytes.error().message, ktstr::kExitInfra);

  fmt::print("{:>5} {:>12} {:>12} {:>12} {:>12} {:>7}\n", "vcpus", "floor(/init)", "first-frame", "ktstr-exit",
             "plain-exit", "ratio");
  bool ok = true;
  for (int vcpus : {1, 2, 4, 8}) {
    auto topo = *ktstr::Topology::parse(fmt::format("1n1l{}c1t", vcpus));
    auto mem = *ktstr::vmm::plan_memory(topo, 0, *initrd_bytes);
    const std::string cmdline = ktstr::vmm::kernel_cmdline(mem, "");
    std::vector<double> floor, first, wall, plain;
    for (int r = 0; r < reps; ++r) {
      double boot_s = -1;
      ktstr::vmm::VmConfig cfg{.kernel = *kernel, .initramfs = {*cpio}, .topology = topo,
                               .guest_args = {"exit", "0"}, .quiet = true};
      auto out = ktstr::vmm::run_vm(cfg, [&](ktstr::proto::MsgType t, std::string_view p) {
        if (t == ktstr::proto::MsgType::kHello) boot_s = nlohmann::json::parse(p, nullptr, false).value("boot_s", -1.0);
      });
      auto ref = plain_qemu(*kernel, initrd, vcpus, mem.total_bytes() >> 20, cmdline);
      if (!out || out->exit_code() != 0 || !ref) {
        fmt::print(stderr, "{} vCPUs: run failed\n", vcpus);
        ok = false;
        continue;
      }
      floor.push_back(boot_s);
      first.push_back(out->boot_seconds);
      wall.push_back(out->wall_seconds);
      plain.push_back(*ref);
    }
    fmt::print("{:>5} {:>11.2f}s {:>11.2f}s {:>11.2f}s {:>11.2f}s {:>7.3f}\n", vcpus, median(floor), median(first),
               median(wall), median(plain), median(wall) / median(plain));
  }
  fmt::print("ratio = ktstr-vm launch->exit / plain QEMU launch->exit (goal <= 1.10); {} runs each, medians\n", reps);
  return ok ? ktstr::kExitPass : ktstr::kExitFail;
}
