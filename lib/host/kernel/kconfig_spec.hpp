// The kconfig fragment a kernel is built with: the embedded ktstr.kconfig,
// then optional extras (the built-in debug fragment, fragment files) appended
// in order; a later assignment of an option wins, as in Kconfig. The cache key
// hashes the combined settings, so every combination is its own cache entry;
// comments and blank lines are not settings, so editing them keeps the key.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::kernel {

struct KconfigSpec {
  std::string text;    // the combined fragment, merged over tinyconfig
  std::string extras;  // "" or what was added, e.g. "debug + /abs/extra.kconfig" (manifest, listings)

  // sha256 of the settings in text, in order (assignments and "# CONFIG_X is
  // not set" lines, trimmed; comments and blank lines dropped): the
  // manifest's fragment_hash and part of the cache key.
  [[nodiscard]] std::string hash() const;
};

// ktstr.kconfig alone.
KconfigSpec base_kconfig();

// ktstr.kconfig, then debug.kconfig when debug, then each file in order. A
// file that cannot be read or parsed is an error naming it.
Result<KconfigSpec> compose_kconfig(bool debug, const std::vector<std::filesystem::path>& fragment_files);

}  // namespace ktstr::kernel
