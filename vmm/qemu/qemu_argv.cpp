#include "vmm/qemu/qemu_argv.hpp"

#include "vmm/qemu/qemu_topology.hpp"

namespace ktstr::vmm {

std::string kernel_cmdline(const MemoryPlan& memory, const std::string& extra) {
  // console=ttyS0: the console log; panic=-1: a panic reboots at once, and
  // -no-reboot turns that into QEMU exiting; rdinit=/init: the initramfs's
  // program is PID 1; quiet: TCG spends real time printing to the 16550;
  // no_timer_check: on a loaded host a TCG vCPU can miss the IO-APIC timer
  // probe's window and the kernel panics "IO-APIC + timer doesn't work!"
  // (seen here at load average 19; arch/x86/kernel/apic/io_apic.c check_timer).
  std::string s = "console=ttyS0 panic=-1 rdinit=/init quiet no_timer_check";
  for (const auto& w : memory.cmdline_words()) s += " " + w;
  if (!extra.empty()) s += " " + extra;
  return s;
}

std::vector<std::string> qemu_argv(const QemuPlan& p) {
  std::vector<std::string> a = {p.qemu_binary, "-no-user-config", "-nodefaults", "-display", "none", "-no-reboot"};
  auto add = [&](std::string flag, std::string value) {
    a.push_back(std::move(flag));
    a.push_back(std::move(value));
  };
  add("-machine", "pc");
  const char* cpu_model = p.accel == Accel::kKvm ? "host" : "max";
  add("-accel", p.accel == Accel::kKvm ? "kvm" : "tcg,thread=multi");
  add("-cpu", cpu_model);
  add("-m", fmt::format("{}M", p.memory.total_bytes() / kMiB));
  const auto topo = qemu_topology_args(p.topology, p.memory, p.memory_files, p.memory_huge, cpu_model);
  a.insert(a.end(), topo.begin(), topo.end());
  add("-kernel", p.kernel);
  add("-initrd", p.initrd);
  add("-append", p.cmdline);
  if (p.interactive)  // signal=off: Ctrl-C reaches the guest shell, not QEMU
    add("-chardev", fmt::format("stdio,id=con0,signal=off,logfile={}", escape_commas(p.console_log)));
  else
    add("-chardev", fmt::format("file,id=con0,path={}", escape_commas(p.console_log)));
  add("-serial", "chardev:con0");
  return a;
}

}  // namespace ktstr::vmm
