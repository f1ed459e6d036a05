#include "base/sha256.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "base/fd.hpp"

namespace ktstr {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) { reset(); }

void Sha256::reset() { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }

void Sha256::update(std::string_view data) { EVP_DigestUpdate(ctx_.get(), data.data(), data.size()); }

Result<void> Sha256::update_from_file(const std::filesystem::path& path, long long bytes) {
  UniqueFd fd = KTSTR_TRY(open_file(path, O_RDONLY));
  std::vector<char> buf(1 << 20);
  long long left = bytes;
  while (bytes < 0 || left > 0) {
    size_t want = bytes < 0 ? buf.size() : static_cast<size_t>(std::min<long long>(left, buf.size()));
    ssize_t n = ::read(fd.get(), buf.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("reading {}", path.string()));
    if (n == 0) break;
    update({buf.data(), static_cast<size_t>(n)});
    left -= n;
  }
  if (bytes >= 0 && left > 0) return fail("{}: shorter than the {} bytes expected", path.string(), bytes);
  return {};
}

std::string Sha256::hex() const {
  // Finalise a copy so the running state can keep accumulating.
  std::unique_ptr<EVP_MD_CTX, CtxFree> copy(EVP_MD_CTX_new());
  EVP_MD_CTX_copy_ex(copy.get(), ctx_.get());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(copy.get(), md, &len);
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex();
}

Result<std::string> sha256_file(const std::filesystem::path& path) {
  Sha256 h;
  KTSTR_TRY_VOID(h.update_from_file(path));
  return h.hex();
}

}  // namespace ktstr
