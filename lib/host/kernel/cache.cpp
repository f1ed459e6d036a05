#include "host/kernel/cache.hpp"

#include <algorithm>
#include <cstdlib>

#include "host/kernel/file_lock.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

fs::path default_cache_dir() {
  if (const char* d = std::getenv("KTSTR_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return fs::path(x) / "ktstr" / "kernels";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/root") / ".cache" / "ktstr" / "kernels";
}

static std::uint64_t tree_bytes(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& f : fs::recursive_directory_iterator(dir, ec))
    if (f.is_regular_file(ec)) total += f.file_size(ec);
  return total;
}

std::vector<CacheEntry> list_entries(const fs::path& cache_dir) {
  std::vector<CacheEntry> out;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(cache_dir, ec)) {
    if (!d.is_directory() || d.path().filename().string().starts_with(".")) continue;
    auto m = read_manifest(d.path());
    if (!m) continue;
    out.push_back({d.path(), std::move(*m), tree_bytes(d.path())});
  }
  std::ranges::sort(out, [](const CacheEntry& a, const CacheEntry& b) {
    if (a.manifest.date != b.manifest.date) return a.manifest.date > b.manifest.date;
    return a.manifest.key > b.manifest.key;
  });
  return out;
}

std::optional<fs::path> find_entry_dir(const fs::path& cache_dir, const std::string& key) {
  if (key.empty() || key.find('/') != std::string::npos || key.starts_with(".")) return std::nullopt;
  auto dir = cache_dir / key;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return dir;
  return std::nullopt;
}

Result<void> remove_tree(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return fail("removing {}: {}", dir.string(), ec.message());
  return {};
}

Result<std::vector<std::string>> clean_cache(const fs::path& cache_dir, std::size_t keep) {
  std::vector<std::string> removed;
  auto entries = list_entries(cache_dir);
  for (std::size_t i = keep; i < entries.size(); ++i) {
    // Hold the key's lock so a concurrent build or hit check never sees a half-removed entry.
    auto lock = KTSTR_TRY(FileLock::acquire(cache_dir / (entries[i].manifest.key + ".lock")));
    KTSTR_TRY_VOID(remove_tree(entries[i].dir));
    removed.push_back(entries[i].manifest.key);
  }
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(cache_dir, ec)) {
    std::string name = d.path().filename().string();
    if (!name.starts_with(".tmp-")) continue;
    // .tmp-<key>-<pid>: removable when no build holds <key>.lock.
    std::string key = name.substr(5, name.rfind('-') - 5);
    auto lock = KTSTR_TRY(FileLock::try_acquire(cache_dir / (key + ".lock")));
    if (lock.held()) KTSTR_TRY_VOID(remove_tree(d.path()));
  }
  return removed;
}

}  // namespace ktstr::kernel
