#include "initramfs/stamp.hpp"

#include "base/sha256.hpp"

namespace ktstr::initramfs {
namespace {

// Bump when the bytes write_cpio produces for the same entries change.
constexpr std::string_view kFormatVersion = "ktstr-initramfs-newc-2";

// A length-prefixed field, so adjacent fields cannot alias ("ab"+"c" vs "a"+"bc").
void field(Sha256& h, std::string_view s) {
  h.update(fmt::format("{}:", s.size()));
  h.update(s);
}

}  // namespace

Result<std::string> layout_digest(const std::vector<Entry>& entries) {
  Sha256 h;
  field(h, kFormatVersion);
  for (const auto& e : entries) {
    field(h, e.path);
    field(h, fmt::format("{} {:o} {}:{}", static_cast<int>(e.kind), e.mode, e.major, e.minor));
    field(h, e.data);
    field(h, e.source.string());
    if (!e.source.empty()) {
      field(h, fmt::format("{} {}", e.size, e.mtime_ns));
      KTSTR_TRY_VOID(h.update_from_file(e.source));
    }
  }
  return h.hex();
}

}  // namespace ktstr::initramfs
