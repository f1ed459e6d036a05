#include "initramfs/elf_file.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

#include <cstring>
#include <memory>
#include <string_view>

#include "base/fd.hpp"

namespace ktstr::initramfs {
namespace {

// Owner of a libelf descriptor (elf_end on destruction).
struct ElfDeleter {
  void operator()(Elf* e) const { elf_end(e); }
};
using ElfPtr = std::unique_ptr<Elf, ElfDeleter>;

std::vector<std::string> split_path_list(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t colon = s.find(':', start);
    if (colon == std::string_view::npos) colon = s.size();
    // ld.so treats an empty element as the current directory; no sane build
    // emits one, and "." would make the closure depend on our cwd, so skip it.
    if (colon > start) out.emplace_back(s.substr(start, colon - start));
    start = colon + 1;
  }
  return out;
}

// Maps a virtual address to a file offset through the PT_LOAD segments, as the
// loader sees d_ptr values such as DT_STRTAB (gABI: "d_ptr ... virtual addresses").
std::optional<uint64_t> vaddr_to_offset(const std::vector<GElf_Phdr>& phdrs, uint64_t vaddr) {
  for (const auto& ph : phdrs) {
    if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_filesz)
      return vaddr - ph.p_vaddr + ph.p_offset;
  }
  return std::nullopt;
}

}  // namespace

Result<std::optional<ElfInfo>> read_elf_info(const std::filesystem::path& path) {
  auto fd = KTSTR_TRY(open_file(path, O_RDONLY));
  elf_version(EV_CURRENT);  // required once before elf_begin; idempotent
  ElfPtr elf(elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) return std::optional<ElfInfo>{};
  GElf_Ehdr eh;
  if (!gelf_getehdr(elf.get(), &eh)) return std::optional<ElfInfo>{};

  ElfInfo info;
  info.elf_class = eh.e_ident[EI_CLASS];
  info.machine = eh.e_machine;
  info.type = eh.e_type;

  size_t phnum = 0;
  if (elf_getphdrnum(elf.get(), &phnum) != 0)
    return fail("{}: cannot read program headers: {}", path.string(), elf_errmsg(-1));
  std::vector<GElf_Phdr> phdrs(phnum);
  const GElf_Phdr* dynamic = nullptr;
  for (size_t i = 0; i < phnum; ++i) {
    if (!gelf_getphdr(elf.get(), static_cast<int>(i), &phdrs[i]))
      return fail("{}: program header {}: {}", path.string(), i, elf_errmsg(-1));
  }
  size_t file_size = 0;
  const char* raw = elf_rawfile(elf.get(), &file_size);
  for (const auto& ph : phdrs) {
    if (ph.p_type == PT_DYNAMIC) dynamic = &ph;
    if (ph.p_type == PT_INTERP) {
      if (!raw || ph.p_offset + ph.p_filesz > file_size)
        return fail("{}: PT_INTERP lies outside the file", path.string());
      info.interpreter.assign(raw + ph.p_offset, strnlen(raw + ph.p_offset, ph.p_filesz));
    }
  }
  if (!dynamic) return std::optional<ElfInfo>{std::move(info)};

  Elf_Data* dyn = elf_getdata_rawchunk(elf.get(), static_cast<int64_t>(dynamic->p_offset),
                                       dynamic->p_filesz, ELF_T_DYN);
  if (!dyn) return fail("{}: cannot read PT_DYNAMIC: {}", path.string(), elf_errmsg(-1));
  uint64_t strtab = 0, strsz = 0;
  std::vector<GElf_Dyn> entries;
  for (int i = 0;; ++i) {
    GElf_Dyn d;
    if (!gelf_getdyn(dyn, i, &d) || d.d_tag == DT_NULL) break;
    if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr;
    if (d.d_tag == DT_STRSZ) strsz = d.d_un.d_val;
    entries.push_back(d);
  }
  auto str_off = vaddr_to_offset(phdrs, strtab);
  if (!str_off || !raw || *str_off + strsz > file_size)
    return fail("{}: DT_STRTAB {:#x} is not inside a loaded segment", path.string(), strtab);
  std::string_view strings(raw + *str_off, strsz);
  auto str_at = [&](uint64_t off) -> Result<std::string_view> {
    if (off >= strings.size())
      return fail("{}: dynamic string offset {} past DT_STRSZ {}", path.string(), off, strsz);
    std::string_view rest = strings.substr(off);
    return rest.substr(0, rest.find('\0'));
  };
  for (const auto& d : entries) {
    switch (d.d_tag) {
      case DT_NEEDED: info.needed.emplace_back(KTSTR_TRY(str_at(d.d_un.d_val))); break;
      case DT_SONAME: info.soname = std::string(KTSTR_TRY(str_at(d.d_un.d_val))); break;
      case DT_RPATH: info.rpath = split_path_list(KTSTR_TRY(str_at(d.d_un.d_val))); break;
      case DT_RUNPATH:
        info.runpath = split_path_list(KTSTR_TRY(str_at(d.d_un.d_val)));
        info.has_runpath = true;
        break;
      default: break;
    }
  }
  return std::optional<ElfInfo>{std::move(info)};
}

Result<uint64_t> debug_section_bytes(const std::filesystem::path& path) {
  auto fd = KTSTR_TRY(open_file(path, O_RDONLY));
  elf_version(EV_CURRENT);
  ElfPtr elf(elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) return 0;
  size_t names = 0;
  if (elf_getshdrstrndx(elf.get(), &names) != 0) return 0;
  uint64_t bytes = 0;
  for (Elf_Scn* scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const char* name = elf_strptr(elf.get(), names, sh.sh_name);
    if (name && std::string_view(name).starts_with(".debug_")) bytes += sh.sh_size;
  }
  return bytes;
}

}  // namespace ktstr::initramfs
