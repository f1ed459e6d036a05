#include "host/trace/tracks.hpp"

#include <algorithm>
#include <numeric>

namespace ktstr::trace {

std::vector<int> assign_tracks(const std::vector<std::pair<uint64_t, uint64_t>>& intervals) {
  std::vector<size_t> order(intervals.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return intervals[a].first < intervals[b].first; });
  std::vector<uint64_t> track_end;  // per track: where its last interval ends
  std::vector<int> out(intervals.size(), 0);
  for (size_t i : order) {
    const auto [start, end] = intervals[i];
    size_t k = 0;
    while (k < track_end.size() && track_end[k] > start) ++k;
    if (k == track_end.size()) track_end.push_back(0);
    track_end[k] = std::max(start, end);
    out[i] = static_cast<int>(k);
  }
  return out;
}

}  // namespace ktstr::trace
