#include "host/verdict/outcome.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "base/exit_codes.hpp"

namespace ktstr::verdict {

Outcome worst(Outcome a, Outcome b) { return std::max(a, b); }

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kSkip: return "skip";
    case Outcome::kPass: return "pass";
    case Outcome::kInconclusive: return "inconclusive";
    case Outcome::kFail: return "fail";
  }
  return "fail";
}

std::optional<Outcome> parse_outcome(std::string_view s) {
  for (auto o : {Outcome::kSkip, Outcome::kPass, Outcome::kInconclusive, Outcome::kFail})
    if (outcome_name(o) == s) return o;
  return std::nullopt;
}

int exit_code(Outcome o) {
  switch (o) {
    case Outcome::kSkip: return kExitSkip;
    case Outcome::kPass: return kExitPass;
    case Outcome::kInconclusive: return kExitInfra;
    case Outcome::kFail: return kExitFail;
  }
  return kExitFail;
}

namespace {
// Enough digits to tell a boundary violation from its limit (2000.5 vs 2000).
std::string num(double v) {
  auto s = fmt::format("{:.3f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}
std::string with_unit(double v, const std::string& unit) {
  return unit.empty() ? num(v) : fmt::format("{} {}", num(v), unit);
}
}  // namespace

std::string format_violation(const Violation& v) {
  std::string out = v.subject.empty() ? v.check : fmt::format("{} {}", v.check, v.subject);
  if (v.observed) {
    out += fmt::format(": observed {}", with_unit(*v.observed, v.unit));
    if (v.threshold) out += fmt::format(", limit {}", with_unit(*v.threshold, v.unit));
  }
  if (!v.detail.empty()) out += v.observed ? fmt::format(" ({})", v.detail) : fmt::format(": {}", v.detail);
  if (v.severity == Outcome::kInconclusive) out += " [infrastructure]";
  return out;
}

std::string labelled(std::string_view label, std::string_view text) {
  if (text.empty()) return std::string(label);
  if (text.starts_with(label)) return std::string(text);
  return fmt::format("{}: {}", label, text);
}

void to_json(nlohmann::json& j, const Outcome& o) { j = std::string(outcome_name(o)); }
void from_json(const nlohmann::json& j, Outcome& o) {
  auto parsed = parse_outcome(j.get<std::string>());
  o = parsed.value_or(Outcome::kFail);
}

void to_json(nlohmann::json& j, const VmFacts& f) {
  j = {{"panic", f.panic}, {"timeout", f.timeout}, {"no_result", f.no_result}, {"infra_error", f.infra_error}};
  j["guest_exit_code"] = f.guest_exit_code ? nlohmann::json(*f.guest_exit_code) : nlohmann::json();
}
void from_json(const nlohmann::json& j, VmFacts& f) {
  f = VmFacts{};
  f.panic = j.value("panic", false);
  f.timeout = j.value("timeout", false);
  f.no_result = j.value("no_result", false);
  f.infra_error = j.value("infra_error", std::string());
  if (auto it = j.find("guest_exit_code"); it != j.end() && !it->is_null()) f.guest_exit_code = it->get<int>();
}

}  // namespace ktstr::verdict
