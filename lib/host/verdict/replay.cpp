#include "host/verdict/replay.hpp"

#include <fmt/format.h>

#include "base/fd.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/monitor_report.hpp"
#include "host/verdict/report.hpp"

namespace ktstr::verdict {

Result<ReplayResult> replay_sidecar(const Sidecar& s, std::span<const std::string> sets, bool verbose) {
  Thresholds th = s.thresholds;
  for (const auto& set : sets) KTSTR_TRY_VOID(apply_set(th, set));
  ReplayResult r;
  r.verdict = judge(s.telemetry, s.facts, th);
  std::string console;
  if (!s.console_log.empty()) {
    // A missing console log (moved build tree) only loses the tail section.
    if (auto text = read_file(s.console_log)) console = std::move(*text);
  }
  ReportContext ctx{.test = s.variant.empty() ? s.test : s.variant,
                    .scheduler = s.scheduler.name,
                    .topology = s.topology.empty() ? s.telemetry.topology : s.topology,
                    .console_tail = tail_lines(console, kConsoleTailLines),
                    .rerun_command = s.rerun_command,
                    .monitor_tail = last_sample_text(s.facts.monitor)};
  r.text = format_verdict(ctx, s.telemetry, r.verdict, verbose);
  r.exit_code = exit_code(r.verdict.outcome);
  return r;
}

Result<ReplayResult> replay_file(const std::filesystem::path& path, std::span<const std::string> sets, bool verbose) {
  auto s = KTSTR_TRY(read_sidecar(path));
  return replay_sidecar(s, sets, verbose);
}

Result<std::string> list_runs(const std::filesystem::path& dir) {
  std::string out;
  int n = 0;
  for (const auto& path : KTSTR_TRY(find_sidecars(dir))) {
    auto s = read_sidecar(path);
    if (!s) continue;
    ++n;
    out += fmt::format("{:<12} {} sched={} topo={} kernel={} commit={} {:.1f}s violations={} {}\n",
                       outcome_name(s->verdict.outcome), s->variant.empty() ? s->test : s->variant,
                       s->scheduler.name.empty() ? "eevdf" : s->scheduler.name, s->topology,
                       s->kernel.version.empty() ? s->kernel.key : s->kernel.version, s->project_commit,
                       s->timings.total_s, s->verdict.violations.size(), path.string());
  }
  out += fmt::format("{} run(s) under {}\n", n, dir.string());
  return out;
}

}  // namespace ktstr::verdict
