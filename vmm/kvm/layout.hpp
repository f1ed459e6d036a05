// The guest-physical address map of the own KVM engine: every fixed guest
// address lives here, in address order, with the reason for it. Nothing else
// in vmm/kvm spells a hex guest address. The results ring is not fixed: its
// place is decided for both engines by vmm/memory_plan.hpp and passed in as
// MachineSpec::channel_addr (the top of low RAM, reserved in the e820 map).
#pragma once

#include <cstdint>

namespace ktstr::kvm::layout {

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;

// --- Low memory (below 1 MiB), in address order ---
// GDT for the 64-bit boot entry: null, code, data (boot.rst "64-bit BOOT
// PROTOCOL": __BOOT_CS = 0x10, __BOOT_DS = 0x18, so entries 2 and 3 are used).
inline constexpr uint64_t kGdtAddr = 0x500;
// hvm_start_info + module list + memory map for the PVH entry (pvh.hpp), in
// the page below the zero page; the kernel keeps the first 1 MiB reserved, so
// it stays intact until the kernel has copied what it needs.
inline constexpr uint64_t kPvhStartInfoAddr = 0x6000;
inline constexpr uint64_t kPvhStartInfoMax = 4 * kKiB;
// The zero page (struct boot_params) handed to the kernel in RSI.
inline constexpr uint64_t kZeroPageAddr = 0x7000;
// Initial stack for the boot CPU, growing down below the page tables (the
// kernel sets its own almost at once).
inline constexpr uint64_t kBootStackTop = 0x8ff0;
// Identity page tables: one PML4, one PDPT, four PDs of 2 MiB pages mapping
// the low 4 GiB (boot.rst: the kernel, zero page and command line must be
// identity mapped at the 64-bit entry).
inline constexpr uint64_t kPml4Addr = 0x9000;
inline constexpr uint64_t kPdptAddr = 0xa000;
inline constexpr uint64_t kPdAddr = 0xb000;  // four consecutive pages
inline constexpr int kPdPages = 4;
// Kernel command line, after the page tables and below the EBDA.
inline constexpr uint64_t kCmdlineAddr = 0x20000;
inline constexpr uint64_t kCmdlineMax = 64 * kKiB;
// Conventional memory ends where a PC's EBDA starts; [kEbdaStart, kHighMemStart)
// is reserved in the e820 map (legacy BIOS area, ACPI tables).
inline constexpr uint64_t kEbdaStart = 0x9fc00;
// ACPI tables live in the BIOS area, where Linux also scans for the RSDP
// (ACPI 6.5 sec. 5.2.5.1: 16-byte boundary in 0xE0000-0xFFFFF).
inline constexpr uint64_t kAcpiStart = 0xe0000;
inline constexpr uint64_t kAcpiEnd = 0x100000;

// --- RAM from 1 MiB ---
// The protected-mode kernel is loaded at 1 MiB (boot.rst: code32_start default).
inline constexpr uint64_t kHighMemStart = 0x100000;
inline constexpr uint64_t kKernelLoadAddr = kHighMemStart;
// Low RAM ends at 3 GiB; RAM memslots never cover the MMIO hole above it, and
// guest RAM beyond kLowRamEnd continues at 4 GiB.
inline constexpr uint64_t kLowRamEnd = 3 * kGiB;

// --- The MMIO hole [3 GiB, 4 GiB), in address order ---
inline constexpr uint64_t kMmioHoleStart = kLowRamEnd;
// IOAPIC default base (Intel 82093AA datasheet).
inline constexpr uint64_t kIoapicAddr = 0xfec00000;
// LAPIC default base (SDM Vol. 3A 11.4.1).
inline constexpr uint64_t kLapicAddr = 0xfee00000;
// KVM needs one page for the identity map (KVM_SET_IDENTITY_MAP_ADDR) and a
// three-page region for the VMX TSS (KVM_SET_TSS_ADDR), inside the hole, away
// from both APICs.
inline constexpr uint64_t kKvmIdentityMapAddr = 0xfffbc000;
inline constexpr uint64_t kKvmTssAddr = 0xfffbd000;
inline constexpr uint64_t kMmioHoleEnd = 4 * kGiB;

// --- RAM above 4 GiB ---
inline constexpr uint64_t kHighRamStart = kMmioHoleEnd;

// --- I/O ports and IRQs (PC/AT conventions) ---
inline constexpr uint16_t kI8042DataPort = 0x60;
inline constexpr uint16_t kI8042CommandPort = 0x64;
inline constexpr uint16_t kCom2Port = 0x2f8;
inline constexpr uint16_t kCom1Port = 0x3f8;
inline constexpr uint32_t kCom2Irq = 3;
inline constexpr uint32_t kCom1Irq = 4;
// The ACPI SCI, routed like on PC platforms (FADT.SCI_INT).
inline constexpr uint32_t kSciIrq = 9;

}  // namespace ktstr::kvm::layout
