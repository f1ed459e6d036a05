#include "vmm/kvm/pvh.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace ktstr::kvm {
namespace {

// Xen's public start-info ABI (start_info.h): version 1 adds the memory map.
constexpr uint32_t kStartInfoMagic = 0x336ec578;
constexpr uint32_t kStartInfoVersion = 1;
constexpr uint32_t kNotePhys32Entry = 18;  // XEN_ELFNOTE_PHYS32_ENTRY (xen/include/public/elfnote.h)

struct StartInfo {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  uint64_t memmap_paddr;
  uint32_t memmap_entries;
  uint32_t reserved;
};
static_assert(sizeof(StartInfo) == 56);

struct ModlistEntry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
};
static_assert(sizeof(ModlistEntry) == 32);

struct MemmapEntry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;  // e820 type numbers
  uint32_t reserved;
};
static_assert(sizeof(MemmapEntry) == 24);

template <typename T>
bool read_at(std::span<const uint8_t> bytes, uint64_t offset, T& out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

uint64_t align4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

// The "Xen" PHYS32_ENTRY note of one PT_NOTE segment: where its header is
// (offset into `notes`) and the entry it names.
struct PvhNote {
  uint64_t offset = 0;
  uint64_t entry = 0;
};

std::optional<PvhNote> find_pvh_note(std::span<const uint8_t> notes) {
  uint64_t at = 0;
  Elf64_Nhdr nh{};
  while (read_at(notes, at, nh)) {
    const uint64_t name_at = at + sizeof nh, desc_at = name_at + align4(nh.n_namesz);
    const uint64_t next = desc_at + align4(nh.n_descsz);
    if (next > notes.size()) return std::nullopt;
    const bool xen = nh.n_namesz == 4 && std::memcmp(notes.data() + name_at, "Xen", 4) == 0;
    if (xen && nh.n_type == kNotePhys32Entry && (nh.n_descsz == 4 || nh.n_descsz == 8)) {
      PvhNote note{.offset = at};  // the entry is little-endian, 32 or 64 bits wide
      std::memcpy(&note.entry, notes.data() + desc_at, nh.n_descsz);
      return note;
    }
    at = next;
  }
  return std::nullopt;
}

}  // namespace

uint64_t ElfKernel::image_end() const {
  uint64_t end = 0;
  for (const auto& s : segments) end = std::max(end, s.paddr + s.mem_bytes);
  return end;
}

std::optional<uint64_t> pvh_note_offset(std::span<const uint8_t> bytes) {
  Elf64_Ehdr eh{};
  if (!is_elf(bytes) || !read_at(bytes, 0, eh)) return std::nullopt;
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    if (!read_at(bytes, eh.e_phoff + uint64_t{i} * sizeof ph, ph) || ph.p_type != PT_NOTE) continue;
    if (ph.p_offset > bytes.size() || bytes.size() - ph.p_offset < ph.p_filesz) continue;
    if (auto note = find_pvh_note(bytes.subspan(ph.p_offset, ph.p_filesz))) return ph.p_offset + note->offset;
  }
  return std::nullopt;
}

bool is_elf(std::span<const uint8_t> head) { return head.size() >= SELFMAG && std::memcmp(head.data(), ELFMAG, SELFMAG) == 0; }

Result<ElfKernel> parse_elf_kernel(std::span<const uint8_t> bytes) {
  Elf64_Ehdr eh{};
  if (!is_elf(bytes) || !read_at(bytes, 0, eh)) return fail("not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC)
    return fail("not an x86-64 ELF executable (a vmlinux is one)");
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) return fail("unexpected ELF program header size {}", eh.e_phentsize);
  ElfKernel k;
  std::optional<uint64_t> entry;
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph{};
    if (!read_at(bytes, eh.e_phoff + uint64_t{i} * sizeof ph, ph)) return fail("ELF program header {} truncated", i);
    if (ph.p_offset > bytes.size() || bytes.size() - ph.p_offset < ph.p_filesz)
      return fail("ELF segment {} runs past the end of the file", i);
    if (ph.p_type == PT_LOAD) {
      if (ph.p_filesz > ph.p_memsz) return fail("ELF segment {} has more file bytes than memory bytes", i);
      k.segments.push_back({.paddr = ph.p_paddr, .vaddr = ph.p_vaddr, .file_offset = ph.p_offset, .file_bytes = ph.p_filesz,
                            .mem_bytes = ph.p_memsz});
    } else if (ph.p_type == PT_NOTE && !entry) {
      if (auto note = find_pvh_note(bytes.subspan(ph.p_offset, ph.p_filesz))) entry = note->entry;
    }
  }
  if (k.segments.empty()) return fail("ELF file has no loadable segments");
  // x86's vmlinux.lds names phys_startup_64 as the entry: a physical address.
  // A virtual one (another linker script) is mapped through its segment.
  auto inside = [](uint64_t addr, uint64_t base, uint64_t bytes) { return addr >= base && addr - base < bytes; };
  for (const auto& s : k.segments)
    if (inside(eh.e_entry, s.paddr, s.mem_bytes)) k.entry64 = eh.e_entry;
  for (const auto& s : k.segments)
    if (!k.entry64 && inside(eh.e_entry, s.vaddr, s.mem_bytes)) k.entry64 = s.paddr + (eh.e_entry - s.vaddr);
  if (!entry && !k.entry64)
    return fail("vmlinux has neither a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY, CONFIG_PVH=y) nor an entry point "
                "inside a loadable segment");
  k.pvh_entry = entry.value_or(0);
  // Segments must not overlap each other: the loader writes them in order.
  auto sorted = k.segments;
  std::ranges::sort(sorted, {}, &ElfSegment::paddr);
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i - 1].paddr + sorted[i - 1].mem_bytes > sorted[i].paddr)
      return fail("ELF segments overlap at {:#x}", sorted[i].paddr);
  return k;
}

std::vector<uint8_t> build_pvh_start_info(const PvhInputs& in) {
  const uint64_t modlist_at = in.base + sizeof(StartInfo);
  const uint64_t memmap_at = modlist_at + sizeof(ModlistEntry);
  StartInfo si{.magic = kStartInfoMagic,
               .version = kStartInfoVersion,
               .flags = 0,
               .nr_modules = in.initrd_bytes ? 1u : 0u,
               .modlist_paddr = in.initrd_bytes ? modlist_at : 0,
               .cmdline_paddr = in.cmdline_addr,
               .rsdp_paddr = in.rsdp_addr,
               .memmap_paddr = memmap_at,
               .memmap_entries = static_cast<uint32_t>(in.e820.size()),
               .reserved = 0};
  const ModlistEntry mod{.paddr = in.initrd_addr, .size = in.initrd_bytes, .cmdline_paddr = 0, .reserved = 0};
  std::vector<uint8_t> out(sizeof si + sizeof mod + in.e820.size() * sizeof(MemmapEntry));
  std::memcpy(out.data(), &si, sizeof si);
  std::memcpy(out.data() + sizeof si, &mod, sizeof mod);
  for (size_t i = 0; i < in.e820.size(); ++i) {
    const MemmapEntry e{.addr = in.e820[i].addr, .size = in.e820[i].size, .type = in.e820[i].type, .reserved = 0};
    std::memcpy(out.data() + sizeof si + sizeof mod + i * sizeof e, &e, sizeof e);
  }
  return out;
}

}  // namespace ktstr::kvm
