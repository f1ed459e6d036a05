// Launch overhead of the supervisor (vmm::run_vm, in process): launch ->
// first channel frame and launch -> exit for 1, 2, 4, 8 vCPUs, each against
// a hand-written plain QEMU command on the same accelerator booting the same
// kernel and initrd in the same invocation (runs alternating, medians
// reported), plus the guest's own boot time (uptime at /init) as the floor.
// Exits 1 when a vCPU count's ratio misses the goal (<= 1.10).
//   boot_bench [REPS=2]
#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/exit_codes.hpp"
#include "bench.hpp"
#include "test_env.hpp"
#include "vmm/accel.hpp"
#include "vmm/memory_plan.hpp"
#include "vmm/run_archive.hpp"
#include "vmm/vm.hpp"

namespace fs = std::filesystem;
namespace b = ktstr::bench;

namespace {

constexpr double kGoal = 1.10;

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

  const auto accel = ktstr::vmm::choose_accel();
  fmt::print("accelerator: {}\n", accel.reason);
  fmt::print("{:>5} {:>12} {:>12} {:>12} {:>12} {:>7}\n", "vcpus", "floor(/init)", "first-frame", "ktstr-exit",
             "plain-exit", "ratio");
  bool ok = true;
  for (int vcpus : {1, 2, 4, 8}) {
    auto topo = *ktstr::Topology::parse(fmt::format("1n1l{}c1t", vcpus));
    auto mem = *ktstr::vmm::plan_memory(topo, 0, *initrd_bytes);
    const std::string cmdline = ktstr::vmm::kernel_cmdline(mem, "");
    std::vector<double> floor, first;
    const b::PlainQemu plain{.kernel = *kernel, .initrd = initrd, .vcpus = vcpus,
                             .memory_mib = mem.total_bytes() >> 20, .cmdline = cmdline, .accel = accel.accel};
    auto subject = [&]() -> ktstr::Result<double> {
      double boot_s = -1;
      ktstr::vmm::VmConfig cfg{.kernel = *kernel, .initramfs = {*cpio}, .topology = topo,
                               .guest_args = {"exit", "0"}, .quiet = true};
      auto out = KTSTR_TRY(ktstr::vmm::run_vm(cfg, [&](ktstr::proto::MsgType t, std::string_view p) {
        if (t == ktstr::proto::MsgType::kHello) boot_s = nlohmann::json::parse(p, nullptr, false).value("boot_s", -1.0);
      }));
      if (out.exit_code() != 0) return ktstr::fail("{} vCPUs: {}", vcpus, out.describe());
      floor.push_back(boot_s);
      first.push_back(out.boot_seconds);
      return out.wall_seconds;
    };
    auto runs = b::alternate(reps, [&] { return b::reference_seconds(plain); }, subject);
    if (!runs) return ktstr::report_failure("boot_bench", runs.error().message, ktstr::kExitInfra);
    const auto& wall = runs->subject;
    const auto& plain_s = runs->reference;
    const double ratio = b::median(wall) / b::median(plain_s);
    fmt::print("{:>5} {:>11.2f}s {:>11.2f}s {:>11.2f}s {:>11.2f}s {:>7.3f}\n", vcpus, b::median(floor),
               b::median(first), b::median(wall), b::median(plain_s), ratio);
    ok &= ratio <= kGoal;
  }
  fmt::print("ratio = run_vm launch->exit / plain QEMU launch->exit; {} runs each, medians\n", reps);
  fmt::print("goal <= {:.2f} for every vCPU count: {}\n", kGoal, ok ? "met" : "MISSED");
  return ok ? ktstr::kExitPass : ktstr::kExitFail;
}
