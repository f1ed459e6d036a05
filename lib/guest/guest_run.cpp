#include "guest/guest_run.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>

#include <fmt/ranges.h>

#include "base/exit_codes.hpp"
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
    if (tel.baseline) tel.baseline->workers.clear();
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

// "a,b,c" runs several canned scenarios back to back in one boot.
Result<void> run_canned(GuestContext& ctx, std::string_view names) {
  std::vector<Scenario> list;
  for (std::string_view rest = names; !rest.empty();) {
    auto comma = rest.find(',');
    list.push_back(KTSTR_TRY(ctx.canned(rest.substr(0, comma))));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return ctx.run_all(list);
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

  SchedulerSlot slot({.enable_timeout = args.enable_timeout, .run_start_ns = run_start,
                      .on_event = [channel](const SchedEvent& e) {
                        if (channel) (void)channel->send(proto::MsgType::kSchedEvent, nlohmann::json(e).dump());
                      }});
  // An A/B run attaches the scheduler under test in its first run (after
  // the baseline phase); otherwise it is attached before the body starts.
  if (!args.scheduler.empty() && args.baseline.empty()) {
    KTSTR_TRY_VOID(slot.attach({.binary = args.scheduler, .args = args.sched_args}, &tel.scheduler));
    if (!slot.current()) return {};  // failed to attach: recorded in tel.scheduler
    log(channel, fmt::format("scheduler {} enabled (ops {})", tel.scheduler.name, slot.current()->telemetry().ops_name));
  }

  bool stop_latched = false;
  auto stop_requested = [&] {
    if (!stop_latched && channel) {
      auto c = channel->poll_control();
      stop_latched = c && c->first == proto::ControlType::kStop;
    }
    return stop_latched || g_stop_signal.load();
  };
  GuestContext ctx(args, layout, cgroups, slot, tel, run_start, stop_requested);
  Result<void> r = hooks.body ? hooks.body(ctx) : run_canned(ctx, args.scenario);
  if (auto d = slot.detach(); !d && r) r = std::unexpected(d.error());
  // Every cgroup a step created must be gone by now; a leftover is a runtime bug.
  std::vector<std::string> left;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cgroups.root().path(), ec))
    if (e.is_directory()) left.push_back(e.path().filename().string());
  if (r && !left.empty()) return fail("cgroups left behind after the run: {}", fmt::join(left, ", "));
  return r;
}

}  // namespace

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
