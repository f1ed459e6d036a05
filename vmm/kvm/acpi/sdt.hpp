// Common pieces of ACPI system description tables: the 36-byte header, the
// Generic Address Structure, byte appending and checksums (ACPI 6.5 sec. 5.2).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace ktstr::kvm::acpi {

using Bytes = std::vector<uint8_t>;

// ACPI 6.5 sec. 5.2.6, Table 5.4 "DESCRIPTION_HEADER Fields".
struct [[gnu::packed]] SdtHeader {
  char signature[4];
  uint32_t length;
  uint8_t revision;
  uint8_t checksum;
  char oem_id[6];
  char oem_table_id[8];
  uint32_t oem_revision;
  char creator_id[4];
  uint32_t creator_revision;
};
static_assert(sizeof(SdtHeader) == 36);

// ACPI 6.5 sec. 5.2.3.2, Table 5.1 "Generic Address Structure".
struct [[gnu::packed]] Gas {
  uint8_t space_id;  // 0 system memory, 1 system I/O
  uint8_t bit_width;
  uint8_t bit_offset;
  uint8_t access_size;  // 1 byte, 2 word, 3 dword, 4 qword
  uint64_t address;
};
static_assert(sizeof(Gas) == 12);
inline constexpr uint8_t kGasSystemIo = 1;
// Flags bit 0 of MADT processor and SRAT affinity entries: the entry is in use.
inline constexpr uint32_t kEnabled = 1;

// A header with ktstr's OEM identification; length and checksum are filled
// by seal_table().
SdtHeader sdt_header(const char (&signature)[5], uint8_t revision);

// Appends the bytes of a packed ABI struct.
template <class T>
void append(Bytes& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

// The byte that makes the sum of `bytes` plus itself zero (mod 256).
uint8_t checksum_byte(std::span<const uint8_t> bytes);

// Writes the total length into the header at the front of `table` and sets
// its checksum so the whole table sums to zero.
Bytes seal_table(Bytes table);

}  // namespace ktstr::kvm::acpi
