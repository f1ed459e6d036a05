// The nested rig's diagnostic modes: the boot-time bench against QEMU
// -enable-kvm (also two rounds inside the full rig), one verbose boot per
// engine (profile) and spontaneous stops under a console flood (flood).
#include <algorithm>
#include <cstdlib>

#include "base/fd.hpp"
#include "rig_guest.hpp"

namespace ktstr::rig {

using vmm::Engine;
using vmm::VmOutcome;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

// Boot-to-exit wall time of each engine, same kernel, initramfs and topology,
// alternating engines so drift hits both alike. Also split per engine: the
// guest kernel's uptime when PID 1 says hello (kernel init, measured by the
// guest clock) and the wall time before it (VMM start, firmware, bzImage
// decompression), so a ratio can be explained, not just stated.
}  // namespace

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

}  // namespace ktstr::rig
