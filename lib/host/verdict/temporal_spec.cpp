// TemporalAssertion: its description and its checked JSON form.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "host/verdict/temporal.hpp"

namespace ktstr::verdict {
namespace {

constexpr std::array<std::string_view, 4> kKinds = {"nondecreasing", "within", "steady", "converges"};
constexpr std::array<std::string_view, 4> kMetrics = {"iterations", "cpu_ns", "runq_wait_ns", "migrations"};
constexpr std::array<std::string_view, 3> kForms = {"value", "rate", "share"};
constexpr std::array<std::string_view, 13> kFields = {"kind", "metric",    "of",  "cgroup", "per_worker",
                                                     "step", "min",       "max", "slack_pct", "pct",
                                                     "value", "tolerance_pct", "window_ms"};

[[noreturn]] void bad(const nlohmann::json& j, std::string_view what) {
  throw std::invalid_argument(fmt::format("temporal assertion {}: {}", j.dump(), what));
}

template <size_t N>
std::string one_of(const nlohmann::json& j, const char* key, const std::array<std::string_view, N>& allowed,
                   std::string fallback) {
  std::string v = j.value(key, fallback);
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
    bad(j, fmt::format("{} '{}' is not one of {}", key, v, fmt::join(allowed, ", ")));
  return v;
}

std::optional<double> number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) bad(j, fmt::format("{} must be a number", key));
  double v = it->get<double>();
  if (std::isnan(v)) bad(j, fmt::format("{} is not a number", key));
  return v;
}

double width(const nlohmann::json& j, const char* key) {
  double v = number(j, key).value_or(0);
  if (v < 0 || !std::isfinite(v)) bad(j, fmt::format("{} must be finite and >= 0", key));
  return v;
}

std::string bound(const std::optional<double>& v, const char* open) {
  return v ? fmt::format("{:g}", *v) : std::string(open);
}

}  // namespace

std::string describe(const TemporalAssertion& a) {
  std::string head = fmt::format("{} {} of {}{}", a.metric, a.of, a.cgroup.empty() ? "each cgroup" : a.cgroup,
                                 a.per_worker ? " (per worker)" : "");
  if (a.step) head += fmt::format(" in step {}", *a.step);
  if (!a.step_name.empty()) head += fmt::format(" in step {}", a.step_name);
  if (a.kind == "nondecreasing")
    return a.slack_pct > 0 ? fmt::format("{} nondecreasing (slack {:g}%)", head, a.slack_pct)
                           : fmt::format("{} nondecreasing", head);
  if (a.kind == "within") return fmt::format("{} within [{}, {}]", head, bound(a.min, "-inf"), bound(a.max, "inf"));
  if (a.kind == "steady") return fmt::format("{} steady within {:g}% of its mean", head, a.pct.value_or(0));
  return fmt::format("{} converges to {:g} +-{:g}% within {:g} ms", head, a.value.value_or(0), a.tolerance_pct,
                     a.window_ms);
}

void to_json(nlohmann::json& j, const TemporalAssertion& a) {
  j = {{"kind", a.kind}, {"metric", a.metric}, {"of", a.of}};
  if (!a.cgroup.empty()) j["cgroup"] = a.cgroup;
  if (a.per_worker) j["per_worker"] = true;
  if (a.step) j["step"] = *a.step;
  if (!a.step_name.empty()) j["step"] = a.step_name;
  for (auto [key, v] : {std::pair{"min", a.min}, {"max", a.max}, {"pct", a.pct}, {"value", a.value}})
    if (v) j[key] = *v;
  for (auto [key, v] : {std::pair{"slack_pct", a.slack_pct}, {"tolerance_pct", a.tolerance_pct}, {"window_ms", a.window_ms}})
    if (v != 0) j[key] = v;
}

void from_json(const nlohmann::json& j, TemporalAssertion& a) {
  if (!j.is_object()) bad(j, "expected an object");
  for (const auto& [key, _] : j.items())
    if (std::find(kFields.begin(), kFields.end(), key) == kFields.end())
      bad(j, fmt::format("unknown field '{}' (known: {})", key, fmt::join(kFields, ", ")));
  a = TemporalAssertion{};
  if (!j.contains("kind")) bad(j, fmt::format("kind is missing (one of {})", fmt::join(kKinds, ", ")));
  a.kind = one_of(j, "kind", kKinds, "");
  a.metric = one_of(j, "metric", kMetrics, a.metric);
  a.of = one_of(j, "of", kForms, a.of);
  a.cgroup = j.value("cgroup", std::string());
  a.per_worker = j.value("per_worker", false);
  if (auto it = j.find("step"); it != j.end()) {
    if (it->is_number_integer() && it->get<int>() >= 0) a.step = it->get<int>();
    else if (it->is_string()) a.step_name = it->get<std::string>();
    else bad(j, "step must be a step index (>= 0) or a step name");
  }
  a.min = number(j, "min");
  a.max = number(j, "max");
  a.pct = number(j, "pct");
  a.value = number(j, "value");
  a.slack_pct = width(j, "slack_pct");
  a.tolerance_pct = width(j, "tolerance_pct");
  a.window_ms = width(j, "window_ms");
  if (a.kind == "within" && !a.min && !a.max) bad(j, "within needs min, max or both");
  if (a.kind == "within" && a.min && a.max && *a.min > *a.max) bad(j, "within: min is above max");
  if (a.kind == "steady" && (!a.pct || *a.pct < 0)) bad(j, "steady needs pct >= 0");
  if (a.kind == "converges" && !a.value) bad(j, "converges needs value");
}

}  // namespace ktstr::verdict
