// Guest kernel virtual addresses as guest-physical ones, for reading kernel
// data from guest RAM on x86-64 (Documentation/arch/x86/x86_64/mm.rst): the
// kernel image mapping (text, data, bss: the ELF's link addresses shifted by
// KASLR) and the direct map of all RAM at page_offset_base (per-CPU areas,
// slab objects such as task_structs). Nothing else (vmalloc, modules) is
// translated: the monitor reads only these.
#pragma once

#include <cstdint>
#include <optional>

#include "base/error.hpp"
#include "vmm/guest_ram.hpp"
#include "vmm/monitor/kernel_image.hpp"

namespace ktstr::vmm::monitor {

// The direct map's base when the kernel has no page_offset_base variable
// (CONFIG_DYNAMIC_MEMORY_LAYOUT off: 4-level paging, no memory KASLR).
inline constexpr uint64_t kDefaultPageOffset = 0xffff888000000000ull;

// Physical KASLR moves the image by a multiple of CONFIG_PHYSICAL_ALIGN,
// itself a multiple of 2 MiB on x86-64 (arch/x86/Kconfig).
inline constexpr uint64_t kPhysAlignStep = 2ull << 20;

// Where the running kernel is relative to its ELF.
struct KernelPlacement {
  uint64_t phys_delta = 0;        // physical load address minus the ELF's
  int64_t virt_delta = 0;         // virtual base minus the ELF's (KASLR's text offset)
  uint64_t page_offset_base = kDefaultPageOffset;
};

class AddressSpace {
 public:
  AddressSpace(const KernelImage& image, KernelPlacement placement) : image_(&image), place_(placement) {}

  // Where a kernel-image symbol (its link address) is in guest RAM.
  [[nodiscard]] std::optional<uint64_t> symbol_phys(uint64_t link_vaddr) const;
  // A symbol's runtime virtual address: per-CPU symbols stay offsets.
  [[nodiscard]] uint64_t symbol_vaddr(uint64_t link_vaddr) const;
  // A runtime virtual address (a pointer read from the guest) as physical:
  // the kernel image, else the direct map; nullopt elsewhere.
  [[nodiscard]] std::optional<uint64_t> to_phys(uint64_t vaddr) const;
  [[nodiscard]] const KernelPlacement& placement() const { return place_; }

 private:
  const KernelImage* image_;
  KernelPlacement place_;
};

// Finds the running kernel in guest RAM: linux_banner's bytes at their
// link physical address plus a multiple of kPhysAlignStep (the lowest such
// delta), then phys_base (arch/x86/kernel/head64.c: the physical minus the
// virtual relocation, so virt_delta = phys_delta - phys_base) and
// page_offset_base (moved by CONFIG_RANDOMIZE_MEMORY). Fails with a message
// saying the vmlinux does not match the running kernel when the banner is
// nowhere.
Result<KernelPlacement> locate_kernel(const KernelImage& image, const GuestRam& ram);

}  // namespace ktstr::vmm::monitor
