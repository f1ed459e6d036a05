#include "base/temp_dir.hpp"

#include <cstdlib>
#include <string>

namespace ktstr {

Result<TempDir> TempDir::create(std::string_view prefix, std::filesystem::path parent) {
  if (parent.empty()) {
    const char* t = std::getenv("TMPDIR");
    parent = (t && *t) ? t : "/tmp";
  }
  std::string tmpl = (parent / fmt::format("{}XXXXXX", prefix)).string();
  if (!::mkdtemp(tmpl.data())) return fail_errno(fmt::format("mkdtemp {}", tmpl));
  TempDir d;
  d.path_ = tmpl;
  return d;
}

TempDir& TempDir::operator=(TempDir&& o) noexcept {
  if (this != &o) {
    remove();
    path_ = std::exchange(o.path_, {});
  }
  return *this;
}

void TempDir::remove() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

}  // namespace ktstr
