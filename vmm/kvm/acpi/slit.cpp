// SLIT, ACPI 6.5 sec. 5.2.17: number of localities, then an N x N matrix of
// relative distances; 10 means local (Table 5.162), 20 is the usual remote value.
#include "vmm/kvm/acpi/tables.hpp"

namespace ktstr::kvm::acpi {

Bytes build_slit(int nodes) {
  constexpr uint8_t kLocal = 10;
  constexpr uint8_t kRemote = 20;
  Bytes out;
  append(out, sdt_header("SLIT", 1));
  append(out, static_cast<uint64_t>(nodes));
  for (int i = 0; i < nodes; ++i)
    for (int j = 0; j < nodes; ++j) out.push_back(i == j ? kLocal : kRemote);
  return seal_table(std::move(out));
}

}  // namespace ktstr::kvm::acpi
