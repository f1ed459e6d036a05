#include "initramfs/stamp.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <memory>

#include "base/fd.hpp"

namespace ktstr::initramfs {
namespace {

// Bump when the bytes write_cpio produces for the same entries change.
constexpr std::string_view kFormatVersion = "ktstr-initramfs-newc-2";

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Owner of an OpenSSL SHA-256 context.
class Sha256 {
 public:
  static Result<Sha256> create() {
    Sha256 h;
    h.ctx_.reset(EVP_MD_CTX_new());
    if (!h.ctx_ || EVP_DigestInit_ex(h.ctx_.get(), EVP_sha256(), nullptr) != 1)
      return fail("SHA-256 init failed (OpenSSL)");
    return h;
  }
  void update(std::string_view s) { EVP_DigestUpdate(ctx_.get(), s.data(), s.size()); }
  // Length-prefixed field so that adjacent fields cannot alias ("ab"+"c" vs "a"+"bc").
  void field(std::string_view s) {
    update(fmt::format("{}:", s.size()));
    update(s);
  }
  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx_.get(), md.data(), &len);
    std::string out;
    for (unsigned i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx_;
};

Result<void> hash_file(Sha256& h, const std::filesystem::path& path) {
  auto fd = KTSTR_TRY(open_file(path, O_RDONLY));
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("read {}", path.string()));
    if (n == 0) return {};
    h.update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
}

}  // namespace

Result<std::string> layout_digest(const std::vector<Entry>& entries) {
  auto h = KTSTR_TRY(Sha256::create());
  h.field(kFormatVersion);
  for (const auto& e : entries) {
    h.field(e.path);
    h.field(fmt::format("{} {:o} {}:{}", static_cast<int>(e.kind), e.mode, e.major, e.minor));
    h.field(e.data);
    h.field(e.source.string());
    if (!e.source.empty()) {
      h.field(fmt::format("{} {}", e.size, e.mtime_ns));
      KTSTR_TRY_VOID(hash_file(h, e.source));
    }
  }
  return h.hex();
}

}  // namespace ktstr::initramfs
