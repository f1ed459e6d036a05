#include "host/fetch/temp_dir.hpp"

#include <cstdlib>
#include <string>
#include <system_error>

namespace ktstr::fetch {

Result<TempDir> TempDir::create(const std::filesystem::path& parent, std::string_view prefix) {
  std::string tmpl = (parent / fmt::format("{}XXXXXX", prefix)).string();
  if (::mkdtemp(tmpl.data()) == nullptr) return fail_errno(fmt::format("creating temp dir {}", tmpl));
  TempDir dir;
  dir.path_ = tmpl;
  return dir;
}

void TempDir::remove() {
  if (path_.empty()) return;
  // Best effort: a destructor cannot report, and the caller's error (if any)
  // is the one worth showing.
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

}  // namespace ktstr::fetch
