// Temporal assertions: the declaration's JSON, the series built from
// snapshots, each kind at its boundary, and the failure line naming the
// snapshot where the series broke.
#include <doctest/doctest.h>

#include <cmath>

#include "fixtures.hpp"
#include "host/verdict/checks.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/series.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {
const VmFacts kClean{};
constexpr uint64_t kMs = 1'000'000;

TemporalAssertion parse(const char* json) { return nlohmann::json::parse(json).get<TemporalAssertion>(); }

// A run whose snapshots, every 100 ms from 0, hold cg0/w0 (pid 100) and
// cg1/w0 (pid 200) with the given cumulative iteration counts; cpu_ns
// follows iterations (1 iteration = 1 us).
RunTelemetry snapshots(const std::vector<uint64_t>& cg0, const std::vector<uint64_t>& cg1) {
  RunTelemetry t = healthy_run();
  for (size_t k = 0; k < cg0.size(); ++k) {
    SnapshotTelemetry s{.name = fmt::format("steady@{}/{}", k, cg0.size() - 1), .step = 0, .periodic = true,
                        .t_ns = k * 100 * kMs};
    s.workers.push_back({.cgroup = "cg0", .worker = 0, .pid = 100, .iterations = cg0[k], .cpu_ns = cg0[k] * 1000});
    s.workers.push_back({.cgroup = "cg1", .worker = 0, .pid = 200, .iterations = cg1[k], .cpu_ns = cg1[k] * 1000});
    t.snapshots.push_back(std::move(s));
  }
  return t;
}

// The series' values, rounded to 1e-6 so rates computed from nanosecond
// times compare equal to the figures written here.
std::vector<double> values(const Series& s) {
  std::vector<double> out;
  for (const auto& p : s.points) out.push_back(std::round(p.value * 1e6) / 1e6);
  return out;
}
}  // namespace

TEST_CASE("temporal JSON: round trip, defaults, and every mistake named") {
  auto a = parse(R"({"kind": "within", "cgroup": "cg1", "min": 100, "step": "steady"})");
  CHECK(a.metric == "iterations");
  CHECK(a.of == "rate");
  CHECK(a.step_name == "steady");
  CHECK(!a.step);
  CHECK(nlohmann::json(a).get<TemporalAssertion>().cgroup == "cg1");
  CHECK(nlohmann::json(a) == nlohmann::json::parse(R"({"kind":"within","metric":"iterations","of":"rate",
                                                       "cgroup":"cg1","min":100.0,"step":"steady"})"));
  CHECK(parse(R"({"kind": "steady", "pct": 20, "step": 1})").step == 1);
  CHECK(describe(a) == "iterations rate of cg1 in step steady within [100, inf]");
  CHECK(describe(parse(R"({"kind":"converges","of":"share","metric":"cpu_ns","value":66.7,"tolerance_pct":15,
                           "window_ms":500})")) == "cpu_ns share of each cgroup converges to 66.7 +-15% within 500 ms");
  struct Bad {
    const char* json;
    const char* says;
  };
  for (const auto& [json, says] : {Bad{R"({"kind": "sometimes"})", "kind 'sometimes' is not one of"},
                                   Bad{R"({"cgroup": "x"})", "kind is missing"},
                                   Bad{R"({"kind": "within"})", "within needs min, max or both"},
                                   Bad{R"({"kind": "within", "min": 5, "max": 1})", "min is above max"},
                                   Bad{R"({"kind": "steady"})", "steady needs pct"},
                                   Bad{R"({"kind": "converges"})", "converges needs value"},
                                   Bad{R"({"kind": "steady", "pct": 5, "metric": "ipc"})", "metric 'ipc'"},
                                   Bad{R"({"kind": "steady", "pct": 5, "of": "delta"})", "of 'delta'"},
                                   Bad{R"({"kind": "steady", "pct": 5, "pcts": 5})", "unknown field 'pcts'"},
                                   Bad{R"({"kind": "steady", "pct": "5"})", "pct must be a number"},
                                   Bad{R"({"kind": "nondecreasing", "slack_pct": -1})", "slack_pct must be finite"},
                                   Bad{R"({"kind": "steady", "pct": 5, "step": -2})", "step must be"},
                                   Bad{R"([1])", "expected an object"}}) {
    try {
      (void)parse(json);
      FAIL("accepted ", json);
    } catch (const std::invalid_argument& e) {
      CHECK_MESSAGE(std::string(e.what()).find(says) != std::string::npos, e.what());
    }
  }
}

TEST_CASE("series: value, rate and share per cgroup, one point per interval") {
  auto t = snapshots({0, 100, 200, 300}, {0, 100, 100, 100});
  auto value = build_series(t, parse(R"({"kind": "nondecreasing", "of": "value", "cgroup": "cg1"})"));
  REQUIRE(value.size() == 1);
  CHECK(values(value[0]) == std::vector<double>{0, 100, 100, 100});
  auto rate = build_series(t, parse(R"({"kind": "steady", "pct": 1})"));
  REQUIRE(rate.size() == 2);  // every cgroup, one series each, in name order
  CHECK(rate[0].subject == "cg0");
  CHECK(values(rate[0]) == std::vector<double>{1000, 1000, 1000});  // 100 iterations per 100 ms
  CHECK(values(rate[1]) == std::vector<double>{1000, 0, 0});
  CHECK(rate[1].points[1].snapshot == "steady@2/3");
  CHECK(rate[1].points[1].start_s == doctest::Approx(0.1));
  CHECK(rate[1].points[1].t_s == doctest::Approx(0.2));
  auto share = build_series(t, parse(R"({"kind": "steady", "pct": 1, "of": "share", "metric": "cpu_ns", "cgroup": "cg1"})"));
  REQUIRE(share.size() == 1);
  CHECK(values(share[0]) == std::vector<double>{50, 0, 0});
  CHECK(series_unit(parse(R"({"kind": "steady", "pct": 1, "metric": "cpu_ns"})")) == "ns/s");
  CHECK(series_unit(parse(R"({"kind": "steady", "pct": 1, "of": "share"})")) == "%");
  CHECK(series_unit(parse(R"({"kind": "steady", "pct": 1, "of": "value", "metric": "migrations"})")) == "migr");
}

TEST_CASE("series: a cgroup covers its descendants, workers are matched by pid across moves") {
  auto t = snapshots({0, 100, 200}, {0, 50, 100});
  t.snapshots[1].workers[1].cgroup = "cg0/inner";  // cg1's worker moved into cg0/inner
  t.snapshots[2].workers[1].cgroup = "cg0/inner";
  auto cg0 = build_series(t, parse(R"({"kind": "steady", "pct": 1, "cgroup": "cg0"})"));
  REQUIRE(cg0.size() == 1);
  CHECK(values(cg0[0]) == std::vector<double>{1500, 1500});  // its growth counts where it is at the interval's end
  auto per_worker = build_series(t, parse(R"({"kind": "steady", "pct": 1, "cgroup": "cg0", "per_worker": true})"));
  REQUIRE(per_worker.size() == 2);
  CHECK(per_worker[0].subject == "cg0/inner/w0");
  CHECK(values(per_worker[0]) == std::vector<double>{500, 500});
  // A worker released mid-run grows from 0; one whose counter falls is a reused pid.
  t.snapshots[2].workers.push_back({.cgroup = "cg0", .worker = 1, .pid = 300, .iterations = 30});
  t.snapshots[2].workers[0].iterations = 10;  // pid 100 fell from 100 to 10
  auto grown = build_series(t, parse(R"({"kind": "steady", "pct": 1, "cgroup": "cg0", "per_worker": true})"));
  REQUIRE(grown.size() == 3);
  CHECK(values(grown[1]) == std::vector<double>{1000, 100});  // pid 100: 100 in the first interval, 10 from 0
  CHECK(values(grown[2]) == std::vector<double>{300});
}

TEST_CASE("series: snapshots closer than 10 ms are skipped for rates, step filters") {
  auto t = snapshots({0, 100, 200}, {0, 100, 200});
  const SnapshotTelemetry copy = t.snapshots[1];
  t.snapshots.insert(t.snapshots.begin() + 2, copy);
  t.snapshots[2].t_ns += kMinSnapshotIntervalNs - 1;
  t.snapshots[2].name = "too close";
  auto rate = build_series(t, parse(R"({"kind": "steady", "pct": 1, "cgroup": "cg0"})"));
  REQUIRE(rate.size() == 1);
  CHECK(values(rate[0]) == std::vector<double>{1000, 1000});
  auto value = build_series(t, parse(R"({"kind": "nondecreasing", "of": "value", "cgroup": "cg0"})"));
  CHECK(value[0].points.size() == 4);
  t.snapshots.back().step = 1;
  t.steps.push_back({.index = 1, .name = "second", .start_ns = 250 * kMs, .end_ns = 500 * kMs});
  auto by_name = build_series(t, parse(R"({"kind": "steady", "pct": 1, "cgroup": "cg0", "step": "second"})"));
  REQUIRE(by_name[0].points.size() == 1);
  CHECK(by_name[0].points[0].step == 1);
  auto by_index = build_series(t, parse(R"({"kind": "steady", "pct": 1, "cgroup": "cg0", "step": 0})"));
  CHECK(by_index[0].points.size() == 1);
}

TEST_CASE("nondecreasing: a fall beyond the slack breaks it at that point") {
  std::vector<SeriesPoint> p = {{.snapshot = "a", .value = 100}, {.snapshot = "b", .value = 90},
                                {.snapshot = "c", .value = 95}};
  auto strict = judge_series(p, parse(R"({"kind": "nondecreasing"})"), 0);
  REQUIRE(strict.first);
  CHECK(*strict.first == 1);
  CHECK(strict.observed == 90);
  CHECK(strict.limit == 100);
  CHECK(strict.broken == 1);
  CHECK(strict.judged == 2);
  CHECK(!judge_series(p, parse(R"({"kind": "nondecreasing", "slack_pct": 10})"), 0).first);  // 90 >= 100 x 0.9
  CHECK(judge_series(p, parse(R"({"kind": "nondecreasing", "slack_pct": 9.9})"), 0).first);
  CHECK(!judge_series({p[0]}, parse(R"({"kind": "nondecreasing"})"), 0).why_not.empty());
}

TEST_CASE("within: inclusive bounds, either side") {
  std::vector<SeriesPoint> p = {{.value = 10}, {.value = 20}, {.value = 30}};
  CHECK(!judge_series(p, parse(R"({"kind": "within", "min": 10, "max": 30})"), 0).first);
  auto low = judge_series(p, parse(R"({"kind": "within", "min": 10.5})"), 0);
  REQUIRE(low.first);
  CHECK(*low.first == 0);
  CHECK(low.limit == 10.5);
  auto high = judge_series(p, parse(R"({"kind": "within", "max": 25})"), 0);
  REQUIRE(high.first);
  CHECK(*high.first == 2);
  CHECK(high.observed == 30);
  CHECK(!judge_series({}, parse(R"({"kind": "within", "max": 25})"), 0).why_not.empty());
}

TEST_CASE("steady: deviation from the series mean, in % of the mean") {
  std::vector<SeriesPoint> p = {{.value = 90}, {.value = 100}, {.value = 110}};  // mean 100
  CHECK(!judge_series(p, parse(R"({"kind": "steady", "pct": 10})"), 0).first);
  auto j = judge_series(p, parse(R"({"kind": "steady", "pct": 9.99})"), 0);
  REQUIRE(j.first);
  CHECK(*j.first == 0);
  CHECK(j.observed == doctest::Approx(10));
  CHECK(j.broken == 2);
  std::vector<SeriesPoint> zeros = {{.value = 0}, {.value = 0}};
  CHECK(!judge_series(zeros, parse(R"({"kind": "steady", "pct": 0})"), 0).first);
}

TEST_CASE("converges: only intervals that start after the window count, within +-tolerance of the value") {
  std::vector<SeriesPoint> p = {{.snapshot = "a", .start_s = 1.0, .t_s = 1.5, .value = 20},
                                {.snapshot = "b", .start_s = 1.5, .t_s = 2.0, .value = 60},
                                {.snapshot = "c", .start_s = 2.0, .t_s = 2.5, .value = 66}};
  auto a = parse(R"({"kind": "converges", "value": 66.7, "tolerance_pct": 15, "window_ms": 500})");
  auto j = judge_series(p, a, 1.0);  // window ends at 1.5 s: b and c count
  CHECK(!j.first);
  CHECK(j.judged == 2);
  a.tolerance_pct = 5;  // band [63.4, 70.0]: b breaks it
  j = judge_series(p, a, 1.0);
  REQUIRE(j.first);
  CHECK(*j.first == 1);
  CHECK(j.limit == doctest::Approx(66.7 * 0.95));
  a.window_ms = 2000;
  CHECK(judge_series(p, a, 1.0).why_not.find("no point starts after the window") == 0);
}

TEST_CASE("check_temporal: the failure line names the cgroup, step and the snapshot where the series broke") {
  auto t = snapshots({0, 100, 200, 300, 400}, {0, 100, 200, 200, 200});
  Thresholds th{.temporal = TemporalAssertions{parse(R"({"kind": "within", "of": "share", "cgroup": "cg1", "min": 25})"),
                                               parse(R"({"kind": "within", "of": "share", "cgroup": "cg0", "min": 25})")}};
  auto v = check_temporal(t, kClean, th);
  REQUIRE(v.size() == 1);
  CHECK(v[0].check == "temporal");
  CHECK(v[0].subject == "cg1 step 0");
  CHECK(v[0].severity == Outcome::kFail);
  CHECK(*v[0].observed == 0);
  CHECK(*v[0].threshold == 25);
  CHECK(v[0].unit == "%");
  CHECK(v[0].detail == "iterations share of cg1 within [25, inf]: broke at snapshot 'steady@3/4' "
                       "(interval 0.200-0.300 s); 2 of 4 points broke");
  CHECK(format_violation(v[0]).starts_with("temporal cg1 step 0: observed 0"));
  // The same run judged as a whole: Fail, and no assertion means no check.
  CHECK(judge(t, kClean, th).outcome == Outcome::kFail);
  CHECK(check_temporal(t, kClean, {}).empty());
  auto healthy = snapshots({0, 100, 200, 300, 400}, {0, 100, 200, 300, 400});
  CHECK(check_temporal(healthy, kClean, th).empty());
}

TEST_CASE("check_temporal: a series that cannot be judged is inconclusive, naming why") {
  auto t = healthy_run();
  Thresholds th{.temporal = TemporalAssertions{parse(R"({"kind": "steady", "pct": 10, "cgroup": "cg1"})")}};
  auto none = check_temporal(t, kClean, th);
  REQUIRE(none.size() == 1);
  CHECK(none[0].severity == Outcome::kInconclusive);
  CHECK(none[0].detail.find("the run took no snapshots") != std::string::npos);
  auto other = snapshots({0, 100}, {0, 100});
  th.temporal->front().cgroup = "cg9";
  auto missing = check_temporal(other, kClean, th);
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].detail.find("no worker of cg9 in its 2 snapshots") != std::string::npos);
  th.temporal->front().cgroup = "cg1";
  auto short_series = check_temporal(other, kClean, th);  // one interval: steady needs two
  REQUIRE(short_series.size() == 1);
  CHECK(short_series[0].severity == Outcome::kInconclusive);
  CHECK(short_series[0].detail.find("steady needs 2") != std::string::npos);
}

TEST_CASE("temporal thresholds: merged by layer, set and unset with --set, kept in JSON") {
  Thresholds sched{.temporal = TemporalAssertions{parse(R"({"kind": "steady", "pct": 10})")}};
  Thresholds test{.temporal = TemporalAssertions{parse(R"({"kind": "within", "min": 1})"),
                                                 parse(R"({"kind": "within", "max": 9})")}};
  CHECK(merge_layers(sched, test).temporal->size() == 2);  // the test's list replaces the scheduler's
  CHECK(merge_layers(sched, {}).temporal->size() == 1);
  Thresholds t;
  REQUIRE(apply_set(t, R"(temporal=[{"kind":"within","cgroup":"cg1","min":5}])"));
  REQUIRE(t.temporal);
  CHECK(t.temporal->at(0).min == 5);
  REQUIRE(apply_set(t, R"(temporal={"kind":"steady","pct":3})"));  // one object is a list of one
  CHECK(t.temporal->at(0).kind == "steady");
  auto bad = apply_set(t, R"(temporal=[{"kind":"steady"}])");
  REQUIRE(!bad);
  CHECK(bad.error().message.find("steady needs pct") != std::string::npos);
  REQUIRE(apply_set(t, "temporal=none"));
  CHECK(!t.temporal);
  Thresholds j = nlohmann::json(test).get<Thresholds>();
  REQUIRE(j.temporal);
  CHECK(nlohmann::json(j) == nlohmann::json(test));
  CHECK(count_set(test) == 1);
}

TEST_CASE("the declaration a test writes in C++ (nlohmann initializer lists) reads as a list of assertions") {
  // As in examples/tests/temporal_test.cpp: one assertion, and two.
  const nlohmann::json one = {
      {"temporal", {{{"kind", "within"}, {"of", "share"}, {"metric", "cpu_ns"}, {"cgroup", "cg1"}, {"min", 25}}}}};
  const nlohmann::json two = {
      {"cgroup_weights", true},
      {"temporal",
       {{{"kind", "within"}, {"of", "share"}, {"metric", "cpu_ns"}, {"cgroup", "cg1"}, {"min", 25}},
        {{"kind", "nondecreasing"}, {"metric", "cpu_ns"}, {"cgroup", "cg1"}, {"slack_pct", 50}}}}};
  auto a = one.get<Thresholds>();
  REQUIRE(a.temporal);
  REQUIRE(a.temporal->size() == 1);
  CHECK(a.temporal->at(0).of == "share");
  auto b = two.get<Thresholds>();
  REQUIRE(b.temporal);
  REQUIRE(b.temporal->size() == 2);
  CHECK(b.temporal->at(1).slack_pct == 50);
  CHECK(b.cgroup_weights == true);
}
