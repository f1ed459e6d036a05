// Error values and propagation helpers shared by every ktstr component.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace ktstr {

// A failure that says what operation failed on which object, and (for common
// failures) what to do about it. Created once at the failure site; only main
// prints it.
struct Error {
  std::string message;
  int sys_errno = 0;  // errno of the failed syscall, 0 when not a syscall failure

  // Prefixes context ("building kernel 6.12: ") to the message.
  [[nodiscard]] Error context(std::string_view what) && {
    message = fmt::format("{}: {}", what, message);
    return std::move(*this);
  }
};

template <class T>
using Result = std::expected<T, Error>;

// Builds an Error from a formatted message.
template <class... Args>
[[nodiscard]] std::unexpected<Error> fail(fmt::format_string<Args...> f, Args&&... args) {
  return std::unexpected(Error{fmt::format(f, std::forward<Args>(args)...), 0});
}

// Builds an Error for a failed syscall from errno: "<what>: <strerror>".
[[nodiscard]] std::unexpected<Error> fail_errno(std::string_view what, int err = errno);

}  // namespace ktstr

// Evaluates a Result<T> expression; on error returns it from the enclosing
// function, otherwise yields the value (GNU statement expression, g++/clang).
#define KTSTR_TRY(expr)                                   \
  ({                                                      \
    auto&& ktstr_try_r_ = (expr);                         \
    if (!ktstr_try_r_)                                    \
      return std::unexpected(std::move(ktstr_try_r_).error()); \
    std::move(ktstr_try_r_).value();                      \
  })

// Like KTSTR_TRY for Result<void>.
#define KTSTR_TRY_VOID(expr)                              \
  do {                                                    \
    auto&& ktstr_try_r_ = (expr);                         \
    if (!ktstr_try_r_)                                    \
      return std::unexpected(std::move(ktstr_try_r_).error()); \
  } while (0)

// Like KTSTR_TRY_VOID, prefixing context to the error message.
#define KTSTR_TRY_CTX(expr, ...)                          \
  do {                                                    \
    auto&& ktstr_try_r_ = (expr);                         \
    if (!ktstr_try_r_)                                    \
      return std::unexpected(std::move(ktstr_try_r_).error().context(fmt::format(__VA_ARGS__))); \
  } while (0)
