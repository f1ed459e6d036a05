// Splitting a suite over K CI runners with CTest's own selection: each entry
// gets a cost (host CPUs x seconds), the entries are dealt longest-first to
// the cheapest shard (greedy LPT), and a shard becomes a `ctest -R` regex that
// matches exactly its names. Deterministic: every runner computes the same
// partition from the same entries and costs, so K runners cover the suite
// exactly once without talking to each other.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "host/ci/ctest_listing.hpp"

namespace ktstr::ci {

// Boot, scheduler attach and teardown of one VM entry, added to its declared
// scenario duration when no measured time exists (bench/README.md: the
// per-test overhead measured 2.2-2.7 s on a 2-core TCG host).
inline constexpr double kVmOverheadS = 3.0;
// An entry with neither a measured time, a declared duration nor COST.
inline constexpr double kUnknownS = 1.0;

// An entry's cost and where its seconds came from ("measured", "declared",
// "COST" or "unknown").
struct EntryCost {
  std::string name;
  double cost = 0;
  std::string basis;
};

// cpus x seconds, the seconds being, first found: CTest's measured average
// (measured[name]), the declared duration + kVmOverheadS, the COST property,
// kUnknownS.
EntryCost entry_cost(const CtestEntry& e, const std::map<std::string, double>& measured);

struct Shard {
  std::vector<std::string> names;  // sorted
  double cost = 0;
};

// Greedy longest-processing-time partition into `count` shards: entries by
// cost descending (name ascending on ties), each to the shard with the lowest
// total so far (lowest index on ties). count >= 1; shards may be empty when
// count exceeds the entries.
std::vector<Shard> partition(std::vector<EntryCost> entries, int count);

// max/min - 1 over the shards' costs: 0.2 means the dearest shard costs 20 %
// more than the cheapest. 0 for one shard; infinity when a shard is empty
// while another is not.
double imbalance(const std::vector<Shard>& shards);

// `^(a|b|...)$` with every regex metacharacter in the names escaped, so CTest
// selects exactly these names; `^$` (no name) for an empty shard.
std::string selection_regex(const std::vector<std::string>& names);

// Linux limits one argument to 128 KiB (MAX_ARG_STRLEN): a longer regex
// cannot reach ctest.
inline constexpr size_t kMaxRegexBytes = 128 * 1024 - 1;

}  // namespace ktstr::ci
