// The host-side monitor's checks and report section on synthetic samples,
// and the sidecar's "monitor" key (old sidecars without it still load).
#include <doctest/doctest.h>

#include "base/fd.hpp"
#include "fixtures.hpp"
#include "host/verdict/checks.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/monitor_report.hpp"
#include "host/verdict/report.hpp"
#include "host/verdict/sidecar.hpp"
#include "host/verdict/timeline.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {

constexpr uint64_t kMs = 1'000'000;

CpuSample busy(uint64_t clock_ns, uint32_t nr_running = 1) {
  return {.nr_running = nr_running, .clock_ns = clock_ns, .curr_pid = 100, .curr_comm = "spin", .waiting_known = true};
}
CpuSample idle(uint64_t clock_ns) {
  return {.clock_ns = clock_ns, .curr_pid = 0, .curr_comm = "swapper", .waiting_known = true};
}

// n samples 100 ms apart; cpu(k) builds each CPU of sample k.
template <class... Cpu>
VmFacts sampled(int n, Cpu... cpu) {
  VmFacts f;
  f.monitor.period_ns = 100 * kMs;
  for (int k = 0; k < n; ++k)
    f.monitor.samples.push_back({.t_ns = static_cast<uint64_t>(k) * 100 * kMs, .cpus = {cpu(k)...}});
  return f;
}

uint64_t at(int k) { return static_cast<uint64_t>(k) * 100 * kMs; }

Thresholds stall_limit(double ms) { return Thresholds{.max_rq_stall_ms = ms}; }

}  // namespace

TEST_CASE("rq_stall: a CPU whose clock stops with runnable tasks fails, named, once past the limit") {
  // CPU 0 keeps running; CPU 1's clock stops at 1 s with 2 runnable tasks for 6 s of guest time.
  auto f = sampled(
      80, [](int k) { return busy(at(k)); }, [](int k) { return busy(std::min(at(k), at(10)), k >= 10 ? 2 : 1); });
  auto v = check_rq_stall(healthy_run(), f, stall_limit(5000));
  REQUIRE(v.size() == 1);
  CHECK(v[0].check == "rq_stall");
  CHECK(v[0].subject == "cpu 1");
  CHECK(v[0].observed == doctest::Approx(6900));
  CHECK(v[0].detail.find("stuck at 1.000000 s with 2 runnable tasks") != std::string::npos);
  CHECK(check_rq_stall(healthy_run(), f, stall_limit(7000)).empty());
  CHECK(check_rq_stall(healthy_run(), f, Thresholds{}).empty());  // unset: off
}

TEST_CASE("rq_stall: a CPU that only runs its idle task while it holds runnable tasks fails too") {
  // CPU 1's clock moves (timer wakeups) but from 1 s on it runs swapper with
  // 3 sched_ext tasks queued: a scheduler that stopped dispatching them.
  auto f = sampled(
      80, [](int k) { return busy(at(k)); },
      [](int k) {
        if (k < 10) return busy(at(k));
        CpuSample c = idle(at(k));
        c.nr_running = c.scx_nr_running = 3;
        return c;
      });
  auto v = check_rq_stall(healthy_run(), f, stall_limit(5000));
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cpu 1");
  // From sample 9 (the last with a task running: the stall began after it) to 79.
  CHECK(v[0].observed == doctest::Approx(7000));
  CHECK(v[0].detail.find("idle with 3 runnable tasks (3 sched_ext)") != std::string::npos);
  SUBCASE("one sample running a task ends the episode") {
    f.monitor.samples[45].cpus[1] = busy(at(45), 3);
    CHECK(check_rq_stall(healthy_run(), f, stall_limit(3500)).empty());
  }
}

TEST_CASE("rq_stall is on by default (built-in limit) and judges only runs with samples") {
  auto f = sampled(
      80, [](int k) { return busy(at(k)); }, [](int) { return busy(at(1), 3); });
  CHECK(merge_layers({}, {}).max_rq_stall_ms == kDefaultRqStallMs);
  auto v = judge(healthy_run(), f, merge_layers({}, {}));
  CHECK(v.outcome == Outcome::kFail);
  CHECK(judge(healthy_run(), VmFacts{}, merge_layers({}, {})).outcome == Outcome::kPass);
}

TEST_CASE("rq_stall ignores what is not a stalled runqueue") {
  SUBCASE("an idle CPU's clock stops (no tick) without runnable tasks") {
    auto f = sampled(
        80, [](int k) { return busy(at(k)); }, [](int) { return idle(at(1)); });
    CHECK(check_rq_stall(healthy_run(), f, stall_limit(1000)).empty());
  }
  SUBCASE("the whole VM paused by the host: no guest time passes") {
    auto f = sampled(
        80, [](int) { return busy(at(3), 2); }, [](int) { return busy(at(3), 2); });
    CHECK(check_rq_stall(healthy_run(), f, stall_limit(1000)).empty());
  }
  SUBCASE("a one-CPU guest: its own clock is the guest's time") {
    auto f = sampled(80, [](int) { return busy(at(3), 2); });
    CHECK(check_rq_stall(healthy_run(), f, stall_limit(1000)).empty());
  }
  SUBCASE("an unreadable sample ends the episode") {
    auto f = sampled(
        80, [](int k) { return busy(at(k)); },
        [](int k) {
          CpuSample c = busy(at(1), 2);
          if (k % 30 == 0) c.curr_pid = -1;
          return c;
        });
    CHECK(check_rq_stall(healthy_run(), f, stall_limit(3000)).empty());
  }
}

TEST_CASE("idle_waiting: a CPU idle while a task allowed on it waits elsewhere, opt-in") {
  // CPU 0 runs one task and holds one waiting task allowed on CPUs 0-1; CPU 1 idles for 2.5 s.
  auto f = sampled(
      40,
      [](int k) {
        CpuSample c = busy(at(k), 2);
        c.waiting = 1;
        c.waiting_cpus = k >= 10 && k < 36 ? std::vector<int>{0, 1} : std::vector<int>{0};
        return c;
      },
      [](int k) { return idle(at(k)); });
  CHECK(check_idle_waiting(healthy_run(), f, Thresholds{}).empty());  // off by default
  auto v = check_idle_waiting(healthy_run(), f, Thresholds{.work_conservation = true});
  REQUIRE(v.size() == 1);
  CHECK(v[0].subject == "cpu 1");
  CHECK(v[0].observed == doctest::Approx(2500));
  CHECK(v[0].threshold == kDefaultIdleWaitingMs);
  CHECK(v[0].detail.find("idle while CPUs 0 held waiting tasks") != std::string::npos);
  CHECK(check_idle_waiting(healthy_run(), f, Thresholds{.max_idle_waiting_ms = 3000}).empty());
  CHECK(check_idle_waiting(healthy_run(), f, Thresholds{.work_conservation = false, .max_idle_waiting_ms = 2000})
            .size() == 1);
}

TEST_CASE("idle_waiting needs a known walk and a task allowed on the idle CPU") {
  auto make = [](bool known, std::vector<int> allowed) {
    return sampled(
        40,
        [=](int k) {
          CpuSample c = busy(at(k), 2);
          c.waiting = 1;
          c.waiting_cpus = allowed;
          c.waiting_known = known;
          return c;
        },
        [](int k) { return idle(at(k)); });
  };
  const Thresholds on{.max_idle_waiting_ms = 500};
  CHECK(check_idle_waiting(healthy_run(), make(false, {0, 1}), on).empty());
  CHECK(check_idle_waiting(healthy_run(), make(true, {0}), on).empty());  // pinned to CPU 0
  CHECK(check_idle_waiting(healthy_run(), make(true, {1}), on).size() == 1);
}

TEST_CASE("the report shows every CPU of the last sample, nothing without a monitor") {
  MonitorLog log{.period_ns = 100 * kMs};
  CpuSample c0 = busy(12'345'678'901, 3);
  c0.scx_nr_running = 2;
  c0.waiting = 2;
  c0.waiting_cpus = {0, 1, 2, 3};
  c0.scx_oldest_wait_ms = 40;
  CpuSample c2 = busy(1);
  c2.curr_pid = -1;
  log.samples.push_back({.t_ns = 45'200 * kMs, .scx_state = "ENABLED", .scx_exit_kind = "NONE",
                         .cpus = {c0, idle(12'000'000'000), c2}});
  const std::string text = last_sample_text(log);
  CHECK(text == "1 samples, every 100 ms; the last 45.200 s after launch (sched_ext ENABLED, exit NONE)\n"
                "cpu 0: 3 runnable (2 sched_ext), running 100 spin, 2 waiting (allowed on 0-3), oldest sched_ext "
                "wait 40 ms, rq clock 12.345679 s\n"
                "cpu 1: idle, rq clock 12.000000 s\n"
                "cpu 2: not readable");
  CHECK(last_sample_text(MonitorLog{}).empty());
  CHECK(last_sample_text(MonitorLog{.error = "no vmlinux"}) == "no samples: no vmlinux");

  const auto t = healthy_run();
  Verdict v{.outcome = Outcome::kFail, .violations = {Violation{.check = "timeout", .subject = "vm"}}};
  const std::string with = format_report({.test = "x", .monitor_tail = text}, t, v);
  CHECK(with.find("--- monitor: last sample per CPU ---\n  1 samples") != std::string::npos);
  CHECK(with.find("  cpu 1: idle") != std::string::npos);
  CHECK(format_report({.test = "x"}, t, v).find("--- monitor") == std::string::npos);
}

TEST_CASE("the sidecar keeps the monitor under its own key, sidecars without one still load") {
  auto dir = temp_dir();
  Sidecar s;
  s.telemetry = healthy_run();
  s.facts.monitor.period_ns = 100 * kMs;
  s.facts.monitor.samples.push_back({.t_ns = 1, .scx_state = "DISABLED", .cpus = {busy(5, 2)}});
  const auto path = dir.path() / "s.json";
  REQUIRE(write_sidecar(path, s));
  auto j = nlohmann::json::parse(*read_file(path));
  CHECK(j.contains("monitor"));
  CHECK(!j["facts"].contains("monitor"));
  auto back = read_sidecar(path);
  REQUIRE(back);
  CHECK(back->facts.monitor.samples == s.facts.monitor.samples);

  j.erase("monitor");  // a sidecar written before the monitor existed
  REQUIRE(write_file_atomic(path, j.dump()));
  auto old = read_sidecar(path);
  REQUIRE(old);
  CHECK(old->facts.monitor.samples.empty());
  CHECK(old->facts.monitor.error.empty());
  CHECK(judge(old->telemetry, old->facts, merge_layers({}, {})).outcome == Outcome::kPass);
}

TEST_CASE("the trace has the monitor's samples as counter tracks, one group per CPU, on the run's time axis") {
  Sidecar s;
  s.telemetry = healthy_run();
  s.telemetry.duration_ns = 2 * kSecond;
  s.facts.monitor.hello_ns = 1 * kSecond;
  s.facts.monitor.exit_ns = 4 * kSecond;  // run start: 4 s - 2 s = 2 s after launch
  for (int k = 0; k < 3; ++k)
    s.facts.monitor.samples.push_back(
        {.t_ns = 2 * kSecond + static_cast<uint64_t>(k) * 100 * kMs, .cpus = {busy(at(k), 2 + k), idle(at(k))}});
  const auto trace = nlohmann::json::parse(timeline_trace(s));
  int nr_running = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "C" || e["cat"] != "monitor cpu0" || e["name"] != "nr_running") continue;
    CHECK(e["ts"].get<double>() == doctest::Approx(nr_running * 100'000.0));  // microseconds
    CHECK(e["args"]["tasks"] == 2 + nr_running);
    ++nr_running;
  }
  CHECK(nr_running == 3);
}
