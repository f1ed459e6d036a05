#include <doctest/doctest.h>

#include <csignal>

#include "guest/scheduler_end.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {
// What sched_ext_exit_reason returns for the three ways a scheduler stops
// (kernel/sched/ext.c: scx_ops_disable_workfn).
const std::string kUnreg = "sched_ext: BPF scheduler \"simple\" disabled (unregistered from user space)\n";
const std::string kBpfError =
    "sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error)\n"
    "sched_ext: qmap: scx_bpf_error (stall_user_nth triggered)\n"
    "   bpf__sched_ext_ops_enqueue+0x4b/0xa7\n";  // stack_trace_print: kept out of the one-line reason
const std::string kStall = "sched_ext: BPF scheduler \"wvt\" disabled (runnable task stall)\n";
const ExitStatus kClean{.exited = true, .code = 0};
const ExitStatus kKill9{.exited = false, .code = SIGKILL};
}  // namespace

TEST_CASE("the kernel's disable reason says ejection or orderly unregistration") {
  CHECK(sched_ext_disable_reason(kBpfError) == "scx_bpf_error");
  CHECK(sched_ext_exit_kind(kBpfError) == ScxExit::kError);
  CHECK(sched_ext_exit_kind(kStall) == ScxExit::kError);
  CHECK(sched_ext_exit_kind("sched_ext: BPF scheduler \"x\" disabled (runtime error)") == ScxExit::kError);
  CHECK(sched_ext_exit_kind(kUnreg) == ScxExit::kUnregistered);
  CHECK(sched_ext_exit_kind("sched_ext: BPF scheduler \"x\" disabled (unregistered from BPF)") == ScxExit::kUnregistered);
  CHECK(sched_ext_exit_kind("sched_ext: BPF scheduler \"x\" disabled (disabled by sysrq-S)") == ScxExit::kUnregistered);
  CHECK(sched_ext_exit_kind("") == ScxExit::kUnknown);
  CHECK(sched_ext_exit_kind("sched_ext: BPF scheduler \"x\" disabled (something new)") == ScxExit::kUnknown);
  CHECK(sched_ext_disable_reason("sched_ext: BPF scheduler \"x\" enabled").empty());
}

TEST_CASE("a clean exit after unregistering, a kill and an ejection read differently") {
  auto clean = describe_scheduler_end(ScxExit::kUnregistered, kClean, kUnreg, "disabled");
  CHECK(scheduler_end_kind(ScxExit::kUnregistered, kClean) == "exited");
  CHECK(clean ==
        "exited with code 0 after unregistering: sched_ext: BPF scheduler \"simple\" disabled (unregistered from user "
        "space)");

  CHECK(scheduler_end_kind(ScxExit::kUnregistered, kKill9) == "killed");
  CHECK(describe_scheduler_end(ScxExit::kUnregistered, kKill9, kUnreg, "disabled")
            .starts_with("killed by signal 9 (Killed): sched_ext: BPF scheduler \"simple\" disabled"));

  // The loader of an ejected scheduler often exits 0 right after: still an ejection.
  CHECK(scheduler_end_kind(ScxExit::kError, kClean) == "ejected");
  CHECK(scheduler_end_kind(ScxExit::kError, std::nullopt) == "ejected");
  CHECK(describe_scheduler_end(ScxExit::kError, kClean, kBpfError, "disabled") ==
        "ejected by the kernel (scx_bpf_error): sched_ext: BPF scheduler \"qmap\" disabled (scx_bpf_error); "
        "sched_ext: qmap: scx_bpf_error (stall_user_nth triggered)");
  CHECK(describe_late_exit(kClean) == "; the scheduler then exited with code 0");
  CHECK(describe_late_exit(kKill9) == "; the scheduler then was killed by signal 9 (Killed)");
}

TEST_CASE("a non-zero exit, an unregistration while alive and a silent kernel") {
  ExitStatus code1{.exited = true, .code = 1};
  CHECK(describe_scheduler_end(ScxExit::kUnknown, code1, "", "disabled") ==
        "exited with code 1: no sched_ext exit reason in the kernel log (sched_ext state 'disabled')");
  // "after unregistering" only when the kernel said so.
  CHECK(describe_scheduler_end(ScxExit::kUnregistered, code1, kUnreg, "disabled")
            .starts_with("exited with code 1: sched_ext"));
  CHECK(scheduler_end_kind(ScxExit::kUnregistered, std::nullopt) == "unregistered");
  CHECK(describe_scheduler_end(ScxExit::kUnregistered, std::nullopt, kUnreg, "disabled")
            .starts_with("unregistered while its process still runs: "));
  CHECK(scheduler_end_kind(ScxExit::kUnknown, std::nullopt) == "ejected");
  CHECK(describe_scheduler_end(ScxExit::kUnknown, std::nullopt, "", "disabling") ==
        "ejected: sched_ext left 'enabled' while the scheduler still runs: no sched_ext exit reason in the kernel log "
        "(sched_ext state 'disabling')");
}
