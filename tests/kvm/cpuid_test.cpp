// CPUID rewriting, checked by decoding the leaves back into a topology the way
// Linux 6.12 does (arch/x86/kernel/cpu/topology_common.c, topology_amd.c,
// cacheinfo.c) and comparing it with the declaration.
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <set>

#include "host/gauntlet/gauntlet.hpp"
#include "vmm/kvm/cpuid.hpp"

using namespace ktstr;
using namespace ktstr::kvm;

namespace {

CpuidEntry leaf(uint32_t fn, uint32_t eax, uint32_t ebx = 0, uint32_t ecx = 0, uint32_t edx = 0) {
  return {.function = fn, .index = 0, .flags = 0, .eax = eax, .ebx = ebx, .ecx = ecx, .edx = edx};
}
CpuidEntry subleaf(uint32_t fn, uint32_t idx, uint32_t eax, uint32_t ebx = 0, uint32_t ecx = 0, uint32_t edx = 0) {
  return {.function = fn, .index = idx, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = eax, .ebx = ebx,
          .ecx = ecx, .edx = edx};
}
CpuidEntry vendor_leaf(uint32_t max, const char* v) {
  CpuidEntry e = leaf(0, max);
  std::memcpy(&e.ebx, v, 4);
  std::memcpy(&e.edx, v + 4, 4);
  std::memcpy(&e.ecx, v + 8, 4);
  return e;
}

// Shaped like KVM_GET_SUPPORTED_CPUID on an Intel host: host cache leaves that
// say "16 threads share the L3", a populated PMU leaf, empty topology leaves.
std::vector<CpuidEntry> intel_supported() {
  return {vendor_leaf(0x1f, "GenuineIntel"),
          leaf(1, 0x000906ea, 0x00100800, 0xf7fa3223, 0x0f8bfbff),
          subleaf(4, 0, 0x1c004121, 0x01c0003f, 0x3f, 0), subleaf(4, 3, 0x1c03c163, 0x03c0003f, 0x2fff, 6),
          leaf(0xa, 0x07300805, 0, 0, 0x603),
          subleaf(0xb, 0, 0, 0, 0, 0), subleaf(0x1f, 0, 0, 0, 0, 0),
          leaf(0x80000000, 0x80000008), leaf(0x80000008, 0x3027)};
}

// Shaped like an AMD host with no TopoExt leaves (as under QEMU-TCG -cpu max).
std::vector<CpuidEntry> amd_supported() {
  return {vendor_leaf(0xd, "AuthenticAMD"), leaf(1, 0x00a00f11, 0x00000800, 0xfed83203, 0x178bfbff),
          leaf(0xa, 0x1), leaf(0x80000000, 0x80000008), leaf(0x80000001, 0, 0, 0x00000001, 0),
          leaf(0x80000008, 0x3030, 0, 0x0000, 0)};
}

uint32_t reg(std::span<const CpuidEntry> t, uint32_t fn, uint32_t idx, int which) {
  const CpuidEntry* e = cpuid_find(t, fn, idx);
  REQUIRE(e != nullptr);
  const uint32_t r[] = {e->eax, e->ebx, e->ecx, e->edx};
  return r[which];
}
enum { EAX, EBX, ECX, EDX };

// What Linux would derive for one CPU.
struct Derived {
  uint32_t apic_id;
  uint32_t core_key;  // apicid >> smt shift: identifies the core
  uint32_t llc_id;
  uint32_t pkg_id;
};

int ilog2_up(uint32_t n) { return count_order(n); }

// The cache subleaf with level 3, searched like find_num_cache_leaves().
uint32_t l3_sharing(std::span<const CpuidEntry> t, uint32_t fn) {
  for (uint32_t i = 0;; ++i) {
    const uint32_t eax = reg(t, fn, i, EAX);
    if ((eax & 0x1f) == 0) FAIL("no L3 subleaf");
    if (((eax >> 5) & 7) == 3) return ((eax >> 14) & 0xfff) + 1;
  }
}

Derived decode(std::span<const CpuidEntry> t, CpuVendor vendor) {
  Derived d{};
  const uint32_t max_leaf = reg(t, 0, 0, EAX);
  REQUIRE(max_leaf >= 0xb);
  d.apic_id = reg(t, 0xb, 0, EDX);
  const int smt_shift = reg(t, 0xb, 0, EAX) & 0x1f;
  const int core_shift = reg(t, 0xb, 1, EAX) & 0x1f;
  CHECK(((reg(t, 0xb, 0, ECX) >> 8) & 0xff) == 1);  // SMT level
  CHECK(((reg(t, 0xb, 1, ECX) >> 8) & 0xff) == 2);  // core level
  CHECK(((reg(t, 0xb, 2, ECX) >> 8) & 0xff) == 0);  // end
  if (max_leaf >= 0x1f) {
    for (uint32_t s = 0; s < 3; ++s)
      for (int r : {EAX, EBX, ECX, EDX}) CHECK(reg(t, 0x1f, s, r) == reg(t, 0xb, s, r));
  }
  CHECK((reg(t, 1, 0, EBX) >> 24) == (d.apic_id & 0xff));
  d.core_key = d.apic_id >> smt_shift;
  d.pkg_id = d.apic_id >> core_shift;
  // The PMU leaf is zeroed deliberately.
  for (int r : {EAX, EBX, ECX, EDX}) CHECK(reg(t, 0xa, 0, r) == 0);
  if (vendor == CpuVendor::kIntel) {
    d.llc_id = d.apic_id >> ilog2_up(l3_sharing(t, 4));
    CHECK(((reg(t, 4, 0, EAX) >> 26) + 1) >= static_cast<uint32_t>(1 << (core_shift - smt_shift)));
  } else {
    CHECK((reg(t, 0x80000001, 0, ECX) & (1u << 22)) != 0);  // TopoExt
    CHECK(reg(t, 0x80000000, 0, EAX) >= 0x8000001e);
    const uint32_t sizes = reg(t, 0x80000008, 0, ECX);
    CHECK(static_cast<int>((sizes >> 12) & 0xf) == core_shift);
    CHECK(reg(t, 0x8000001e, 0, EAX) == d.apic_id);
    // Family >= 17h: LLC from 8000_001DH sharing; before: the node ID.
    d.llc_id = d.apic_id >> ilog2_up(l3_sharing(t, 0x8000001d));
    CHECK((reg(t, 0x8000001e, 0, ECX) & 0xff) == d.llc_id);
    CHECK(((reg(t, 0x8000001e, 0, EBX) >> 8) & 0xff) + 1 == static_cast<uint32_t>(1 << smt_shift) );
  }
  return d;
}

// Decodes every vCPU's table and checks the result equals the declaration.
void check_roundtrip(const std::vector<CpuidEntry>& supported, const char* topo_str) {
  const Topology topo = *Topology::parse(topo_str);
  const ApicLayout l = ApicLayout::of(topo);
  const CpuVendor vendor = cpuid_vendor(supported);
  std::map<uint32_t, std::set<uint32_t>> cores_of_llc;
  std::map<uint32_t, int> threads_of_core;
  std::set<uint32_t> apic_ids;
  for (int cpu = 0; cpu < topo.vcpus(); ++cpu) {
    CAPTURE(cpu);
    const auto table = cpuid_for_vcpu(supported, l, cpu);
    const Derived d = decode(table, vendor);
    CHECK(d.apic_id == l.apic_id(cpu));
    CHECK(d.llc_id == static_cast<uint32_t>(topo.place(cpu).llc));
    CHECK(d.pkg_id == d.llc_id);
    cores_of_llc[d.llc_id].insert(d.core_key);
    ++threads_of_core[d.core_key];
    apic_ids.insert(d.apic_id);
  }
  CHECK(apic_ids.size() == static_cast<size_t>(topo.vcpus()));
  CHECK(cores_of_llc.size() == static_cast<size_t>(topo.llcs()));
  for (const auto& [llc, cores] : cores_of_llc) CHECK(cores.size() == static_cast<size_t>(topo.cores_of_llc(static_cast<int>(llc))));
  for (const auto& [core, n] : threads_of_core) CHECK(n == topo.threads());
}

}  // namespace

TEST_CASE("vendor detection") {
  CHECK(cpuid_vendor(intel_supported()) == CpuVendor::kIntel);
  CHECK(cpuid_vendor(amd_supported()) == CpuVendor::kAmd);
}

TEST_CASE("Intel CPUID decodes back to the declared topology") {
  for (const char* t : {"1n1l1c1t", "1n1l2c1t", "1n2l2c2t", "2n2l2c1t", "1n2l3c1t", "2n4l3c2t", "1n3l5c2t",
                        // uneven LLCs, uneven nodes, LLCs not dividing over nodes, SMT-4, 192 vCPUs
                        "1n2l3_1c1t", "2n2l3_1c1t", "2n1_2l2_1_1c1t", "2n2_1l1c1t", "1n3l2_1_2c2t", "1n4l4_4_3_3c2t",
                        "1n1l1c4t", "1n2l2c4t", "2n2l2c1t1_0m", "4n12l8c2t"}) {
    CAPTURE(t);
    check_roundtrip(intel_supported(), t);
  }
}

TEST_CASE("AMD CPUID decodes back to the declared topology") {
  for (const char* t : {"1n1l1c1t", "1n1l2c1t", "1n2l2c2t", "2n2l2c1t", "1n2l3c1t", "2n4l3c2t", "1n3l5c2t",
                        // uneven LLCs, uneven nodes, LLCs not dividing over nodes, SMT-4, 192 vCPUs
                        "1n2l3_1c1t", "2n2l3_1c1t", "2n1_2l2_1_1c1t", "2n2_1l1c1t", "1n3l2_1_2c2t", "1n4l4_4_3_3c2t",
                        "1n1l1c4t", "1n2l2c4t", "2n2l2c1t1_0m", "4n12l8c2t"}) {
    CAPTURE(t);
    check_roundtrip(amd_supported(), t);
  }
}

TEST_CASE("host cache leaves are replaced, not merged") {
  const auto l = ApicLayout::of(*Topology::parse("1n2l3c1t"));
  const auto t = cpuid_for_vcpu(intel_supported(), l, 0);
  int leaf4 = 0;
  for (const auto& e : t) leaf4 += e.function == 4;
  CHECK(leaf4 == 5);  // four caches + null terminator
  CHECK(l3_sharing(t, 4) == 4);  // 3 cores round up to a 4-wide APIC ID span
}

TEST_CASE("leaf 1 keeps feature bits and marks the hypervisor") {
  const auto l = ApicLayout::of(*Topology::parse("1n1l2c2t"));
  const auto t = cpuid_for_vcpu(intel_supported(), l, 3);
  CHECK(reg(t, 1, 0, EAX) == 0x000906ea);
  CHECK((reg(t, 1, 0, ECX) & 0x7ffffffful) == (0xf7fa3223u & 0x7fffffffu));
  CHECK((reg(t, 1, 0, ECX) >> 31) == 1);
  CHECK(((reg(t, 1, 0, EBX) >> 16) & 0xff) == 4);
  CHECK((reg(t, 1, 0, EDX) & (1u << 28)) != 0);
}

TEST_CASE("an LLC narrower than the widest reports its own package size, the widest's shift") {
  const auto l = ApicLayout::of(*Topology::parse("1n2l3_1c1t"));
  for (const auto& supported : {intel_supported(), amd_supported()}) {
    const auto wide = cpuid_for_vcpu(supported, l, 0);
    const auto narrow = cpuid_for_vcpu(supported, l, 3);  // the 1-core LLC
    CHECK(reg(wide, 0xb, 1, EBX) == 3);
    CHECK(reg(narrow, 0xb, 1, EBX) == 1);
    CHECK(reg(wide, 0xb, 1, EAX) == 2);    // both: 2 core bits
    CHECK(reg(narrow, 0xb, 1, EAX) == 2);
    CHECK(reg(narrow, 0xb, 0, EDX) == 4);  // APIC ID 1 << 2
  }
  const auto amd = cpuid_for_vcpu(amd_supported(), l, 3);
  CHECK((reg(amd, 0x80000008, 0, ECX) & 0xff) == 0);  // NC = 1 CPU - 1
  CHECK(((reg(amd, 0x80000008, 0, ECX) >> 12) & 0xf) == 2);
}

TEST_CASE("SMT-4: four threads share a core in 0BH and 8000_001EH") {
  const auto l = ApicLayout::of(*Topology::parse("1n1l1c4t"));
  for (int cpu = 0; cpu < 4; ++cpu) {
    const auto amd = cpuid_for_vcpu(amd_supported(), l, cpu);
    CHECK(reg(amd, 0xb, 0, EBX) == 4);
    CHECK((reg(amd, 0xb, 0, EAX) & 0x1f) == 2);
    CHECK(((reg(amd, 0x8000001e, 0, EBX) >> 8) & 0xff) == 3);
    const auto intel = cpuid_for_vcpu(intel_supported(), l, cpu);
    CHECK(((reg(intel, 4, 0, EAX) >> 14) & 0xfff) == 3);  // L1d shared by the 4 threads
  }
}

TEST_CASE("every gauntlet preset decodes back to its declaration, Intel and AMD") {
  for (const auto& preset : gauntlet::presets()) {
    const std::string t = preset.topology.str();
    CAPTURE(t);
    check_roundtrip(intel_supported(), t.c_str());
    check_roundtrip(amd_supported(), t.c_str());
  }
}
