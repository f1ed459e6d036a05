// PVH direct boot of an uncompressed vmlinux (ELF): the kernel's own
// 32-bit entry `pvh_start_xen` (arch/x86/platform/pvh/head.S), found through
// the ELF note XEN_ELFNOTE_PHYS32_ENTRY, takes a struct hvm_start_info in EBX
// (Xen's public ABI, xen/include/public/arch-x86/hvm/start_info.h) with the
// command line, the initrd as module 0, the RSDP and the memory map. It skips
// the bzImage decompressor entirely, which is most of the pre-kernel time of
// a small guest when instructions are expensive (nested or emulated).
#pragma once

#include <asm/bootparam.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::kvm {

// One PT_LOAD segment: file bytes [file_offset, +file_bytes) go to guest
// physical `paddr`; the rest up to mem_bytes is zero (.bss), which fresh
// guest RAM already is.
struct ElfSegment {
  uint64_t paddr = 0;
  uint64_t vaddr = 0;
  uint64_t file_offset = 0;
  uint64_t file_bytes = 0;
  uint64_t mem_bytes = 0;
};

// A parsed vmlinux: its loadable segments and its entry points, both
// physical addresses, 0 when absent. The PVH entry (CONFIG_PVH) is entered in
// 32-bit protected mode without paging; without it the ELF entry
// (startup_64) is entered through the 64-bit boot protocol with a zero page.
struct ElfKernel {
  std::vector<ElfSegment> segments;
  uint64_t pvh_entry = 0;
  uint64_t entry64 = 0;
  [[nodiscard]] uint64_t image_end() const;  // highest paddr + mem_bytes
};

// True when `head` starts with the ELF magic (so the kernel file is a vmlinux).
bool is_elf(std::span<const uint8_t> head);

// Parses an x86-64 ELF executable; errors say what is missing (neither a
// PHYS32_ENTRY note nor an entry inside a segment). `bytes` is the whole file.
Result<ElfKernel> parse_elf_kernel(std::span<const uint8_t> bytes);

// File offset of the vmlinux's XEN_ELFNOTE_PHYS32_ENTRY note header
// (an Elf64_Nhdr); nullopt when it has none (CONFIG_PVH=n) or is not ELF.
std::optional<uint64_t> pvh_note_offset(std::span<const uint8_t> bytes);

struct PvhInputs {
  uint64_t base = 0;  // guest physical address the returned bytes are written to
  uint64_t cmdline_addr = 0;
  uint64_t initrd_addr = 0;
  uint64_t initrd_bytes = 0;  // 0: no module
  uint64_t rsdp_addr = 0;
  std::vector<boot_e820_entry> e820;
};

// hvm_start_info (version 1) followed by the module list and the memory map,
// all addressed relative to `base`. The start info itself is at `base`.
std::vector<uint8_t> build_pvh_start_info(const PvhInputs& in);

}  // namespace ktstr::kvm
