#include "host/kernel/manifest.hpp"

#include <sys/stat.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "base/fd.hpp"
#include "base/sha256.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

static Result<std::int64_t> mtime_ns(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return fail_errno(fmt::format("stat {}", p.string()));
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

Result<Manifest> read_manifest(const fs::path& entry_dir) {
  auto text = KTSTR_TRY(read_file(entry_dir / "manifest.json"));
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return fail("{}: manifest.json is not valid JSON", entry_dir.string());
  Manifest m;
  try {
    m.key = j.at("key").get<std::string>();
    m.version = j.at("version").get<std::string>();
    m.source = j.at("source").get<std::string>();
    m.source_digest = j.at("source_digest").get<std::string>();
    m.fragment_hash = j.at("fragment_hash").get<std::string>();
    m.extra_fragments = j.value("extra_fragments", std::string());
    m.date = j.at("date").get<std::string>();
    m.sched_ext = j.at("sched_ext").get<bool>();
    m.build_seconds = j.value("build_seconds", 0.0);
    m.sizes = j.at("sizes").get<std::map<std::string, std::uint64_t>>();
    m.sha256 = j.at("sha256").get<std::map<std::string, std::string>>();
    m.hashed_mtime = j.value("hashed_mtime", std::map<std::string, std::int64_t>{});
  } catch (const nlohmann::json::exception& e) {
    return fail("{}: manifest.json: {}", entry_dir.string(), e.what());
  }
  return m;
}

Result<void> write_manifest(const fs::path& entry_dir, const Manifest& m) {
  nlohmann::json j = {
      {"key", m.key},
      {"version", m.version},
      {"source", m.source},
      {"source_digest", m.source_digest},
      {"fragment_hash", m.fragment_hash},
      {"extra_fragments", m.extra_fragments},
      {"date", m.date},
      {"sched_ext", m.sched_ext},
      {"build_seconds", m.build_seconds},
      {"sizes", m.sizes},
      {"sha256", m.sha256},
      {"hashed_mtime", m.hashed_mtime},
  };
  return write_file_atomic(entry_dir / "manifest.json", j.dump(2) + "\n");
}

Result<void> record_digests(const fs::path& entry_dir, Manifest& m) {
  for (const char* rel : kHashedFiles) {
    // Stamp a whole second in the past: a later write always sets a different
    // mtime, even within the filesystem's timestamp granularity.
    auto stamp = std::chrono::floor<std::chrono::seconds>(fs::file_time_type::clock::now()) - std::chrono::seconds(1);
    std::error_code ec;
    fs::last_write_time(entry_dir / rel, stamp, ec);
    if (ec) return fail("setting mtime of {}: {}", (entry_dir / rel).string(), ec.message());
    m.sha256[rel] = KTSTR_TRY(sha256_file(entry_dir / rel));
    m.hashed_mtime[rel] = KTSTR_TRY(mtime_ns(entry_dir / rel));
  }
  std::error_code ec;
  for (const auto& f : fs::recursive_directory_iterator(entry_dir, ec)) {
    if (!f.is_regular_file()) continue;
    std::string rel = fs::relative(f.path(), entry_dir).string();
    if (rel == "manifest.json") continue;
    m.sizes[rel] = f.file_size();
  }
  if (ec) return fail("listing {}: {}", entry_dir.string(), ec.message());
  return {};
}

Result<Manifest> validate_entry(const fs::path& entry_dir, bool full) {
  for (const char* rel : kEntryFiles) {
    if (!fs::exists(entry_dir / rel)) return fail("{} is missing", rel);
  }
  Manifest m = KTSTR_TRY(read_manifest(entry_dir));
  for (const char* rel : kHashedFiles) {
    auto want = m.sha256.find(rel);
    if (want == m.sha256.end()) return fail("manifest.json has no sha256 for {}", rel);
    std::error_code ec;
    auto size = fs::file_size(entry_dir / rel, ec);
    auto want_size = m.sizes.find(rel);
    if (ec || want_size == m.sizes.end() || size != want_size->second)
      return fail("{} has size {} but the manifest recorded {}", rel, ec ? 0 : size,
                  want_size == m.sizes.end() ? 0 : want_size->second);
    auto stamp = m.hashed_mtime.find(rel);
    if (!full && stamp != m.hashed_mtime.end() && stamp->second == KTSTR_TRY(mtime_ns(entry_dir / rel))) continue;
    auto got = KTSTR_TRY(sha256_file(entry_dir / rel));
    if (got != want->second) return fail("{} sha256 {} does not match the manifest ({})", rel, got, want->second);
  }
  return m;
}

}  // namespace ktstr::kernel
