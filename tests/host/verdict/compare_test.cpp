#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "host/verdict/compare.hpp"
#include "host/verdict/judge.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {
Sidecar run_with_rate(std::string variant, uint64_t iterations) {
  Sidecar s;
  s.variant = std::move(variant);
  s.telemetry = healthy_run();
  for (auto& w : s.telemetry.workers) w.iterations = iterations;
  return s;
}

const CompareRow& row(const CompareResult& r, std::string_view metric) {
  for (const auto& x : r.rows)
    if (x.metric == metric) return x;
  FAIL("no row " << metric);
  return r.rows.front();
}

const MetricKind& kind(std::string_view name) {
  for (const auto& k : metric_kinds())
    if (name == k.kind) return k;
  FAIL("no kind");
  return metric_kinds().front();
}
}  // namespace

TEST_CASE("a regression must exceed both the absolute and the relative gate") {
  Gate g{.abs = 10, .rel_pct = 10};
  const auto& rate = kind("iter_rate");  // higher is better
  CHECK(judge_change(rate, 1000, 900, g) == RowStatus::kOk);       // -100: abs yes, rel exactly 10% -> ok
  CHECK(judge_change(rate, 1000, 899, g) == RowStatus::kTripped);  // both exceeded
  CHECK(judge_change(rate, 50, 41, g) == RowStatus::kOk);          // -18%: rel yes, abs 9 <= 10
  CHECK(judge_change(rate, 50, 39, g) == RowStatus::kTripped);
  CHECK(judge_change(rate, 1000, 5000, g) == RowStatus::kOk);      // improvement never trips
  const auto& gap = kind("gap_ms");  // lower is better
  CHECK(judge_change(gap, 100, 111, g) == RowStatus::kTripped);
  CHECK(judge_change(gap, 100, 110, g) == RowStatus::kOk);
  CHECK(judge_change(gap, 100, 10, g) == RowStatus::kOk);
}

TEST_CASE("zero baseline: relative change n/a, the absolute gate alone decides") {
  const auto& gap = kind("gap_ms");
  Gate g{.abs = 100, .rel_pct = 10};
  CHECK(judge_change(gap, 0, 100, g) == RowStatus::kOk);
  CHECK(judge_change(gap, 0, 100.5, g) == RowStatus::kTripped);
  CHECK(judge_change(gap, 0, 0, g) == RowStatus::kOk);

  auto a = run_with_rate("v", 1000);
  auto b = a;
  for (auto& w : a.telemetry.workers) w.max_gap_ns = 0;
  for (auto& w : b.telemetry.workers) w.max_gap_ns = 150'000'000;  // 0 -> 150 ms
  auto r = compare_runs(std::span(&a, 1), std::span(&b, 1), {});
  const auto& gap_row = row(r, "cg0.gap_ms");
  CHECK(*gap_row.a == 0.0);
  CHECK_FALSE(gap_row.delta_pct);
  CHECK(gap_row.status == RowStatus::kTripped);  // 150 > default abs 100 ms
  auto table = format_compare(r);
  CHECK(table.find("n/a") != std::string::npos);
}

TEST_CASE("compare matches variants and reports the one-sided ones") {
  std::vector<Sidecar> a{run_with_rate("steady", 1000), run_with_rate("gone", 1000)};
  std::vector<Sidecar> b{run_with_rate("steady", 950), run_with_rate("new", 1000)};
  auto r = compare_runs(a, b, {});
  CHECK(r.only_in_a == std::vector<std::string>{"gone"});
  CHECK(r.only_in_b == std::vector<std::string>{"new"});
  // A variant the candidate lacks trips the gate with its own line; one only in B does not.
  CHECK(r.candidate_faults == std::vector<std::string>{"gone: no run in B (A has one)"});
  CHECK(r.tripped());
  CHECK(format_compare(r).find("TRIPPED candidate gone: no run in B (A has one)\n") != std::string::npos);
  CHECK(format_compare(r).find("only in B: new\n") != std::string::npos);
  a.pop_back();
  r = compare_runs(a, b, {});
  CHECK_FALSE(r.tripped());  // -5% is inside the default 10%
  const auto& rate = row(r, "cg0.iter_rate");
  CHECK(*rate.delta == -50.0);
  CHECK(*rate.delta_pct == -5.0);

  std::vector<Sidecar> slow{run_with_rate("steady", 500)};
  auto r2 = compare_runs(a, slow, {});
  CHECK(r2.tripped());
  CHECK(format_compare(r2).find("TRIPPED") != std::string::npos);
  CHECK(format_compare(r2).find("1 of ") != std::string::npos);

  GateConfig loose;
  REQUIRE(parse_gate_option(loose, false, "iter_rate=60"));
  CHECK_FALSE(compare_runs(a, slow, loose).tripped());
}

TEST_CASE("metrics present on one side only are listed as missing, not gated") {
  auto a = run_with_rate("v", 1000);
  auto b = a;
  b.telemetry.workers[0].wake_latency_ns = {5000};
  auto r = compare_runs(std::span(&a, 1), std::span(&b, 1), {});
  const auto& p99 = row(r, "cg0.p99_wake_us");
  CHECK(p99.status == RowStatus::kMissing);
  CHECK_FALSE(r.tripped());
}

TEST_CASE("gate options: global, per kind, errors") {
  GateConfig cfg;
  REQUIRE(parse_gate_option(cfg, true, "3"));
  REQUIRE(parse_gate_option(cfg, true, "gap_ms=7"));
  REQUIRE(parse_gate_option(cfg, false, "2.5"));
  CHECK(cfg.gate_for("iter_rate").abs == 3.0);
  CHECK(cfg.gate_for("gap_ms").abs == 7.0);  // per kind beats global
  CHECK(cfg.gate_for("gap_ms").rel_pct == 2.5);
  CHECK(GateConfig{}.gate_for("iter_rate").rel_pct == 10.0);
  CHECK_FALSE(parse_gate_option(cfg, true, "bogus=1"));
  CHECK_FALSE(parse_gate_option(cfg, true, "-1"));
  CHECK_FALSE(parse_gate_option(cfg, false, "gap_ms=x"));
}

TEST_CASE("load_runs: a file, a directory, an empty directory") {
  auto dir = temp_dir();
  auto s = run_with_rate("v", 1000);
  REQUIRE(write_sidecar(dir.path() / "k-c" / "v.json", s));
  auto from_dir = load_runs(dir.path());
  REQUIRE(from_dir);
  CHECK(from_dir->size() == 1);
  auto from_file = load_runs(dir.path() / "k-c" / "v.json");
  REQUIRE(from_file);
  CHECK((*from_file)[0].variant == "v");
  auto empty = temp_dir();
  CHECK_FALSE(load_runs(empty.path()));
}

namespace {
// n runs of variant "v" whose cg0 iteration rates are the given values (per
// worker: both workers of healthy_run() run 1 s, so the rate is iterations/s).
std::vector<Sidecar> runs_with_rates(std::initializer_list<uint64_t> rates) {
  std::vector<Sidecar> out;
  for (auto r : rates) out.push_back(run_with_rate("v", r));
  return out;
}
}  // namespace

TEST_CASE("several runs per side: means against the gates, and the change must be significant") {
  // A/A: the same spread of values on both sides -> p = 0.5, nothing trips.
  auto a = runs_with_rates({1012, 998, 1005, 990, 1001});
  auto same = compare_runs(a, a, {});
  const auto& r0 = row(same, "cg0.iter_rate");
  CHECK(r0.n_a == 5);
  CHECK(r0.n_b == 5);
  CHECK(*r0.p == doctest::Approx(0.5));
  CHECK_FALSE(same.tripped());

  // 30 % slower, little noise: beyond the gates and significant.
  auto slow = runs_with_rates({700, 690, 712, 705, 698});
  auto r = compare_runs(a, slow, {});
  const auto& r1 = row(r, "cg0.iter_rate");
  CHECK(r1.status == RowStatus::kTripped);
  CHECK(*r1.p < 1e-6);
  CHECK(*r1.a == doctest::Approx(1001.2));
  CHECK(r1.sd_a == doctest::Approx(8.167006795638168));  // python3 statistics.stdev
  CHECK(format_compare(r).find("1001.20 +-8.17 (5)") != std::string::npos);
  CHECK(format_compare(r).find("1 of 4 metrics regressed beyond both gates, significant at one-sided Welch p < 0.01") !=
        std::string::npos);
}

TEST_CASE("a mean change beyond the gates that the runs' noise explains does not trip") {
  // Means 1000 vs 850 (-15 %, beyond 10 % and 1/s), but the runs scatter
  // over 500..1500: Welch's p is about 0.3, far above alpha.
  auto a = runs_with_rates({500, 1500, 1000, 700, 1300});
  auto b = runs_with_rates({350, 1350, 850, 550, 1150});
  auto r = compare_runs(a, b, {});
  const auto& x = row(r, "cg0.iter_rate");
  CHECK(judge_change(kind("iter_rate"), *x.a, *x.b, x.gate) == RowStatus::kTripped);
  CHECK(x.status == RowStatus::kNotSignificant);
  CHECK(*x.p > 0.2);
  CHECK_FALSE(r.tripped());
  CHECK(format_compare(r).find("noise") != std::string::npos);
  GateConfig lax;
  REQUIRE(parse_alpha_option(lax, "0.5"));
  CHECK(compare_runs(a, b, lax).tripped());
}

TEST_CASE("one run per side keeps the plain gate behaviour, one run on one side has no test") {
  auto a = runs_with_rates({1000});
  auto b = runs_with_rates({800});
  auto r = compare_runs(a, b, {});
  CHECK(r.tripped());
  CHECK_FALSE(row(r, "cg0.iter_rate").p);
  CHECK(format_compare(r).find("significant") == std::string::npos);
  auto many = runs_with_rates({1000, 1002, 998});
  auto r2 = compare_runs(many, b, {});
  CHECK(r2.tripped());
  CHECK_FALSE(row(r2, "cg0.iter_rate").p);
}

TEST_CASE("--alpha must lie strictly between 0 and 1") {
  GateConfig cfg;
  CHECK(parse_alpha_option(cfg, "0.05"));
  CHECK(cfg.alpha == 0.05);
  CHECK_FALSE(parse_alpha_option(cfg, "0"));
  CHECK_FALSE(parse_alpha_option(cfg, "1"));
  CHECK_FALSE(parse_alpha_option(cfg, "x"));
  CHECK_FALSE(parse_alpha_option(cfg, "-0.1"));
}

TEST_CASE("rates are tested on a log scale: a 99 % drop is significant despite 12x run-to-run noise") {
  // Reference p-values: python3 (statistics.mean/variance, math.log) and
  // Simpson integration of the t density, as in welch_test.cpp:
  // raw values t = -3.1900, df = 4.0001, p = 0.01661 (would not trip at 0.01);
  // ln(values) t = -9.9762, df = 4.7156, p = 1.197e-4.
  auto a = runs_with_rates({28925, 93388, 178982, 254205, 343347});
  auto b = runs_with_rates({900, 1200, 1400, 1700, 1900});
  auto r = compare_runs(a, b, {});
  const auto& x = row(r, "cg0.iter_rate");
  CHECK(*x.p == doctest::Approx(0.00011974449684243327).epsilon(1e-4));
  CHECK(x.status == RowStatus::kTripped);
  CHECK(kind("iter_rate").log_scale);
  CHECK_FALSE(kind("spread_pp").log_scale);  // a difference, often 0: tested as is
}

TEST_CASE("a candidate that failed, was inconclusive, skipped or sent no telemetry trips the gate") {
  const auto a = run_with_rate("v", 1000);
  auto expect_fault = [&](const Sidecar& b, const std::string& what) {
    auto r = compare_runs(std::span(&a, 1), std::span(&b, 1), {});
    CHECK(r.tripped());
    REQUIRE(r.candidate_faults.size() == 1);
    CHECK(r.candidate_faults[0] == "v: " + what);
    CHECK(format_compare(r).find("TRIPPED candidate v: " + what + "\n") != std::string::npos);
    CHECK(format_compare(r).find("1 candidate variant(s) missing or unusable; no regression") != std::string::npos);
  };
  // Same metrics as A, but its verdict failed: metrics alone would say "no regression".
  auto failed = a;
  failed.verdict = Verdict{.outcome = Outcome::kFail,
                           .violations = {Violation{.check = "scheduler", .subject = "scx_x", .detail = "ejected"}}};
  expect_fault(failed, "B's verdict is fail: scheduler scx_x: ejected");
  auto infra = a;
  infra.verdict = Verdict{.outcome = Outcome::kInconclusive,
                          .violations = {Violation{.check = "infra", .subject = "host", .detail = "channel corrupt",
                                                   .severity = Outcome::kInconclusive}}};
  expect_fault(infra, "B's verdict is inconclusive: infra host: channel corrupt [infrastructure]");
  auto skipped = a;
  skipped.verdict.outcome = Outcome::kSkip;
  expect_fault(skipped, "B's run was skipped (A's was not)");
  auto silent = a;
  silent.facts.no_result = true;
  expect_fault(silent, "B's run sent no telemetry");
  auto empty = a;
  empty.telemetry = RunTelemetry{};
  expect_fault(empty, "B's run has no telemetry to compare (no worker measured)");
  // Both sides skipped, or both without workers: nothing lost on B's side.
  auto a_skip = a;
  a_skip.verdict.outcome = Outcome::kSkip;
  CHECK_FALSE(compare_runs(std::span(&a_skip, 1), std::span(&skipped, 1), {}).tripped());
  // A failed baseline does not trip a healthy candidate.
  CHECK_FALSE(compare_runs(std::span(&failed, 1), std::span(&a, 1), {}).tripped());
}

TEST_CASE("several runs per side: each unusable candidate run trips the gate with its own line") {
  auto a = runs_with_rates({1000, 1002, 998});
  auto b = runs_with_rates({1001, 999, 1000});
  CHECK_FALSE(compare_runs(a, b, {}).tripped());
  b[1].verdict = Verdict{.outcome = Outcome::kFail,
                         .violations = {Violation{.check = "scheduler", .subject = "scx_x", .detail = "ejected"}}};
  auto r = compare_runs(a, b, {});
  CHECK(r.tripped());
  REQUIRE(r.candidate_faults.size() == 1);
  CHECK(r.candidate_faults[0] == "v: run 2 of 3: B's verdict is fail: scheduler scx_x: ejected");
  // A's reference is its first run that was not skipped: B skipped throughout trips.
  a[0].verdict.outcome = Outcome::kSkip;
  for (auto& s : b) s.verdict.outcome = Outcome::kSkip;
  CHECK(compare_runs(a, b, {}).candidate_faults.size() == 3);
  // B has no run of A's variant: one line, whatever the number of A runs.
  auto other = runs_with_rates({1000});
  other = {run_with_rate("w", 1000)};
  auto missing = compare_runs(a, other, {});
  CHECK(std::count_if(missing.candidate_faults.begin(), missing.candidate_faults.end(),
                      [](const auto& f) { return f == "v: no run in B (A has one)"; }) == 1);
}
