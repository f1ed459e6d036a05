// RSDP, ACPI 6.5 sec. 5.2.5.3, Table 5.3: revision 2, points at the XSDT only.
#include <cstddef>
#include <cstring>

#include "vmm/kvm/acpi/tables.hpp"

namespace ktstr::kvm::acpi {
namespace {

struct [[gnu::packed]] Rsdp {
  char signature[8];   // "RSD PTR "
  uint8_t checksum;    // covers the first 20 bytes (ACPI 1.0 part)
  char oem_id[6];
  uint8_t revision;    // 2 = ACPI 2.0+ layout
  uint32_t rsdt_address;
  uint32_t length;
  uint64_t xsdt_address;
  uint8_t extended_checksum;  // covers all 36 bytes
  uint8_t reserved[3];
};
static_assert(sizeof(Rsdp) == 36);
constexpr size_t kRsdpV1Bytes = 20;

}  // namespace

Bytes build_rsdp(uint64_t xsdt_addr) {
  Rsdp r{.checksum = 0, .revision = 2, .rsdt_address = 0, .length = sizeof(Rsdp),
         .xsdt_address = xsdt_addr, .extended_checksum = 0, .reserved = {}};
  std::memcpy(r.signature, "RSD PTR ", 8);
  std::memcpy(r.oem_id, "KTSTR ", 6);
  Bytes out;
  append(out, r);
  out[offsetof(Rsdp, checksum)] = checksum_byte(std::span(out).first(kRsdpV1Bytes));
  out[offsetof(Rsdp, extended_checksum)] = checksum_byte(out);
  return out;
}

}  // namespace ktstr::kvm::acpi
