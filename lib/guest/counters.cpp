#include "guest/counters.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace ktstr::guest {
namespace {

constexpr std::array<std::string_view, kCounterCount> kCounterNames = {
    "wakeups_sent",    "wakeups_received", "futex_woken",      "race_wins",         "race_losses",
    "epoll_waits",     "epoll_events",     "produced",         "consumed",          "blocked_full",
    "blocked_empty",   "forks",            "nice_changes",     "affinity_changes",  "llc_crossings",
    "policy_changes",  "to_normal",        "to_batch",         "to_idle",           "to_ext",
    "cgroup_moves",    "move_failures",    "page_faults",      "pages_touched",     "lock_acquired",
    "lock_contended",  "exclusion_violations", "lock_holds",   "hold_cpu_ns",       "hold_wall_ns",
    "signals_sent",    "signals_received", "signals_dropped",  "involuntary_switches", "phases_high",
    "phases_low",      "lines_touched",    "alu_ops",          "timeslices"};

constexpr std::array<std::string_view, kFactCount> kFactNames = {
    "group_id",        "group_rank",  "group_size",       "pinned_cpu",    "smt_threads",
    "working_set_bytes", "llc_bytes", "llc_share_bytes",  "nice_levels",   "cgroups_visited",
    "ext_unavailable", "rt_runtime_us", "rt_period_us",   "rt_unthrottled", "rt_refused",
    "fair_server_runtime_ns", "fair_server_period_ns", "ext_server"};

static_assert(kFactCount <= 64, "FactRow::set_mask holds one bit per fact");

}  // namespace

std::string_view counter_name(Counter c) { return kCounterNames[static_cast<size_t>(c)]; }
std::string_view fact_name(Fact f) { return kFactNames[static_cast<size_t>(f)]; }

void export_counters(const CounterRow& counters, const FactRow& facts, std::map<std::string, uint64_t>& out) {
  for (size_t i = 0; i < kCounterCount; ++i)
    if (counters.v[i] != 0) out[std::string(kCounterNames[i])] += counters.v[i];
  for (size_t i = 0; i < kFactCount; ++i)
    if ((facts.set_mask >> i) & 1) out[std::string(kFactNames[i])] = facts.v[i];
}

int LatencyHistogram::bucket(uint64_t ns) {
  constexpr uint64_t kSub = 1u << kSubBits;
  if (ns < kSub) return static_cast<int>(ns);
  const int e = std::min(static_cast<int>(std::bit_width(ns)) - 1, kMaxExp);
  if (e == kMaxExp && (ns >> kMaxExp) > 1) return kBuckets - 1;  // clamped
  const uint64_t sub = (ns >> (e - kSubBits)) & (kSub - 1);
  return static_cast<int>(kSub + static_cast<uint64_t>(e - kSubBits) * kSub + sub);
}

uint64_t LatencyHistogram::bucket_high(int b) {
  constexpr int kSub = 1 << kSubBits;
  if (b < kSub) return static_cast<uint64_t>(b);
  const int e = (b - kSub) / kSub + kSubBits;
  const uint64_t sub = static_cast<uint64_t>((b - kSub) % kSub);
  return ((static_cast<uint64_t>(kSub) + sub + 1) << (e - kSubBits)) - 1;
}

void LatencyHistogram::add(uint64_t ns) {
  ++counts[static_cast<size_t>(bucket(ns))];
  ++total;
  max_ns = std::max(max_ns, ns);
}

uint64_t LatencyHistogram::percentile(double q) const {
  if (total == 0) return 0;
  // Nearest rank: the smallest value with at least ceil(q/100 * N) samples at or below it.
  // (The epsilon keeps 99.9 % of 1000 at rank 999 despite binary floating point.)
  const double exact = q / 100.0 * static_cast<double>(total);
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(exact - 1e-9)));
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += counts[static_cast<size_t>(b)];
    if (seen >= rank) return std::min(bucket_high(b), max_ns);
  }
  return max_ns;
}

std::map<std::string, uint64_t> percentile_map(const LatencyHistogram& h) {
  if (h.total == 0) return {};
  return {{"p50", h.percentile(50)}, {"p90", h.percentile(90)}, {"p99", h.percentile(99)}, {"p99.9", h.percentile(99.9)}};
}

}  // namespace ktstr::guest
