#include "host/verdict/report.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "host/verdict/report_ab.hpp"
#include "host/verdict/run_stats.hpp"

namespace ktstr::verdict {

namespace {

std::string_view outcome_verb(Outcome o) {
  switch (o) {
    case Outcome::kSkip: return "skipped";
    case Outcome::kPass: return "passed";
    case Outcome::kInconclusive: return "inconclusive";
    case Outcome::kFail: return "failed";
  }
  return "failed";
}

std::string header(const ReportContext& ctx, Outcome o) {
  return fmt::format("ktstr_test '{}' [sched={}] [topo={}] {}:", ctx.test,
                     ctx.scheduler.empty() ? "eevdf" : ctx.scheduler, ctx.topology, outcome_verb(o));
}

std::string opt(const std::optional<double>& v, const char* unit, int precision = 1) {
  if (!v) return "n/a";
  return fmt::format("{:.{}f}{}", *v, precision, unit);
}

double seconds(uint64_t ns) { return static_cast<double>(ns) / 1e9; }

void append_indented(std::string& out, std::string_view text) {
  if (text.empty()) {
    out += "  (empty)\n";
    return;
  }
  size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    out += fmt::format("  {}\n", line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
}

void append_stats(std::string& out, const RunTelemetry& t) {
  auto s = compute_stats(t);
  out += "--- stats ---\n";
  out += fmt::format("  workers {}, cpus {} (used {}), migrations {}, worst spread {}{}, worst gap {}{}\n",
                     s.workers, s.cpus, s.cpus_used, s.migrations, opt(s.worst_spread_pp, " pp"),
                     s.worst_spread_at.empty() ? "" : fmt::format(" ({})", s.worst_spread_at),
                     opt(s.worst_gap_ms, " ms"), s.worst_gap_at.empty() ? "" : fmt::format(" ({})", s.worst_gap_at));
  for (const auto& c : s.cgroups)
    out += fmt::format("  cgroup {}: workers {}, iter_rate {}, spread {}, gap {}, p99 wake {}, migrations {} ({})\n",
                       cgroup_display(c.name), c.workers, opt(c.mean_iteration_rate, "/s"),
                       opt(c.worst_spread_pp, " pp"), opt(c.worst_gap_ms, " ms"), opt(c.p99_wake_us, " us"),
                       c.migrations, opt(c.migrations_per_cpu_s, "/cpu-s", 2));
}

// Steps and scheduler events interleaved by time, so an ejection shows in
// the step it happened in.
void append_timeline(std::string& out, const RunTelemetry& t) {
  std::vector<std::tuple<uint64_t, int, std::string>> rows;  // time, tie-break, text
  for (const auto& st : t.steps) {
    auto ops = st.ops.empty() ? std::string() : fmt::format(" ops: {}", fmt::join(st.ops, "; "));
    rows.emplace_back(st.start_ns, 0,
                      fmt::format("{:8.3f}s step {} '{}' until {:.3f}s{}", seconds(st.start_ns), st.index, st.name,
                                  seconds(st.end_ns), ops));
  }
  for (const auto& e : t.scheduler.events)
    rows.emplace_back(e.t_ns, 1,
                      fmt::format("{:8.3f}s scheduler {}", seconds(e.t_ns), labelled(e.kind, e.detail)));
  for (auto& row : ab_timeline_rows(t)) rows.emplace_back(row.t_ns, 0, std::move(row.text));
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  out += "--- timeline ---\n";
  std::string text;
  for (const auto& r : rows) text += std::get<2>(r) + "\n";
  if (!text.empty()) text.pop_back();
  append_indented(out, text);
}

}  // namespace

std::string tail_lines(std::string_view text, int n) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (n <= 0) return {};
  // Walk back over n newlines; what follows the last one found is the tail.
  size_t begin = text.size();
  for (int i = 0; i < n; ++i) {
    if (begin == 0) return std::string(text);
    auto nl = text.rfind('\n', begin - 1);
    if (nl == std::string_view::npos) return std::string(text);
    begin = nl;
  }
  return std::string(text.substr(begin + 1));
}

std::string summary_line(const Verdict& v) {
  if (v.outcome != Outcome::kFail && v.outcome != Outcome::kInconclusive) return {};
  for (const auto& viol : v.violations)
    if (viol.severity == v.outcome)
      return fmt::format("{}: {}", v.outcome == Outcome::kFail ? "BUG SUMMARY" : "INCONCLUSIVE", format_violation(viol));
  return {};
}

std::string format_report(const ReportContext& ctx, const RunTelemetry& t, const Verdict& v) {
  std::string out = summary_line(v);
  if (!out.empty()) out += "\n";
  out += header(ctx, v.outcome) + "\n";
  for (const auto& violation : v.violations) out += fmt::format("  {}\n", format_violation(violation));
  if (v.violations.empty()) out += "  (no violations)\n";
  append_stats(out, t);
  out += format_ab_table(t);
  append_timeline(out, t);
  if (!ctx.monitor_tail.empty()) {
    out += "--- monitor: last sample per CPU ---\n";
    append_indented(out, ctx.monitor_tail);
  }
  out += fmt::format("--- scheduler log (last {} lines) ---\n", kLogTailLines);
  append_indented(out, tail_lines(t.scheduler.log_tail, kLogTailLines));
  out += fmt::format("--- kernel console (last {} lines) ---\n", kConsoleTailLines);
  append_indented(out, tail_lines(ctx.console_tail, kConsoleTailLines));
  out += "--- re-run ---\n";
  append_indented(out, ctx.rerun_command);
  return out;
}

std::string format_summary(const ReportContext& ctx, const RunTelemetry& t, const Verdict& v) {
  auto s = compute_stats(t);
  return fmt::format("{} {} workers, {} steps, worst spread {}, worst gap {}{}, {:.3f}s\n", header(ctx, v.outcome),
                     s.workers, t.steps.size(), opt(s.worst_spread_pp, " pp"), opt(s.worst_gap_ms, " ms"),
                     format_ab_brief(t), seconds(t.duration_ns));
}

std::string format_verdict(const ReportContext& ctx, const RunTelemetry& t, const Verdict& v, bool verbose) {
  bool full = verbose || v.outcome == Outcome::kFail || v.outcome == Outcome::kInconclusive;
  return full ? format_report(ctx, t, v) : format_summary(ctx, t, v);
}

}  // namespace ktstr::verdict
