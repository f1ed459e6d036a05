// MADT, ACPI 6.5 sec. 5.2.12: one processor entry per vCPU in cpu order (ACPI
// processor UID = Linux CPU number), the IOAPIC, and the LINT1 NMI. APIC IDs
// that do not fit the 8-bit Local APIC entry (>= 255; 0xFF is broadcast)
// get Local x2APIC entries.
#include "vmm/kvm/acpi/tables.hpp"
#include "vmm/kvm/layout.hpp"

namespace ktstr::kvm::acpi {
namespace {

struct [[gnu::packed]] MadtFixed {  // Table 5.43
  uint32_t local_apic_address;
  uint32_t flags;  // bit 0 PCAT_COMPAT: dual 8259s present
};
struct [[gnu::packed]] LocalApic {  // Table 5.46, type 0
  uint8_t type, length, processor_uid, apic_id;
  uint32_t flags;  // bit 0 enabled
};
static_assert(sizeof(LocalApic) == 8);
struct [[gnu::packed]] IoApic {  // Table 5.48, type 1
  uint8_t type, length, ioapic_id, reserved;
  uint32_t address;
  uint32_t gsi_base;
};
static_assert(sizeof(IoApic) == 12);
struct [[gnu::packed]] LocalApicNmi {  // Table 5.54, type 4
  uint8_t type, length, processor_uid;
  uint16_t flags;
  uint8_t lint;
};
static_assert(sizeof(LocalApicNmi) == 6);
struct [[gnu::packed]] LocalX2Apic {  // Table 5.61, type 9
  uint8_t type, length;
  uint16_t reserved;
  uint32_t x2apic_id;
  uint32_t flags;
  uint32_t processor_uid;
};
static_assert(sizeof(LocalX2Apic) == 16);

constexpr uint8_t kAllProcessors = 0xff;
constexpr uint32_t kMaxXapicId = 254;

}  // namespace

Bytes build_madt(const ApicLayout& layout) {
  Bytes out;
  append(out, sdt_header("APIC", 5));
  append(out, MadtFixed{.local_apic_address = static_cast<uint32_t>(layout::kLapicAddr), .flags = 1});
  for (int cpu = 0; cpu < layout.topo.vcpus(); ++cpu) {
    const uint32_t id = layout.apic_id(cpu);
    if (id <= kMaxXapicId && cpu < 255)
      append(out, LocalApic{.type = 0, .length = sizeof(LocalApic), .processor_uid = static_cast<uint8_t>(cpu),
                            .apic_id = static_cast<uint8_t>(id), .flags = kEnabled});
    else
      append(out, LocalX2Apic{.type = 9, .length = sizeof(LocalX2Apic), .reserved = 0, .x2apic_id = id,
                              .flags = kEnabled, .processor_uid = static_cast<uint32_t>(cpu)});
  }
  // The IOAPIC's id follows the last processor's so the ids never collide.
  append(out, IoApic{.type = 1, .length = sizeof(IoApic),
                     .ioapic_id = static_cast<uint8_t>((layout.max_apic_id() + 1) & 0xff), .reserved = 0,
                     .address = static_cast<uint32_t>(layout::kIoapicAddr), .gsi_base = 0});
  append(out, LocalApicNmi{.type = 4, .length = sizeof(LocalApicNmi), .processor_uid = kAllProcessors,
                           .flags = 0, .lint = 1});
  return seal_table(std::move(out));
}

}  // namespace ktstr::kvm::acpi
