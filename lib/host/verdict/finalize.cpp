#include "host/verdict/finalize.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "host/verdict/cdash.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/monitor_report.hpp"
#include "host/verdict/report.hpp"
#include "host/verdict/timeline.hpp"

namespace ktstr::verdict {

namespace {
std::string now_utc() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

// The run's phases with the judging time added to the verdict phase.
std::vector<Phase> run_phases(const RunRecord& r, std::chrono::steady_clock::time_point judged_from) {
  RunClock c = r.clock;
  c.verdict_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - judged_from).count();
  return split_phases(c, &r.telemetry);
}

}  // namespace

Sidecar make_sidecar(const RunRecord& r, const Thresholds& effective, const Verdict& v) {
  return Sidecar{.test = r.test,
                 .variant = r.variant,
                 .topology = r.topology,
                 .project_commit = r.project_commit,
                 .created_at = r.created_at.empty() ? now_utc() : r.created_at,
                 .kernel = r.kernel,
                 .scheduler = r.scheduler,
                 .thresholds = effective,
                 .facts = r.facts,
                 .verdict = v,
                 .timings = r.timings,
                 .console_log = r.console_log,
                 .rerun_command = r.rerun_command,
                 .telemetry = r.telemetry};
}

Finalized finalize_run(const RunRecord& r) {
  Finalized out;
  const auto judged_from = std::chrono::steady_clock::now();
  auto effective = merge_layers(r.scheduler_thresholds, r.test_thresholds);
  out.verdict = judge(r.telemetry, r.facts, effective);
  out.exit_code = exit_code(out.verdict.outcome);
  out.sidecar = sidecar_path(r.build_dir, r.kernel.key, r.project_commit, r.variant);
  Sidecar record = make_sidecar(r, effective, out.verdict);
  record.timings.phases = run_phases(r, judged_from);
  if (auto w = write_sidecar(out.sidecar, record); !w) out.sidecar_error = w.error().message;
  out.timeline = timeline_paths(out.sidecar);
  if (auto w = write_timeline(record, out.timeline); !w) out.timeline_error = w.error().message;
  ReportContext ctx{.test = r.variant.empty() ? r.test : r.variant,
                    .scheduler = r.scheduler.name,
                    .topology = r.topology,
                    .console_tail = r.console_tail,
                    .rerun_command = r.rerun_command,
                    .monitor_tail = last_sample_text(r.facts.monitor)};
  out.text = format_verdict(ctx, r.telemetry, out.verdict, r.verbose);
  if (r.verbose) out.text += fmt::format("phases: {}\n", format_phases(record.timings.phases));
  if (r.cdash) out.text += cdash_measurements(r.telemetry, out.verdict);
  if (out.verdict.outcome == Outcome::kFail || out.verdict.outcome == Outcome::kInconclusive) {
    out.text += fmt::format("sidecar: {}{}\n", out.sidecar.string(),
                            out.sidecar_error.empty() ? "" : fmt::format(" (not written: {})", out.sidecar_error));
    out.text += out.timeline_error.empty()
                    ? fmt::format("timeline: {} (trace for ui.perfetto.dev: {})\n", out.timeline.svg.string(),
                                  out.timeline.trace.string())
                    : fmt::format("timeline: not written: {}\n", out.timeline_error);
  }
  return out;
}

}  // namespace ktstr::verdict
