// The x86 Linux boot protocol (Documentation/arch/x86/boot.rst): parsing a
// bzImage's setup header, choosing the initrd address and filling the zero
// page for the 64-bit entry point.
#pragma once

#include <asm/bootparam.h>

#include <cstdint>
#include <span>
#include <string>

#include "base/error.hpp"
#include "vmm/kvm/memory_map.hpp"

namespace ktstr::kvm {

// A parsed bzImage. Owns the file bytes; `kernel()` is the protected-mode part
// that is loaded at layout::kKernelLoadAddr.
struct BzImage {
  std::string bytes;
  setup_header hdr{};
  size_t kernel_offset = 0;  // (setup_sects + 1) * 512

  // Checks the "HdrS" magic, protocol >= 2.12 and XLF_KERNEL_64 (64-bit entry).
  static Result<BzImage> parse(std::string bytes);
  [[nodiscard]] std::span<const uint8_t> kernel() const;
  // The 64-bit entry point: 0x200 past the load address (boot.rst "64-bit BOOT PROTOCOL").
  [[nodiscard]] uint64_t entry64(uint64_t load_addr) const { return load_addr + 0x200; }
};

// Where the initrd goes: as high as possible below min(initrd_addr_max,
// ceiling), page aligned, above the kernel's decompression footprint
// (max(load address, pref_address) + init_size). Errors when it does not fit.
Result<uint64_t> place_initrd(const setup_header& hdr, uint64_t initrd_bytes, uint64_t ceiling);

// The same without a setup header (a vmlinux booted through PVH): page
// aligned, as high as possible below `ceiling` and above `floor` (the end of
// the kernel image). Errors when it does not fit.
Result<uint64_t> place_initrd_above(uint64_t floor, uint64_t initrd_bytes, uint64_t ceiling);

// Inputs of the zero page besides the header copied from the bzImage.
struct ZeroPageInputs {
  // loadflags KASLR_FLAG: the kernel randomizes its memory regions (direct
  // map, vmalloc, vmemmap). The decompressor sets it itself; a loader that
  // skips the decompressor (vmlinux through the 64-bit entry) sets it here.
  bool randomize_memory = false;
  uint64_t cmdline_addr = 0;
  uint64_t cmdline_bytes = 0;  // without the terminating NUL
  uint64_t initrd_addr = 0;
  uint64_t initrd_bytes = 0;
  uint64_t rsdp_addr = 0;
};

// boot_params for the 64-bit entry: the image's setup header with the loader
// fields set (type_of_loader, cmd_line_ptr, ramdisk_*), the e820 map and the
// RSDP address (protocol 2.14 acpi_rsdp_addr).
Result<boot_params> build_zero_page(const setup_header& hdr, const MemoryMap& memory, const ZeroPageInputs& in);

// The setup header a bzImage would carry, for a vmlinux (which has none)
// entered through the 64-bit boot protocol: HdrS, protocol 2.15, 64-bit entry,
// the x86 COMMAND_LINE_SIZE.
setup_header vmlinux_setup_header();

}  // namespace ktstr::kvm
