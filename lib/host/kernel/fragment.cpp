#include "host/kernel/fragment.hpp"

#include <set>

namespace ktstr::kernel {

std::string_view trim_blanks(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

namespace {

bool valid_name(std::string_view name) {
  if (!name.starts_with("CONFIG_") || name.size() == 7) return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

// The option a line sets, or "" when the line sets none. Kconfig writes unset
// options as `# CONFIG_X is not set` (scripts/kconfig/confdata.c).
std::string_view option_of_line(std::string_view line) {
  line = trim_blanks(line);
  constexpr std::string_view kNotSet = " is not set";
  if (line.starts_with("# CONFIG_") && line.ends_with(kNotSet))
    return line.substr(2, line.size() - 2 - kNotSet.size());
  if (line.starts_with("CONFIG_")) return line.substr(0, line.find('='));
  return {};
}

}  // namespace

Result<KconfigValues> parse_kconfig(std::string_view text) {
  KconfigValues out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim_blanks(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == '#') {
      std::string_view name = option_of_line(line);
      if (!name.empty() && valid_name(name)) out[std::string(name)] = "n";
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return fail("line {}: expected CONFIG_NAME=value, got '{}'", line_no, line);
    std::string_view name = trim_blanks(line.substr(0, eq));
    std::string_view value = trim_blanks(line.substr(eq + 1));
    if (!valid_name(name)) return fail("line {}: '{}' is not a CONFIG_ option name", line_no, name);
    if (value.empty()) return fail("line {}: {} has no value", line_no, name);
    out[std::string(name)] = std::string(value);
  }
  return out;
}

std::vector<DroppedOption> find_dropped(const KconfigValues& fragment, const KconfigValues& final_config) {
  std::vector<DroppedOption> dropped;
  for (const auto& [name, wanted] : fragment) {
    auto it = final_config.find(name);
    std::string got = it == final_config.end() ? "n" : it->second;
    if (got != wanted) dropped.push_back({name, wanted, got});
  }
  return dropped;
}

std::string merge_fragment(std::string_view base_config, const KconfigValues& fragment) {
  std::string out;
  out.reserve(base_config.size() + fragment.size() * 32);
  while (!base_config.empty()) {
    size_t nl = base_config.find('\n');
    std::string_view line = base_config.substr(0, nl);
    base_config.remove_prefix(nl == std::string_view::npos ? base_config.size() : nl + 1);
    std::string_view name = option_of_line(line);
    if (!name.empty() && fragment.contains(std::string(name))) continue;
    out.append(line);
    out.push_back('\n');
  }
  out.append("# ktstr fragment\n");
  for (const auto& [name, value] : fragment) {
    if (value == "n") out.append(fmt::format("# {} is not set\n", name));
    else out.append(fmt::format("{}={}\n", name, value));
  }
  return out;
}

std::string describe_dropped(const std::vector<DroppedOption>& dropped) {
  std::string out;
  for (const auto& d : dropped) {
    if (!out.empty()) out.append(", ");
    out.append(fmt::format("{} (wanted {}, got {})", d.name, d.wanted, d.got));
  }
  return out;
}

}  // namespace ktstr::kernel
