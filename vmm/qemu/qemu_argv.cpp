#include "vmm/qemu/qemu_argv.hpp"

namespace ktstr::vmm {

namespace {
// QEMU option values are comma-separated; a literal comma is written twice.
std::string escape_commas(const std::string& v) {
  std::string out;
  for (char c : v) out += c == ',' ? std::string(",,") : std::string(1, c);
  return out;
}
}  // namespace

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
  const Topology& t = p.topology;
  std::vector<std::string> a = {p.qemu_binary, "-no-user-config", "-nodefaults", "-display", "none", "-no-reboot"};
  auto add = [&](std::string flag, std::string value) {
    a.push_back(std::move(flag));
    a.push_back(std::move(value));
  };
  add("-machine", "pc");
  if (p.accel == Accel::kKvm) {
    add("-accel", "kvm");
    add("-cpu", "host");
  } else {
    add("-accel", "tcg,thread=multi");
    add("-cpu", "max");
  }
  add("-m", fmt::format("{}M", p.memory.total_bytes() / kMiB));
  add("-smp", fmt::format("{},sockets={},cores={},threads={}", t.vcpus(), t.llcs, t.cores, t.threads));
  for (int n = 0; n < t.nodes; ++n) {
    add("-object", fmt::format("memory-backend-file,id=m{},size={}M,mem-path={},share=on", n,
                               p.memory.node_bytes[static_cast<size_t>(n)] / kMiB,
                               escape_commas(p.memory_files[static_cast<size_t>(n)])));
    add("-numa", fmt::format("node,nodeid={},memdev=m{}", n, n));
  }
  for (int s = 0; s < t.llcs; ++s) add("-numa", fmt::format("cpu,node-id={},socket-id={}", s / t.llcs_per_node(), s));
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
