// CPU lists in the sysfs notation ("0-3,8,10-11"), as in
// Documentation/ABI/testing/sysfs-devices-system-cpu.
#include <algorithm>
#include <charconv>

#include "base/topology.hpp"

namespace ktstr {

std::string format_cpu_list(const std::vector<int>& in) {
  std::vector<int> cpus = in;
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return out;
}

Result<std::vector<int>> parse_cpu_list(std::string_view s) {
  std::vector<int> out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  const std::string_view orig = s;
  while (!s.empty()) {
    auto comma = s.find(',');
    auto part = s.substr(0, comma);
    int a = 0, b = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), a);
    if (ec != std::errc()) return fail("invalid CPU list '{}'", orig);
    b = a;
    if (p != part.data() + part.size()) {
      if (*p != '-') return fail("invalid CPU list '{}'", orig);
      auto [p2, ec2] = std::from_chars(p + 1, part.data() + part.size(), b);
      if (ec2 != std::errc() || p2 != part.data() + part.size() || b < a)
        return fail("invalid CPU list '{}'", orig);
    }
    for (int c = a; c <= b; ++c) out.push_back(c);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace ktstr
