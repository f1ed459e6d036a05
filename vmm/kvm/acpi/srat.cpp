// SRAT, ACPI 6.5 sec. 5.2.16: which proximity domain (NUMA node) each APIC ID
// and each RAM range belongs to. Domains are the topology's node numbers.
#include "vmm/kvm/acpi/tables.hpp"

namespace ktstr::kvm::acpi {
namespace {

struct [[gnu::packed]] SratFixed {  // Table 5.146, after the header
  uint32_t reserved1;  // 1 for backward compatibility
  uint64_t reserved2;
};
struct [[gnu::packed]] ApicAffinity {  // Table 5.148, type 0
  uint8_t type, length, proximity_lo, apic_id;
  uint32_t flags;  // bit 0 enabled
  uint8_t sapic_eid;
  uint8_t proximity_hi[3];
  uint32_t clock_domain;
};
static_assert(sizeof(ApicAffinity) == 16);
struct [[gnu::packed]] MemoryAffinity {  // Table 5.150, type 1
  uint8_t type, length;
  uint32_t proximity;
  uint16_t reserved1;
  uint32_t base_lo, base_hi, length_lo, length_hi;
  uint32_t reserved2;
  uint32_t flags;  // bit 0 enabled
  uint64_t reserved3;
};
static_assert(sizeof(MemoryAffinity) == 40);
struct [[gnu::packed]] X2ApicAffinity {  // Table 5.152, type 2
  uint8_t type, length;
  uint16_t reserved1;
  uint32_t proximity;
  uint32_t x2apic_id;
  uint32_t flags;
  uint32_t clock_domain;
  uint32_t reserved2;
};
static_assert(sizeof(X2ApicAffinity) == 24);

}  // namespace

Bytes build_srat(const ApicLayout& layout, std::span<const NodeMemory> memory) {
  Bytes out;
  append(out, sdt_header("SRAT", 3));
  append(out, SratFixed{.reserved1 = 1, .reserved2 = 0});
  for (int cpu = 0; cpu < layout.topo.vcpus(); ++cpu) {
    const uint32_t id = layout.apic_id(cpu);
    const auto node = static_cast<uint32_t>(layout.topo.place(cpu).node);
    if (id <= 254)
      append(out, ApicAffinity{.type = 0, .length = sizeof(ApicAffinity), .proximity_lo = static_cast<uint8_t>(node),
                               .apic_id = static_cast<uint8_t>(id), .flags = kEnabled, .sapic_eid = 0,
                               .proximity_hi = {static_cast<uint8_t>(node >> 8), static_cast<uint8_t>(node >> 16),
                                                static_cast<uint8_t>(node >> 24)},
                               .clock_domain = 0});
    else
      append(out, X2ApicAffinity{.type = 2, .length = sizeof(X2ApicAffinity), .reserved1 = 0, .proximity = node,
                                 .x2apic_id = id, .flags = kEnabled, .clock_domain = 0, .reserved2 = 0});
  }
  for (const NodeMemory& m : memory)
    append(out, MemoryAffinity{.type = 1, .length = sizeof(MemoryAffinity),
                               .proximity = static_cast<uint32_t>(m.node), .reserved1 = 0,
                               .base_lo = static_cast<uint32_t>(m.base), .base_hi = static_cast<uint32_t>(m.base >> 32),
                               .length_lo = static_cast<uint32_t>(m.size),
                               .length_hi = static_cast<uint32_t>(m.size >> 32), .reserved2 = 0,
                               .flags = kEnabled, .reserved3 = 0});
  return seal_table(std::move(out));
}

}  // namespace ktstr::kvm::acpi
