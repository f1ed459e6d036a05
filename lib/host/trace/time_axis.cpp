#include "host/trace/time_axis.hpp"

#include <cmath>

#include <fmt/format.h>

namespace ktstr::trace {

double tick_step_s(double extent_s, int max_ticks) {
  if (extent_s <= 0 || max_ticks <= 0) return 1;
  const double raw = extent_s / max_ticks;
  const double decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * decade >= raw * (1 - 1e-9)) return m * decade;
  return 10 * decade;
}

std::string tick_label(double t_s, double step_s) {
  const int decimals = step_s >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step_s) - 1e-9));
  return fmt::format("{:.{}f} s", t_s, decimals);
}

std::string time_range(uint64_t start_ns, uint64_t end_ns) {
  return fmt::format("{:.3f}-{:.3f} s", static_cast<double>(start_ns) / 1e9, static_cast<double>(end_ns) / 1e9);
}

}  // namespace ktstr::trace
