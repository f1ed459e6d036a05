#include "guest/timing.hpp"

#include <cmath>
#include <string>

namespace ktstr::guest {

Result<uint64_t> parse_duration(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return fail("duration '{}': expected a number followed by ns, us, ms, s or m", s);
  double v = 0;
  try {
    v = std::stod(std::string(s.substr(0, i)));
  } catch (...) {
    return fail("duration '{}': bad number", s);
  }
  std::string_view unit = s.substr(i);
  double scale = 0;
  if (unit == "ns") scale = 1;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "s" || unit.empty()) scale = 1e9;  // bare numbers are seconds
  else if (unit == "m") scale = 60e9;
  else return fail("duration '{}': unknown unit '{}' (ns, us, ms, s, m)", s, unit);
  return static_cast<uint64_t>(std::llround(v * scale));
}

uint64_t Hold::resolve(uint64_t test_ns) const {
  if (kind == Kind::kFixed) return ns;
  return static_cast<uint64_t>(std::llround(fraction * static_cast<double>(test_ns)));
}

Result<std::vector<StepWindow>> plan_steps(std::span<const Hold> holds, uint64_t test_ns) {
  std::vector<StepWindow> out;
  uint64_t t = 0;
  for (size_t i = 0; i < holds.size(); ++i) {
    const Hold& h = holds[i];
    if (h.kind == Hold::Kind::kFraction && !(h.fraction > 0.0 && h.fraction <= 1.0))
      return fail("step {}: hold fraction {} is outside (0, 1]", i, h.fraction);
    uint64_t len = h.resolve(test_ns);
    if (len == 0) return fail("step {}: hold resolves to zero length", i);
    out.push_back({t, t + len});
    t += len;
  }
  return out;
}

}  // namespace ktstr::guest
