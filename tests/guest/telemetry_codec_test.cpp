#include <doctest/doctest.h>

#include "guest/telemetry_codec.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {
RunTelemetry sample(int workers, size_t samples) {
  RunTelemetry t;
  t.test = "steady";
  t.topology = "1n2l2c2t";
  t.vcpus = 8;
  t.steps.push_back({.index = 0, .name = "run", .start_ns = 1, .end_ns = 2, .ops = {"add cgroup cg0"}});
  t.cgroups.push_back({.name = "cg0", .step = 0, .cpuset = {0, 1}, .weight = 50, .workers = workers});
  for (int i = 0; i < workers; ++i) {
    WorkerTelemetry w{.cgroup = "cg0", .worker = i, .pid = 100 + i, .work_type = "spin", .policy = "normal"};
    w.iterations = 1000u + static_cast<uint64_t>(i);
    w.cpus_used = {0, 1};
    for (size_t s = 0; s < samples; ++s) w.wake_latency_ns.push_back(123456789 + s);
    w.wake_samples_seen = samples * 3;
    t.workers.push_back(std::move(w));
  }
  t.scheduler.name = "scx_simple";
  t.scheduler.events.push_back({.t_ns = 5, .kind = "enabled", .detail = ""});
  return t;
}
}  // namespace

TEST_CASE("telemetry round-trips through the codec") {
  auto t = sample(3, 10);
  auto json = encode_telemetry(t);
  REQUIRE(json);
  auto back = decode_telemetry(*json);
  REQUIRE(back);
  CHECK(nlohmann::json(*back) == nlohmann::json(t));
  CHECK(back->workers[2].iterations == 1002);
  CHECK(back->cgroups[0].weight == 50);
}

TEST_CASE("oversized telemetry is thinned to the budget and keeps counts") {
  // 1008 workers (4x a 252-vCPU guest) with full reservoirs.
  auto t = sample(1008, kMaxLatencySamples);
  auto full = nlohmann::json(t).dump();
  REQUIRE(full.size() > kDefaultTelemetryBudget);
  auto json = encode_telemetry(t);
  REQUIRE(json);
  CHECK(json->size() <= kDefaultTelemetryBudget);
  auto back = *decode_telemetry(*json);
  CHECK(back.workers.size() == 1008);
  CHECK(back.workers[0].wake_latency_ns.size() < kMaxLatencySamples);
  CHECK(!back.workers[0].wake_latency_ns.empty());
  CHECK(back.workers[0].wake_samples_seen == kMaxLatencySamples * 3);
}

TEST_CASE("logs keep their tail and impossible budgets fail") {
  auto t = sample(1, 0);
  std::string log;
  for (int i = 0; i < 5000; ++i) log += fmt::format("line {}\n", i);
  t.scheduler.log_tail = log;
  auto back = *decode_telemetry(*encode_telemetry(t));
  CHECK(back.scheduler.log_tail.size() <= kMaxLogTailBytes);
  CHECK(back.scheduler.log_tail.ends_with("line 4999\n"));
  CHECK(back.scheduler.log_tail.starts_with("line "));
  CHECK(!encode_telemetry(sample(50, 0), 100));
}

TEST_CASE("decoding garbage is an error and not an exception") {
  CHECK(!decode_telemetry("{not json"));
  CHECK(decode_telemetry("{}")->workers.empty());
}
