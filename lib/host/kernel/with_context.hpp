// Adds context to a failed Result (g++ 12's std::expected has no
// transform_error; C++23 monadic operations arrived in libstdc++ 13).
#pragma once

#include <string_view>

#include "base/error.hpp"

namespace ktstr::kernel {

template <class T>
Result<T> with_context(Result<T> r, std::string_view what) {
  if (!r) return std::unexpected(std::move(r).error().context(what));
  return r;
}

}  // namespace ktstr::kernel
