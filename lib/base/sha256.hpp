// SHA-256 (OpenSSL EVP), the one implementation: incremental for downloads
// verified as they stream (including bytes already on disk from an
// interrupted attempt) and initramfs stamps, one-shot for cache keys.
// Its own library (ktstr_sha256), so guest programs that link ktstr_base do
// not pull in libcrypto.
#pragma once

#include <openssl/evp.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr {

class Sha256 {
 public:
  Sha256();
  // Starts over as if nothing had been hashed.
  void reset();
  void update(std::string_view data);
  // Feeds the first `bytes` bytes of a file (all of it when bytes < 0).
  Result<void> update_from_file(const std::filesystem::path& path, long long bytes = -1);
  // Lower-case hex digest of everything fed so far; leaves the state unchanged.
  [[nodiscard]] std::string hex() const;

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
};

// Lower-case hex digest of a byte string.
std::string sha256_hex(std::string_view data);

// Lower-case hex digest of a file's contents, streamed; the error names the file.
Result<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace ktstr
