// DSDT, ACPI 6.5 sec. 5.2.11.1: the AML namespace. It holds only \_S5 (the
// soft-off sleep package, sec. 7.4.2) so Linux offers ACPI power-off; the
// UARTs and the i8042 are legacy ISA devices Linux finds without AML.
#include "vmm/kvm/acpi/tables.hpp"

namespace ktstr::kvm::acpi {
namespace {

// AML encodings, ACPI 6.5 sec. 20.2.
constexpr uint8_t kNameOp = 0x08;
constexpr uint8_t kPackageOp = 0x12;
constexpr uint8_t kBytePrefix = 0x0a;
constexpr uint8_t kZeroOp = 0x00;

}  // namespace

Bytes build_dsdt() {
  Bytes out;
  append(out, sdt_header("DSDT", 2));
  // Name (_S5, Package (4) { SLP_TYPa, SLP_TYPb, 0, 0 })
  const uint8_t s5[] = {kNameOp, '_', 'S', '5', '_',
                        kPackageOp, /*PkgLength: itself + count + elements*/ 8, /*NumElements*/ 4,
                        kBytePrefix, kS5SleepType, kBytePrefix, kS5SleepType, kZeroOp, kZeroOp};
  out.insert(out.end(), std::begin(s5), std::end(s5));
  return seal_table(std::move(out));
}

}  // namespace ktstr::kvm::acpi
