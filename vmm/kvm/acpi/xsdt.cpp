// XSDT, ACPI 6.5 sec. 5.2.8: the header followed by 64-bit table addresses.
#include "vmm/kvm/acpi/tables.hpp"

namespace ktstr::kvm::acpi {

Bytes build_xsdt(std::span<const uint64_t> table_addrs) {
  Bytes out;
  append(out, sdt_header("XSDT", 1));
  for (uint64_t a : table_addrs) append(out, a);
  return seal_table(std::move(out));
}

}  // namespace ktstr::kvm::acpi
