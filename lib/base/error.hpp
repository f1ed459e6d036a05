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

// The one way to add context to an error: r with "<what>: " prefixed to its
// message; a value passes through untouched. KTSTR_TRY_CTX is the
// propagating form. (libstdc++ 12's std::expected has no transform_error.)
template <class T>
[[nodiscard]] Result<T> with_context(Result<T> r, std::string_view what) {
  if (!r) return std::unexpected(std::move(r).error().context(what));
  return r;
}

// The one way a program reports a failure that ends it: prints
// "<program>: <message>" on stderr and returns exit_code, so main can
// `return report_failure("ktstr-vm", e.message, kExitInfra);`.
int report_failure(std::string_view program, std::string_view message, int exit_code);

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

// Like KTSTR_TRY (yields the value, or returns the error), prefixing
// context to the error message: KTSTR_TRY_CTX(read_file(p), "config {}", p).
#define KTSTR_TRY_CTX(expr, ...) KTSTR_TRY(::ktstr::with_context((expr), fmt::format(__VA_ARGS__)))
