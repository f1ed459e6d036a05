#include "guest/guest_args.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/fd.hpp"
#include "base/telemetry.hpp"
#include "guest/timing.hpp"

namespace ktstr::guest {

Result<GuestArgs> parse_guest_args(const std::vector<std::string>& args) {
  GuestArgs g;
  CLI::App app{"ktstr guest runtime"};
  std::string duration = "4s", enable_timeout = "30s";
  std::string topology;
  app.add_option("--test", g.test, "test name recorded in telemetry");
  app.add_option("--scenario", g.scenario, "canned scenario name");
  app.add_option("--duration", duration, "test duration (e.g. 4s, 500ms)");
  app.add_option("--topology", topology, "declared topology (NnLlCcTt or an uneven shape), verified against sysfs");
  app.add_option("--scheduler", g.scheduler, "sched_ext scheduler binary (none: EEVDF)");
  app.add_option("--sched-arg", g.sched_args, "argument for the scheduler (repeatable)")->allow_extra_args(false);
  app.add_option("--baseline", g.baseline,
                 "A/B run: play the scenarios under this scheduler first (eevdf or a binary), then under --scheduler");
  app.add_option("--baseline-arg", g.baseline_args, "argument for a baseline scheduler binary (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--enable-timeout", enable_timeout, "how long the scheduler may take to reach 'enabled'");
  app.add_option("--cpuset", g.cpuset, "cpuset spec for every worker cgroup (all, 0-3, llc:K, node:K, frac:A/B, split:K/N)");
  app.add_option("--work", g.work, "work type of the spinning cgroups (spin, futex_fanout, schbench, ...; lib/guest/README.md)");
  app.add_option("--policy", g.policy, "scheduling policy of the workers (normal, batch, idle, ext)");
  app.add_option("--snapshots", g.snapshots_per_step, "periodic snapshots per step of canned scenarios (0: none)")
      ->check(CLI::Range(0, static_cast<int>(kMaxSnapshots)));
  app.add_option("extra", g.extra, "arguments for the test body")->take_all();
  std::vector<std::string> rev(args.rbegin(), args.rend());  // CLI11 parses a reversed vector
  try {
    app.parse(rev);
  } catch (const CLI::CallForHelp&) {
    return fail("{}", app.help());
  } catch (const CLI::ParseError& e) {
    return fail("guest arguments: {}", e.what());
  }
  g.duration_ns = KTSTR_TRY(parse_duration(duration));
  g.enable_timeout = std::chrono::milliseconds(KTSTR_TRY(parse_duration(enable_timeout)) / 1'000'000);
  if (!topology.empty()) g.topology = topology;
  return g;
}

Result<std::vector<std::string>> read_argv_json(const std::string& path) {
  auto text = KTSTR_TRY(read_file(path));
  try {
    return nlohmann::json::parse(text).get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    return fail("{}: expected a JSON array of strings: {}", path, e.what());
  }
}

}  // namespace ktstr::guest
