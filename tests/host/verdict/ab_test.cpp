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

TEST_CASE("cells pair by (step, cgroup); spread and rate compare with the baseline's same cell") {
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
  CHECK(effective_rate_vs_baseline_limit(t, {}) == kDefaultRateVsBaselinePct);
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

TEST_CASE("spread over baseline subtracts the baseline's own spread") {
  auto t = ab_run();
  t.baseline->workers[1].cpu_ns = kSecond / 2 - kSecond / 5;  // baseline spread 20 pp
  set_cpu(t, 1, 0.5 - 0.3);                                    // scheduler spread 30 pp: +10 pp
  auto cells = pair_cells(t);
  CHECK(*cells[0].spread_delta() == doctest::Approx(10.0));
  CHECK(only(judge(t, {}, {}), "max_spread_over_baseline_pp").empty());
}

TEST_CASE("rate vs baseline: a starved cgroup fails, the limit is inclusive") {
  auto t = ab_run();
  for (auto& w : t.workers) w.iterations = 30;  // 3 % of the baseline
  auto v = only(judge(t, {}, {}), "min_rate_vs_baseline_pct");
  REQUIRE(v.size() == 1);
  CHECK(*v[0].observed == doctest::Approx(3.0));
  CHECK(v[0].unit == "%");
  for (auto& w : t.workers) w.iterations = static_cast<uint64_t>(10 * kDefaultRateVsBaselinePct);
  CHECK(only(judge(t, {}, {}), "min_rate_vs_baseline_pct").empty());
  CHECK(only(judge(t, {}, {.min_rate_vs_baseline_pct = 90}), "min_rate_vs_baseline_pct").size() == 1);
}

TEST_CASE("gap over baseline is opt-in") {
  auto t = ab_run();
  for (auto& w : t.workers) w.max_gap_ns = 900'000'000;  // 900 ms vs 10 ms
  CHECK(only(judge(t, {}, {}), "max_gap_over_baseline_ms").empty());
  auto v = only(judge(t, {}, {.max_gap_over_baseline_ms = 500}), "max_gap_over_baseline_ms");
  REQUIRE(v.size() == 1);
  CHECK(*v[0].observed == doctest::Approx(890.0));
}

TEST_CASE("not_starved in an A/B run judges spread relative, not absolute; an explicit max_spread_pct still applies") {
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
  CHECK(table.find("rate vs baseline 80.0% (cg0 step 0)") != std::string::npos);
  auto v = judge(t, {}, {});
  ReportContext ctx{.test = "ab", .scheduler = "scx_simple", .topology = "1n1l2c1t"};
  CHECK(format_report(ctx, t, v).find("--- A/B: baseline eevdf") != std::string::npos);
  CHECK(format_summary(ctx, t, v).find("A/B vs eevdf: spread over baseline +0.0 pp, rate vs baseline 80%") !=
        std::string::npos);
  CHECK(format_ab_table(healthy_run()).empty());
  CHECK(format_ab_brief(healthy_run()).empty());
}

TEST_CASE("telemetry without a baseline key (older sidecars) loads with no baseline; with one it round-trips") {
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
