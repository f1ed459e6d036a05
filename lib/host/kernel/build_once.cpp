#include "host/kernel/build_once.hpp"

#include <unistd.h>

#include <chrono>

#include <fmt/chrono.h>

#include "host/kernel/cache.hpp"
#include "host/kernel/file_lock.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

namespace {

// Owns a directory tree; removes it on destruction unless released.
class TempDir {
 public:
  explicit TempDir(fs::path p) : path_(std::move(p)) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (!path_.empty()) (void)remove_tree(path_);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }
  void release() { path_.clear(); }

 private:
  fs::path path_;
};

std::string utc_now_iso() {
  auto now = std::chrono::system_clock::now();
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(now));
}

// Removes temp dirs of earlier builds of key that died without cleaning up
// (SIGKILL, power loss). Safe: the caller holds the key's lock.
void remove_stale_temps(const fs::path& cache_dir, const std::string& key) {
  std::error_code ec;
  std::string prefix = ".tmp-" + key + "-";
  for (const auto& d : fs::directory_iterator(cache_dir, ec))
    if (d.path().filename().string().starts_with(prefix)) (void)remove_tree(d.path());
}

}  // namespace

Result<BuildOnceResult> lookup_entry(const fs::path& cache_dir, const std::string& key) {
  auto dir = find_entry_dir(cache_dir, key);
  if (!dir) return fail("no cache entry {} in {}", key, cache_dir.string());
  auto m = KTSTR_TRY_CTX(validate_entry(*dir), "cache entry {} is damaged", key);
  return BuildOnceResult{*dir, std::move(m), true};
}

Result<BuildOnceResult> build_once(const fs::path& cache_dir, const std::string& key, const BuildStep& step,
                                   const BuildOnceOptions& opts) {
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  if (ec) return fail("creating cache dir {}: {}", cache_dir.string(), ec.message());
  auto lock = KTSTR_TRY(FileLock::acquire(cache_dir / (key + ".lock")));

  fs::path final_dir = cache_dir / key;
  if (fs::exists(final_dir)) {
    auto m = validate_entry(final_dir);
    if (m && !opts.force) return BuildOnceResult{final_dir, std::move(*m), true};
    if (!m && opts.note) opts.note(fmt::format("cache entry {} is damaged ({}); removing and rebuilding", key, m.error().message));
    KTSTR_TRY_VOID(remove_tree(final_dir));
  }
  remove_stale_temps(cache_dir, key);

  TempDir temp(cache_dir / fmt::format(".tmp-{}-{}", key, ::getpid()));
  fs::create_directories(temp.path(), ec);
  if (ec) return fail("creating {}: {}", temp.path().string(), ec.message());
  auto start = std::chrono::steady_clock::now();
  Manifest m = KTSTR_TRY(step(temp.path()));
  m.key = key;
  m.date = utc_now_iso();
  m.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const char* rel : kEntryFiles) {
    if (std::string_view(rel) == "manifest.json") continue;
    if (!fs::exists(temp.path() / rel)) return fail("build of {} did not produce {}", key, rel);
  }
  KTSTR_TRY_VOID(record_digests(temp.path(), m));
  KTSTR_TRY_VOID(write_manifest(temp.path(), m));
  if (::rename(temp.path().c_str(), final_dir.c_str()) != 0)
    return fail_errno(fmt::format("installing {} -> {}", temp.path().string(), final_dir.string()));
  temp.release();
  return BuildOnceResult{final_dir, std::move(m), false};
}

}  // namespace ktstr::kernel
