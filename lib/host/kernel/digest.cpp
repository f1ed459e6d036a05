#include "host/kernel/digest.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/fd.hpp"
#include "host/kernel/file_lock.hpp"
#include "base/sha256.hpp"
#include "host/kernel/kconfig_spec.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

std::string fragment_hash() { return base_kconfig().hash(); }

std::string make_cache_key(std::string_view version, std::string_view source_digest, std::string_view fragment_hash) {
  std::string label(version.empty() ? "linux" : version);
  std::ranges::replace(label, '/', '_');
  std::string h = sha256_hex(fmt::format("{}\n{}\n", source_digest, fragment_hash));
  return fmt::format("{}-{}", label, h.substr(0, 12));
}

Result<std::string> tarball_digest(const fs::path& tarball, const fs::path& cache_dir) {
  struct stat st {};
  if (::stat(tarball.c_str(), &st) != 0) return fail_errno(fmt::format("stat {}", tarball.string()));
  std::string id = fmt::format("{}|{}|{}.{}", fs::absolute(tarball).string(), st.st_size, st.st_mtim.tv_sec,
                               st.st_mtim.tv_nsec);
  fs::path sidecar = cache_dir / ".digests.json";
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  // The sidecar is shared by concurrent processes: read-modify-write under its lock.
  auto lock = KTSTR_TRY(FileLock::acquire(cache_dir / ".digests.lock"));
  nlohmann::json known = nlohmann::json::object();
  if (auto text = read_file(sidecar)) {
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_object()) known = std::move(j);
  }
  if (auto it = known.find(id); it != known.end() && it->is_string()) return it->get<std::string>();
  std::string digest = KTSTR_TRY(sha256_file(tarball));
  known[id] = digest;
  KTSTR_TRY_VOID(write_file_atomic(sidecar, known.dump(1) + "\n"));
  return digest;
}

Result<std::string> source_dir_digest(const fs::path& dir, std::string_view version) {
  std::vector<std::string> lines;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) return fail("listing {}: {}", dir.string(), ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return fail("listing {}: {}", dir.string(), ec.message());
    if (it->is_directory() && it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    lines.push_back(fmt::format("{}\t{}\t{}\n", it->path().lexically_relative(dir).string(), st.st_size,
                                static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec));
  }
  std::ranges::sort(lines);
  std::string all = fmt::format("{}\n", version);
  for (const auto& l : lines) all += l;
  return sha256_hex(all);
}

}  // namespace ktstr::kernel
