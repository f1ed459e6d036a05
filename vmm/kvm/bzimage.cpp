#include "vmm/kvm/bzimage.hpp"

#include <algorithm>
#include <cstring>

#include "vmm/kvm/layout.hpp"

namespace ktstr::kvm {
namespace {

constexpr size_t kSetupHeaderOffset = 0x1f1;  // boot.rst "THE REAL-MODE KERNEL HEADER"
constexpr uint32_t kHdrSMagic = 0x53726448;   // "HdrS"
constexpr uint16_t kMinProtocol = 0x20c;      // 2.12: xloadflags, 64-bit entry
constexpr uint16_t kXlfKernel64 = 1u << 0;
constexpr uint8_t kLoaderUndefined = 0xff;    // boot.rst type_of_loader: "undefined"
constexpr uint8_t kLoadedHigh = 1u << 0;
constexpr uint8_t kKaslrFlag = 1u << 1;
constexpr uint16_t kBootFlag = 0xaa55;
constexpr uint16_t kProtocol215 = 0x20f;
constexpr uint32_t kCommandLineSize = 2048;  // arch/x86/include/uapi/asm/setup.h
constexpr uint64_t kPage = 4096;

}  // namespace

Result<BzImage> BzImage::parse(std::string bytes) {
  BzImage img;
  if (bytes.size() < kSetupHeaderOffset + sizeof(setup_header))
    return fail("not a bzImage: only {} bytes", bytes.size());
  std::memcpy(&img.hdr, bytes.data() + kSetupHeaderOffset, sizeof(setup_header));
  if (img.hdr.header != kHdrSMagic) return fail("not a bzImage: no HdrS signature at 0x202");
  if (img.hdr.version < kMinProtocol)
    return fail("bzImage boot protocol {:#x} is older than 2.12 (no 64-bit entry)", uint16_t{img.hdr.version});
  if (!(img.hdr.xloadflags & kXlfKernel64)) return fail("bzImage has no 64-bit entry point (XLF_KERNEL_64)");
  const size_t setup_sects = img.hdr.setup_sects ? img.hdr.setup_sects : 4;
  img.kernel_offset = (setup_sects + 1) * 512;
  if (img.kernel_offset >= bytes.size()) return fail("bzImage truncated: setup claims {} sectors", setup_sects);
  img.bytes = std::move(bytes);
  return img;
}

std::span<const uint8_t> BzImage::kernel() const {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  return {p + kernel_offset, bytes.size() - kernel_offset};
}

Result<uint64_t> place_initrd_above(uint64_t floor, uint64_t initrd_bytes, uint64_t ceiling) {
  if (initrd_bytes > ceiling) return fail("initramfs of {} MiB does not fit below {:#x}", initrd_bytes >> 20, ceiling);
  const uint64_t addr = (ceiling - initrd_bytes) & ~(kPage - 1);
  if (addr < floor)
    return fail("initramfs of {} MiB does not fit between the kernel (ends {:#x}) and {:#x}; give the VM more memory",
                initrd_bytes >> 20, floor, ceiling);
  return addr;
}

Result<uint64_t> place_initrd(const setup_header& hdr, uint64_t initrd_bytes, uint64_t ceiling) {
  const uint64_t max_end = std::min<uint64_t>(static_cast<uint64_t>(hdr.initrd_addr_max) + 1, ceiling);
  // A relocatable kernel decompresses at max(load address, pref_address)
  // (arch/x86/boot/compressed/head_64.S: never below LOAD_PHYSICAL_ADDR) and
  // needs init_size bytes there.
  const uint64_t kernel_end = std::max<uint64_t>(layout::kKernelLoadAddr, hdr.pref_address) + hdr.init_size;
  return place_initrd_above(kernel_end, initrd_bytes, max_end);
}

setup_header vmlinux_setup_header() {
  setup_header h{};
  h.boot_flag = kBootFlag;
  h.header = kHdrSMagic;
  h.version = kProtocol215;
  h.loadflags = kLoadedHigh;
  h.xloadflags = kXlfKernel64;
  h.initrd_addr_max = 0x7fffffff;
  h.cmdline_size = kCommandLineSize - 1;
  return h;
}

Result<boot_params> build_zero_page(const setup_header& hdr, const MemoryMap& memory, const ZeroPageInputs& in) {
  boot_params bp{};
  bp.hdr = hdr;
  bp.hdr.type_of_loader = kLoaderUndefined;
  bp.hdr.loadflags |= kLoadedHigh;
  if (in.randomize_memory) bp.hdr.loadflags |= kKaslrFlag;
  bp.hdr.cmd_line_ptr = static_cast<uint32_t>(in.cmdline_addr);
  bp.ext_cmd_line_ptr = static_cast<uint32_t>(in.cmdline_addr >> 32);
  bp.hdr.ramdisk_image = static_cast<uint32_t>(in.initrd_addr);
  bp.ext_ramdisk_image = static_cast<uint32_t>(in.initrd_addr >> 32);
  bp.hdr.ramdisk_size = static_cast<uint32_t>(in.initrd_bytes);
  bp.ext_ramdisk_size = static_cast<uint32_t>(in.initrd_bytes >> 32);
  if (hdr.cmdline_size && in.cmdline_bytes > hdr.cmdline_size)
    return fail("kernel command line of {} bytes exceeds the kernel's limit of {}", in.cmdline_bytes,
                hdr.cmdline_size);
  bp.acpi_rsdp_addr = in.rsdp_addr;
  const auto e820 = build_e820(memory);
  if (e820.size() > E820_MAX_ENTRIES_ZEROPAGE) return fail("{} e820 entries exceed the zero page", e820.size());
  std::copy(e820.begin(), e820.end(), bp.e820_table);
  bp.e820_entries = static_cast<uint8_t>(e820.size());
  return bp;
}

}  // namespace ktstr::kvm
