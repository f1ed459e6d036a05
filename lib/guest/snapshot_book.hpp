// The run's snapshots within their bounds: at most kMaxSnapshots snapshots
// holding at most kMaxSnapshotSamples worker samples in all
// (base/telemetry.hpp). What does not fit is counted, never half-kept.
#pragma once

#include <cstddef>

#include "base/telemetry.hpp"

namespace ktstr::guest {

// Appends s to out.snapshots when both bounds still hold afterwards; else
// counts it in out.snapshots_dropped. Returns whether it was kept.
bool append_snapshot(RunTelemetry& out, SnapshotTelemetry s);

// Drops periodic snapshots until at most max_periodic are left, keeping
// every other one (the series gets coarser but stays evenly spaced) and
// every named one; the dropped count goes to t.snapshots_dropped.
void thin_snapshots(RunTelemetry& t, size_t max_periodic);

// Number of periodic snapshots in t.
size_t periodic_snapshots(const RunTelemetry& t);

}  // namespace ktstr::guest
