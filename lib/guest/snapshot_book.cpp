#include "guest/snapshot_book.hpp"

#include <algorithm>
#include <vector>

namespace ktstr::guest {

bool append_snapshot(RunTelemetry& out, SnapshotTelemetry s) {
  size_t samples = s.workers.size();
  for (const auto& k : out.snapshots) samples += k.workers.size();
  if (out.snapshots.size() + 1 > kMaxSnapshots || samples > kMaxSnapshotSamples) {
    ++out.snapshots_dropped;
    return false;
  }
  out.snapshots.push_back(std::move(s));
  return true;
}

size_t periodic_snapshots(const RunTelemetry& t) {
  return static_cast<size_t>(std::count_if(t.snapshots.begin(), t.snapshots.end(),
                                           [](const SnapshotTelemetry& s) { return s.periodic; }));
}

void thin_snapshots(RunTelemetry& t, size_t max_periodic) {
  while (periodic_snapshots(t) > max_periodic) {
    // Halve: of the periodic ones keep the 1st, 3rd, 5th... (max 0: none).
    std::vector<SnapshotTelemetry> kept;
    size_t nth = 0;
    for (auto& s : t.snapshots) {
      const bool keep = !s.periodic || (max_periodic > 0 && nth++ % 2 == 0);
      if (keep) kept.push_back(std::move(s));
      else ++t.snapshots_dropped;
    }
    t.snapshots = std::move(kept);
  }
}

}  // namespace ktstr::guest
