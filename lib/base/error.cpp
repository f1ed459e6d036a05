#include "base/error.hpp"

#include <cstring>

namespace ktstr {

std::unexpected<Error> fail_errno(std::string_view what, int err) {
  return std::unexpected(Error{fmt::format("{}: {}", what, std::strerror(err)), err});
}

}  // namespace ktstr
