#include "base/version.hpp"

#include <fmt/format.h>

namespace ktstr {

std::string_view ktstr_version() { return KTSTR_VERSION; }

std::string version_skew(std::string_view built_with, std::string_view own) {
  // The listing, the guest arguments and the channel frames change between
  // releases, so only the exact version is known to work.
  if (built_with.empty() || built_with == own) return {};
  return fmt::format(
      "version skew: the test executable was built against ktstr {} but this ktstr-vm is {}: rebuild the "
      "test project against ktstr {} (or run it with ktstr-vm {})",
      built_with, own, own, built_with);
}

}  // namespace ktstr
