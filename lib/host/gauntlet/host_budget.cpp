// Host probe and the fit rule for gauntlet presets.
#include <fcntl.h>
#include <sched.h>

#include <fstream>
#include <regex>
#include <string>

#include "base/fd.hpp"
#include "host/gauntlet/gauntlet.hpp"

namespace ktstr::gauntlet {

namespace {

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  int n = CPU_COUNT(&set);
  return n > 0 ? n : 1;
}

// A /dev/kvm without vmx/svm in the CPU flags is not hardware-backed (a guest
// then runs ~1000x slower; docs/architecture.md, "Measured facts"), so both
// conditions are required.
bool has_hardware_virt() {
  if (!open_file("/dev/kvm", O_RDWR)) return false;
  std::ifstream in("/proc/cpuinfo");
  static const std::regex kFlag(R"(^flags\s*:.*\b(vmx|svm)\b)");
  for (std::string line; std::getline(in, line);)
    if (std::regex_search(line, kFlag)) return true;
  return false;
}

}  // namespace

HostBudget detect_host_budget() { return {.cpus = affinity_cpus(), .hardware_virt = has_hardware_virt()}; }

Fit fit(const Topology& t, const HostBudget& host) {
  const int limit = host.max_vcpus();
  const char* engine = host.hardware_virt ? "KVM" : "TCG";
  if (t.vcpus() > limit)
    return {false, fmt::format("{} vCPUs > {} ({} host CPUs x {} under {})", t.vcpus(), limit, host.cpus,
                               limit / host.cpus, engine)};
  return {true, fmt::format("{} vCPUs <= {} ({} host CPUs, {})", t.vcpus(), limit, host.cpus, engine)};
}

}  // namespace ktstr::gauntlet
