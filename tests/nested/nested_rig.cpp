// The nested rig, host side: QEMU-TCG (`-cpu max` exposes SVM + NPT) boots a
// KVM-capable host kernel whose initramfs carries nested_check as /init, the
// ktstr kernel, the guest probe's initramfs and qemu-system-x86_64 (for the
// bench). nested_check boots the ktstr kernel with the own KVM engine inside
// and prints "RIG: ..." lines, which this program echoes and judges
// (rig_judge.hpp: every check the mode expects must have passed).
//
// Opt-in (it takes minutes): KTSTR_NESTED=1. Host kernel: KTSTR_HOST_KERNEL or
// /tmp/kvmhost/arch/x86/boot/bzImage (built from the ktstr fragment plus
// kconfig/host-kvm.kconfig by tests/nested/build-host-kernel.sh). Exit 0 pass, 1 fail,
// 77 skip with a one-line reason.
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "initramfs/initramfs.hpp"
#include "rig_judge.hpp"
#include "vmm/kvm/pvh.hpp"
#include "test_env.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kRigTimeout = 40min;

int skip(const std::string& why) {
  fmt::print("skip: {}\n", why);
  return ktstr::kExitSkip;
}

// A copy of `vmlinux` whose Xen PHYS32_ENTRY note is renumbered (type 18 ->
// 0x7fff), as if built without CONFIG_PVH: the own engine must then boot it
// through startup_64 and the 64-bit boot protocol.
ktstr::Result<void> write_vmlinux_without_pvh(const fs::path& vmlinux, const fs::path& out) {
  std::string f = KTSTR_TRY(ktstr::read_file(vmlinux));
  const auto at = ktstr::kvm::pvh_note_offset({reinterpret_cast<const uint8_t*>(f.data()), f.size()});
  if (!at) return ktstr::fail("{}: no Xen PHYS32_ENTRY note to hide", vmlinux.string());
  Elf64_Nhdr nh{};
  std::memcpy(&nh, f.data() + *at, sizeof nh);
  nh.n_type = 0x7fff;
  std::memcpy(f.data() + *at, &nh, sizeof nh);
  return ktstr::write_file_atomic(out, f);
}

ktstr::Result<fs::path> build_rig_initramfs(const fs::path& kernel, const fs::path& probe_cpio,
                                            const std::string& qemu) {
  ktstr::initramfs::Spec spec;
  spec.add_default_dirs();
  spec.add_binary(ktstr::vmmtest::self_dir() / "nested_check", "/init");
  spec.add_binary(qemu, "/usr/bin/qemu-system-x86_64");
  // QEMU's -M pc firmware and option ROMs for -kernel boots (Debian paths).
  spec.add_file("/usr/share/seabios/bios-256k.bin", "/usr/share/seabios/bios-256k.bin");
  spec.add_file("/usr/share/qemu/linuxboot_dma.bin", "/usr/share/qemu/linuxboot_dma.bin");
  spec.add_file("/usr/share/qemu/kvmvapic.bin", "/usr/share/qemu/kvmvapic.bin");
  spec.add_file(kernel, "/ktstr/bzImage");
  // The same build's vmlinux for PVH boots (bench), without its debug info
  // (110 MiB -> ~14 MiB; the rig host unpacks it under TCG).
  if (const fs::path vmlinux = kernel.parent_path() / "vmlinux"; fs::exists(vmlinux)) {
    const fs::path stripped = ktstr::vmmtest::self_dir() / "nested-vmlinux";
    auto r = ktstr::run_capture({"objcopy", "--strip-debug", vmlinux.string(), stripped.string()});
    if (!r || !r->status.success())
      return ktstr::fail("objcopy --strip-debug {}: {}", vmlinux.string(), r ? r->output : r.error().message);
    spec.add_file(stripped, "/ktstr/vmlinux");
    const fs::path no_pvh = ktstr::vmmtest::self_dir() / "nested-vmlinux-nopvh";
    KTSTR_TRY_VOID(write_vmlinux_without_pvh(stripped, no_pvh));
    spec.add_file(no_pvh, "/ktstr/vmlinux-nopvh");
    spec.add_file("/usr/share/qemu/pvh.bin", "/usr/share/qemu/pvh.bin");  // QEMU's PVH option ROM
  }
  spec.add_file(probe_cpio, "/ktstr/probe.cpio");
  // A real scheduler on the own engine: the scenario guest (tests/guest) as
  // /init with scx_simple from the kernel's cache entry, when it was built.
  if (const fs::path simple = kernel.parent_path() / "schedulers" / "scx_simple"; fs::exists(simple)) {
    ktstr::initramfs::Spec sched;
    sched.add_default_dirs().add_binary(ktstr::vmmtest::self_dir() / "ktstr_scenario_guest", "/init");
    sched.add_binary(simple, "/bin/scx_simple");
    const fs::path sched_cpio = ktstr::vmmtest::self_dir() / "nested-sched.cpio";
    KTSTR_TRY_VOID(ktstr::initramfs::build(sched, sched_cpio));
    spec.add_file(sched_cpio, "/ktstr/sched.cpio");
  }
  // KTSTR_HOST_MODULES=a.ko,b.ko,...: a host kernel with KVM as modules; loaded
  // by nested_check in this order.
  if (const char* mods = std::getenv("KTSTR_HOST_MODULES"); mods && *mods) {
    std::string order;
    std::string_view rest = mods;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const fs::path ko(std::string(rest.substr(0, comma)));
      spec.add_file(ko, "/ktstr/modules/" + ko.filename().string(), 0644);
      order += ko.filename().string() + "\n";
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    spec.add_bytes("/ktstr/modules/order", order);
  }
  const fs::path out = ktstr::vmmtest::self_dir() / "nested-rig.cpio";
  KTSTR_TRY(ktstr::initramfs::build(spec, out));
  return out;
}

}  // namespace

// argv[1] == "bench": only the boot-time bench (bench/kvm), more rounds;
// "profile": one verbose boot per engine (where kernel init spends its time);
// "flood": per-engine count of spontaneous stops under a console flood;
// "sched": only the scx_simple check;
// "topo": only the uneven gauntlet shapes' topology checks.
int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const bool bench = mode == "bench" || mode == "profile" || mode == "flood" || mode == "sched" || mode == "topo";
  const char* opt_in = std::getenv("KTSTR_NESTED");
  if (!opt_in || std::string(opt_in) != "1") return skip("nested KVM rig is opt-in (takes minutes): set KTSTR_NESTED=1");
  const char* hk = std::getenv("KTSTR_HOST_KERNEL");
  const fs::path host_kernel = hk && *hk ? fs::path(hk) : fs::path("/tmp/kvmhost/arch/x86/boot/bzImage");
  if (!fs::exists(host_kernel))
    return skip(fmt::format("no rig host kernel at {} (build it: tests/nested/build-host-kernel.sh)",
                            host_kernel.string()));
  auto kernel = ktstr::vmmtest::find_kernel();
  if (!kernel) return skip("no ktstr kernel (set KTSTR_KERNEL to a bzImage, or run `ktstr kernel build`)");
  auto qemu = ktstr::find_in_path("qemu-system-x86_64");
  if (!qemu) return skip("qemu-system-x86_64 not installed");

  auto probe = ktstr::vmmtest::probe_initramfs(ktstr::vmmtest::self_dir() / "vmm_probe", false);
  if (!probe) return ktstr::report_failure("rig", probe.error().message, ktstr::kExitInfra);
  auto rig = build_rig_initramfs(*kernel, *probe, *qemu);
  if (!rig) return ktstr::report_failure("rig", rig.error().message, ktstr::kExitInfra);
  fmt::print("rig: host kernel {}, ktstr kernel {}, initramfs {} ({} MiB)\n", host_kernel.string(),
             kernel->string(), rig->string(), fs::file_size(*rig) >> 20);

  const fs::path console = ktstr::vmmtest::self_dir() / "nested-rig-console.log";
  auto out = ktstr::open_file(console, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!out) return ktstr::report_failure("rig", out.error().message, ktstr::kExitInfra);
  // 2 vCPUs (the machine has 2 cores), 3 GiB: the rig initramfs, its unpacked
  // copy, and a guest of a few hundred MiB at a time.
  auto child = ktstr::ChildProcess::spawn(
      {*qemu, "-no-user-config", "-nodefaults", "-display", "none", "-no-reboot", "-M", "pc", "-accel",
       "tcg,thread=multi", "-cpu", "max", "-smp", "2", "-m", "3G", "-kernel", host_kernel.string(), "-initrd",
       rig->string(), "-append", std::string("console=ttyS0 panic=-1 rdinit=/init quiet") + (bench ? " ktstr.rig=" + mode : ""), "-serial", "stdio"},
      {.stdout_fd = out->get(), .stderr_fd = out->get(), .new_process_group = true});
  if (!child) return ktstr::report_failure("rig", child.error().message, ktstr::kExitInfra);

  const auto t0 = std::chrono::steady_clock::now();
  auto status = child->wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(kRigTimeout));
  if (!status) child->terminate(1s);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto v = ktstr::nested::judge_rig(ktstr::read_file(console).value_or(""), mode);
  for (const auto& line : v.lines) fmt::print("{}\n", line);
  fmt::print("rig: {:.0f} s wall, {} (console: {})\n", wall, ktstr::nested::rig_summary(v, mode), console.string());
  return v.ok() ? ktstr::kExitPass : ktstr::kExitFail;
}
