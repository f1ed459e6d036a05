#include <doctest/doctest.h>

#include <set>

#include "fixture.hpp"
#include "host/trace/trace_check.hpp"
#include "host/trace/trace_event.hpp"

using namespace ktstr;
using namespace ktstr::trace;
using nlohmann::json;
using testing::kMs;

namespace {
std::vector<json> events_where(const json& doc, const std::string& ph, int pid = -1) {
  std::vector<json> out;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == ph && (pid < 0 || e["pid"] == pid)) out.push_back(e);
  return out;
}
std::string thread_name(const json& doc, int pid, int tid) {
  for (const auto& e : events_where(doc, "M", pid))
    if (e["name"] == "thread_name" && e["tid"] == tid) return e["args"]["name"];
  return "";
}
}  // namespace

TEST_CASE("the sample run's trace is a valid trace-event document") {
  auto doc = json::parse(trace_json(testing::sample_run(), testing::sample_title(), testing::sample_marks()));
  auto problems = check_trace(doc);
  INFO((problems.empty() ? std::string() : problems.front()));
  CHECK(problems.empty());
  CHECK(doc["displayTimeUnit"] == "ms");
  CHECK(doc["otherData"]["scheduler"] == "scx_wvt");
  CHECK(doc["otherData"]["outcome"] == "fail");
}

TEST_CASE("one track per vCPU naming the workers that ran there") {
  const auto t = testing::sample_run();
  auto doc = trace_document(t, testing::sample_title(), {}, {});
  CHECK(thread_name(doc, 1, 1) == "vCPU 0");
  CHECK(thread_name(doc, 1, 2) == "vCPU 1");
  std::set<std::string> on_cpu1;
  uint64_t busy_us = 0;
  for (const auto& e : events_where(doc, "X", 1)) {
    if (e["tid"] == 2) on_cpu1.insert(e["name"].get<std::string>());
    busy_us += e["dur"].get<uint64_t>();
    CHECK(e["ts"].is_number_unsigned());  // placement is whole microseconds: exact
  }
  CHECK(on_cpu1 == std::set<std::string>{"cg0/w1", "cg1/w0"});
  uint64_t runs_us = 0;
  for (const auto& w : t.workers)
    for (const auto& r : w.placement) runs_us += r.end_us - r.start_us;
  CHECK(busy_us == runs_us);  // the sample's runs never overlap: every run is one span
}

TEST_CASE("steps as spans, scheduler events as instants, marks on verdict tracks") {
  auto doc = trace_document(testing::sample_run(), testing::sample_title(), testing::sample_marks(), {});
  std::vector<json> steps, verdict;
  for (const auto& e : events_where(doc, "X", 2)) (e["cat"] == "step" ? steps : verdict).push_back(e);
  REQUIRE(steps.size() == 2);
  CHECK(steps[1]["name"] == "step 1 load");
  CHECK(steps[1]["ts"] == 1'000'000.0);
  CHECK(steps[1]["dur"] == 1'000'000.0);
  CHECK(steps[0]["args"]["ops"][0] == "add cgroup cg0 (2 x spin)");
  REQUIRE(verdict.size() == 1);  // the gap; the ejection mark is an instant, the assertion is not placed
  CHECK(verdict[0]["name"] == "gap cg1/w0 step 1");
  CHECK(verdict[0]["ts"] == 1'200'000.0);
  auto instants = events_where(doc, "i", 2);
  REQUIRE(instants.size() == 4);  // started, enabled, ejected + the scheduler mark
  CHECK(instants[2]["name"] == "scheduler ejected");
  CHECK(instants[2]["args"]["detail"] == "runnable task stall <&\"'>");
  CHECK(instants[2]["ts"] == 1'900'000.0);
  CHECK(instants[3]["cat"] == "verdict");
}

TEST_CASE("counter series: one process per group, one C event per point") {
  CounterSeries nr{.group = "monitor cpu 0", .name = "nr_running", .unit = "tasks", .points = {{0, 1}, {kMs, 3}}};
  auto doc = json::parse(trace_json(testing::sample_run(), testing::sample_title(), {}, std::vector{nr}));
  CHECK(check_trace(doc).empty());
  std::map<std::string, int> pid_of;
  for (const auto& e : events_where(doc, "M"))
    if (e["name"] == "process_name") pid_of[e["args"]["name"]] = e["pid"];
  REQUIRE(pid_of.contains("progress"));
  REQUIRE(pid_of.contains("monitor cpu 0"));
  auto mon = events_where(doc, "C", pid_of["monitor cpu 0"]);
  REQUIRE(mon.size() == 2);
  CHECK(mon[1]["args"]["tasks"] == 3.0);
  CHECK(mon[1]["ts"] == 1000.0);
  std::set<std::string> progress;
  for (const auto& e : events_where(doc, "C", pid_of["progress"])) progress.insert(e["name"]);
  CHECK(progress == std::set<std::string>{"cg0/w0", "cg0/w1", "cg1/w0"});
}

TEST_CASE("coarsened, overlapping runs still give a valid (nested) trace") {
  RunTelemetry t{.vcpus = 1};
  for (int i = 0; i < 3; ++i) {
    WorkerTelemetry w{.cgroup = "cg", .worker = i, .pid = 10 + i};
    w.placement = {{.start_us = static_cast<uint64_t>(i) * 10, .end_us = 100 + static_cast<uint64_t>(i) * 10, .cpu = 0}};
    t.workers.push_back(w);
  }
  auto doc = trace_document(t, {}, {}, {});
  CHECK(check_trace(doc).empty());
  auto spans = events_where(doc, "X", 1);
  REQUIRE(spans.size() == 5);  // 0-10 w0, 10-20 w0+w1, 20-100 all, 100-110 w1+w2, 110-120 w2
  CHECK(spans[2]["name"] == "cg/w0 + cg/w1 + cg/w2");
}

TEST_CASE("text that is not valid UTF-8 does not break the trace") {
  auto t = testing::sample_run();
  t.scheduler.events.back().detail = "bad \xff\xfe bytes";
  auto text = trace_json(t, testing::sample_title(), {});
  CHECK(check_trace(json::parse(text)).empty());
  CHECK(text.find("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes") != std::string::npos);
}

TEST_CASE("an empty run gives a valid, nearly empty trace") {
  auto doc = json::parse(trace_json(RunTelemetry{}, {}, {}));
  CHECK(check_trace(doc).empty());
  CHECK(events_where(doc, "X").empty());
}
