// The verdict side of the timeline: where each violation is placed, and
// the trace and picture finalize_run writes next to every sidecar.
#include <doctest/doctest.h>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "fixtures.hpp"
#include "host/trace/trace_check.hpp"
#include "host/verdict/finalize.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/timeline.hpp"
#include "host/verdict/violation_marks.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {
constexpr uint64_t kMs = 1'000'000;

RunTelemetry two_steps() {
  auto t = healthy_run();
  t.steps.push_back({.index = 1, .name = "second", .start_ns = kSecond + 100 * kMs, .end_ns = 2 * kSecond});
  t.cgroups.push_back({.name = "cg0", .step = 1, .workers = 2});
  auto late = make_worker("cg0", 0, 1, 1000, 900 * kMs, 400 * kMs);
  late.max_gap_ns = 600 * kMs;
  late.max_gap_at_ns = 700 * kMs;
  late.progress_start_ns = kSecond + 150 * kMs;  // spawned after the step began
  t.workers.push_back(late);
  t.workers.push_back(make_worker("cg0", 1, 1, 0, 900 * kMs, 0));
  return t;
}
}  // namespace

TEST_CASE("violations are placed where they happened") {
  auto t = two_steps();
  t.scheduler = {.name = "s", .attached = true, .failed = true, .failure = "stall",
                 .events = {{.t_ns = 5 * kMs, .kind = "enabled"}, {.t_ns = 1800 * kMs, .kind = "ejected"}}};
  t.assertions.push_back({.file = "t.cpp", .line = 3, .expr = "x"});
  auto v = judge(t, {}, {.max_spread_pct = 1, .max_gap_ms = 500});
  auto marks = violation_marks(t, v);
  REQUIRE(marks.size() == v.violations.size());
  auto find = [&](const std::string& label) -> const trace::Mark& {
    for (const auto& m : marks)
      if (m.label == label) return m;
    FAIL("no mark " << label);
    return marks.front();
  };
  const auto& gap = find("gap cg0/w0 step 1");
  CHECK(gap.timed);
  CHECK(gap.end_ns == kSecond + 850 * kMs);  // progress_start + max_gap_at
  CHECK(gap.start_ns == kSecond + 250 * kMs);
  CHECK(gap.detail == "gap cg0/w0 step 1: observed 600 ms, limit 500 ms (ended 0.700 s into the step)");
  const auto& zero = find("zero_progress cg0/w1 step 1");
  CHECK(zero.start_ns == kSecond + 100 * kMs);  // the record's step
  CHECK(zero.end_ns == 2 * kSecond);
  const auto& spread = find("spread cg0 step 1");
  CHECK(spread.start_ns == kSecond + 100 * kMs);
  const auto& sched = find("scheduler s");
  CHECK(sched.start_ns == 1800 * kMs);  // the ejection
  CHECK(sched.end_ns == 1800 * kMs);
  CHECK_FALSE(find("assertion t.cpp:3").timed);
}

TEST_CASE("a gap without progress_start_ns (older sidecars) counts from its step") {
  auto t = two_steps();
  t.workers[2].progress_start_ns = 0;
  auto marks = violation_marks(t, judge(t, {}, {.max_gap_ms = 500}));
  REQUIRE(marks.size() == 2);
  CHECK(marks[1].label == "gap cg0/w0 step 1");
  CHECK(marks[1].end_ns == kSecond + 800 * kMs);
}

TEST_CASE("timeouts and panics sit at the end of the run") {
  auto t = healthy_run();
  auto marks = violation_marks(t, judge(t, {.timeout = true}, {}));
  REQUIRE(marks.size() == 1);
  CHECK(marks[0].timed);
  CHECK(marks[0].start_ns == 2 * kSecond);
}

TEST_CASE("an A/B run is drawn with its baseline phase first, on the same time axis") {
  auto t = healthy_run();  // scheduler phase: step 0 over [0, 1 s]; moved to [2 s, 3 s]
  for (auto& st : t.steps) st.start_ns += 2 * kSecond, st.end_ns += 2 * kSecond;
  t.workers[0].placement = {{.start_us = 2'000'000, .end_us = 2'500'000, .units = 500, .cpu = 0}};
  t.scheduler = {.name = "scx_simple", .attached = true, .events = {{.t_ns = 1900 * kMs, .kind = "enabled"}}};
  BaselineTelemetry b{.name = "scx_qmap", .start_ns = 0, .end_ns = 1800 * kMs, .steps = healthy_run().steps,
                      .cgroups = t.cgroups, .workers = healthy_run().workers};
  b.workers[0].placement = {{.start_us = 100'000, .end_us = 600'000, .units = 400, .cpu = 1}};
  b.scheduler = {.name = "scx_qmap", .attached = true, .events = {{.t_ns = 50 * kMs, .kind = "enabled"}}};
  t.baseline = b;

  const auto drawn = timeline_run(t);
  CHECK_FALSE(drawn.baseline);
  REQUIRE(drawn.steps.size() == 2);
  CHECK(drawn.steps[0].name == t.baseline->steps[0].name + " under scx_qmap");
  CHECK(drawn.steps[0].end_ns == kSecond);
  CHECK(drawn.steps[1].name == t.steps[0].name);
  CHECK(drawn.steps[1].start_ns == 2 * kSecond);
  CHECK(drawn.workers.size() == t.workers.size() + b.workers.size());
  REQUIRE(drawn.scheduler.events.size() == 2);
  CHECK(drawn.scheduler.events[0].detail == "baseline scx_qmap");
  CHECK(drawn.scheduler.events[1].t_ns == 1900 * kMs);
  CHECK(timeline_run(healthy_run()).steps.size() == 1);  // no baseline: drawn as recorded

  // The trace validates and holds both phases' steps and placement; the
  // picture labels the baseline's step.
  Sidecar s{.test = "ab", .verdict = judge(t, {}, {}), .telemetry = t};
  auto doc = nlohmann::json::parse(timeline_trace(s));
  CHECK(trace::check_trace(doc).empty());
  int steps = 0, runs = 0;
  for (const auto& e : doc["traceEvents"]) {
    if (e.value("ph", "") != "X") continue;
    if (e.value("pid", 0) == 2 && e.value("name", "").find("steady") != std::string::npos) ++steps;
    if (e.value("pid", 0) == 1) ++runs;
  }
  CHECK(steps == 2);
  CHECK(runs == 2);  // one placement run in each phase
  CHECK(timeline_svg(s).find("under scx_qmap") != std::string::npos);

  // A relative check is marked on the scheduler phase's step, a failed
  // baseline over the baseline phase.
  for (auto& w : t.workers) w.iterations = 10;
  t.baseline->scheduler.failed = true;
  t.baseline->scheduler.failure = "stall";
  auto marks = violation_marks(t, judge(t, {}, {.min_rate_vs_baseline_pct = 50}));
  int placed = 0;
  for (const auto& m : marks) {
    if (m.label == "min_rate_vs_baseline_pct cg0 step 0") {
      CHECK(m.start_ns == 2 * kSecond);
      ++placed;
    } else if (m.label == "baseline scx_qmap") {
      CHECK(m.start_ns == 0);
      CHECK(m.end_ns == 1800 * kMs);
      ++placed;
    }
  }
  CHECK(placed == 2);
}

TEST_CASE("finalize_run writes the trace and the picture next to the sidecar and names them on failure") {
  auto build = temp_dir();
  auto t = two_steps();
  t.workers[0].placement = {{.start_us = 0, .end_us = 500'000, .units = 500, .cpu = 0}};
  RunRecord r{.build_dir = build.path(), .test = "t", .variant = "t/1n1l2c1t", .topology = "1n1l2c1t",
              .project_commit = "c", .kernel = {.key = "k", .version = "6.12"}, .facts = {.guest_exit_code = 0},
              .telemetry = t};
  auto f = finalize_run(r);
  CHECK(f.exit_code == kExitFail);  // zero progress
  CHECK(f.timeline_error.empty());
  CHECK(f.timeline.svg == build.path() / "ktstr/k-c/t_1n1l2c1t.svg");
  CHECK(f.timeline.trace == build.path() / "ktstr/k-c/t_1n1l2c1t.trace.json");
  CHECK(f.text.find("\ntimeline: " + f.timeline.svg.string() + " (trace for ui.perfetto.dev: " +
                    f.timeline.trace.string() + ")\n") != std::string::npos);
  auto svg = read_file(f.timeline.svg);
  REQUIRE(svg);
  CHECK(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(svg->find("zero_progress cg0/w1 step 1") != std::string::npos);
  auto trace = read_file(f.timeline.trace);
  REQUIRE(trace);
  CHECK(trace::check_trace(nlohmann::json::parse(*trace)).empty());
  // The trace is not a sidecar: listing and comparing see one run.
  auto found = find_sidecars(build.path());
  REQUIRE(found);
  CHECK(*found == std::vector<std::filesystem::path>{f.sidecar});
  // `ktstr show` draws the same picture from the sidecar alone.
  CHECK(timeline_svg(*read_sidecar(f.sidecar)) == *svg);

  auto pass = finalize_run(RunRecord{.build_dir = build.path(), .variant = "p", .telemetry = healthy_run()});
  CHECK(pass.exit_code == kExitPass);
  CHECK(std::filesystem::exists(pass.timeline.svg));  // every run, not only failures
  CHECK(pass.text.find("timeline:") == std::string::npos);
}

TEST_CASE("a timeline that cannot be written is reported, the verdict stands") {
  auto build = temp_dir();
  RunRecord r{.build_dir = build.path(), .variant = "v", .telemetry = healthy_run()};
  r.test_thresholds.min_iteration_rate = 1e9;
  auto first = finalize_run(r);
  std::filesystem::remove(first.timeline.svg);
  std::filesystem::create_directory(first.timeline.svg);  // a directory where the file must go
  REQUIRE(write_file_atomic(first.timeline.svg / "x", "keep"));
  auto f = finalize_run(r);
  CHECK(f.exit_code == kExitFail);
  CHECK_FALSE(f.timeline_error.empty());
  CHECK(f.text.find("timeline: not written: ") != std::string::npos);
}

#ifdef KTSTR_BIN
TEST_CASE("ktstr show draws any sidecar: next to it by default, or where asked") {
  auto build = temp_dir();
  auto t = two_steps();
  t.workers[0].placement = {{.start_us = 0, .end_us = 500'000, .units = 500, .cpu = 1}};
  auto f = finalize_run(RunRecord{.build_dir = build.path(), .variant = "v", .telemetry = t});
  const auto svg = *read_file(f.timeline.svg);
  const auto trace = *read_file(f.timeline.trace);
  std::filesystem::remove(f.timeline.svg);
  std::filesystem::remove(f.timeline.trace);

  auto again = run_capture({KTSTR_BIN, "show", f.sidecar.string()});
  REQUIRE(again);
  INFO(again->output);
  CHECK(again->status.code == 0);
  CHECK(again->output.find("picture: " + f.timeline.svg.string()) != std::string::npos);
  CHECK(*read_file(f.timeline.svg) == svg);
  CHECK(*read_file(f.timeline.trace) == trace);

  const auto out = build.path() / "out";
  auto chosen = run_capture({KTSTR_BIN, "show", f.sidecar.string(), "--svg", (out / "a.svg").string(), "--html",
                             (out / "a.html").string()});
  REQUIRE(chosen);
  CHECK(chosen->status.code == 0);
  CHECK(*read_file(out / "a.svg") == svg);
  auto html = read_file(out / "a.html");
  REQUIRE(html);
  CHECK(html->find(svg) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out / "a.trace.json"));

  auto to_stdout = run_capture({KTSTR_BIN, "show", f.sidecar.string(), "--trace", "-"});
  REQUIRE(to_stdout);
  CHECK(to_stdout->output.find(trace) != std::string::npos);

  auto missing = run_capture({KTSTR_BIN, "show", (build.path() / "nope.json").string()});
  REQUIRE(missing);
  CHECK(missing->status.code == kExitInfra);
  CHECK(missing->output.find("nope.json") != std::string::npos);
}
#endif
