#include "vmm/accel.hpp"

#include <fcntl.h>

#include <sstream>

#include "base/fd.hpp"

namespace ktstr::vmm {

namespace {
// "vmx" or "svm" when /proc/cpuinfo's flags list one, else "".
std::string cpu_virt_flag() {
  auto info = read_file("/proc/cpuinfo");
  if (!info) return {};
  std::istringstream in(*info);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("flags")) continue;
    std::istringstream words(line);
    for (std::string w; words >> w;)
      if (w == "vmx" || w == "svm") return w;
  }
  return {};
}
}  // namespace

AccelChoice choose_accel() {
  auto kvm = open_file("/dev/kvm", O_RDWR);
  if (!kvm) return {Accel::kTcg, fmt::format("TCG (multi-threaded): /dev/kvm unusable ({})", kvm.error().message)};
  std::string flag = cpu_virt_flag();
  if (flag.empty())
    return {Accel::kTcg, "TCG (multi-threaded): /dev/kvm exists but /proc/cpuinfo has no vmx/svm flag (not hardware-backed)", ""};
  return {Accel::kKvm, fmt::format("KVM: /dev/kvm usable and the CPU has {}", flag), flag};
}

EngineChoice choose_auto_engine(const AccelChoice& accel, bool interactive) {
  if (accel.accel != Accel::kKvm) return {false, "engine qemu: " + accel.reason};
  if (interactive) return {false, "engine qemu: interactive console (the own engine has no terminal console)"};
  if (accel.virt_flag != "svm")
    return {false, fmt::format("engine qemu: the own engine's {} path is not proven yet (--engine kvm to try it)",
                               accel.virt_flag)};
  return {true, "engine kvm (own VMM): KVM is hardware-backed (svm)"};
}

}  // namespace ktstr::vmm

namespace ktstr::vmm {

std::string kvm_requirement_unmet(const AccelChoice& choice) {
  const char* req = std::getenv("KTSTR_REQUIRE_KVM");
  if (!req || std::string_view(req) != "1" || choice.accel == Accel::kKvm) return {};
  return fmt::format("KTSTR_REQUIRE_KVM=1 but KVM is not usable here: {}", choice.reason);
}

}  // namespace ktstr::vmm
