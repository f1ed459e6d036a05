#include "vmm/kvm/acpi/sdt.hpp"

#include <numeric>

namespace ktstr::kvm::acpi {

SdtHeader sdt_header(const char (&signature)[5], uint8_t revision) {
  SdtHeader h{.length = 0, .revision = revision, .checksum = 0, .oem_revision = 1, .creator_revision = 1};
  std::memcpy(h.signature, signature, 4);
  std::memcpy(h.oem_id, "KTSTR ", 6);
  std::memcpy(h.oem_table_id, "KTSTRVM ", 8);
  std::memcpy(h.creator_id, "KTSR", 4);
  return h;
}

uint8_t checksum_byte(std::span<const uint8_t> bytes) {
  const unsigned sum = std::accumulate(bytes.begin(), bytes.end(), 0u);
  return static_cast<uint8_t>(0x100 - (sum & 0xff));
}

Bytes seal_table(Bytes table) {
  auto* h = reinterpret_cast<SdtHeader*>(table.data());
  h->length = static_cast<uint32_t>(table.size());
  h->checksum = 0;
  h->checksum = checksum_byte(table);
  return table;
}

}  // namespace ktstr::kvm::acpi
