// JSON for std::optional: nlohmann-json 3.11 (Debian 12) has no built-in
// support (it arrived in 3.12). Unset <-> null.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace nlohmann {

template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) j = *v; else j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) v.reset(); else v = j.get<T>();
  }
};

}  // namespace nlohmann
