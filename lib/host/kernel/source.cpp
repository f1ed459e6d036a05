#include "host/kernel/source.hpp"

#include <charconv>
#include <regex>

#include "base/fd.hpp"

namespace ktstr::kernel {

namespace fs = std::filesystem;

namespace {

bool is_tarball_name(const std::string& name) {
  for (const char* ext : {".tar.xz", ".tar.gz", ".tgz", ".tar.zst", ".tar.bz2", ".tar"})
    if (name.ends_with(ext)) return true;
  return false;
}

bool is_version_text(std::string_view s) {
  static const std::regex re(R"(\d+\.\d+(\.\d+)?)");
  return std::regex_match(s.begin(), s.end(), re);
}

}  // namespace

Result<SourceSpec> classify_source(std::string_view spec, const fs::path& cache_dir) {
  if (spec.empty()) return fail("empty kernel argument");
  std::error_code ec;
  fs::path p(spec);
  if (fs::exists(p, ec)) {
    fs::path abs = fs::absolute(p, ec);
    if (fs::is_directory(abs, ec)) {
      if (fs::exists(abs / "bzImage", ec) || fs::exists(abs / "arch/x86/boot/bzImage", ec))
        return SourceSpec{SourceKind::kBuiltKernel, std::string(spec), abs};
      if (fs::exists(abs / "Makefile", ec) && fs::is_directory(abs / "kernel", ec))
        return SourceSpec{SourceKind::kSourceDir, std::string(spec), abs};
      return fail("{}: neither a kernel source tree (Makefile, kernel/) nor a built kernel (bzImage)", abs.string());
    }
    if (is_tarball_name(abs.filename().string())) return SourceSpec{SourceKind::kTarball, std::string(spec), abs};
    return SourceSpec{SourceKind::kBuiltKernel, std::string(spec), abs};
  }
  if (spec.find('/') == std::string_view::npos && fs::is_directory(cache_dir / spec, ec) && !spec.starts_with("."))
    return SourceSpec{SourceKind::kCacheKey, std::string(spec), cache_dir / spec};
  if (is_version_text(spec)) return SourceSpec{SourceKind::kVersion, std::string(spec), {}};
  return fail(
      "kernel '{}' not found: expected a version (6.12, 6.12.3), a tarball, a source dir, "
      "a built kernel (bzImage or a dir holding one) or a cache key (see `ktstr kernel list`)",
      spec);
}

Result<std::string> parse_makefile_version(std::string_view text) {
  // The four fields are plain assignments in the first lines of the Makefile.
  static const std::regex re(R"(\s*(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)\s*=\s*(\S*)\s*)");
  const char* names[4] = {"VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"};
  std::string fields[4];
  bool seen[4] = {};
  for (int n = 0; n < 64 && !text.empty(); ++n) {
    size_t nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::smatch m;
    if (!std::regex_match(line, m, re)) continue;
    for (int i = 0; i < 4; ++i)
      if (m[1] == names[i] && !seen[i]) {
        fields[i] = m[2];
        seen[i] = true;
      }
  }
  if (fields[0].empty() || fields[1].empty()) return fail("Makefile has no VERSION/PATCHLEVEL lines");
  std::string v = fields[0] + "." + fields[1];
  if (!fields[2].empty()) v += "." + fields[2];
  return v + fields[3];
}

bool version_at_least(std::string_view version, int major, int minor) {
  int ma = 0, mi = 0;
  auto r1 = std::from_chars(version.data(), version.data() + version.size(), ma);
  if (r1.ec != std::errc() || r1.ptr == version.data() + version.size() || *r1.ptr != '.') return false;
  auto r2 = std::from_chars(r1.ptr + 1, version.data() + version.size(), mi);
  if (r2.ec != std::errc()) return false;
  return ma > major || (ma == major && mi >= minor);
}

Result<std::string> check_sched_ext_tree(const fs::path& src) {
  auto text = read_file(src / "Makefile");
  if (!text) return fail("{} is not a kernel source tree (no Makefile)", src.string());
  std::string version = KTSTR_TRY_CTX(parse_makefile_version(*text), "{}", (src / "Makefile").string());
  if (!version_at_least(version, 6, 12))
    return fail("kernel {} at {} is older than 6.12 and has no sched_ext; use 6.12 or newer", version, src.string());
  if (!fs::exists(src / "kernel/sched/ext.c"))
    return fail("kernel {} at {} has no kernel/sched/ext.c (sched_ext); use a 6.12+ tree with sched_ext", version,
                src.string());
  return version;
}

std::string version_from_filename(const fs::path& tarball) {
  static const std::regex re(R"((\d+\.\d+(\.\d+)?(-rc\d+)?)\.(tar|tgz))");
  std::smatch m;
  std::string name = tarball.filename().string();
  if (std::regex_search(name, m, re)) return m[1];
  return "";
}

}  // namespace ktstr::kernel
