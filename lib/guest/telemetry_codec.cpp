#include "guest/telemetry_codec.hpp"

#include <algorithm>

#include "guest/snapshot_book.hpp"

namespace ktstr::guest {
namespace {

// Keeps at most cap samples, evenly spaced over the (already random) sample.
void thin(std::vector<uint64_t>& v, size_t cap) {
  if (v.size() <= cap) return;
  std::vector<uint64_t> out;
  out.reserve(cap);
  for (size_t i = 0; i < cap; ++i) out.push_back(v[i * v.size() / cap]);
  v = std::move(out);
}

// How much of each bounded field the encoding keeps. relax() gives way in
// order: placement detail down to kMinCpuRunsKept runs per record (it only
// feeds pictures), then periodic snapshots down to kMinPeriodicKept (every
// other one goes, so temporal series get coarser but stay evenly spaced),
// then latency samples (the p99 check keeps a uniform sample), then the rest
// of the placement, then the log and dump tails, then the periodic
// snapshots. Named snapshots are always kept.
struct Caps {
  static constexpr size_t kMinCpuRunsKept = 16;
  static constexpr size_t kMinPeriodicKept = 16;
  static constexpr size_t kShortTail = 4096;
  size_t runs = kMaxCpuRuns;
  size_t periodic = kMaxSnapshots;
  size_t samples = kMaxLatencySamples;
  size_t log = kMaxLogTailBytes;
  size_t dump = kMaxDumpBytes;

  bool relax() {
    if (runs > kMinCpuRunsKept) runs /= 2;
    else if (periodic > kMinPeriodicKept) periodic /= 2;
    else if (samples > 0) samples /= 2;
    else if (runs > 0) runs /= 2;
    else if (log > kShortTail || dump > kShortTail) log = dump = kShortTail;
    else if (periodic > 0) periodic /= 2;
    else return false;
    return true;
  }
};

// The longest placement of any record of either phase (capped): halving
// starts there, so a run without placement goes straight to the samples.
size_t most_runs(const RunTelemetry& t) {
  size_t most = 0;
  for (const auto& w : t.workers) most = std::max(most, w.placement.size());
  if (t.baseline)
    for (const auto& w : t.baseline->workers) most = std::max(most, w.placement.size());
  return std::min(most, kMaxCpuRuns);
}

// One phase's bounded fields (the baseline phase of an A/B run has the same
// ones as the scheduler phase, and the same caps).
void apply(const Caps& caps, std::vector<WorkerTelemetry>& workers, SchedulerTelemetry& sched) {
  for (auto& w : workers) {
    thin(w.wake_latency_ns, caps.samples);
    coarsen_runs(w.placement, caps.runs, w.placement_merged_us);
  }
  sched.log_tail = keep_tail(sched.log_tail, caps.log);
  sched.dump = keep_tail(sched.dump, caps.dump);
}

void apply(const Caps& caps, RunTelemetry& t) {
  apply(caps, t.workers, t.scheduler);
  if (t.baseline) apply(caps, t.baseline->workers, t.baseline->scheduler);
  thin_snapshots(t, caps.periodic);
}

}  // namespace

std::string keep_tail(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::string_view tail = s.substr(s.size() - max_bytes);
  auto nl = tail.find('\n');
  if (nl != std::string_view::npos && nl + 1 < tail.size()) tail.remove_prefix(nl + 1);
  return std::string(tail);
}

Result<std::string> encode_telemetry(RunTelemetry t, size_t max_bytes) {
  Caps caps{.runs = most_runs(t), .periodic = periodic_snapshots(t)};
  for (;;) {
    apply(caps, t);
    std::string out = nlohmann::json(t).dump();
    if (out.size() <= max_bytes) return out;
    if (!caps.relax())
      return fail("telemetry of {} workers is {} bytes even without latency samples, placement and periodic snapshots "
                  "(limit {})", t.workers.size() + (t.baseline ? t.baseline->workers.size() : 0), out.size(), max_bytes);
  }
}

Result<RunTelemetry> decode_telemetry(std::string_view json) {
  try {
    return nlohmann::json::parse(json).get<RunTelemetry>();
  } catch (const std::exception& e) {
    return fail("decoding telemetry: {}", e.what());
  }
}

}  // namespace ktstr::guest
