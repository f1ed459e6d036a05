// Always-on checks: a bare test must not pass while the scheduler is broken
// (safe by default: ejection, death, panic, timeout and zero progress always
// fail; lib/host/verdict/README.md).
#include <fmt/format.h>

#include "base/exit_codes.hpp"
#include "host/verdict/checks.hpp"
#include "host/verdict/metrics.hpp"

namespace ktstr::verdict {

namespace {
// The first event saying how the scheduler stopped is the cause; a later one
// (the loader exiting after an ejection) is a consequence. "died" is how
// sidecars before the exited/killed split name a process end.
std::string failure_kind(const SchedulerTelemetry& s) {
  for (const auto& e : s.events)
    for (const char* k : {"ejected", "killed", "exited", "unregistered", "timeout", "died"})
      if (e.kind == k) return e.kind;
  return "failed";
}
}  // namespace

std::vector<Violation> check_scheduler(const RunTelemetry& t, const VmFacts&, const Thresholds&) {
  const auto& s = t.scheduler;
  auto subject = s.name.empty() ? std::string("eevdf") : s.name;
  if (s.failed) {
    return {Violation{.check = "scheduler",
                      .subject = subject,
                      .detail = labelled(failure_kind(s), s.failure.empty() ? "no reason reported" : s.failure)}};
  }
  if (!s.name.empty() && !s.attached && t.error.empty())
    return {Violation{.check = "scheduler", .subject = subject, .detail = "never attached (sched_ext not enabled)"}};
  return {};
}

std::vector<Violation> check_panic(const RunTelemetry&, const VmFacts& f, const Thresholds&) {
  if (!f.panic) return {};
  return {Violation{.check = "panic", .subject = "guest kernel", .detail = "kernel panic (see console tail)"}};
}

std::vector<Violation> check_timeout(const RunTelemetry&, const VmFacts& f, const Thresholds&) {
  if (!f.timeout) return {};
  return {Violation{.check = "timeout", .subject = "vm", .detail = "the VM did not finish before its deadline"}};
}

std::vector<Violation> check_zero_progress(const RunTelemetry& t, const VmFacts&, const Thresholds&) {
  std::vector<Violation> out;
  for (const auto& w : t.workers) {
    if (w.iterations != 0) continue;
    out.push_back(Violation{.check = "zero_progress",
                            .subject = worker_label(w),
                            .observed = 0.0,
                            .unit = "iterations",
                            .detail = fmt::format("{:.3f} s measured", static_cast<double>(w.wall_ns) / 1e9)});
  }
  return out;
}

std::vector<Violation> check_guest_result(const RunTelemetry& t, const VmFacts& f, const Thresholds&) {
  std::vector<Violation> out;
  for (const auto& a : t.assertions) {
    auto detail = a.message.empty() ? a.expr : fmt::format("{} ({})", a.expr, a.message);
    out.push_back(Violation{.check = "assertion", .subject = fmt::format("{}:{}", a.file, a.line), .detail = detail});
  }
  // A non-zero exit the telemetry does not explain (no assertion, no
  // scheduler failure) still fails; the infra codes are judged by
  // check_infra and skip by the judge.
  if (out.empty() && !t.scheduler.failed && f.guest_exit_code && *f.guest_exit_code != kExitPass && *f.guest_exit_code != kExitSkip &&
      (*f.guest_exit_code < kExitInfra || *f.guest_exit_code > kExitNoResult))
    out.push_back(Violation{.check = "guest_exit",
                            .subject = "guest",
                            .observed = static_cast<double>(*f.guest_exit_code),
                            .detail = "guest test program exited non-zero"});
  return out;
}

std::vector<Violation> check_infra(const RunTelemetry& t, const VmFacts& f, const Thresholds&) {
  std::vector<Violation> out;
  auto infra = [&](std::string subject, std::string detail) {
    out.push_back(Violation{.check = "infra", .subject = std::move(subject), .detail = std::move(detail),
                            .severity = Outcome::kInconclusive});
  };
  if (!t.error.empty()) infra("guest", t.error);
  if (!f.infra_error.empty()) infra("host", f.infra_error);
  if (f.no_result && !f.panic && !f.timeout) infra("guest", "no telemetry received");
  if (f.guest_exit_code && *f.guest_exit_code >= kExitInfra && *f.guest_exit_code <= kExitNoResult &&
      t.error.empty() && f.infra_error.empty())
    infra("guest", fmt::format("guest exited with infrastructure code {}", *f.guest_exit_code));
  return out;
}

}  // namespace ktstr::verdict
