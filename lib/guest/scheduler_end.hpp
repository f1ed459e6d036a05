// How a watched sched_ext scheduler stopped, told apart from what the kernel
// logged and what happened to its process: ejected by the kernel (an error
// exit), killed by a signal, exited on its own, or unregistered while its
// process still runs. Pure; the SchedulerRunner feeds it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/process.hpp"

namespace ktstr::guest {

// The kernel's exit kind, from the REASON of its line
// 'sched_ext: BPF scheduler "NAME" disabled (REASON)' (kernel/sched/ext.c,
// scx_exit_reason and scx_ops_disable_workfn: kinds >= SCX_EXIT_ERROR —
// "runtime error", "scx_bpf_error", "runnable task stall" — are the kernel
// ejecting the scheduler; "unregistered from user space/BPF/the main kernel"
// and "disabled by sysrq-S" are orderly unregistrations).
enum class ScxExit { kUnknown, kUnregistered, kError };

// Classifies the exit report (sched_ext_exit_reason's text); kUnknown when it
// holds no disable line or an unknown reason.
ScxExit sched_ext_exit_kind(std::string_view exit_report);

// The REASON in the report's disable line ("scx_bpf_error"); empty without one.
std::string sched_ext_disable_reason(std::string_view exit_report);

// The SchedEvent kind for the end (lib/base/telemetry.hpp): "ejected" for an
// error exit whatever the process did next, else "killed" (signal), "exited"
// (exit code), "unregistered" (process alive, the kernel says unregistered)
// or "ejected" (process alive, sched_ext no longer enabled, no reason logged).
std::string_view scheduler_end_kind(ScxExit kernel, const std::optional<ExitStatus>& process);

// One line, starting with the kind's words, e.g. "exited with code 0 after
// unregistering: sched_ext: BPF scheduler \"simple\" disabled (unregistered
// from user space)" or "ejected by the kernel (scx_bpf_error): sched_ext: ...".
// exit_report's lines are joined with "; "; state is the sched_ext state now.
std::string describe_scheduler_end(ScxExit kernel, const std::optional<ExitStatus>& process,
                                   std::string_view exit_report, std::string_view state);

// What the process did after an ejection: "; the scheduler then exited with code 0".
std::string describe_late_exit(const ExitStatus& process);

}  // namespace ktstr::guest
