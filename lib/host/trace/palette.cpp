#include "host/trace/palette.hpp"

#include <array>

namespace ktstr::trace {

std::string_view cgroup_colour(size_t i) {
  static constexpr std::array<std::string_view, 10> kColours = {
      "#4477AA", "#EE7733", "#228833", "#AA3377", "#66CCEE", "#CCBB44", "#332288", "#44AA99", "#997700", "#BBBBBB"};
  return kColours[i % kColours.size()];
}

std::string_view event_colour(std::string_view kind) {
  if (kind == "ejected" || kind == "died") return kViolationColour;
  if (kind == "enabled") return "#1B7837";
  return kMutedColour;
}

}  // namespace ktstr::trace
