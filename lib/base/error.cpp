#include "base/error.hpp"

#include <cstdio>
#include <cstring>

namespace ktstr {

std::unexpected<Error> fail_errno(std::string_view what, int err) {
  return std::unexpected(Error{fmt::format("{}: {}", what, std::strerror(err)), err});
}

int report_failure(std::string_view program, std::string_view message, int exit_code) {
  fmt::print(stderr, "{}: {}\n", program, message);
  return exit_code;
}

}  // namespace ktstr
