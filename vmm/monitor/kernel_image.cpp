#include "vmm/monitor/kernel_image.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include "base/fd.hpp"

namespace ktstr::vmm::monitor {
namespace {

struct ElfDeleter {
  void operator()(Elf* e) const { elf_end(e); }
};
using ElfPtr = std::unique_ptr<Elf, ElfDeleter>;

constexpr size_t kMaxBanner = 512;

struct FileSegment {
  Segment seg;
  uint64_t offset = 0;
  uint64_t filesz = 0;
};

Result<std::vector<FileSegment>> load_segments(Elf* elf, const std::filesystem::path& path) {
  size_t n = 0;
  if (elf_getphdrnum(elf, &n) != 0) return fail("{}: no program headers ({})", path.string(), elf_errmsg(-1));
  std::vector<FileSegment> out;
  for (size_t i = 0; i < n; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, static_cast<int>(i), &ph) || ph.p_type != PT_LOAD) continue;
    out.push_back({{ph.p_vaddr, ph.p_paddr, ph.p_memsz}, ph.p_offset, ph.p_filesz});
  }
  return out;
}

void load_symbols(Elf* elf, std::span<const std::string_view> wanted, KernelImage& img) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data) continue;
    for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
      const char* name = elf_strptr(elf, sh.sh_link, sym.st_name);
      if (!name || !*name) continue;
      if (std::find(wanted.begin(), wanted.end(), std::string_view(name)) != wanted.end())
        img.symbols.emplace(name, sym.st_value);
    }
  }
}

// The bytes at link address vaddr in the file, up to a NUL or kMaxBanner.
std::string read_string(int fd, std::span<const FileSegment> segs, uint64_t vaddr) {
  for (const auto& s : segs) {
    if (vaddr < s.seg.vaddr || vaddr - s.seg.vaddr >= s.filesz) continue;
    std::string buf(kMaxBanner, '\0');
    const auto got = ::pread(fd, buf.data(), buf.size(), static_cast<off_t>(s.offset + (vaddr - s.seg.vaddr)));
    if (got <= 0) return {};
    buf.resize(static_cast<size_t>(got));
    return buf.substr(0, buf.find('\0'));
  }
  return {};
}

}  // namespace

std::optional<uint64_t> KernelImage::symbol(std::string_view name) const {
  auto it = symbols.find(name);
  if (it == symbols.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> KernelImage::link_phys(uint64_t vaddr) const {
  for (const auto& s : segments)
    if (vaddr >= s.vaddr && vaddr - s.vaddr < s.memsz) return s.paddr + (vaddr - s.vaddr);
  return std::nullopt;
}

bool KernelImage::is_percpu(uint64_t vaddr) const {
  for (const auto& s : segments)
    if (s.vaddr == 0 && vaddr < s.memsz) return true;
  return false;
}

Result<KernelImage> read_kernel_image(const std::filesystem::path& vmlinux,
                                      std::span<const std::string_view> wanted) {
  auto fd = KTSTR_TRY(open_file(vmlinux, O_RDONLY));
  elf_version(EV_CURRENT);
  ElfPtr elf(elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) return fail("{} is not an ELF file (expected vmlinux)", vmlinux.string());
  const auto segs = KTSTR_TRY(load_segments(elf.get(), vmlinux));
  KernelImage img;
  for (const auto& s : segs) img.segments.push_back(s.seg);
  load_symbols(elf.get(), wanted, img);
  if (img.symbols.empty()) return fail("{} has no symbol table (a stripped vmlinux?)", vmlinux.string());
  const auto banner = img.symbol("linux_banner");
  if (!banner) return fail("{} has no linux_banner symbol", vmlinux.string());
  img.banner = read_string(fd.get(), segs, *banner);
  if (img.banner.empty()) return fail("{}: linux_banner's bytes are not in the file", vmlinux.string());
  return img;
}

std::optional<int> config_hz(const std::filesystem::path& config) {
  auto text = read_file(config);
  if (!text) return std::nullopt;
  constexpr std::string_view kKey = "\nCONFIG_HZ=";
  const auto at = ("\n" + *text).find(kKey);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = text->data() + at + kKey.size() - 1;
  int hz = 0;
  auto [ptr, ec] = std::from_chars(begin, text->data() + text->size(), hz);
  if (ec != std::errc() || hz <= 0) return std::nullopt;
  return hz;
}

}  // namespace ktstr::vmm::monitor
