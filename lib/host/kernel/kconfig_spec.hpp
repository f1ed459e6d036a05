// The kconfig fragment a kernel is built with: the embedded ktstr.kconfig,
// then optional extras (the built-in debug fragment, fragment files) appended
// in order; a later assignment of an option wins, as in Kconfig. The cache key
// hashes the combined text, so every combination is its own cache entry, and
// without extras the text is ktstr.kconfig alone (the key it always had).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::kernel {

struct KconfigSpec {
  std::string text;    // the combined fragment, merged over tinyconfig
  std::string extras;  // "" or what was added, e.g. "debug + /abs/extra.kconfig" (manifest, listings)

  // sha256 of text: the manifest's fragment_hash and part of the cache key.
  [[nodiscard]] std::string hash() const;
};

// ktstr.kconfig alone.
KconfigSpec base_kconfig();

// ktstr.kconfig, then debug.kconfig when debug, then each file in order. A
// file that cannot be read or parsed is an error naming it.
Result<KconfigSpec> compose_kconfig(bool debug, const std::vector<std::filesystem::path>& fragment_files);

}  // namespace ktstr::kernel
