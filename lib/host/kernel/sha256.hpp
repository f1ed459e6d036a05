// SHA-256 digests (OpenSSL EVP) as lower-case hex strings.
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
