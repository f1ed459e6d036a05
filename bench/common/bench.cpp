// Timing, alternation, the plain QEMU reference and the goal verdict.
#include "bench.hpp"

#include <algorithm>
#include <chrono>

#include "initramfs/initramfs.hpp"

namespace fs = std::filesystem;

namespace ktstr::bench {

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Result<Timed> time_command(const std::vector<std::string>& argv) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = KTSTR_TRY_CTX(run_capture(argv), "running {}", argv.at(0));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Timed{s, r.status, std::move(r.output)};
}

Result<Paired> alternate(int reps, const std::function<Result<double>()>& reference,
                         const std::function<Result<double>()>& subject) {
  Paired p;
  for (int r = 0; r < reps; ++r) {
    if (r % 2 == 0) p.reference.push_back(KTSTR_TRY(reference()));
    p.subject.push_back(KTSTR_TRY(subject()));
    if (r % 2 == 1) p.reference.push_back(KTSTR_TRY(reference()));
  }
  return p;
}

std::vector<std::string> plain_qemu_argv(const PlainQemu& q) {
  const bool kvm = q.accel == vmm::Accel::kKvm;
  return {"qemu-system-x86_64", "-M", "pc", "-accel", kvm ? "kvm" : "tcg,thread=multi", "-cpu", kvm ? "host" : "max",
          "-smp", std::to_string(q.vcpus), "-m", fmt::format("{}M", q.memory_mib), "-display", "none",
          "-nodefaults", "-no-reboot", "-kernel", q.kernel.string(), "-initrd", q.initrd.string(),
          "-append", q.cmdline, "-serial", "file:/dev/null"};
}

Result<double> reference_seconds(const PlainQemu& q) {
  auto t = KTSTR_TRY(time_command(plain_qemu_argv(q)));
  if (!t.status.success()) return fail("plain QEMU: {}:\n{}", t.status.describe(), t.output);
  return t.seconds;
}

Result<fs::path> busybox_reboot_cpio(const fs::path& out) {
  const fs::path busybox = "/bin/busybox";
  if (!fs::exists(busybox)) return fail("no {}: install busybox-static (Debian package)", busybox.string());
  initramfs::Spec spec;
  spec.add_default_dirs();
  spec.add_binary(busybox, "/bin/busybox");
  spec.add_bytes("/init", "#!/bin/busybox sh\n/bin/busybox reboot -f\n", 0755);
  KTSTR_TRY_CTX(initramfs::build(spec, out), "building the busybox initramfs {}", out.string());
  return out;
}

bool hold_goal(std::string_view what, double ratio, double goal) {
  const bool met = ratio <= goal;
  fmt::print("{}: ratio {:.3f} (goal <= {:.2f}): {}\n", what, ratio, goal, met ? "met" : "MISSED");
  return met;
}

}  // namespace ktstr::bench
