#include <doctest/doctest.h>

#include "base/monitor.hpp"

using namespace ktstr;

namespace {
MonitorSample at(uint64_t t_ns, uint64_t clock0, uint64_t clock1) {
  return {.t_ns = t_ns, .cpus = {CpuSample{.clock_ns = clock0}, CpuSample{.clock_ns = clock1}}};
}
}  // namespace

TEST_CASE("guest time is the largest runqueue clock") {
  CHECK(at(0, 5, 9).guest_ns() == 9);
  CHECK(MonitorSample{}.guest_ns() == 0);
}

TEST_CASE("a full monitor log halves, keeps the newest sample and doubles its period") {
  MonitorLog log{.period_ns = 100};
  for (uint64_t i = 0; i < kMaxMonitorSamples; ++i) log.append(at(i * 100, i, i));
  CHECK(log.samples.size() == kMaxMonitorSamples);
  CHECK(log.halvings == 0);
  log.append(at(kMaxMonitorSamples * 100, 0, 0));
  CHECK(log.halvings == 1);
  CHECK(log.period_ns == 200);
  CHECK(log.samples.size() == kMaxMonitorSamples / 2 + 1);
  CHECK(log.samples[log.samples.size() - 2].t_ns == (kMaxMonitorSamples - 1) * 100);  // the newest old one kept
  CHECK(log.samples.back().t_ns == kMaxMonitorSamples * 100);
  for (size_t i = 1; i < log.samples.size() - 1; ++i)
    CHECK(log.samples[i].t_ns - log.samples[i - 1].t_ns == 200);
}

TEST_CASE("a sample is due one period after the last") {
  MonitorLog log{.period_ns = 100};
  CHECK(log.due(0));
  log.append(at(1000, 0, 0));
  CHECK(!log.due(1099));
  CHECK(log.due(1100));
}

TEST_CASE("the run start is the exit frame minus the run's duration, never before the first frame") {
  MonitorLog log;
  CHECK(!log.run_start_ns(5));
  log.hello_ns = 2'000;
  CHECK(*log.run_start_ns(5) == 2'000);  // no exit frame: the first frame
  log.exit_ns = 10'000;
  CHECK(*log.run_start_ns(7'000) == 3'000);
  CHECK(*log.run_start_ns(9'000) == 2'000);  // a duration longer than the frames allow
}

TEST_CASE("monitor logs round-trip through JSON with CPUs as compact rows") {
  MonitorLog log{.error = "", .period_ns = 100'000'000, .halvings = 1, .hello_ns = 5, .exit_ns = 9};
  log.samples.push_back({.t_ns = 42,
                         .scx_state = "ENABLED",
                         .scx_exit_kind = "NONE",
                         .cpus = {CpuSample{.nr_running = 3,
                                            .scx_nr_running = 2,
                                            .clock_ns = 123456789,
                                            .curr_pid = 7,
                                            .curr_comm = "spin",
                                            .waiting = 2,
                                            .waiting_cpus = {0, 1, 2, 5},
                                            .waiting_known = true,
                                            .scx_oldest_wait_ms = 40}}});
  const nlohmann::json j = log;
  CHECK(j["samples"][0]["cpus"][0] == nlohmann::json::parse(R"([3,2,123456789,7,"spin",2,"0-2,5",true,40])"));
  CHECK(j["columns"].size() == std::size(kCpuSampleColumns));
  const MonitorLog back = j.get<MonitorLog>();
  CHECK(back.samples == log.samples);
  CHECK(back.period_ns == log.period_ns);
  CHECK(back.halvings == 1);
  CHECK(back.exit_ns == 9);
  // A row from a writer with fewer columns keeps the defaults.
  const CpuSample short_row = nlohmann::json::parse(R"([1,0,5])").get<CpuSample>();
  CHECK(short_row.clock_ns == 5);
  CHECK(short_row.curr_pid == -1);
  CHECK(!short_row.waiting_known);
}

TEST_CASE("monitor counters: per CPU, on the run's time axis, boot and unreadable samples left out") {
  MonitorLog log{.hello_ns = 1'000, .exit_ns = 10'000};
  log.samples.push_back({.t_ns = 500, .cpus = {CpuSample{.nr_running = 9, .curr_pid = 1}}});  // boot
  log.samples.push_back({.t_ns = 3'000, .cpus = {CpuSample{.nr_running = 2, .scx_nr_running = 1, .curr_pid = 1,
                                                           .waiting = 1, .scx_oldest_wait_ms = 40}}});
  log.samples.push_back({.t_ns = 4'000, .cpus = {CpuSample{.nr_running = 5, .curr_pid = -1}}});  // not read
  const auto counters = monitor_counters(log, 8'000);  // run start 10'000 - 8'000 = 2'000
  REQUIRE(counters.size() == 4);
  CHECK(counters[0].cpu == "cpu0");
  CHECK(counters[0].name == "nr_running");
  CHECK(counters[0].points == std::vector<std::pair<uint64_t, double>>{{1'000, 2.0}});
  CHECK(counters[1].name == "scx_nr_running");
  CHECK(counters[3].name == "scx_oldest_wait_ms");
  CHECK(counters[3].points.front().second == 40.0);
  CHECK(monitor_counters(MonitorLog{}, 8'000).empty());
}
