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

TEST_CASE("placement gives way before latency samples, and round-trips") {
  auto t = sample(8, 64);
  for (auto& w : t.workers)
    for (uint64_t i = 0; i < kMaxCpuRuns; ++i)
      w.placement.push_back({.start_us = i * 3000, .end_us = i * 3000 + 1000 + i, .units = 40, .cpu = int(i % 4)});
  auto exact = decode_telemetry(*encode_telemetry(t));
  REQUIRE(exact);
  CHECK(nlohmann::json(*exact) == nlohmann::json(t));

  // A budget the full placement exceeds but a coarser one fits.
  const size_t full = nlohmann::json(t).dump().size();
  auto json = encode_telemetry(t, full - 1000);
  REQUIRE(json);
  CHECK(json->size() <= full - 1000);
  auto back = *decode_telemetry(*json);
  for (const auto& w : back.workers) {
    CHECK(w.placement.size() == kMaxCpuRuns / 2);
    CHECK(w.placement_merged_us > 0);
    CHECK(w.wake_latency_ns.size() == 64);  // untouched
    uint64_t units = 0;
    for (const auto& r : w.placement) units += r.units;
    CHECK(units == 40 * kMaxCpuRuns);
  }
}

TEST_CASE("1008 workers with full placement and reservoirs fit the budget") {
  auto t = sample(1008, kMaxLatencySamples);
  for (auto& w : t.workers)
    for (uint64_t i = 0; i < kMaxCpuRuns; ++i)
      w.placement.push_back({.start_us = 10'000'000 + i * 3000, .end_us = 10'001'000 + i * 3000, .units = 123456,
                             .cpu = 200 + int(i % 50)});
  auto json = encode_telemetry(t);
  REQUIRE(json);
  CHECK(json->size() <= kDefaultTelemetryBudget);
  auto back = *decode_telemetry(*json);
  CHECK(!back.workers[0].placement.empty());
  CHECK(back.workers[0].placement.size() <= 16);
  CHECK(!back.workers[0].wake_latency_ns.empty());
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
