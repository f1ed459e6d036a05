// ACPI tables: checksums verified here, structure verified by ACPICA's own
// disassembler (iasl -d from acpica-tools), which flags bad lengths,
// checksums, unknown subtables and AML errors in its output.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <map>
#include <numeric>

#include "base/fd.hpp"
#include "base/process.hpp"
#include "host/gauntlet/gauntlet.hpp"
#include "vmm/kvm/acpi/tables.hpp"
#include "vmm/kvm/layout.hpp"

using namespace ktstr;
using namespace ktstr::kvm;
using namespace ktstr::kvm::acpi;

namespace {

unsigned byte_sum(std::span<const uint8_t> b) { return std::accumulate(b.begin(), b.end(), 0u) & 0xff; }

uint32_t length_of(const Bytes& t) {
  uint32_t len = 0;
  std::memcpy(&len, t.data() + 4, 4);
  return len;
}

std::vector<NodeMemory> two_nodes() {
  const RamRange ram[] = {{0, 3ull << 30}, {4ull << 30, 1ull << 30}};
  return split_memory_by_node(ram, *Topology::parse("2n2l1c1t"));
}

// Writes `table` to a temp dir, runs iasl -d, returns the .dsl text.
std::string disassemble(const std::string& name, const Bytes& table) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("ktstr-acpi-{}", getpid());
  std::filesystem::create_directories(dir);
  const auto bin = dir / (name + ".dat");
  REQUIRE(write_file_atomic(bin, std::string_view(reinterpret_cast<const char*>(table.data()), table.size())));
  auto run = run_capture({"iasl", "-d", bin.string()});
  REQUIRE_MESSAGE(run, "iasl could not start; install acpica-tools");
  INFO(run->output);
  CHECK(run->status.success());
  auto dsl = read_file(dir / (name + ".dsl"));
  REQUIRE(dsl);
  std::filesystem::remove_all(dir);
  return *dsl;
}

// iasl marks every problem it finds in a data table with "****" or words below.
void check_clean(const std::string& dsl) {
  INFO(dsl);
  CHECK(dsl.find("****") == std::string::npos);
  CHECK(dsl.find("Incorrect") == std::string::npos);
  CHECK(dsl.find("Invalid") == std::string::npos);
  CHECK(dsl.find("Unknown") == std::string::npos);
  CHECK(dsl.find("Error") == std::string::npos);
}

}  // namespace

TEST_CASE("every table sums to zero and states its length") {
  const auto l = ApicLayout::of(*Topology::parse("2n4l3c2t"));
  const auto mem = two_nodes();
  for (const Bytes& t : {build_xsdt(std::vector<uint64_t>{0xe0040, 0xe0100}), build_fadt(0xe0040), build_dsdt(),
                         build_madt(l), build_srat(l, mem), build_slit(2)}) {
    CHECK(byte_sum(t) == 0);
    CHECK(length_of(t) == t.size());
  }
  const Bytes rsdp = build_rsdp(0xe1000);
  CHECK(rsdp.size() == 36);
  CHECK(byte_sum(std::span(rsdp).first(20)) == 0);
  CHECK(byte_sum(rsdp) == 0);
}

TEST_CASE("iasl disassembles every table cleanly") {
  const auto l = ApicLayout::of(*Topology::parse("2n4l3c2t"));
  const auto mem = two_nodes();
  // iasl 20200925 refuses a standalone RSDP file ("Binary file does not
  // contain a valid ACPI table"); the RSDP is checked field by field below.
  check_clean(disassemble("xsdt", build_xsdt(std::vector<uint64_t>{0xe0040, 0xe0100})));
  const std::string fadt = disassemble("facp", build_fadt(0xe0040));
  check_clean(fadt);
  CHECK(fadt.find("Hardware Reduced (V5) : 0") != std::string::npos);
  const std::string dsdt = disassemble("dsdt", build_dsdt());
  check_clean(dsdt);
  CHECK(dsdt.find("Name (_S5, Package (0x04)") != std::string::npos);
  const std::string madt = disassemble("apic", build_madt(l));
  check_clean(madt);
  const std::string srat = disassemble("srat", build_srat(l, mem));
  check_clean(srat);
  const std::string slit = disassemble("slit", build_slit(2));
  check_clean(slit);
  CHECK(slit.find("Localities : 0000000000000002") != std::string::npos);
}

TEST_CASE("RSDP fields follow ACPI 6.5 Table 5.3") {
  const Bytes r = build_rsdp(0x1122334455667788ull);
  CHECK(std::memcmp(r.data(), "RSD PTR ", 8) == 0);
  CHECK(r[15] == 2);  // revision
  uint32_t rsdt = 1, len = 0;
  uint64_t xsdt = 0;
  std::memcpy(&rsdt, r.data() + 16, 4);
  std::memcpy(&len, r.data() + 20, 4);
  std::memcpy(&xsdt, r.data() + 24, 8);
  CHECK(rsdt == 0);
  CHECK(len == 36);
  CHECK(xsdt == 0x1122334455667788ull);
}

TEST_CASE("MADT: one enabled processor per vCPU, x2APIC entries only where ids need them") {
  const auto small = ApicLayout::of(*Topology::parse("1n2l3c1t"));
  const std::string madt = disassemble("apic", build_madt(small));
  size_t n = 0;
  for (size_t p = 0; (p = madt.find("Processor Local APIC", p)) != std::string::npos; ++p) ++n;
  CHECK(n == 6);
  CHECK(madt.find("Local Apic ID : 06") != std::string::npos);  // sparse: no 03
  CHECK(madt.find("Local Apic ID : 03") == std::string::npos);
  CHECK(madt.find("x2APIC") == std::string::npos);
  // 252 vCPUs with 3 cores per LLC and 2 threads: APIC IDs reach beyond 254.
  const auto big = ApicLayout::of(*Topology::parse("1n42l3c2t"));
  REQUIRE(big.max_apic_id() > 254);
  const std::string madt_big = disassemble("apic", build_madt(big));
  check_clean(madt_big);
  CHECK(madt_big.find("Processor Local x2APIC") != std::string::npos);
  const std::string srat_big = disassemble("srat", build_srat(big, two_nodes()));
  check_clean(srat_big);
  CHECK(srat_big.find("Processor Local x2APIC Affinity") != std::string::npos);
}

TEST_CASE("NUMA memory split covers all RAM, node by node") {
  const auto mem = two_nodes();
  uint64_t total = 0;
  for (const auto& m : mem) total += m.size;
  CHECK(total == (4ull << 30));
  CHECK(mem.front().node == 0);
  CHECK(mem.front().base == 0);
  CHECK(mem.back().node == 1);
  uint64_t node0 = 0;
  for (const auto& m : mem) node0 += m.node == 0 ? m.size : 0;
  CHECK(node0 == (2ull << 30));
}

TEST_CASE("the image starts with the RSDP and fits the BIOS area") {
  const auto l = ApicLayout::of(*Topology::parse("2n2l2c1t"));
  const auto img = build_acpi_image(layout::kAcpiStart, l, two_nodes());
  CHECK(img.rsdp_addr == layout::kAcpiStart);
  CHECK(std::memcmp(img.bytes.data(), "RSD PTR ", 8) == 0);
  CHECK(layout::kAcpiStart + img.bytes.size() <= layout::kAcpiEnd);
  CHECK(byte_sum(std::span(img.bytes).first(36)) == 0);
}

namespace {

// The SRAT's affinity entries, decoded from the bytes (ACPI 6.5 sec. 5.2.16):
// APIC ID -> domain, and (domain, base, length) per memory range.
struct SratView {
  std::map<uint32_t, uint32_t> cpu_domain;
  std::vector<NodeMemory> memory;
};

SratView decode_srat(const Bytes& t) {
  SratView v;
  for (size_t at = 48; at + 2 <= t.size(); at += t[at + 1]) {
    REQUIRE(t[at + 1] > 0);
    uint32_t u32 = 0;
    uint64_t base = 0, len = 0;
    switch (t[at]) {
      case 0:  // Processor Local APIC affinity: domain bits 7:0 at +2, 31:8 at +9
        v.cpu_domain[t[at + 3]] = t[at + 2] | (uint32_t{t[at + 9]} << 8) | (uint32_t{t[at + 10]} << 16) |
                                  (uint32_t{t[at + 11]} << 24);
        break;
      case 1:  // Memory affinity
        std::memcpy(&u32, t.data() + at + 2, 4);
        std::memcpy(&base, t.data() + at + 8, 8);
        std::memcpy(&len, t.data() + at + 16, 8);
        v.memory.push_back({.node = static_cast<int>(u32), .base = base, .size = len});
        break;
      case 2: {  // x2APIC affinity: domain at +4, x2APIC ID at +8
        uint32_t id = 0;
        std::memcpy(&u32, t.data() + at + 4, 4);
        std::memcpy(&id, t.data() + at + 8, 4);
        v.cpu_domain[id] = u32;
        break;
      }
      default: FAIL("unexpected SRAT subtable type ", int{t[at]});
    }
  }
  return v;
}

const RamRange kFourGiB[] = {{0, 3ull << 30}, {4ull << 30, 1ull << 30}};

uint64_t bytes_of(const std::vector<NodeMemory>& mem, int node) {
  uint64_t b = 0;
  for (const auto& m : mem) b += m.node == node ? m.size : 0;
  return b;
}

}  // namespace

TEST_CASE("RAM shares: split in proportion, nothing for a memoryless node") {
  const auto shares = split_memory_by_node(kFourGiB, *Topology::parse("2n2l2c1t3_1m"));
  CHECK(bytes_of(shares, 0) == (3ull << 30));
  CHECK(bytes_of(shares, 1) == (1ull << 30));
  const auto last = split_memory_by_node(kFourGiB, *Topology::parse("2n2l2c1t1_0m"));
  CHECK(bytes_of(last, 0) == (4ull << 30));
  CHECK(bytes_of(last, 1) == 0);
  const auto middle = split_memory_by_node(kFourGiB, *Topology::parse("3n3l1c1t1_0_1m"));
  CHECK(bytes_of(middle, 0) == (2ull << 30));
  CHECK(bytes_of(middle, 1) == 0);
  CHECK(bytes_of(middle, 2) == (2ull << 30));
  for (const auto& m : middle) CHECK(m.node != 1);
  CHECK(middle.front().base == 0);
}

TEST_CASE("MADT and SRAT of uneven shapes: exactly the declared CPUs, each in its node") {
  // Node 0: LLC 0 (3 cores, APIC 0-2); node 1: LLC 1 (1 core, APIC 4), memoryless.
  const auto t = *Topology::parse("2n2l3_1c1t1_0m");
  const auto l = ApicLayout::of(t);
  const std::string madt = disassemble("apic", build_madt(l));
  check_clean(madt);
  size_t n = 0;
  for (size_t p = 0; (p = madt.find("Processor Local APIC", p)) != std::string::npos; ++p) ++n;
  CHECK(n == 4);
  CHECK(madt.find("Local Apic ID : 04") != std::string::npos);
  CHECK(madt.find("Local Apic ID : 03") == std::string::npos);
  const auto mem = split_memory_by_node(kFourGiB, t);
  const Bytes srat_bytes = build_srat(l, mem);
  check_clean(disassemble("srat", srat_bytes));
  const SratView srat = decode_srat(srat_bytes);
  CHECK(srat.cpu_domain == std::map<uint32_t, uint32_t>{{0, 0}, {1, 0}, {2, 0}, {4, 1}});
  REQUIRE(!srat.memory.empty());
  for (const auto& m : srat.memory) CHECK(m.node == 0);
  const std::string slit = disassemble("slit", build_slit(t.nodes()));
  check_clean(slit);
}

TEST_CASE("SRAT: LLCs not dividing over nodes, SMT-4, 192 vCPUs") {
  const auto uneven = ApicLayout::of(*Topology::parse("2n1_2l2_1_1c1t"));
  CHECK(decode_srat(build_srat(uneven, two_nodes())).cpu_domain ==
        std::map<uint32_t, uint32_t>{{0, 0}, {1, 0}, {2, 1}, {4, 1}});
  const auto smt4 = ApicLayout::of(*Topology::parse("1n2l2c4t"));
  const std::string madt = disassemble("apic", build_madt(smt4));
  check_clean(madt);
  CHECK(madt.find("Local Apic ID : 0F") != std::string::npos);
  const auto big_topo = *Topology::parse("4n12l8c2t");
  const auto big = ApicLayout::of(big_topo);
  const Bytes srat = build_srat(big, split_memory_by_node(kFourGiB, big_topo));
  check_clean(disassemble("srat", srat));
  const SratView v = decode_srat(srat);
  CHECK(v.cpu_domain.size() == 192);
  CHECK(v.cpu_domain.at(0) == 0);
  CHECK(v.cpu_domain.at(191) == 3);   // LLC 11, node 3
  CHECK(v.cpu_domain.at(48) == 1);    // LLC 3 = node 1's first
  for (int node = 0; node < 4; ++node) CHECK(bytes_of(v.memory, node) == (1ull << 30));
}

// The own engine must present every gauntlet preset exactly: each declared
// CPU's APIC ID in its node's SRAT domain and no other CPU, RAM only on the
// nodes declared with memory, tables iasl accepts.
TEST_CASE("every gauntlet preset: SRAT places exactly the declared CPUs, RAM only where declared") {
  for (const auto& preset : gauntlet::presets()) {
    const Topology& t = preset.topology;
    CAPTURE(t.str());
    const auto l = ApicLayout::of(t);
    std::map<uint32_t, uint32_t> expected;
    for (int cpu = 0; cpu < t.vcpus(); ++cpu) expected[l.apic_id(cpu)] = static_cast<uint32_t>(t.place(cpu).node);
    CHECK(expected.size() == static_cast<size_t>(t.vcpus()));  // APIC IDs are distinct
    const auto mem = split_memory_by_node(kFourGiB, t);
    const Bytes srat = build_srat(l, mem);
    const SratView view = decode_srat(srat);
    CHECK(view.cpu_domain == expected);
    for (int n = 0; n < t.nodes(); ++n) CHECK((bytes_of(view.memory, n) == 0) == t.memoryless(n));
    check_clean(disassemble("srat", srat));
    check_clean(disassemble("apic", build_madt(l)));
  }
}
