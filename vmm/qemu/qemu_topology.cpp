// QEMU's -smp is one uniform grid of sockets x cores x threads (QEMU 7.2
// docs/system/invocation, "-smp"); ktstr maps each LLC to a socket because
// QEMU's CPUID cache leaves describe L3 as shared by one socket. LLCs of
// different sizes use a grid as wide as the widest LLC with the unused slots
// left empty: QEMU creates only the first `cpus` slots of `maxcpus`, and
// further CPUs are cold-plugged with `-device <model>-x86_64-cpu,socket-id=,
// core-id=,thread-id=` (docs/system/cpu-hotplug.rst). Absent slots are not in
// the guest's MADT, so the guest's possible, present and online CPUs are the
// declared ones, numbered in APIC ID order like Topology::place.
#include "vmm/qemu/qemu_topology.hpp"

namespace ktstr::vmm {

std::string escape_commas(std::string_view v) {
  std::string out;
  for (char c : v) out += c == ',' ? std::string(",,") : std::string(1, c);
  return out;
}

namespace {

int slots(const Topology& t) { return t.llcs() * t.max_cores() * t.threads(); }

CpuSlot slot_at(const Topology& t, int i) {
  const int per_socket = t.max_cores() * t.threads();
  return {.socket = i / per_socket, .core = (i % per_socket) / t.threads(), .thread = i % t.threads()};
}

bool wanted(const Topology& t, const CpuSlot& s) { return s.core < t.cores_of_llc(s.socket); }

// Slots QEMU creates itself: the wanted ones up to the first empty slot.
int created_slots(const Topology& t) {
  int i = 0;
  while (i < slots(t) && wanted(t, slot_at(t, i))) ++i;
  return i;
}

}  // namespace

std::string smp_option(const Topology& t) {
  const std::string grid = fmt::format("sockets={},cores={},threads={}", t.llcs(), t.max_cores(), t.threads());
  if (created_slots(t) == slots(t)) return fmt::format("{},{}", t.vcpus(), grid);
  return fmt::format("{},maxcpus={},{}", created_slots(t), slots(t), grid);
}

std::vector<CpuSlot> cold_plugged_cpus(const Topology& t) {
  std::vector<CpuSlot> out;
  for (int i = created_slots(t); i < slots(t); ++i)
    if (wanted(t, slot_at(t, i))) out.push_back(slot_at(t, i));
  return out;
}

std::vector<std::string> qemu_topology_args(const Topology& t, const MemoryPlan& memory,
                                            const std::vector<std::string>& memory_files, bool huge,
                                            std::string_view cpu_model) {
  std::vector<std::string> a = {"-smp", smp_option(t)};
  for (const CpuSlot& s : cold_plugged_cpus(t))
    a.insert(a.end(), {"-device", fmt::format("{}-x86_64-cpu,socket-id={},core-id={},thread-id={}", cpu_model,
                                              s.socket, s.core, s.thread)});
  for (int n = 0; n < t.nodes(); ++n) {
    const auto i = static_cast<size_t>(n);
    if (t.memoryless(n)) {
      a.insert(a.end(), {"-numa", fmt::format("node,nodeid={}", n)});
      continue;
    }
    a.insert(a.end(), {"-object", fmt::format("memory-backend-file,id=m{},size={}M,mem-path={},share=on{}", n,
                                              memory.node_bytes[i] / kMiB, escape_commas(memory_files[i]),
                                              huge ? ",align=2M" : "")});
    a.insert(a.end(), {"-numa", fmt::format("node,nodeid={},memdev=m{}", n, n)});
  }
  for (int s = 0; s < t.llcs(); ++s)
    a.insert(a.end(), {"-numa", fmt::format("cpu,node-id={},socket-id={}", t.node_of_llc(s), s)});
  return a;
}

}  // namespace ktstr::vmm
