// ktstr's doctest adapter: declare sched_ext scheduler tests that run inside a
// VM, with doctest's CHECK/REQUIRE working in the guest.
//
//   #include <ktstr/doctest.hpp>
//
//   KTSTR_SCHEDULER(wvt, {.binary = "scx_wvt", .args = {"-l"}});
//
//   KTSTR_TEST(steady_two_llcs, {.topology = "1n2l2c1t", .scheduler = &wvt}) {
//     auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
//     KTSTR_REQUIRE_OK(ctx.run(s));
//     CHECK(ctx.telemetry().workers.size() > 0);
//   }
//
// With `.baseline = "eevdf"` every ctx.run() is an A/B pair in the one VM:
// the scenario plays under EEVDF, then the scheduler attaches and it plays
// again; the host judges the scheduler against that baseline.
//
// The same executable serves both sides (the adapter provides main()):
// `exe --ktstr-list` prints one JSON line per test on the host (CMake's
// ktstr_add_test discovers tests with it), and as PID 1 in the guest it runs
// exactly the test named by the run arguments (`--test ID`).
// Do not define DOCTEST_CONFIG_IMPLEMENT*: the adapter owns doctest's main.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "guest/guest_run.hpp"

namespace ktstr {

// What a test body receives: guest CPU layout, cgroup manager, running
// scheduler, telemetry, canned and custom scenarios (lib/guest/guest_run.hpp).
using Context = guest::GuestContext;

// Check thresholds as JSON ({"max_spread_pct": 20, "isolation": true}); the
// field names and meanings are lib/host/verdict/thresholds.hpp's. Kept as JSON
// here because the verdict code is host-only; the host validates and merges
// the layers built-in -> scheduler -> test. Temporal assertions over the
// run's snapshots are a list under "temporal" (lib/host/verdict/README.md):
//   {{"cgroup_weights", true},
//    {"temporal", {{{"kind", "within"}, {"of", "share"}, {"metric", "cpu_ns"}, {"cgroup", "cg1"}, {"min", 25}}}}}
using ThresholdSet = nlohmann::json;

// A declared topology: a string of the topology grammar ("1n2l4c2t", or an
// uneven shape such as "1n2l3_1c1t"; README "Topology strings") or the
// uniform {.nodes = 1, .llcs = 2, .cores = 4, .threads = 2}.
struct TopologySpec {
  int nodes = 1, llcs = 1, cores = 2, threads = 1;
  TopologySpec() = default;
  TopologySpec(int n, int l, int c, int t) : nodes(n), llcs(l), cores(c), threads(t) {}
  TopologySpec(const char* s);  // parsed at registration; an invalid string fails --ktstr-list
  std::string text;             // the string form when given as one
};

// A sched_ext scheduler, declared once and referenced by many tests.
struct SchedulerDecl {
  std::string name;                 // label and report name; default: binary
  std::string binary;               // file name in the initramfs (/bin/<binary>)
  std::vector<std::string> args;    // default arguments
  ThresholdSet thresholds = ThresholdSet::object();  // scheduler layer
  int attach_timeout_s = 0;         // how long it may take to reach sched_ext "enabled"; 0: 30 s
};

// What an A/B test judges its scheduler against, measured seconds earlier
// in the same VM on the same vCPUs: the kernel's EEVDF ("eevdf") or another
// declared scheduler (&decl, its binary must be in the test's SCHEDULERS).
struct Baseline {
  Baseline() = default;
  Baseline(const char* name) : name(name ? name : "") {}  // only "eevdf"; others fail --ktstr-list
  Baseline(const SchedulerDecl* decl) : scheduler(decl) {}
  std::string name;                         // "eevdf"; empty when scheduler is set
  const SchedulerDecl* scheduler = nullptr;
  [[nodiscard]] bool declared() const { return !name.empty() || scheduler; }
};

// A test's attributes. Every field has a default; name the ones you need.
struct TestAttrs {
  TopologySpec topology{1, 1, 2, 1};
  int memory_mib = 0;                                   // 0: sized by the launcher
  std::chrono::milliseconds duration{4000};             // scenario length (holds are fractions of it)
  const SchedulerDecl* scheduler = nullptr;             // nullptr: the kernel's EEVDF
  std::vector<std::string> sched_args;                  // appended to the scheduler's default args
  Baseline baseline;                                    // A/B: the body's runs play under it first
  ThresholdSet thresholds = ThresholdSet::object();     // test layer
  int timeout_s = 0;                                    // 0: 120 s + 3 x duration (A/B 180 s + 6 x), + attach time beyond 30 s
  bool gauntlet = false;                                // also run over the gauntlet presets
  std::string expect_fail;                              // non-empty: must fail, reason matching this regex
  std::vector<std::string> labels;                      // extra CTest labels
  int attach_timeout_s = 0;                             // 0: the scheduler's attach_timeout_s, else 30 s
};

namespace detail {

using Body = void (*)(Context&);
// Registers a test; returns a dummy so registration can run during static
// initialization, like doctest's own TEST_CASE registration (the one place
// where that pattern is the tool's contract rather than a choice).
bool register_test(const char* name, const char* file, int line, TestAttrs attrs, Body body);
// Runs the registered body for the doctest case currently executing.
void run_current(const char* name);
// Raised by KTSTR_REQUIRE_OK: an infrastructure failure, not a verdict.
[[noreturn]] void infra_failure(Error e, const char* file, int line);

}  // namespace detail
}  // namespace ktstr

#define KTSTR_CAT_(a, b) a##b
#define KTSTR_CAT(a, b) KTSTR_CAT_(a, b)

// Declares a scheduler once (in a header shared by test files, or one .cpp).
#define KTSTR_SCHEDULER(var, ...) inline const ::ktstr::SchedulerDecl var = ::ktstr::SchedulerDecl __VA_ARGS__

// Declares a test: name is an identifier ([A-Za-z0-9_]); the braces hold
// TestAttrs designated initializers; the body follows and sees `ctx`.
#define KTSTR_TEST(name, ...)                                                                        \
  static void KTSTR_CAT(ktstr_body_, name)(::ktstr::Context & ctx);                                  \
  [[maybe_unused]] static const bool KTSTR_CAT(ktstr_registered_, name) = ::ktstr::detail::register_test( \
      #name, __FILE__, __LINE__, ::ktstr::TestAttrs __VA_ARGS__, &KTSTR_CAT(ktstr_body_, name));    \
  DOCTEST_TEST_CASE(#name) { ::ktstr::detail::run_current(#name); }                                  \
  static void KTSTR_CAT(ktstr_body_, name)([[maybe_unused]] ::ktstr::Context & ctx)

// Unwraps a ktstr::Result; on error ends the test as an infrastructure
// failure (exit 70 on the host, never a scheduler verdict).
#define KTSTR_REQUIRE_OK(expr)                                                                          \
  ({                                                                                                    \
    auto&& ktstr_ok_r_ = (expr);                                                                        \
    if (!ktstr_ok_r_) ::ktstr::detail::infra_failure(std::move(ktstr_ok_r_).error(), __FILE__, __LINE__); \
    std::move(ktstr_ok_r_).value();                                                                     \
  })
