// The picture's time axis: run time to x, and tick marks at round seconds.
#pragma once

#include <cstdint>
#include <string>

namespace ktstr::trace {

// Maps [0, extent_ns] of run time onto [x0, x0 + width].
struct TimeScale {
  double x0 = 0;
  double width = 1;
  uint64_t extent_ns = 1;

  [[nodiscard]] double x(uint64_t ns) const {
    if (ns > extent_ns) ns = extent_ns;
    return x0 + width * static_cast<double>(ns) / static_cast<double>(extent_ns);
  }
  [[nodiscard]] double seconds() const { return static_cast<double>(extent_ns) / 1e9; }
};

// The smallest spacing of 1, 2 or 5 x 10^k seconds that splits extent_s
// into at most max_ticks intervals.
double tick_step_s(double extent_s, int max_ticks);

// A tick's label with as many decimals as the spacing needs ("1.5 s").
std::string tick_label(double t_s, double step_s);

// "0.512-0.780 s": a stretch of run time for tooltips.
std::string time_range(uint64_t start_ns, uint64_t end_ns);

}  // namespace ktstr::trace
