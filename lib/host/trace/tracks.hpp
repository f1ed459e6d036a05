// Spreads intervals over as few tracks as needed so that no two on one
// track overlap (the Trace Event Format requires complete events on one
// thread to nest; disjoint is the simple case of that).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace ktstr::trace {

// Track index per interval (same order as given): each interval goes to
// the lowest-numbered track whose last interval ended at or before its
// start, taking intervals by start time. Intervals are (start, end), end >= start.
std::vector<int> assign_tracks(const std::vector<std::pair<uint64_t, uint64_t>>& intervals);

}  // namespace ktstr::trace
