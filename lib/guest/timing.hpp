// Step timing math: how long each step of a scenario holds, as a fixed
// duration or a fraction of the test duration, and where each step starts.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr::guest {

// Parses "4s", "500ms", "250us", "100ns", "1.5s", "2m" into nanoseconds.
Result<uint64_t> parse_duration(std::string_view s);

// How long one step lasts: a fixed time, or a fraction of the test duration.
struct Hold {
  enum class Kind { kFixed, kFraction } kind = Kind::kFraction;
  uint64_t ns = 0;        // kFixed
  double fraction = 1.0;  // kFraction, in (0, 1]

  static Hold fixed(uint64_t ns) { return {Kind::kFixed, ns, 0.0}; }
  static Hold frac(double f) { return {Kind::kFraction, 0, f}; }
  // Resolves against the test duration.
  [[nodiscard]] uint64_t resolve(uint64_t test_ns) const;
};

// [start, end) of one step relative to run start.
struct StepWindow {
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
};

// Lays the steps end to end. Errors when a fraction is outside (0, 1] or a
// hold resolves to zero length.
Result<std::vector<StepWindow>> plan_steps(std::span<const Hold> holds, uint64_t test_ns);

}  // namespace ktstr::guest
