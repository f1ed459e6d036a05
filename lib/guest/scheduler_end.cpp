#include "guest/scheduler_end.hpp"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace ktstr::guest {

namespace {

// kernel/sched/ext.c, scx_exit_reason(), by kind.
constexpr std::array<std::string_view, 4> kUnregisterReasons = {
    "unregistered from user space", "unregistered from BPF", "unregistered from the main kernel",
    "disabled by sysrq-S"};
constexpr std::array<std::string_view, 3> kErrorReasons = {"runtime error", "scx_bpf_error", "runnable task stall"};

constexpr std::string_view kDisableLine = "sched_ext: BPF scheduler \"";

// The report's "sched_ext: ..." lines, joined with "; " (one line for a
// violation); the stack trace the kernel prints after an error
// (stack_trace_print, indented) stays in the exit_info event.
std::string one_line(std::string_view report) {
  std::string out;
  size_t pos = 0;
  while (pos < report.size()) {
    size_t nl = report.find('\n', pos);
    std::string_view line = report.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? report.size() : nl + 1;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.starts_with("sched_ext")) out += (out.empty() ? "" : "; ") + std::string(line);
  }
  return out;
}

std::string process_fate(const ExitStatus& p) {
  return p.exited ? fmt::format("exited with code {}", p.code)
                  : fmt::format("killed by signal {} ({})", p.code, strsignal(p.code));
}

}  // namespace

std::string sched_ext_disable_reason(std::string_view exit_report) {
  for (size_t at = exit_report.find(kDisableLine); at != std::string_view::npos;
       at = exit_report.find(kDisableLine, at + 1)) {
    std::string_view line = exit_report.substr(at, exit_report.find('\n', at) - at);
    auto open = line.find("\" disabled (");
    auto close = line.rfind(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open + 12)
      return std::string(line.substr(open + 12, close - open - 12));
  }
  return {};
}

ScxExit sched_ext_exit_kind(std::string_view exit_report) {
  const std::string reason = sched_ext_disable_reason(exit_report);
  for (auto r : kErrorReasons)
    if (reason == r) return ScxExit::kError;
  for (auto r : kUnregisterReasons)
    if (reason == r) return ScxExit::kUnregistered;
  return ScxExit::kUnknown;
}

std::string_view scheduler_end_kind(ScxExit kernel, const std::optional<ExitStatus>& process) {
  if (kernel == ScxExit::kError) return "ejected";
  if (process) return process->exited ? "exited" : "killed";
  return kernel == ScxExit::kUnregistered ? "unregistered" : "ejected";
}

std::string describe_scheduler_end(ScxExit kernel, const std::optional<ExitStatus>& process,
                                   std::string_view exit_report, std::string_view state) {
  const std::string report = one_line(exit_report);
  const std::string tail = report.empty() ? fmt::format("no sched_ext exit reason in the kernel log (sched_ext state '{}')", state)
                                          : report;
  if (kernel == ScxExit::kError)
    return fmt::format("ejected by the kernel ({}): {}", sched_ext_disable_reason(exit_report), tail);
  if (process) {
    const bool clean = process->success() && kernel == ScxExit::kUnregistered;
    return fmt::format("{}{}: {}", process_fate(*process), clean ? " after unregistering" : "", tail);
  }
  if (kernel == ScxExit::kUnregistered) return fmt::format("unregistered while its process still runs: {}", tail);
  return fmt::format("ejected: sched_ext left 'enabled' while the scheduler still runs: {}", tail);
}

std::string describe_late_exit(const ExitStatus& process) {
  return fmt::format("; the scheduler then {}{}", process.exited ? "" : "was ", process_fate(process));
}

}  // namespace ktstr::guest
