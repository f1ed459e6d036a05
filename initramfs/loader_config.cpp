#include "initramfs/loader_config.hpp"

#include <glob.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <sstream>

#include "base/fd.hpp"

namespace ktstr::initramfs {
namespace {

// Layout of the new-format cache header and entries, from glibc
// sysdeps/generic/dl-cache.h (struct cache_file_new, struct file_entry_new).
constexpr std::string_view kCacheMagicNew = "glibc-ld.so.cache1.1";
constexpr std::string_view kCacheMagicOld = "ld.so-1.7.0";
struct CacheHeaderNew {
  char magic[17];
  char version[3];
  uint32_t nlibs;
  uint32_t len_strings;
  uint8_t flags;
  uint8_t padding[3];
  uint32_t extension_offset;
  uint32_t unused[3];
};
static_assert(sizeof(CacheHeaderNew) == 48);
struct CacheEntryNew {
  int32_t flags;
  uint32_t key;
  uint32_t value;
  uint32_t osversion_unused;
  uint64_t hwcap;
};
static_assert(sizeof(CacheEntryNew) == 24);
struct CacheEntryOld {
  int32_t flags;
  uint32_t key;
  uint32_t value;
};
static_assert(sizeof(CacheEntryOld) == 12);
// dl-cache.h: FLAG_ELF_LIBC6 | FLAG_X8664_LIB64.
constexpr int32_t kFlagsX8664Libc6 = 0x0303;

// Owner of a glob(3) result.
class GlobResult {
 public:
  GlobResult() = default;
  GlobResult(const GlobResult&) = delete;
  GlobResult& operator=(const GlobResult&) = delete;
  ~GlobResult() { globfree(&g_); }
  glob_t* get() { return &g_; }

 private:
  glob_t g_{};
};

std::vector<std::string> glob_sorted(const std::string& pattern) {
  GlobResult g;
  std::vector<std::string> out;
  if (glob(pattern.c_str(), 0, nullptr, g.get()) == 0) {
    for (size_t i = 0; i < g.get()->gl_pathc; ++i) out.emplace_back(g.get()->gl_pathv[i]);
  }
  return out;  // glob(3) sorts unless GLOB_NOSORT
}

// Appends the directories of one ld.so.conf-style file; `seen` stops include loops.
Result<void> read_conf(const std::filesystem::path& file, std::vector<std::string>& dirs,
                       std::set<std::string>& seen) {
  if (!seen.insert(file.string()).second) return {};
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  std::istringstream in(KTSTR_TRY(read_file(file)));
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string word;
    if (!(words >> word)) continue;
    if (word == "include") {
      std::string pattern;
      while (words >> pattern) {
        // ldconfig resolves relative include patterns against the including file's dir.
        if (pattern.front() != '/') pattern = (file.parent_path() / pattern).string();
        for (const auto& inc : glob_sorted(pattern)) KTSTR_TRY_VOID(read_conf(inc, dirs, seen));
      }
      continue;
    }
    if (word == "hwcap") continue;
    do {
      // Old syntax allows "dir=TYPE" and ':'/',' separators (ldconfig.c parse_conf).
      std::string rest = word;
      for (char& c : rest)
        if (c == ':' || c == ',') c = ' ';
      std::istringstream parts(rest);
      std::string dir;
      while (parts >> dir) {
        dir = dir.substr(0, dir.find('='));
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        if (!dir.empty() && dir.front() == '/') dirs.push_back(dir);
      }
    } while (words >> word);
  }
  return {};
}

}  // namespace

Result<std::unordered_map<std::string, std::string>> parse_ld_so_cache(std::string_view bytes) {
  std::unordered_map<std::string, std::string> out;
  size_t base = 0;
  if (bytes.starts_with(kCacheMagicOld)) {
    // Old header: magic[11] + uint32 nlibs, entries follow; the new-format
    // header comes next, aligned to its own alignment (glibc dl-cache.c).
    if (bytes.size() < 16) return fail("ld.so.cache: truncated old header");
    uint32_t nlibs;
    std::memcpy(&nlibs, bytes.data() + 12, sizeof nlibs);
    base = 16 + size_t{nlibs} * sizeof(CacheEntryOld);
    base = (base + alignof(CacheHeaderNew) - 1) & ~(alignof(CacheHeaderNew) - 1);
  }
  if (bytes.size() < base + sizeof(CacheHeaderNew) ||
      bytes.substr(base, kCacheMagicNew.size()) != kCacheMagicNew)
    return out;  // unknown or old-only format: nothing usable
  CacheHeaderNew h;
  std::memcpy(&h, bytes.data() + base, sizeof h);
  size_t entries_end = base + sizeof h + size_t{h.nlibs} * sizeof(CacheEntryNew);
  if (entries_end > bytes.size())
    return fail("ld.so.cache: {} entries do not fit in {} bytes", h.nlibs, bytes.size());
  // String offsets are relative to the new-format header.
  std::string_view strings = bytes.substr(base);
  auto str_at = [&](uint32_t off) -> std::optional<std::string> {
    if (off >= strings.size()) return std::nullopt;
    std::string_view s = strings.substr(off);
    return std::string(s.substr(0, s.find('\0')));
  };
  for (uint32_t i = 0; i < h.nlibs; ++i) {
    CacheEntryNew e;
    std::memcpy(&e, bytes.data() + base + sizeof h + i * sizeof e, sizeof e);
    if (e.flags != kFlagsX8664Libc6 || e.hwcap != 0) continue;
    auto key = str_at(e.key);
    auto value = str_at(e.value);
    if (!key || !value) return fail("ld.so.cache: entry {} points outside the file", i);
    out.emplace(*key, *value);  // keeps the first, highest-priority entry
  }
  return out;
}

Result<LoaderConfig> load_loader_config(const std::filesystem::path& conf,
                                        const std::filesystem::path& cache) {
  LoaderConfig cfg;
  cfg.default_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/lib",
                      "/usr/lib"};
  std::set<std::string> seen;
  KTSTR_TRY_VOID(read_conf(conf, cfg.conf_dirs, seen));
  std::error_code ec;
  if (std::filesystem::exists(cache, ec)) {
    auto bytes = KTSTR_TRY(read_file(cache));
    auto parsed = parse_ld_so_cache(bytes);
    if (!parsed) return fail("{}: {}", cache.string(), parsed.error().message);
    cfg.cache.swap(*parsed);
  }
  return cfg;
}

}  // namespace ktstr::initramfs
