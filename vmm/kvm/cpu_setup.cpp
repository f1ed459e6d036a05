#include "vmm/kvm/cpu_setup.hpp"

#include <cstring>
#include <memory>

#include "vmm/kvm/layout.hpp"

namespace ktstr::kvm {
namespace {

// GDT entries (SDM Vol. 3A 3.4.5 "Segment Descriptors"): flat 64-bit code at
// selector 0x10 (__BOOT_CS) and flat data at 0x18 (__BOOT_DS), as boot.rst
// requires, and a 64-bit TSS at 0x20 because VM entry needs a usable TR. The
// PVH entry starts in 32-bit protected mode: flat 32-bit code at 0x08.
constexpr uint64_t kGdt[] = {
    0,                       // null
    0x00cf9b000000ffffull,   // code32: G, D/B, P, DPL0, S, type 0xb (PVH entry)
    0x00af9b000000ffffull,   // code: G, L, P, DPL0, S, type 0xb (execute/read, accessed)
    0x00cf93000000ffffull,   // data: G, D/B, P, DPL0, S, type 0x3 (read/write, accessed)
    0x008f8b000000ffffull,   // TSS: G, P, type 0xb (busy 64-bit TSS)
};
constexpr uint16_t kCode32Selector = 0x08, kCodeSelector = 0x10, kDataSelector = 0x18, kTssSelector = 0x20;

constexpr uint64_t kPteP = 1, kPteRw = 2, kPtePs = 0x80;  // SDM Vol. 3A 4.5, Table 4-15ff
constexpr uint64_t kCr0Pe = 1ull << 0, kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1ull << 5;
constexpr uint64_t kEferLme = 1ull << 8, kEferLma = 1ull << 10;

// MSRs (SDM Vol. 4): cleared syscall/sysenter state, fast strings. The TSC is
// left alone: writing it on the BSP only would desynchronize it from the APs.
constexpr uint32_t kMsrSysenterCs = 0x174, kMsrSysenterEsp = 0x175, kMsrSysenterEip = 0x176;
constexpr uint32_t kMsrStar = 0xc0000081, kMsrLstar = 0xc0000082, kMsrCstar = 0xc0000083;
constexpr uint32_t kMsrSyscallMask = 0xc0000084, kMsrKernelGsBase = 0xc0000102;
constexpr uint32_t kMsrMiscEnable = 0x1a0;
constexpr uint64_t kMiscEnableFastString = 1;

// LAPIC LVT registers (SDM Vol. 3A 11.5.1), delivery mode bits 10:8.
constexpr size_t kApicLvt0 = 0x350, kApicLvt1 = 0x360;
constexpr uint32_t kDeliveryExtInt = 7u << 8, kDeliveryNmi = 4u << 8;

kvm_segment segment(uint16_t selector, uint8_t type, bool code) {
  return {.base = 0, .limit = 0xffffffff, .selector = selector, .type = type, .present = 1, .dpl = 0,
          .db = static_cast<uint8_t>(code ? 0 : 1), .s = 1, .l = static_cast<uint8_t>(code ? 1 : 0), .g = 1,
          .avl = 0, .unusable = 0, .padding = 0};
}

void set_lvt(kvm_lapic_state& s, size_t reg, uint32_t mode) {
  uint32_t v = 0;
  std::memcpy(&v, s.regs + reg, 4);
  v = (v & ~(7u << 8)) | mode;
  std::memcpy(s.regs + reg, &v, 4);
}

}  // namespace

Result<void> write_boot_tables(const GuestMemory& mem) {
  KTSTR_TRY_VOID(mem.write(layout::kGdtAddr, std::span(reinterpret_cast<const uint8_t*>(kGdt), sizeof kGdt)));
  const uint64_t pml4e = layout::kPdptAddr | kPteP | kPteRw;
  KTSTR_TRY_VOID(mem.write(layout::kPml4Addr, std::span(reinterpret_cast<const uint8_t*>(&pml4e), 8)));
  for (int i = 0; i < layout::kPdPages; ++i) {
    const uint64_t pdpte = (layout::kPdAddr + i * 4096ull) | kPteP | kPteRw;
    KTSTR_TRY_VOID(mem.write(layout::kPdptAddr + i * 8ull, std::span(reinterpret_cast<const uint8_t*>(&pdpte), 8)));
  }
  auto pd = KTSTR_TRY(mem.at(layout::kPdAddr, layout::kPdPages * 4096ull));
  for (uint64_t i = 0; i < layout::kPdPages * 512ull; ++i) {
    const uint64_t pde = (i << 21) | kPteP | kPteRw | kPtePs;  // 2 MiB pages
    std::memcpy(pd.data() + i * 8, &pde, 8);
  }
  return {};
}

Result<void> setup_vcpu(const Vcpu& vcpu, std::span<const CpuidEntry> cpuid) {
  KvmList<kvm_cpuid_entry2> list(cpuid.size());
  std::copy(cpuid.begin(), cpuid.end(), list.entries());
  KTSTR_TRY(kvm_ioctl(vcpu.fd.get(), kKvmSetCpuid2, list.data(), fmt::format("KVM_SET_CPUID2 vcpu {}", vcpu.id)));

  kvm_lapic_state lapic{};
  KTSTR_TRY(kvm_ioctl(vcpu.fd.get(), KVM_GET_LAPIC, &lapic, fmt::format("KVM_GET_LAPIC vcpu {}", vcpu.id)));
  set_lvt(lapic, kApicLvt0, kDeliveryExtInt);
  set_lvt(lapic, kApicLvt1, kDeliveryNmi);
  KTSTR_TRY(kvm_ioctl(vcpu.fd.get(), KVM_SET_LAPIC, &lapic, fmt::format("KVM_SET_LAPIC vcpu {}", vcpu.id)));
  return {};
}

Result<void> setup_boot_cpu(const Vcpu& vcpu, const BootEntry& entry) {
  const int fd = vcpu.fd.get();
  kvm_sregs sregs{};
  KTSTR_TRY(kvm_ioctl(fd, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS vcpu 0"));
  sregs.gdt = {.base = layout::kGdtAddr, .limit = sizeof kGdt - 1, .padding = {}};
  sregs.idt = {.base = 0, .limit = 0, .padding = {}};
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = segment(kDataSelector, 0x3, false);
  sregs.tr = {.base = 0, .limit = 0xfffff, .selector = kTssSelector, .type = 0xb, .present = 1, .dpl = 0,
              .db = 0, .s = 0, .l = 0, .g = 1, .avl = 0, .unusable = 0, .padding = 0};
  kvm_regs regs{};
  regs.rflags = 0x2;  // bit 1 is reserved-as-one; interrupts off
  regs.rip = entry.rip;
  if (entry.kind == BootEntry::kLinux64) {
    // boot.rst "64-bit BOOT PROTOCOL": long mode, identity paging, RSI = zero page.
    sregs.cs = segment(kCodeSelector, 0xb, true);
    sregs.cr0 |= kCr0Pe | kCr0Pg;
    sregs.cr3 = layout::kPml4Addr;
    sregs.cr4 |= kCr4Pae;
    sregs.efer |= kEferLme | kEferLma;
    regs.rsi = entry.boot_data;
    regs.rsp = regs.rbp = layout::kBootStackTop;
  } else {
    // PVH (Xen docs/misc/pvh.pandoc): 32-bit protected mode, paging off,
    // flat CS/DS/ES/SS, a busy 32-bit TSS in TR, EBX = hvm_start_info.
    sregs.cs = segment(kCode32Selector, 0xb, true);
    sregs.cs.l = 0;
    sregs.cs.db = 1;
    sregs.cr0 = (sregs.cr0 | kCr0Pe) & ~kCr0Pg;
    sregs.cr4 &= ~kCr4Pae;
    sregs.efer &= ~(kEferLme | kEferLma);
    regs.rbx = entry.boot_data;
  }
  KTSTR_TRY(kvm_ioctl(fd, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS vcpu 0"));
  KTSTR_TRY(kvm_ioctl(fd, KVM_SET_REGS, &regs, "KVM_SET_REGS vcpu 0"));

  kvm_fpu fpu{};
  fpu.fcw = 0x37f;     // x87 default control word (SDM Vol. 1 8.1.5)
  fpu.mxcsr = 0x1f80;  // SSE default: all exceptions masked
  KTSTR_TRY(kvm_ioctl(fd, KVM_SET_FPU, &fpu, "KVM_SET_FPU vcpu 0"));

  constexpr uint32_t kZeroed[] = {kMsrSysenterCs, kMsrSysenterEsp, kMsrSysenterEip, kMsrStar, kMsrLstar,
                                  kMsrCstar, kMsrSyscallMask, kMsrKernelGsBase};
  constexpr size_t kCount = std::size(kZeroed) + 1;
  KvmList<kvm_msr_entry> msrs(kCount);
  for (size_t i = 0; i < std::size(kZeroed); ++i) msrs.entries()[i] = {.index = kZeroed[i], .reserved = 0, .data = 0};
  msrs.entries()[kCount - 1] = {.index = kMsrMiscEnable, .reserved = 0, .data = kMiscEnableFastString};
  const int set = KTSTR_TRY(kvm_ioctl(fd, kKvmSetMsrs, msrs.data(), "KVM_SET_MSRS vcpu 0"));
  if (set != static_cast<int>(kCount))
    return fail("KVM_SET_MSRS vcpu 0: only {} of {} MSRs accepted (MSR {:#x} refused)", set, kCount,
                msrs.entries()[set].index);
  return {};
}

}  // namespace ktstr::kvm
