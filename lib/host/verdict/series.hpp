// A metric's series over the run's snapshots, for the temporal assertions:
// one point per snapshot (per interval between two snapshots for rates and
// shares), for a cgroup's workers or for one worker. Pure; the formulas are
// lib/host/verdict/README.md's ("Temporal assertions").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/telemetry.hpp"
#include "host/verdict/temporal.hpp"

namespace ktstr::verdict {

// cgroup is root or below it ("a/b" is in "a", "ab" is not).
inline bool in_subtree(const std::string& cgroup, const std::string& root) {
  return cgroup == root || cgroup.starts_with(root + "/");
}

// Snapshots closer than this to the previous one are skipped for rates and
// shares: the interval would be mostly the time it took to read the workers.
inline constexpr uint64_t kMinSnapshotIntervalNs = 10'000'000;

struct SeriesPoint {
  std::string snapshot;  // the snapshot the point is read at (its interval's end)
  int step = 0;          // that snapshot's step
  double start_s = 0;    // interval start (the previous snapshot), seconds since run start; = t_s for values
  double t_s = 0;        // the snapshot's time: the middle of its reads
  double value = 0;
};

struct Series {
  std::string subject;  // "cg1" ("/" for the root), or a worker "cg1/w0" for per_worker series
  std::string cgroup;   // the cgroup the series is about
  std::vector<SeriesPoint> points;
};

// Every series assertion a asks for, in subject order. A subject with no
// sample in any snapshot has no series; a point whose interval saw no
// change of any worker's metric has no share.
std::vector<Series> build_series(const RunTelemetry& t, const TemporalAssertion& a);

// How one series fares against assertion a. origin_s is where a converges
// window starts (the filtered step's start, else the first point's interval
// start); the other kinds ignore it.
struct SeriesJudgement {
  size_t judged = 0;             // points the kind compared
  size_t broken = 0;             // of them, how many broke it
  std::optional<size_t> first;   // index of the first point that broke it
  double observed = 0;           // at the first break: the point's value (steady: its deviation, %)
  double limit = 0;              // and the bound it crossed
  std::string why_not;           // non-empty: the series cannot be judged (too short, window past its end)
};
SeriesJudgement judge_series(const std::vector<SeriesPoint>& points, const TemporalAssertion& a, double origin_s);

// The unit of a's points: "iter/s", "ns/s", "%", "iter", ...
std::string series_unit(const TemporalAssertion& a);

}  // namespace ktstr::verdict
