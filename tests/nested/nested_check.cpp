// PID 1 of the nested rig's host VM (a KVM-capable kernel under QEMU-TCG):
// boots the ktstr kernel with `--engine kvm` (run_vm, the launcher's library)
// and checks, in order: the guest-reported topology for each declared one,
// the panic path, the timeout path, exit-code propagation; then the boot-time
// bench against QEMU -enable-kvm on the same kernel and initramfs.
// Results are lines "RIG: ..." on the console; a check's result is
// "RIG: PASS|FAIL <id> <what>", its id one of rig_judge.cpp's expected list,
// so the host side (nested_rig) sees a check that did not run. Never throws: an exception in PID 1 panics the kernel.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "guest/telemetry_codec.hpp"
#include "rig_judge.hpp"
#include "topology_check.hpp"
#include "vmm/vm.hpp"

namespace {

using ktstr::vmm::Engine;
using ktstr::vmm::VmConfig;
using ktstr::vmm::VmOutcome;
namespace fs = std::filesystem;

int g_pass = 0, g_fail = 0;

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

void verdict(bool ok, const std::string& id, const std::string& what) {
  (ok ? g_pass : g_fail)++;
  say(fmt::format("RIG: {} {} {}", ok ? "PASS" : "FAIL", id, what));
}

void mount_basics() {
  for (const char* d : {"/proc", "/sys", "/dev", "/tmp"}) ::mkdir(d, 0755);
  ::mount("proc", "/proc", "proc", 0, nullptr);
  ::mount("sysfs", "/sys", "sysfs", 0, nullptr);
  ::mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
  // /tmp stays on the rootfs: run_vm's initrd copy (copy_file_range) fails
  // with EXDEV from the rootfs to a separate tmpfs on a 6.1 host kernel.
  ::mkdir("/dev/shm", 01777);
  ::mount("tmpfs", "/dev/shm", "tmpfs", 0, nullptr);
}

VmConfig config(const std::string& topo, std::vector<std::string> args, Engine engine, int timeout_s = 300,
                const char* kernel = "/ktstr/bzImage") {
  static int run = 0;
  return {.kernel = kernel,
          .initramfs = {"/ktstr/probe.cpio"},
          .topology = *ktstr::Topology::parse(topo),
          .memory_mib = 0,
          .timeout = std::chrono::seconds(timeout_s),
          .engine = engine,
          .extra_cmdline = "",
          .guest_args = std::move(args),
          .out_dir = fmt::format("/tmp/run{}", run++),
          .echo_console = false,
          .quiet = true};
}

// Runs one VM; a launch failure is reported as a failure of check id.
std::optional<VmOutcome> boot(const VmConfig& c, const ktstr::vmm::FrameSink& sink, const std::string& id,
                              const std::string& what) {
  auto out = ktstr::vmm::run_vm(c, sink);
  if (!out) {
    verdict(false, id, fmt::format("{}: launch failed: {}", what, out.error().message));
    return std::nullopt;
  }
  say(fmt::format("RIG: info {}: kind {} exit {} boot {:.2f} s wall {:.2f} s frames {}", what,
                  static_cast<int>(out->kind), out->exit_code(), out->boot_seconds, out->wall_seconds, out->frames));
  if (out->exit_code() != 0 && out->kind != VmOutcome::Kind::kPanic) say(out->describe());  // with the console tail
  return std::move(*out);
}

// id_suffix tells the kernel variants apart ("/vmlinux-pvh").
void check_topology(const std::string& topo, const char* kernel = "/ktstr/bzImage", const char* how = "",
                    const char* id_suffix = "") {
  const std::string id = "topology/" + topo + id_suffix;
  if (::access(kernel, R_OK) != 0) return say(fmt::format("RIG: info {}: no {} in the rig, not run", id, kernel));
  std::string reported;
  auto out = boot(config(topo, {"topology"}, Engine::kKvm, 300, kernel), [&](ktstr::proto::MsgType t, std::string_view p) {
    if (t == ktstr::proto::MsgType::kTopology) reported = p;
  }, id, "topology " + topo + how);
  if (!out) return;
  const auto bad = ktstr::vmmtest::topology_mismatches(*ktstr::Topology::parse(topo),
                                                       nlohmann::json::parse(reported, nullptr, false));
  say(fmt::format("RIG: info guest sysfs {}: {}", topo, reported));
  for (const auto& b : bad) say("RIG: mismatch " + topo + ": " + b);
  verdict(out->exit_code() == 0 && !reported.empty() && bad.empty(), id, "topology " + topo + how);
}

// The gauntlet's uneven presets of at most 4 vCPUs: the own engine's CPUID
// leaves, APIC IDs and SRAT must present each exactly, as QEMU does.
void check_uneven_topologies() {
  for (const char* t : ktstr::nested::kUnevenPresets) check_topology(t);
}

void check_panic() {
  uint64_t frames = 0;
  auto out = boot(config("1n1l1c1t", {"panic", "20"}, Engine::kKvm),
                  [&](ktstr::proto::MsgType t, std::string_view) { frames += t == ktstr::proto::MsgType::kData; },
                  "panic", "panic");
  if (!out) return;
  verdict(out->kind == VmOutcome::Kind::kPanic && out->exit_code() == ktstr::kExitPanic && frames == 20, "panic",
          fmt::format("panic (exit {}, {} of 20 frames before the panic)", out->exit_code(), frames));
}

void check_timeout() {
  auto out = boot(config("1n1l1c1t", {"hang"}, Engine::kKvm, 10), {}, "timeout", "timeout");
  if (!out) return;
  verdict(out->kind == VmOutcome::Kind::kTimeout && out->exit_code() == ktstr::kExitTimeout &&
              out->wall_seconds < 15,
          "timeout", fmt::format("timeout (exit {}, stopped after {:.1f} s of 10)", out->exit_code(), out->wall_seconds));
}

// The host-side monitor on the own engine: it reads guest RAM from the
// engine's memfd, with the vmlinux the rig copies next to the bzImage.
void check_monitor(const VmOutcome& out, int cpus) {
  const ktstr::MonitorLog& m = out.monitor;
  if (::access("/ktstr/vmlinux", R_OK) != 0) return say("RIG: info no /ktstr/vmlinux: monitor check skipped");
  bool enabled = false;
  for (const auto& s : m.samples) enabled = enabled || s.scx_state == "ENABLED";
  bool readable = !m.samples.empty() && static_cast<int>(m.samples.back().cpus.size()) == cpus;
  for (const auto& c : m.samples.empty() ? std::vector<ktstr::CpuSample>{} : m.samples.back().cpus)
    readable = readable && c.curr_pid >= 0;
  verdict(m.error.empty() && readable && enabled, "monitor",
          fmt::format("monitor on the kvm engine ({} samples, every CPU readable {}, sched_ext seen enabled {}{})",
                      m.samples.size(), readable, enabled, m.error.empty() ? "" : ", error: " + m.error));
}

// scx_simple attached under the own engine: the steady scenario's telemetry
// says the scheduler attached, ran as "simple" and did not fail, and every
// worker made progress.
void check_scheduler() {
  if (::access("/ktstr/sched.cpio", R_OK) != 0) {
    say("RIG: info no /ktstr/sched.cpio (no scx_simple in the kernel cache entry): scheduler check not run");
    return;
  }
  VmConfig c = config("1n1l2c1t", {"--scenario", "steady", "--duration", "3s", "--scheduler", "/bin/scx_simple",
                                   "--topology", "1n1l2c1t"},
                      Engine::kKvm);
  c.initramfs = {"/ktstr/sched.cpio"};
  std::optional<std::string> telemetry;
  auto out = boot(c, [&](ktstr::proto::MsgType t, std::string_view p) {
    if (t == ktstr::proto::MsgType::kTelemetry) telemetry = std::string(p);
  }, "scheduler", "scx_simple steady");
  if (!out) return;
  auto tel = telemetry ? ktstr::guest::decode_telemetry(*telemetry) : ktstr::fail("no telemetry frame");
  if (!tel) return verdict(false, "scheduler", "scx_simple under the kvm engine: " + tel.error().message);
  const auto& s = tel->scheduler;
  bool progressed = !tel->workers.empty();
  for (const auto& w : tel->workers) progressed = progressed && w.iterations > 0;
  verdict(out->exit_code() == 0 && s.attached && s.ops_name == "simple" && !s.failed && progressed, "scheduler",
          fmt::format("scx_simple under the kvm engine (exit {}, attached {}, ops {}, failed {}, {} workers progressed "
                      "{}{})",
                      out->exit_code(), s.attached, s.ops_name, s.failed, tel->workers.size(), progressed,
                      s.failed ? ", failure: " + s.failure : ""));
  check_monitor(*out, 2);
}

void check_exit_code() {
  auto out = boot(config("1n1l1c1t", {"exit", "5"}, Engine::kKvm), {}, "exit_code", "exit 5");
  if (out) verdict(out->exit_code() == 5, "exit_code", fmt::format("exit code propagation (got {})", out->exit_code()));
}

// One supervisor for both engines: the same faults end the same way on the
// own engine and on QEMU -enable-kvm — a missing initramfs is refused with the
// same message, an initramfs the kernel cannot unpack is an error (not an
// outcome) whose run directory keeps its console log.
void check_same_faults() {
  std::string missing[2], unpack[2];
  const Engine engines[2] = {Engine::kKvm, Engine::kQemu};
  (void)ktstr::write_file_atomic("/tmp/garbage.cpio", std::string(256 * 1024, '\x5a'));
  for (int i = 0; i < 2; ++i) {
    VmConfig c = config("1n1l1c1t", {"exit", "0"}, engines[i], 60);
    c.initramfs = {"/tmp/missing.cpio"};
    auto out = ktstr::vmm::run_vm(c, {});
    missing[i] = out ? "booted" : out.error().message;
    c.initramfs = {"/tmp/garbage.cpio"};
    out = ktstr::vmm::run_vm(c, {});
    unpack[i] = out ? fmt::format("outcome exit {}", out->exit_code()) : out.error().message;
    say(fmt::format("RIG: info faults on {}: missing: {} | garbage: {}", i == 0 ? "kvm" : "qemu", missing[i],
                    unpack[i]));
  }
  // The own engine's unpack failure names its console log, which must exist.
  const auto at = unpack[0].rfind("console log: ");
  const bool kept = at != std::string::npos &&
                    ::access(unpack[0].substr(at + 13, unpack[0].size() - at - 14).c_str(), F_OK) == 0;
  verdict(missing[0] == missing[1] && missing[0].find("not found") != std::string::npos &&
              unpack[0].find("could not unpack") != std::string::npos &&
              unpack[1].find("could not unpack") != std::string::npos && kept,
          "same_faults", "same faults, same ends on both engines (missing initramfs, unpack failure)");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

// Boot-to-exit wall time of each engine, same kernel, initramfs and topology,
// alternating engines so drift hits both alike. Also split per engine: the
// guest kernel's uptime when PID 1 says hello (kernel init, measured by the
// guest clock) and the wall time before it (VMM start, firmware, bzImage
// decompression), so a ratio can be explained, not just stated.
void bench(int rounds) {
  struct Variant {
    const char* name;
    Engine engine;
    const char* kernel;
    std::vector<double> wall, hello, kernel_init;
    int failed = 0;
  };
  std::vector<Variant> variants = {{"kvm engine, bzImage", Engine::kKvm, "/ktstr/bzImage", {}, {}, {}},
                                   {"qemu -enable-kvm, bzImage", Engine::kQemu, "/ktstr/bzImage", {}, {}, {}}};

  if (::access("/ktstr/vmlinux", R_OK) == 0) {
    variants.push_back({"kvm engine, vmlinux (PVH)", Engine::kKvm, "/ktstr/vmlinux", {}, {}, {}});
    variants.push_back({"qemu -enable-kvm, vmlinux (PVH)", Engine::kQemu, "/ktstr/vmlinux", {}, {}, {}});
  }
  if (::access("/ktstr/vmlinux-nopvh", R_OK) == 0)
    variants.push_back({"kvm engine, vmlinux (64-bit entry)", Engine::kKvm, "/ktstr/vmlinux-nopvh", {}, {}, {}});
  // What pre-faulting guest RAM (KVM_PRE_FAULT_MEMORY) buys: the same bzImage with it off.
  variants.push_back({"kvm engine, bzImage, no pre-faulting", Engine::kKvm, "/ktstr/bzImage", {}, {}, {}});
  for (int i = 0; i < rounds; ++i) {
    for (auto& v : variants) {
      if (std::string_view(v.name).ends_with("no pre-faulting")) ::setenv("KTSTR_KVM_PREFAULT", "off", 1);
      else ::unsetenv("KTSTR_KVM_PREFAULT");
      double uptime = -1;
      auto out = boot(config("1n1l2c1t", {"exit", "0"}, v.engine, 300, v.kernel),
                      [&](ktstr::proto::MsgType t, std::string_view p) {
                        if (t != ktstr::proto::MsgType::kHello) return;
                        auto j = nlohmann::json::parse(p, nullptr, false);
                        if (j.is_object() && j.contains("boot_s")) uptime = j["boot_s"].get<double>();
                      },
                      "bench", fmt::format("bench {}", v.name));
      // The rig stops or hangs a boot now and then, on either engine (README):
      // such a boot is counted and left out of the medians, not fatal.
      if (!out || out->exit_code() != 0) {
        ++v.failed;
        say(fmt::format("RIG: info bench boot failed ({}), left out: {}", v.failed, v.name));
        continue;
      }
      v.wall.push_back(out->wall_seconds);
      v.hello.push_back(out->boot_seconds);
      v.kernel_init.push_back(uptime);
    }
  }
  bool enough = true;
  for (const auto& v : variants) enough = enough && static_cast<int>(v.wall.size()) * 2 > rounds;
  std::string failures;
  for (const auto& v : variants)
    if (v.failed) failures += fmt::format("; {}: {} of {} boots failed", v.name, v.failed, rounds);
  verdict(enough, "bench", "runs (each variant needs most of its boots)" + failures);
  if (!enough) return;
  for (const auto& v : variants)
    say(fmt::format("RIG: bench split {}: exit {:.3f} s, first frame {:.3f} s = before the kernel clock {:.3f} s + "
                    "kernel init {:.3f} s (guest uptime at PID 1)",
                    v.name, median(v.wall), median(v.hello), median(v.hello) - median(v.kernel_init),
                    median(v.kernel_init)));
  const double ref = median(variants[1].wall);
  say(fmt::format("RIG: bench boot-to-exit 1n1l2c1t median of {}: kvm engine {:.3f} s, qemu -enable-kvm {:.3f} s, "
                  "ratio {:.3f} (goal <= 0.5), same bzImage",
                  rounds, median(variants[0].wall), ref, median(variants[0].wall) / ref));
  if (variants.size() > 2)
    say(fmt::format("RIG: bench boot-to-exit ratios against qemu -enable-kvm with the bzImage: kvm engine with the "
                    "vmlinux (PVH) {:.3f}; qemu with the vmlinux (PVH) {:.3f}",
                    median(variants[2].wall) / ref, median(variants[3].wall) / ref));
  for (size_t i = 4; i < variants.size(); ++i)
    say(fmt::format("RIG: bench boot-to-exit ratio against qemu -enable-kvm with the bzImage: {} {:.3f}",
                    variants[i].name, median(variants[i].wall) / ref));
}

// A host kernel with KVM as modules (e.g. Debian's): /ktstr/modules/order
// lists the .ko files in load order (dependencies first).
void load_modules() {
  const std::string order = ktstr::read_file("/ktstr/modules/order").value_or("");
  size_t pos = 0;
  while (pos < order.size()) {
    const size_t nl = order.find('\n', pos);
    const std::string name = order.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? order.size() : nl + 1;
    if (name.empty()) continue;
    const int fd = ::open(("/ktstr/modules/" + name).c_str(), O_RDONLY | O_CLOEXEC);
    const long r = fd < 0 ? -1 : ::syscall(SYS_finit_module, fd, "", 0);
    say(fmt::format("RIG: info module {}: {}", name, r == 0 ? "loaded" : std::strerror(errno)));
    if (fd >= 0) ::close(fd);
  }
}

// "ktstr.rig=MODE" on the host kernel's command line: bench (only the bench,
// more rounds), profile (one verbose boot per engine, see profile()) or
// flood (spontaneous stops per engine under a console flood, see flood()).
bool rig_mode(const char* mode) {
  const std::string cmdline = ktstr::read_file("/proc/cmdline").value_or("");
  return cmdline.find(std::string("ktstr.rig=") + mode) != std::string::npos;
}

// One boot per engine with the same bzImage (and the own engine with the
// vmlinux through PVH), printk at full verbosity and
// initcall_debug: echoes the guest console lines that explain where kernel
// init spends its time (every non-initcall line, and initcalls over 10 ms).
void profile() {
  struct Variant {
    Engine engine;
    const char* kernel;
    const char* name;
  };
  for (const Variant& v : {Variant{Engine::kKvm, "/ktstr/bzImage", "kvm"}, Variant{Engine::kKvm, "/ktstr/vmlinux", "kvm-pvh"},
                           Variant{Engine::kQemu, "/ktstr/bzImage", "qemu"}}) {
    if (::access(v.kernel, R_OK) != 0) continue;
    auto c = config("1n1l2c1t", {"exit", "0"}, v.engine, 300, v.kernel);
    c.extra_cmdline = "loglevel=7 initcall_debug";
    const char* name = v.name;
    auto out = boot(c, {}, "profile", fmt::format("profile {}", name));
    if (!out) return;
    const std::string log = ktstr::read_file(out->console_log_path).value_or("");
    size_t pos = 0;
    while (pos < log.size()) {
      const size_t nl = log.find('\n', pos);
      const std::string line = log.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      pos = nl == std::string::npos ? log.size() : nl + 1;
      if (line.find("calling  ") != std::string::npos) continue;
      const auto after = line.find(" after ");
      if (after != std::string::npos && line.find(" returned ") != std::string::npos &&
          std::atol(line.c_str() + after + 7) < 10000)
        continue;
      say(fmt::format("RIG: console {}: {}", name, line));
    }
  }
}

// The same boot, alternating engines, under a console flood (printk at full
// verbosity plus initcall_debug: thousands of UART exits and interrupts):
// counts, per engine, boots that end without the guest's exit frame (a
// spontaneous reset or triple fault) and boots that hang. This separates
// defects of the own engine from defects of the rig (QEMU-TCG's emulation of
// SVM under the host kernel's KVM), which hit both engines alike.
void flood(int rounds) {
  struct Tally {
    Engine engine;
    const char* name;
    int ok = 0, stopped = 0, hung = 0;
  };
  std::vector<Tally> tallies = {{Engine::kKvm, "kvm engine"}, {Engine::kQemu, "qemu -enable-kvm"}};
  for (int i = 0; i < rounds; ++i) {
    for (auto& t : tallies) {
      auto c = config("1n1l2c1t", {"exit", "0"}, t.engine, 90);
      c.extra_cmdline = "loglevel=8 initcall_debug";
      auto out = boot(c, {}, "flood", fmt::format("flood {} round {}", t.name, i + 1));
      if (!out) return;
      if (out->exit_code() == 0) t.ok++;
      else if (out->kind == VmOutcome::Kind::kTimeout) t.hung++;
      else t.stopped++;
    }
  }
  for (const auto& t : tallies)
    say(fmt::format("RIG: flood {}: {} boots, {} exited 0, {} stopped without the exit frame, {} hung (90 s)", t.name,
                    rounds, t.ok, t.stopped, t.hung));
}

}  // namespace

int main() {
  mount_basics();
  say("RIG: start");
  load_modules();
  // Evidence of what the rig host offers: vendor, family, svm/npt flags.
  const std::string cpuinfo = ktstr::read_file("/proc/cpuinfo").value_or("");
  for (const char* key : {"vendor_id", "cpu family", "model\t", "flags"}) {
    const auto at = cpuinfo.find(key);
    if (at == std::string::npos) continue;
    std::string line = cpuinfo.substr(at, cpuinfo.find('\n', at) - at);
    if (line.starts_with("flags"))
      line = fmt::format("flags: svm {} npt {} vmx {}", line.find(" svm") != std::string::npos,
                         line.find(" npt") != std::string::npos, line.find(" vmx") != std::string::npos);
    say("RIG: info host cpu " + line);
  }
  if (::access("/dev/kvm", R_OK | W_OK) != 0) {
    verdict(false, "kvm", "/dev/kvm missing in the rig host (KVM/KVM_AMD not in the host kernel, or no svm in -cpu max)");
  } else {
    if (rig_mode("bench")) {
      bench(9);
    } else if (rig_mode("profile")) {
      profile();
    } else if (rig_mode("flood")) {
      flood(6);
    } else if (rig_mode("sched")) {
      check_scheduler();
    } else if (rig_mode("topo")) {
      check_uneven_topologies();
    } else {
      // Most important first: a rig cut short still reports what it checked.
      for (const char* t : {"1n1l2c1t", "1n2l2c2t", "2n2l2c1t"}) check_topology(t);
      check_panic();
      check_timeout();
      bench(2);
      check_topology("1n2l3c1t");  // sparse APIC IDs
      check_uneven_topologies();
      check_exit_code();
      check_same_faults();
      check_scheduler();
      // The uncompressed kernel: PVH entry, and startup_64 when the PVH note is absent.
      check_topology("1n2l2c1t", "/ktstr/vmlinux", " (vmlinux, PVH entry)", "/vmlinux-pvh");
      check_topology("1n2l2c1t", "/ktstr/vmlinux-nopvh", " (vmlinux without the PVH note, 64-bit entry)",
                     "/vmlinux-64bit");
    }
  }
  say(fmt::format("RIG: done pass={} fail={}", g_pass, g_fail));
  ::sync();
  ::reboot(RB_AUTOBOOT);  // QEMU runs with -no-reboot: a reboot ends it
  return 0;
}
