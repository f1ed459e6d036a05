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
