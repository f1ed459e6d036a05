// What the monitor needs from the guest kernel's vmlinux (ELF): the link
// addresses of a few symbols, the loadable segments that map them to
// physical addresses, and the bytes of linux_banner (to find the image in
// guest RAM wherever KASLR put it). Read once per run with libelf.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr::vmm::monitor {

// One PT_LOAD program header (System V gABI "Program Header").
struct Segment {
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t memsz = 0;
};

struct KernelImage {
  std::map<std::string, uint64_t, std::less<>> symbols;  // the names asked for that the symtab has
  std::vector<Segment> segments;                         // PT_LOAD, file order
  std::string banner;                                    // linux_banner's bytes up to its NUL

  [[nodiscard]] std::optional<uint64_t> symbol(std::string_view name) const;
  // The physical address the ELF links vaddr at (its segment's paddr plus
  // the offset); nullopt outside every segment. Per-CPU symbols link in a
  // segment at vaddr 0 on x86-64 (offsets into each CPU's area).
  [[nodiscard]] std::optional<uint64_t> link_phys(uint64_t vaddr) const;
  // Whether vaddr lies in a segment linked at virtual 0 (the per-CPU template).
  [[nodiscard]] bool is_percpu(uint64_t vaddr) const;
};

// Reads vmlinux: the symbols named in `wanted` (missing ones are simply
// absent), the segments and the banner. Fails when the file is not an ELF
// with a symbol table or has no linux_banner.
Result<KernelImage> read_kernel_image(const std::filesystem::path& vmlinux, std::span<const std::string_view> wanted);

// CONFIG_HZ from the kernel's .config (the cache keeps it next to vmlinux);
// nullopt when the file or the line is missing.
std::optional<int> config_hz(const std::filesystem::path& config);

}  // namespace ktstr::vmm::monitor
