// A/B pieces of the guest runtime that need no VM: the --baseline run
// arguments and folding one scheduler's telemetry over several attachments.
#include <doctest/doctest.h>

#include "guest/guest_args.hpp"
#include "guest/scheduler_slot.hpp"

using namespace ktstr;
using namespace ktstr::guest;

TEST_CASE("--baseline and --baseline-arg reach GuestArgs, no baseline by default") {
  auto g = parse_guest_args({"--scheduler", "/bin/scx_wvt", "--baseline", "/bin/scx_simple", "--baseline-arg=-v",
                             "--baseline-arg=-s", "--sched-arg=-l"});
  REQUIRE(g);
  CHECK(g->baseline == "/bin/scx_simple");
  CHECK(g->baseline_args == std::vector<std::string>{"-v", "-s"});
  CHECK(g->sched_args == std::vector<std::string>{"-l"});
  auto e = parse_guest_args({"--baseline", "eevdf"});
  REQUIRE(e);
  CHECK(e->baseline == "eevdf");
  auto none = parse_guest_args({});
  REQUIRE(none);
  CHECK(none->baseline.empty());
}

TEST_CASE("folding attachments: events accumulate, the first failure stays, attached once is attached") {
  SchedulerTelemetry record{.name = "scx_wvt"};
  fold_scheduler_telemetry(record, {.name = "scx_wvt", .ops_name = "wvt", .attached = true,
                                    .events = {{.t_ns = 1, .kind = "started"}, {.t_ns = 2, .kind = "enabled"}},
                                    .log_tail = "first"});
  fold_scheduler_telemetry(record, {.name = "scx_wvt", .attached = false, .failed = true, .failure = "stall",
                                    .events = {{.t_ns = 9, .kind = "ejected"}}, .log_tail = "second", .dump = "D"});
  fold_scheduler_telemetry(record, {.name = "scx_wvt", .attached = true, .failed = true, .failure = "later",
                                    .events = {{.t_ns = 20, .kind = "started"}}});
  CHECK(record.attached);
  CHECK(record.ops_name == "wvt");
  CHECK(record.failed);
  CHECK(record.failure == "stall");
  CHECK(record.dump == "D");
  CHECK(record.events.size() == 4);
  CHECK(record.events.back().t_ns == 20);
  CHECK(record.log_tail == "second");  // the latest non-empty tail
}
