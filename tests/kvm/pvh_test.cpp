// PVH boot pieces without a VM: vmlinux ELF parsing (segments, the Xen
// PHYS32_ENTRY note), initrd placement above the image, and the
// hvm_start_info block decoded field by field.
#include <doctest/doctest.h>
#include <elf.h>

#include <cstring>
#include <vector>

#include "vmm/kvm/bzimage.hpp"
#include "vmm/kvm/layout.hpp"
#include "vmm/kvm/memory_map.hpp"
#include "vmm/kvm/pvh.hpp"

using namespace ktstr::kvm;

namespace {

template <typename T>
void put(std::vector<uint8_t>& out, size_t at, const T& v) {
  if (out.size() < at + sizeof v) out.resize(at + sizeof v);
  std::memcpy(out.data() + at, &v, sizeof v);
}

template <typename T>
T get(const std::vector<uint8_t>& in, size_t at) {
  T v{};
  std::memcpy(&v, in.data() + at, sizeof v);
  return v;
}

// A vmlinux-shaped ELF: one text segment at 16 MiB (file 0x1000, 0x100 bytes,
// 0x3000 in memory), one PT_NOTE with a GNU note then the Xen entry note.
std::vector<uint8_t> tiny_vmlinux(bool with_entry_note, uint32_t entry = 0x1000000) {
  std::vector<uint8_t> f(0x1100, 0xcc);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_phoff = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;
  eh.e_entry = 0xffffffff81000040;  // startup_64, inside the text segment
  put(f, 0, eh);
  Elf64_Phdr load{.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000, .p_vaddr = 0xffffffff81000000,
                  .p_paddr = 0x1000000, .p_filesz = 0x100, .p_memsz = 0x3000, .p_align = 0x200000};
  put(f, sizeof eh, load);
  // Notes at 0x800: "GNU" type 3 with 4 bytes, then "Xen" type 18 with the entry.
  size_t at = 0x800;
  put(f, at, Elf64_Nhdr{.n_namesz = 4, .n_descsz = 4, .n_type = 3});
  std::memcpy(f.data() + at + 12, "GNU", 4);
  at += 12 + 4 + 4;
  const size_t notes_end = with_entry_note ? at + 12 + 4 + 4 : at;
  if (with_entry_note) {
    put(f, at, Elf64_Nhdr{.n_namesz = 4, .n_descsz = 4, .n_type = 18});
    std::memcpy(f.data() + at + 12, "Xen", 4);
    put(f, at + 16, entry);
  }
  Elf64_Phdr note{.p_type = PT_NOTE, .p_flags = PF_R, .p_offset = 0x800, .p_vaddr = 0, .p_paddr = 0,
                  .p_filesz = notes_end - 0x800, .p_memsz = notes_end - 0x800, .p_align = 4};
  put(f, sizeof eh + sizeof load, note);
  return f;
}

}  // namespace

TEST_CASE("a vmlinux parses into its load segments and the PVH entry") {
  const auto f = tiny_vmlinux(true, 0x1000123);
  CHECK(is_elf(f));
  auto k = parse_elf_kernel(f);
  REQUIRE(k);
  CHECK(k->pvh_entry == 0x1000123);
  REQUIRE(k->segments.size() == 1);
  CHECK(k->segments[0].paddr == 0x1000000);
  CHECK(k->segments[0].file_offset == 0x1000);
  CHECK(k->segments[0].file_bytes == 0x100);
  CHECK(k->image_end() == 0x1003000);  // .bss counts: the initrd must go above it
}

TEST_CASE("a vmlinux without the PVH note keeps its 64-bit entry, without either it is refused") {
  auto no_note = parse_elf_kernel(tiny_vmlinux(false));
  REQUIRE(no_note);
  CHECK(no_note->pvh_entry == 0);
  CHECK(no_note->entry64 == 0x1000040);  // the ELF entry's virtual address mapped through the segment
  auto physical = tiny_vmlinux(false);
  put(physical, offsetof(Elf64_Ehdr, e_entry), uint64_t{0x1000000});  // x86: phys_startup_64
  auto p = parse_elf_kernel(physical);
  REQUIRE(p);
  CHECK(p->entry64 == 0x1000000);
  auto no_entry = tiny_vmlinux(false);
  put(no_entry, offsetof(Elf64_Ehdr, e_entry), uint64_t{0xffffffff90000000});  // outside every segment
  auto refused = parse_elf_kernel(no_entry);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("CONFIG_PVH") != std::string::npos);
}

TEST_CASE("a vmlinux's zero page: HdrS, protocol 2.15, 64-bit entry, randomized memory regions") {
  const setup_header h = vmlinux_setup_header();
  CHECK(h.header == 0x53726448);
  CHECK(h.boot_flag == 0xaa55);
  CHECK(h.version == 0x20f);
  CHECK((h.xloadflags & 1) == 1);
  auto m = MemoryMap::plan(256 * layout::kMiB, 240 * layout::kMiB, 16 * layout::kMiB);
  REQUIRE(m);
  auto zp = build_zero_page(h, *m, {.randomize_memory = true, .cmdline_addr = layout::kCmdlineAddr,
                                    .cmdline_bytes = 100, .initrd_addr = 0x8000000, .initrd_bytes = 0x1000});
  REQUIRE(zp);
  CHECK((zp->hdr.loadflags & 0x3) == 0x3);  // LOADED_HIGH | KASLR_FLAG
  CHECK(zp->hdr.type_of_loader == 0xff);
  CHECK(uint32_t{zp->hdr.cmd_line_ptr} == layout::kCmdlineAddr);
  CHECK(uint32_t{zp->hdr.ramdisk_image} == 0x8000000);
  CHECK(zp->e820_entries > 0);
  auto too_long = build_zero_page(h, *m, {.cmdline_addr = layout::kCmdlineAddr, .cmdline_bytes = 4096});
  REQUIRE_FALSE(too_long);
}

TEST_CASE("not a vmlinux at all, or a truncated one, is refused with the reason") {
  std::vector<uint8_t> bz(0x400, 0);
  CHECK_FALSE(is_elf(bz));
  CHECK_FALSE(parse_elf_kernel(bz));
  auto truncated = tiny_vmlinux(true);
  truncated.resize(0x1080);  // the load segment's bytes run past the end
  auto t = parse_elf_kernel(truncated);
  REQUIRE_FALSE(t);
  CHECK(t.error().message.find("past the end") != std::string::npos);
}

TEST_CASE("the initrd goes page aligned at the top, never into the kernel image") {
  auto a = place_initrd_above(0x3000000, 0x12345, 0x8000000);
  REQUIRE(a);
  CHECK(*a % 4096 == 0);
  CHECK(*a + 0x12345 <= 0x8000000);
  CHECK(*a >= 0x3000000);
  auto too_big = place_initrd_above(0x3000000, 0x6000000, 0x8000000);
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().message.find("more memory") != std::string::npos);
}

TEST_CASE("hvm_start_info: magic, version 1, module 0 = initrd, the e820 map as memmap") {
  auto map = MemoryMap::plan(512ull << 20, 0x1e000000, 2ull << 20);
  REQUIRE(map);
  const auto e820 = build_e820(*map);
  const uint64_t base = layout::kPvhStartInfoAddr;
  const auto info = build_pvh_start_info({.base = base, .cmdline_addr = layout::kCmdlineAddr, .initrd_addr = 0x1c000000,
                                          .initrd_bytes = 0x5000, .rsdp_addr = 0xe0000, .e820 = e820});
  REQUIRE(info.size() <= layout::kPvhStartInfoMax);
  CHECK(get<uint32_t>(info, 0) == 0x336ec578u);
  CHECK(get<uint32_t>(info, 4) == 1u);
  CHECK(get<uint32_t>(info, 12) == 1u);  // nr_modules
  const uint64_t modlist = get<uint64_t>(info, 16);
  CHECK(get<uint64_t>(info, 24) == layout::kCmdlineAddr);
  CHECK(get<uint64_t>(info, 32) == 0xe0000u);
  const uint64_t memmap = get<uint64_t>(info, 40);
  REQUIRE(get<uint32_t>(info, 48) == e820.size());
  REQUIRE(modlist >= base);
  CHECK(get<uint64_t>(info, modlist - base) == 0x1c000000u);
  CHECK(get<uint64_t>(info, modlist - base + 8) == 0x5000u);
  for (size_t i = 0; i < e820.size(); ++i) {
    CAPTURE(i);
    const size_t at = memmap - base + i * 24;
    CHECK(get<uint64_t>(info, at) == e820[i].addr);
    CHECK(get<uint64_t>(info, at + 8) == e820[i].size);
    CHECK(get<uint32_t>(info, at + 16) == e820[i].type);
  }
  const auto no_initrd = build_pvh_start_info({.base = base, .e820 = e820});
  CHECK(get<uint32_t>(no_initrd, 12) == 0u);
  CHECK(get<uint64_t>(no_initrd, 16) == 0u);
}
