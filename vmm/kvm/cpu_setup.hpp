// Initial CPU state for the 64-bit boot entry (boot.rst "64-bit BOOT
// PROTOCOL") or the PVH entry (pvh.hpp): GDT and identity page tables in guest memory, long-mode special
// registers, general registers (RSI = zero page), FPU, MSRs, and the LAPIC's
// LINT0/LINT1 wiring. Application processors stay in KVM's reset state and
// are started by the guest with INIT/SIPI through the in-kernel LAPIC.
#pragma once

#include <cstdint>
#include <span>

#include "base/error.hpp"
#include "vmm/kvm/cpuid.hpp"
#include "vmm/kvm/kvm_fd.hpp"

namespace ktstr::kvm {

// Writes the boot GDT and the page tables identity-mapping the low 4 GiB.
Result<void> write_boot_tables(const GuestMemory& mem);

// Per vCPU: CPUID table, LAPIC LINT0 = ExtINT, LINT1 = NMI.
Result<void> setup_vcpu(const Vcpu& vcpu, std::span<const CpuidEntry> cpuid);

// Where and how the boot CPU starts.
struct BootEntry {
  enum Kind { kLinux64, kPvh32 } kind = kLinux64;
  uint64_t rip = 0;
  uint64_t boot_data = 0;  // kLinux64: zero page (RSI); kPvh32: hvm_start_info (EBX)
};

// The boot CPU only: long mode for a bzImage's 64-bit entry, or 32-bit
// protected mode for the PVH entry of a vmlinux; flat segments either way.
Result<void> setup_boot_cpu(const Vcpu& vcpu, const BootEntry& entry);

}  // namespace ktstr::kvm
