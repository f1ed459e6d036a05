// Colours of the picture. Cgroups take colours in the order of their names,
// so a scenario's cgroups look the same in every run of it. The ten cgroup
// colours follow Paul Tol's colour-blind-safe qualitative schemes
// ("Colour Schemes", SRON/EPS/TN/09-002); red is kept for violations.
#pragma once

#include <cstddef>
#include <string_view>

namespace ktstr::trace {

// The i-th cgroup's fill; cycles after ten.
std::string_view cgroup_colour(size_t i);

// A scheduler event's marker: red for ejected/died, green for enabled,
// grey otherwise.
std::string_view event_colour(std::string_view kind);

inline constexpr std::string_view kViolationColour = "#D00000";
inline constexpr std::string_view kIdleColour = "#F4F4F4";
inline constexpr std::string_view kInkColour = "#222222";
inline constexpr std::string_view kMutedColour = "#777777";

}  // namespace ktstr::trace
