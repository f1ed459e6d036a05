// SHA-256 digests as lower-case hex strings (one-shot forms of
// fetch::Sha256, the one implementation).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr::kernel {

// Digest of a byte string.
std::string sha256_hex(std::string_view data);

// Digest of a file's contents, streamed; the error names the file.
Result<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace ktstr::kernel
