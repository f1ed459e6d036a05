// ACPI tables: checksums verified here, structure verified by ACPICA's own
// disassembler (iasl -d from acpica-tools), which flags bad lengths,
// checksums, unknown subtables and AML errors in its output.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <numeric>

#include "base/fd.hpp"
#include "base/process.hpp"
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
  return split_memory_by_node(ram, 2);
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
