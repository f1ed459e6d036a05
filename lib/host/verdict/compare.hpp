// `ktstr stats compare A B`: per-metric change between two sets of runs with
// an absolute and a relative gate. A change trips its gate only when it goes
// in the bad direction by more than BOTH the absolute and the relative limit
// (the absolute gate keeps noise on tiny values from tripping, the relative
// gate keeps noise on large values from tripping). With a zero baseline the
// relative change is undefined: it is shown as "n/a" and only the absolute
// gate applies. With several runs of a variant on both sides the means are
// compared and a change trips only when it is ALSO significant: Welch's
// one-sided t-test (welch.hpp) gives p below alpha.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "host/verdict/sidecar.hpp"

namespace ktstr::verdict {

struct Gate {
  double abs = 0;      // in the metric's unit
  double rel_pct = 0;  // percent of the baseline
};

// A metric kind, its direction and its default gate.
struct MetricKind {
  const char* kind;
  const char* unit;
  bool higher_is_better;
  Gate default_gate;
  // The Welch test runs on ln(value) (when every value of both sides is
  // > 0): a positive quantity whose run-to-run noise is multiplicative, as
  // a rate under a varying host load is (A/A rates here ranged over 12x).
  bool log_scale = false;
};
std::span<const MetricKind> metric_kinds();

// Gate overrides from the command line: a bare value applies to every kind,
// KIND=VALUE to one kind (the per-kind value wins).
// Significance level of the one-sided Welch test (several runs per side).
inline constexpr double kDefaultAlpha = 0.01;

struct GateConfig {
  std::optional<double> abs_all, rel_all;
  std::map<std::string, double> abs_by_kind, rel_by_kind;
  double alpha = kDefaultAlpha;
  [[nodiscard]] Gate gate_for(const std::string& kind) const;
};

// Parses one `--abs` / `--rel` value: "X" or "KIND=X", X finite and >= 0.
Result<void> parse_gate_option(GateConfig& cfg, bool absolute, std::string_view spec);

// Parses `--alpha`: a number in (0, 1).
Result<void> parse_alpha_option(GateConfig& cfg, std::string_view spec);

// kNotSignificant: the means differ by more than both gates, but Welch's
// test cannot tell the change from run-to-run noise (p >= alpha).
enum class RowStatus { kOk, kTripped, kMissing, kNotSignificant };

struct CompareRow {
  std::string variant;
  std::string metric;  // "<cgroup>.<kind>"
  std::string kind;
  std::optional<double> a, b;          // mean over the side's runs; nullopt: absent in all of them
  size_t n_a = 0, n_b = 0;             // runs that have the metric
  double sd_a = 0, sd_b = 0;           // sample standard deviations (0 with one run)
  std::optional<double> p;             // one-sided Welch p of "B worse"; nullopt unless n_a, n_b >= 2
  std::optional<double> delta;         // b - a
  std::optional<double> delta_pct;     // 100 * (b - a) / |a|; nullopt when a == 0 or absent
  Gate gate;
  RowStatus status = RowStatus::kOk;
};

struct CompareResult {
  double alpha = kDefaultAlpha;  // the significance level the rows were judged at
  std::vector<CompareRow> rows;
  std::vector<std::string> only_in_a, only_in_b;  // variants present on one side only
  // "<variant>: <what>" for each variant whose candidate run is missing or
  // unusable (compare_candidate.hpp); each one trips the gate.
  std::vector<std::string> candidate_faults;
  [[nodiscard]] bool tripped() const;
};

// Evaluates one metric pair against its gate (exposed for tests).
RowStatus judge_change(const MetricKind& kind, double a, double b, const Gate& gate);

// Compares the runs of each variant on side A with those on side B (matched
// by variant name). One run per side: the gates alone decide. Several:
// means compared against the gates and Welch's test against alpha; a side
// with a single run of a variant is compared by its value, without a test.
CompareResult compare_runs(std::span<const Sidecar> a, std::span<const Sidecar> b, const GateConfig& cfg);

// Loads a sidecar file, or every sidecar under a directory (non-sidecar JSON
// files in a directory are skipped; a file given by name must be a sidecar).
Result<std::vector<Sidecar>> load_runs(const std::filesystem::path& path);
// load_runs over several paths (one side of a comparison), in order.
Result<std::vector<Sidecar>> load_runs(std::span<const std::string> paths);

// The change table: variant, metric, A, B (mean +-sd (runs) with several
// runs), delta, delta %, p, gate; then one "TRIPPED candidate ..." line per
// candidate fault, the variants only in B, and a closing line saying whether
// a gate tripped.
std::string format_compare(const CompareResult& r);

}  // namespace ktstr::verdict
