#include "host/verdict/thresholds.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace ktstr::verdict {
namespace {

Result<bool> parse_bool(std::string_view name, std::string_view v) {
  if (v == "true" || v == "on" || v == "yes" || v == "1") return true;
  if (v == "false" || v == "off" || v == "no" || v == "0") return false;
  return fail("--set {}={}: expected true/false/on/off/yes/no/1/0", name, v);
}

Result<double> parse_number(std::string_view name, std::string_view v) {
  double out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(out) || out < 0)
    return fail("--set {}={}: expected a finite number >= 0", name, v);
  return out;
}

Result<TemporalAssertions> parse_temporal(std::string_view v) {
  try {
    auto j = nlohmann::json::parse(v);
    if (j.is_object()) j = nlohmann::json::array({j});
    return j.get<TemporalAssertions>();
  } catch (const std::exception& e) {
    return fail("--set temporal={}: {}", v, e.what());
  }
}

}  // namespace

Thresholds builtin_defaults() {
  return Thresholds{.not_starved = false, .isolation = false, .max_rq_stall_ms = kDefaultRqStallMs};
}

Thresholds merge(const Thresholds& base, const Thresholds& over) {
  Thresholds out = base;
  // Walk both structs in lockstep through the same field list.
  auto walk = [&out](const char* name, const auto& field) {
    for_each_threshold(out, [&](const char* n, auto& dst) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(dst)>, std::remove_cvref_t<decltype(field)>>)
        if (std::string_view(n) == name && field) dst = field;
    });
  };
  for_each_threshold(over, walk);
  return out;
}

Thresholds merge_layers(const Thresholds& scheduler, const Thresholds& test) {
  return merge(merge(builtin_defaults(), scheduler), test);
}

Result<void> apply_set(Thresholds& t, std::string_view assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return fail("--set {}: expected check=value", assignment);
  auto name = assignment.substr(0, eq);
  auto value = assignment.substr(eq + 1);
  bool found = false;
  Result<void> result;
  for_each_threshold(t, [&](const char* n, auto& field) {
    if (found || name != n) return;
    found = true;
    using V = typename std::remove_cvref_t<decltype(field)>::value_type;
    if (value == "none") {
      field.reset();
    } else if constexpr (std::is_same_v<V, bool>) {
      auto b = parse_bool(name, value);
      if (b) field = *b; else result = std::unexpected(b.error());
    } else if (value == "off") {
      field.reset();
    } else if constexpr (std::is_same_v<V, TemporalAssertions>) {
      auto a = parse_temporal(value);
      if (a) field = std::move(*a); else result = std::unexpected(a.error());
    } else {
      auto d = parse_number(name, value);
      if (d) field = *d; else result = std::unexpected(d.error());
    }
  });
  if (!found) {
    std::string known;
    for_each_threshold(t, [&](const char* n, auto&) { known += known.empty() ? n : fmt::format(", {}", n); });
    return fail("--set {}: unknown check '{}' (known: {})", assignment, name, known);
  }
  return result;
}

int count_set(const Thresholds& t) {
  int n = 0;
  for_each_threshold(t, [&](const char*, const auto& f) { n += f.has_value(); });
  return n;
}

void to_json(nlohmann::json& j, const Thresholds& t) {
  j = nlohmann::json::object();
  for_each_threshold(t, [&](const char* n, const auto& f) {
    if (f) j[n] = *f;
  });
}

void from_json(const nlohmann::json& j, Thresholds& t) {
  t = Thresholds{};
  for_each_threshold(t, [&](const char* n, auto& f) {
    auto it = j.find(n);
    if (it == j.end() || it->is_null()) return;
    using V = typename std::remove_cvref_t<decltype(f)>::value_type;
    f = it->template get<V>();
  });
}

}  // namespace ktstr::verdict
