#include "host/kernel/sha256.hpp"

#include "host/fetch/sha256.hpp"

// One SHA-256 implementation (fetch::Sha256, OpenSSL EVP, streaming); these
// are the one-shot forms the cache code uses.
namespace ktstr::kernel {

std::string sha256_hex(std::string_view data) {
  fetch::Sha256 h;
  h.update(data);
  return h.hex();
}

Result<std::string> sha256_file(const std::filesystem::path& path) {
  fetch::Sha256 h;
  KTSTR_TRY_VOID(h.update_from_file(path));
  return h.hex();
}

}  // namespace ktstr::kernel
