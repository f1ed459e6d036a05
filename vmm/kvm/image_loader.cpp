#include "vmm/kvm/image_loader.hpp"

#include <optional>

#include "base/fd.hpp"
#include "base/mapping.hpp"
#include "vmm/kvm/bzimage.hpp"
#include "vmm/kvm/layout.hpp"
#include "vmm/kvm/pvh.hpp"

namespace ktstr::kvm {
namespace {

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
template <class T>
std::span<const uint8_t> as_bytes(const T& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(T)};
}

// The kernel as loaded: its entry, and what places the initrd and fills the
// boot information (a bzImage's setup header, or a vmlinux's end).
struct LoadedKernel {
  BootEntry entry;
  std::optional<setup_header> bz_header;
  uint64_t image_end = 0;
};

// A vmlinux's loadable segments at their physical addresses: the PVH entry
// when the ELF note has one, else startup_64 with a synthesized setup header;
// both skip the decompressor.
Result<LoadedKernel> load_vmlinux(const GuestMemory& mem, std::span<const uint8_t> bytes, const std::string& name,
                                  std::vector<acpi::RamRange>& written) {
  const ElfKernel elf = KTSTR_TRY_CTX(parse_elf_kernel(bytes), "{}", name);
  for (const auto& seg : elf.segments) {
    if (seg.paddr < layout::kHighMemStart || seg.paddr + seg.mem_bytes > mem.map().load_ceiling())
      return fail("{}: segment at {:#x} (+{:#x}) lies outside loadable RAM", name, seg.paddr, seg.mem_bytes);
    KTSTR_TRY_VOID(mem.write(seg.paddr, bytes.subspan(seg.file_offset, seg.file_bytes)));
    written.push_back({.base = seg.paddr, .size = seg.mem_bytes});
  }
  LoadedKernel k{.image_end = elf.image_end()};
  k.entry = elf.pvh_entry ? BootEntry{.kind = BootEntry::kPvh32, .rip = elf.pvh_entry, .boot_data = layout::kPvhStartInfoAddr}
                          : BootEntry{.kind = BootEntry::kLinux64, .rip = elf.entry64, .boot_data = layout::kZeroPageAddr};
  return k;
}

// A bzImage's protected-mode kernel at 1 MiB, entered at its 64-bit entry.
Result<LoadedKernel> load_bzimage(const GuestMemory& mem, std::span<const uint8_t> bytes,
                                  std::vector<acpi::RamRange>& written) {
  const BzImage bz = KTSTR_TRY(BzImage::parse(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  KTSTR_TRY_VOID(mem.write(layout::kKernelLoadAddr, bz.kernel()));
  written.push_back({.base = layout::kKernelLoadAddr, .size = bz.kernel().size()});
  return LoadedKernel{.entry = {.kind = BootEntry::kLinux64,
                                .rip = bz.entry64(layout::kKernelLoadAddr),
                                .boot_data = layout::kZeroPageAddr},
                      .bz_header = bz.hdr};
}

// The initrds, concatenated with cpio members kept 4-byte aligned, placed as
// the bzImage header allows or above a vmlinux. Returns {address, bytes}.
Result<acpi::RamRange> load_initrd(const GuestMemory& mem, const std::vector<std::string>& paths,
                                   const LoadedKernel& k, std::vector<acpi::RamRange>& written) {
  std::string initrd;
  for (const auto& path : paths) {
    initrd += KTSTR_TRY(read_file(path));
    initrd.resize((initrd.size() + 3) & ~size_t{3});
  }
  if (initrd.empty()) return acpi::RamRange{};
  const uint64_t ceiling = mem.map().load_ceiling();
  const uint64_t addr = k.bz_header ? KTSTR_TRY(place_initrd(*k.bz_header, initrd.size(), ceiling))
                                    : KTSTR_TRY(place_initrd_above(k.image_end, initrd.size(), ceiling));
  KTSTR_TRY_VOID(mem.write(addr, as_bytes(initrd)));
  written.push_back({.base = addr, .size = initrd.size()});
  return acpi::RamRange{.base = addr, .size = initrd.size()};
}

Result<void> load_cmdline(const GuestMemory& mem, const std::string& cmdline) {
  if (cmdline.size() + 1 > layout::kCmdlineMax) return fail("kernel command line of {} bytes is too long", cmdline.size());
  return mem.write(layout::kCmdlineAddr, std::span(reinterpret_cast<const uint8_t*>(cmdline.c_str()), cmdline.size() + 1));
}

// MADT/SRAT/SLIT for the topology in the BIOS area; returns the RSDP address.
Result<uint64_t> load_acpi(const GuestMemory& mem, const Topology& topo) {
  const ApicLayout apic = ApicLayout::of(topo);
  const auto nodes = acpi::split_memory_by_node(mem.map().ram_ranges(), topo);
  const acpi::AcpiImage tables = acpi::build_acpi_image(layout::kAcpiStart, apic, nodes);
  if (layout::kAcpiStart + tables.bytes.size() > layout::kAcpiEnd)
    return fail("ACPI tables of {} bytes overflow the BIOS area", tables.bytes.size());
  KTSTR_TRY_VOID(mem.write(tables.base, tables.bytes));
  return tables.rsdp_addr;
}

// hvm_start_info for the PVH entry, else the zero page.
Result<void> load_boot_info(const GuestMemory& mem, const LoadedKernel& k, acpi::RamRange initrd, uint64_t rsdp,
                            size_t cmdline_bytes) {
  if (k.entry.kind == BootEntry::kPvh32) {
    const auto info = build_pvh_start_info({.base = layout::kPvhStartInfoAddr,
                                            .cmdline_addr = layout::kCmdlineAddr,
                                            .initrd_addr = initrd.base,
                                            .initrd_bytes = initrd.size,
                                            .rsdp_addr = rsdp,
                                            .e820 = build_e820(mem.map())});
    if (info.size() > layout::kPvhStartInfoMax) return fail("PVH start info of {} bytes is too large", info.size());
    return mem.write(layout::kPvhStartInfoAddr, info);
  }
  const boot_params zero_page = KTSTR_TRY(build_zero_page(k.bz_header.value_or(vmlinux_setup_header()), mem.map(),
                                                          {.randomize_memory = !k.bz_header,
                                                           .cmdline_addr = layout::kCmdlineAddr,
                                                           .cmdline_bytes = cmdline_bytes,
                                                           .initrd_addr = initrd.base,
                                                           .initrd_bytes = initrd.size,
                                                           .rsdp_addr = rsdp}));
  return mem.write(layout::kZeroPageAddr, as_bytes(zero_page));
}

}  // namespace

Result<LoadedImages> load_boot_images(const GuestMemory& mem, const BootImages& images) {
  LoadedImages out;
  const Mapping file = KTSTR_TRY(Mapping::map_readonly(images.kernel));
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(file.data()), file.size());
  const LoadedKernel kernel = is_elf(bytes) ? KTSTR_TRY(load_vmlinux(mem, bytes, images.kernel, out.written))
                                            : KTSTR_TRY(load_bzimage(mem, bytes, out.written));
  const acpi::RamRange initrd = KTSTR_TRY(load_initrd(mem, images.initrds, kernel, out.written));
  KTSTR_TRY_VOID(load_cmdline(mem, images.cmdline));
  const uint64_t rsdp = KTSTR_TRY(load_acpi(mem, images.topology));
  KTSTR_TRY_VOID(write_boot_tables(mem));
  KTSTR_TRY_VOID(load_boot_info(mem, kernel, initrd, rsdp, images.cmdline.size()));
  out.entry = kernel.entry;
  return out;
}

}  // namespace ktstr::kvm
