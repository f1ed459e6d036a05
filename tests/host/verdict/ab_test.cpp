// A/B runs: pairing the baseline and scheduler phases cell by cell, the
// relative checks, their defaults, the report table and old telemetry
// without a baseline.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "host/verdict/ab_metrics.hpp"
#include "host/verdict/checks.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/report.hpp"
#include "host/verdict/report_ab.hpp"
#include "host/verdict/sidecar.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {

// healthy_run() as the scheduler phase, and the same again as its baseline:
// an A/B run whose two phases measured exactly the same.
RunTelemetry ab_run() {
  RunTelemetry t = healthy_run();
  t.scheduler.name = "scx_simple";
  t.scheduler.attached = true;
  t.baseline = BaselineTelemetry{.name = "eevdf", .start_ns = 0, .end_ns = kSecond, .steps = t.steps,
                                 .cgroups = t.cgroups, .workers = t.workers};
  return t;
}

// ab_run() with a second cgroup "cg1" of two workers in the same step.
RunTelemetry two_cgroup_ab_run() {
  RunTelemetry t = healthy_run();
  t.cgroups.push_back(CgroupTelemetry{.name = "cg1", .step = 0, .workers = 2});
  t.workers.push_back(make_worker("cg1", 0, 0, 1000, kSecond, kSecond / 2));
  t.workers.push_back(make_worker("cg1", 1, 0, 1000, kSecond, kSecond / 2));
  t.scheduler = {.name = "scx_wvt", .attached = true};
  t.baseline = BaselineTelemetry{.name = "eevdf", .start_ns = 0, .end_ns = kSecond, .steps = t.steps,
                                 .cgroups = t.cgroups, .workers = t.workers};
  return t;
}

// Sets worker w's on-CPU time in the scheduler phase (1 s wall).
void set_cpu(RunTelemetry& t, int w, double cpu_fraction) {
  t.workers.at(static_cast<size_t>(w)).cpu_ns = static_cast<uint64_t>(cpu_fraction * kSecond);
}

std::vector<Violation> only(const Verdict& v, std::string_view check) {
  std::vector<Violation> out;
  for (const auto& x : v.violations)
    if (x.check == check) out.push_back(x);
  return out;
}

}  // namespace

TEST_CASE("cells pair by (step, cgroup), spread, rate and gap compare with the baseline") {
  auto t = ab_run();
  set_cpu(t, 0, 0.9);   // off-CPU 10 %
  set_cpu(t, 1, 0.6);   // off-CPU 40 %: spread 30 pp (baseline: 0 pp)
  t.workers[1].iterations = 500;  // mean rate (1000 + 500) / 2 = 750/s vs 1000/s
  auto cells = pair_cells(t);
  REQUIRE(cells.size() == 1);
  CHECK(cells[0].subject() == "cg0 step 0");
  CHECK(*cells[0].spread_base == doctest::Approx(0.0));
  CHECK(*cells[0].spread_delta() == doctest::Approx(30.0));
  CHECK(*cells[0].rate_pct() == doctest::Approx(75.0));
  CHECK(cells[0].gap_delta() == doctest::Approx(0.0));
}

TEST_CASE("a cell measured in one phase only is not paired") {
  auto t = ab_run();
  t.baseline->workers[0].cgroup = t.baseline->workers[1].cgroup = "other";
  CHECK(pair_cells(t).empty());
  CHECK(pair_cells(healthy_run()).empty());  // no baseline at all
}

TEST_CASE("identical phases pass every relative check with its default") {
  auto t = ab_run();
  auto v = judge(t, {}, merge_layers({}, {.not_starved = true}));
  CHECK(v.outcome == Outcome::kPass);
  CHECK(effective_spread_over_baseline_limit(t, {}) == kDefaultSpreadOverBaselinePp);
  CHECK(effective_share_vs_baseline_limit(t, {}) == kDefaultShareVsBaselinePct);
  CHECK_FALSE(effective_spread_over_baseline_limit(healthy_run(), {}));
}

TEST_CASE("spread over baseline: limit inclusive, explicit value replaces the default") {
  auto t = ab_run();
  t.workers[0].cpu_ns = 900'000'000;
  t.workers[1].cpu_ns = 650'000'000;  // spread 25 pp over a 0 pp baseline
  const double d = *pair_cells(t).at(0).spread_delta();
  CHECK(d == doctest::Approx(25.0));
  CHECK(only(judge(t, {}, {.max_spread_over_baseline_pp = d}), "max_spread_over_baseline_pp").empty());
  auto v = only(judge(t, {}, {}), "max_spread_over_baseline_pp");  // the default
  REQUIRE(v.size() == 1);
  CHECK(*v[0].observed == doctest::Approx(25.0));
  CHECK(*v[0].threshold == kDefaultSpreadOverBaselinePp);
  CHECK(v[0].subject == "cg0 step 0");
  CHECK(v[0].detail.find("under eevdf") != std::string::npos);
  CHECK(only(judge(t, {}, {.max_spread_over_baseline_pp = 50}), "max_spread_over_baseline_pp").empty());
}

TEST_CASE("spread over baseline subtracts the baseline's worst spread over the whole phase") {
  auto t = two_cgroup_ab_run();
  // Baseline: cg0 0 pp, cg1 20 pp (host noise in that step). Scheduler: cg0 30 pp.
  t.baseline->workers[3].cpu_ns = kSecond / 2 - kSecond / 5;
  t.workers[1].cpu_ns = kSecond / 2 - 3 * kSecond / 10;
  auto cells = pair_cells(t);
  REQUIRE(cells.size() == 2);
  CHECK(*cells[0].spread_base == doctest::Approx(0.0));  // same cell: 0 pp ...
  CHECK(*cells[0].spread_ref == doctest::Approx(20.0));  // ... the phase's worst: 20 pp
  CHECK(*cells[0].spread_delta() == doctest::Approx(10.0));
  CHECK(only(judge(t, {}, {}), "max_spread_over_baseline_pp").empty());
  auto v = only(judge(t, {}, {.max_spread_over_baseline_pp = 5}), "max_spread_over_baseline_pp");
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cg0 step 0");
  CHECK(v[0].detail == "spread 30.0 pp; under eevdf worst 20.0 pp, same cell 0.0 pp");
}

TEST_CASE("share vs baseline: a starved cgroup fails by default, host speed cancels, single-cell steps are not judged") {
  auto t = two_cgroup_ab_run();
  for (auto& w : t.workers)
    if (w.cgroup == "cg1") w.iterations = 60;  // cg1: 60 of 1060 per worker -> 5.66 % of the step vs 50 %
  auto v = only(judge(t, {}, {}), "min_share_vs_baseline_pct");
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cg1 step 0");
  CHECK(*v[0].observed == doctest::Approx(100.0 * (60.0 / 1060.0) / 0.5));
  CHECK(*v[0].threshold == kDefaultShareVsBaselinePct);
  CHECK(v[0].detail.find("5.7% of the step's work vs 50.0% under eevdf") != std::string::npos);
  // The whole VM twice as slow (host load): every share unchanged, nothing fails.
  auto slow = two_cgroup_ab_run();
  for (auto& w : slow.workers) w.iterations /= 2;
  CHECK(only(judge(slow, {}, {}), "min_share_vs_baseline_pct").empty());
  CHECK(*pair_cells(slow).at(0).share_pct() == doctest::Approx(100.0));
  // The limit is inclusive; an explicit value replaces the default.
  auto c = pair_cells(t);
  const double cg1 = *c.at(1).share_pct();
  CHECK(only(judge(t, {}, {.min_share_vs_baseline_pct = cg1}), "min_share_vs_baseline_pct").empty());
  CHECK_FALSE(ab_run().workers.empty());
  CHECK_FALSE(pair_cells(ab_run()).at(0).share_pct());  // one cgroup in the step: no share
}

TEST_CASE("rate vs baseline is opt-in (host speed moves it under TCG), the limit is inclusive") {
  auto t = ab_run();
  for (auto& w : t.workers) w.iterations = 30;  // 3 % of the baseline
  CHECK(only(judge(t, {}, {}), "min_rate_vs_baseline_pct").empty());
  auto v = only(judge(t, {}, {.min_rate_vs_baseline_pct = 50}), "min_rate_vs_baseline_pct");
  REQUIRE(v.size() == 1);
  CHECK(*v[0].observed == doctest::Approx(3.0));
  CHECK(v[0].unit == "%");
  CHECK(only(judge(t, {}, {.min_rate_vs_baseline_pct = 3}), "min_rate_vs_baseline_pct").empty());
}

TEST_CASE("gap over baseline is opt-in") {
  auto t = ab_run();
  for (auto& w : t.workers) w.max_gap_ns = 900'000'000;  // 900 ms vs 10 ms
  CHECK(only(judge(t, {}, {}), "max_gap_over_baseline_ms").empty());
  auto v = only(judge(t, {}, {.max_gap_over_baseline_ms = 500}), "max_gap_over_baseline_ms");
  REQUIRE(v.size() == 1);
  CHECK(*v[0].observed == doctest::Approx(890.0));
}

TEST_CASE("not_starved in an A/B run judges spread relative, not absolute, and an explicit max_spread_pct still applies") {
  auto t = ab_run();
  t.baseline->workers[1].cpu_ns = kSecond / 10;  // both phases: 40 pp spread
  t.workers[1].cpu_ns = kSecond / 10;
  CHECK(only(judge(t, {}, {.not_starved = true}), "spread").empty());
  CHECK(only(judge(t, {}, {.not_starved = true}), "max_spread_over_baseline_pp").empty());
  CHECK(only(judge(t, {}, {.not_starved = true, .max_spread_pct = 20}), "spread").size() == 1);
  auto single = healthy_run();
  single.workers[1].cpu_ns = kSecond / 10;
  CHECK(only(judge(single, {}, {.not_starved = true}), "spread").size() == 1);
}

TEST_CASE("a failed baseline scheduler makes the run inconclusive, not failed") {
  auto t = ab_run();
  t.baseline->name = "scx_simple";
  t.baseline->scheduler = {.name = "scx_simple", .attached = true, .failed = true, .failure = "runnable task stall"};
  auto v = judge(t, {}, {});
  CHECK(v.outcome == Outcome::kInconclusive);
  REQUIRE(only(v, "baseline").size() == 1);
  CHECK(only(v, "baseline")[0].detail.find("runnable task stall") != std::string::npos);
  t = ab_run();
  t.baseline->workers.clear();
  CHECK(judge(t, {}, {}).outcome == Outcome::kInconclusive);
}

TEST_CASE("the report shows both phases side by side") {
  auto t = ab_run();
  for (auto& w : t.workers) w.iterations = 800;
  auto table = format_ab_table(t);
  CHECK(table.find("--- A/B: baseline eevdf | scheduler scx_simple ---") != std::string::npos);
  CHECK(table.find("  cg0     iter_rate      1000.0/s      800.0/s      -20.0%\n") != std::string::npos);
  CHECK(table.find("  cg0     spread           0.0 pp       0.0 pp     +0.0 pp\n") != std::string::npos);
  CHECK(table.find("share vs baseline n/a, rate vs baseline 80.0% (cg0 step 0)") != std::string::npos);
  auto v = judge(t, {}, {});
  ReportContext ctx{.test = "ab", .scheduler = "scx_simple", .topology = "1n1l2c1t"};
  CHECK(format_report(ctx, t, v).find("--- A/B: baseline eevdf") != std::string::npos);
  CHECK(format_summary(ctx, t, v).find("A/B vs eevdf: spread over baseline +0.0 pp, share vs baseline n/a") !=
        std::string::npos);
  auto two = two_cgroup_ab_run();
  CHECK(format_summary(ctx, two, judge(two, {}, {})).find("share vs baseline 100%") != std::string::npos);
  auto report = format_report(ctx, t, v);
  CHECK(report.find("   0.000s baseline eevdf step 0 'steady' until 1.000s\n") != std::string::npos);
  CHECK(report.find("   1.000s baseline eevdf phase ended\n") != std::string::npos);
  CHECK(ab_timeline_rows(healthy_run()).empty());
  CHECK(format_ab_table(healthy_run()).empty());
  CHECK(format_ab_brief(healthy_run()).empty());
}

TEST_CASE("telemetry without a baseline key (older sidecars) loads with no baseline, with one it round-trips") {
  nlohmann::json j = healthy_run();
  j.erase("baseline");
  CHECK_FALSE(j.get<RunTelemetry>().baseline);
  auto t = ab_run();
  auto back = nlohmann::json(t).get<RunTelemetry>();
  REQUIRE(back.baseline);
  CHECK(back.baseline->name == "eevdf");
  CHECK(back.baseline->workers.size() == 2);
  CHECK(nlohmann::json(healthy_run())["baseline"].is_null());
}
