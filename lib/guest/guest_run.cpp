#include "guest/guest_run.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>

#include <fmt/ranges.h>

#include "base/exit_codes.hpp"
#include "guest/scenario_runner.hpp"
#include "guest/scenarios.hpp"
#include "guest/snapshot_book.hpp"
#include "guest/telemetry_codec.hpp"
#include "guest/work.hpp"

namespace ktstr::guest {
namespace {

std::atomic<bool> g_stop_signal{false};
extern "C" void on_stop_signal(int) { g_stop_signal.store(true); }

// Sends (or prints) the telemetry; the size bound keeps it within one frame.
void report(RunTelemetry& tel, Channel* channel) {
  const size_t budget = channel ? std::min<size_t>(kDefaultTelemetryBudget, channel->max_payload()) : kDefaultTelemetryBudget;
  auto json = encode_telemetry(tel, budget);
  if (!json) {
    tel.workers.clear();
    tel.error += (tel.error.empty() ? "" : "; ") + json.error().message;
    json = encode_telemetry(tel, budget);
  }
  if (!json) return;
  if (channel) {
    if (auto r = channel->send(proto::MsgType::kTelemetry, *json); !r)
      fmt::print(stderr, "ktstr guest: sending telemetry: {}\n", r.error().message);
  } else {
    fmt::print("{}\n", *json);
  }
}

void log(Channel* channel, const std::string& text) {
  fmt::print(stderr, "ktstr guest: {}\n", text);
  if (channel) (void)channel->send(proto::MsgType::kLog, text);
}

// The part of the run that can fail as infrastructure; fills tel throughout.
Result<void> run_body(const GuestArgs& args, Channel* channel, const GuestHooks& hooks, RunTelemetry& tel,
                      uint64_t run_start) {
  const CpuLayout layout = KTSTR_TRY_CTX(read_cpu_layout("/sys"), "reading the guest CPU topology");
  auto shape = layout.shape();
  tel.vcpus = static_cast<int>(layout.cpus.size());
  // A debug kernel (lockdep, kmemleak) schedules more slowly; the host uses
  // looser default thresholds for it. /proc/lockdep exists with
  // CONFIG_LOCKDEP, /sys/kernel/debug/kmemleak with CONFIG_DEBUG_KMEMLEAK.
  tel.debug_kernel = std::filesystem::exists("/proc/lockdep") || std::filesystem::exists("/sys/kernel/debug/kmemleak");
  tel.topology = shape ? shape->str() : "";
  if (args.topology) {
    auto declared = KTSTR_TRY(Topology::parse(*args.topology));
    tel.topology = declared.str();
    if (!shape) return fail("topology mismatch: declared {}, guest layout is irregular: {}", declared.str(), shape.error().message);
    if (!shape->same_cpus(declared))
      return fail("topology mismatch: declared {}, guest sees {} ({} CPUs)", declared.str(), shape->str(), layout.cpus.size());
    if (auto bad = layout.memory_mismatches(declared); !bad.empty())
      return fail("topology mismatch: declared {}, {}", declared.str(), fmt::join(bad, "; "));
  }
  if (channel) {
    nlohmann::json topo{{"topology", tel.topology}, {"cpus", layout.cpus}, {"llcs", layout.llcs}, {"nodes", layout.nodes}};
    (void)channel->send(proto::MsgType::kTopology, topo.dump());
  }
  const CgroupManager cgroups = KTSTR_TRY(CgroupManager::open());

  std::unique_ptr<SchedulerRunner> sched;
  if (!args.scheduler.empty()) {
    tel.scheduler.name = std::filesystem::path(args.scheduler).filename().string();
    auto started = SchedulerRunner::start({.binary = args.scheduler, .args = args.sched_args,
                                           .enable_timeout = args.enable_timeout, .run_start_ns = run_start,
                                           .on_event = [channel](const SchedEvent& e) {
                                             if (channel)
                                               (void)channel->send(proto::MsgType::kSchedEvent, nlohmann::json(e).dump());
                                           }});
    if (!started) {
      // Exec failures are infrastructure; dying or never enabling is the scheduler's.
      if (SchedulerRunner::start_never_ran(started.error())) return std::unexpected(started.error());
      tel.scheduler.failed = true;
      tel.scheduler.failure = started.error().message;
      return {};
    }
    sched = std::move(*started);
    sched->watch();
    log(channel, fmt::format("scheduler {} enabled (ops {})", tel.scheduler.name, sched->telemetry().ops_name));
  }

  bool stop_latched = false;
  auto stop_requested = [&] {
    if (!stop_latched && channel) {
      auto c = channel->poll_control();
      stop_latched = c && c->first == proto::ControlType::kStop;
    }
    return stop_latched || g_stop_signal.load();
  };
  GuestContext ctx(args, layout, cgroups, sched.get(), tel, run_start, stop_requested);
  Result<void> r;
  if (hooks.body) {
    r = hooks.body(ctx);
  } else {
    // "a,b,c" runs several canned scenarios back to back in one boot.
    for (std::string_view rest = args.scenario; r && !rest.empty() && !stop_requested();) {
      auto comma = rest.find(',');
      auto s = ctx.canned(rest.substr(0, comma));
      r = s ? ctx.run(*s) : Result<void>(std::unexpected(s.error()));
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      if (sched && sched->failed()) break;
    }
  }
  if (sched) {
    sched->stop();
    tel.scheduler = sched->telemetry();
  }
  // Every cgroup a step created must be gone by now; a leftover is a runtime bug.
  std::vector<std::string> left;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cgroups.root().path(), ec))
    if (e.is_directory()) left.push_back(e.path().filename().string());
  if (r && !left.empty()) return fail("cgroups left behind after the run: {}", fmt::join(left, ", "));
  return r;
}

}  // namespace

Result<void> GuestContext::run(const Scenario& s, uint64_t duration_ns) {
  RunTelemetry part;
  RunContext rc{.layout = &layout_, .cgroups = &cgroups_, .scheduler = sched_,
                .duration_ns = duration_ns ? duration_ns : args_.duration_ns, .run_start_ns = run_start_ns_,
                .stop_requested = stop_requested_};
  auto r = run_scenario(s, rc, part);
  // Renumber steps so several scenarios in one test stay distinguishable.
  const int base = static_cast<int>(tel_.steps.size());
  for (auto& st : part.steps) st.index += base, tel_.steps.push_back(std::move(st));
  for (auto& c : part.cgroups) c.step += base, tel_.cgroups.push_back(std::move(c));
  for (auto& w : part.workers) w.step += base, tel_.workers.push_back(std::move(w));
  for (auto& sn : part.snapshots) sn.step += base, append_snapshot(tel_, std::move(sn));
  tel_.snapshots_dropped += part.snapshots_dropped;
  return r;
}

Result<Scenario> GuestContext::canned(std::string_view name) const {
  ScenarioParams p{.layout = &layout_, .cpuset = args_.cpuset};
  p.work = KTSTR_TRY(parse_work_type(args_.work));
  p.policy = KTSTR_TRY(parse_policy(args_.policy));
  Scenario s = KTSTR_TRY(make_scenario(name, p));
  s.snapshots_per_step = args_.snapshots_per_step;
  return s;
}

int run_guest(const std::vector<std::string>& argv, Channel* channel, const GuestHooks& hooks) {
  const uint64_t run_start = monotonic_ns();
  RunTelemetry tel{.start_uptime_ns = run_start};
  signal(SIGTERM, on_stop_signal);
  signal(SIGINT, on_stop_signal);
  auto args = parse_guest_args(argv);
  if (!args) {
    tel.error = args.error().message;
    log(channel, tel.error);
    report(tel, channel);
    return kExitInfra;
  }
  tel.test = args->test;
  tel.scheduler.name = std::filesystem::path(args->scheduler).filename().string();
  Result<void> r;
  try {
    r = run_body(*args, channel, hooks, tel, run_start);
  } catch (const std::exception& e) {
    r = fail("unexpected exception in the guest runtime: {}", e.what());
  }
  tel.duration_ns = monotonic_ns() - run_start;
  if (!r) {
    tel.error = r.error().message;
    log(channel, "error: " + tel.error);
  }
  report(tel, channel);
  if (!tel.error.empty()) return kExitInfra;
  return tel.scheduler.failed || !tel.assertions.empty() ? kExitFail : kExitPass;
}

}  // namespace ktstr::guest
