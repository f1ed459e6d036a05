// Parsers for `ctest --show-only=json-v1` and CTestCostData.txt.
#include "host/ci/ctest_listing.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ktstr::ci {

namespace {

using nlohmann::json;

// "1500ms" or "2s" (the discovery writes milliseconds).
std::optional<double> parse_duration(std::string_view s) {
  double scale = 1.0;
  if (s.ends_with("ms")) {
    s.remove_suffix(2);
    scale = 1e-3;
  } else if (s.ends_with("s")) {
    s.remove_suffix(1);
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v * scale;
}

std::optional<double> declared_duration(const json& command) {
  for (size_t i = 0; i + 1 < command.size(); ++i)
    if (command[i].is_string() && command[i].get<std::string>() == "--duration" && command[i + 1].is_string())
      return parse_duration(command[i + 1].get<std::string>());
  return std::nullopt;
}

// Sum of the `cpus` slots over the entry's resource groups (0: none).
int cpu_slots(const json& groups) {
  int slots = 0;
  for (const auto& g : groups)
    for (const auto& r : g.value("requirements", json::array()))
      if (r.value(".type", "") == "cpus") slots += r.value("slots", 0);
  return slots;
}

void apply_property(CtestEntry& e, const json& p, int& processors, int& slots) {
  const std::string name = p.value("name", "");
  const json& v = p.contains("value") ? p["value"] : json();
  if (name == "RESOURCE_GROUPS" && v.is_array()) slots = cpu_slots(v);
  if (name == "PROCESSORS" && v.is_number_integer()) processors = v.get<int>();
  if (name == "COST" && v.is_number()) e.cost_property = v.get<double>();
}

Result<CtestEntry> parse_entry(const json& t) {
  if (!t.is_object() || !t.contains("name") || !t["name"].is_string())
    return fail("ctest listing: a test without a name: {}", t.dump());
  CtestEntry e{.name = t["name"].get<std::string>()};
  int processors = 0, slots = 0;
  for (const auto& p : t.value("properties", json::array())) apply_property(e, p, processors, slots);
  e.cpus = slots > 0 ? slots : processors > 0 ? processors : 1;
  e.duration_s = declared_duration(t.value("command", json::array()));
  return e;
}

}  // namespace

Result<std::vector<CtestEntry>> parse_ctest_listing(std::string_view text) {
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return fail("ctest listing: not a JSON object (expected `ctest --show-only=json-v1` output)");
  if (doc.value("kind", "") != "ctestInfo" || !doc.contains("tests") || !doc["tests"].is_array())
    return fail("ctest listing: no \"kind\": \"ctestInfo\" with a \"tests\" array");
  std::vector<CtestEntry> entries;
  for (const auto& t : doc["tests"]) entries.push_back(KTSTR_TRY(parse_entry(t)));
  return entries;
}

std::map<std::string, double> parse_cost_data(std::string_view text) {
  std::map<std::string, double> costs;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (line == "---") break;
    std::istringstream fields(line);
    std::string name;
    int runs = 0;
    double cost = 0;
    if (fields >> name >> runs >> cost && cost >= 0) costs[name] = cost;
  }
  return costs;
}

}  // namespace ktstr::ci
