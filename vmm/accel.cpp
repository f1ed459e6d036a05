#include "vmm/accel.hpp"

#include <fcntl.h>

#include <sstream>

#include "base/fd.hpp"

namespace ktstr::vmm {

namespace {
bool cpu_has_virt_flag() {
  auto info = read_file("/proc/cpuinfo");
  if (!info) return false;
  std::istringstream in(*info);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("flags")) continue;
    std::istringstream words(line);
    for (std::string w; words >> w;)
      if (w == "vmx" || w == "svm") return true;
  }
  return false;
}
}  // namespace

AccelChoice choose_accel() {
  auto kvm = open_file("/dev/kvm", O_RDWR);
  if (!kvm) return {Accel::kTcg, fmt::format("TCG (multi-threaded): /dev/kvm unusable ({})", kvm.error().message)};
  if (!cpu_has_virt_flag())
    return {Accel::kTcg, "TCG (multi-threaded): /dev/kvm exists but /proc/cpuinfo has no vmx/svm flag (not hardware-backed)"};
  return {Accel::kKvm, "KVM: /dev/kvm usable and the CPU has vmx/svm"};
}

}  // namespace ktstr::vmm

namespace ktstr::vmm {

std::string kvm_requirement_unmet(const AccelChoice& choice) {
  const char* req = std::getenv("KTSTR_REQUIRE_KVM");
  if (!req || std::string_view(req) != "1" || choice.accel == Accel::kKvm) return {};
  return fmt::format("KTSTR_REQUIRE_KVM=1 but KVM is not usable here: {}", choice.reason);
}

}  // namespace ktstr::vmm
