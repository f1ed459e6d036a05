#include <doctest/doctest.h>

#include <set>
#include <string>

#include "base/telemetry.hpp"
#include "guest/cpuset_spec.hpp"
#include "guest/guest_args.hpp"
#include "guest/scenarios.hpp"

using namespace ktstr;
using namespace ktstr::guest;

TEST_CASE("every canned scenario is well-formed on small and large guests") {
  CHECK(canned_scenarios().size() >= 8);
  std::set<std::string_view> names;
  for (const char* topo : {"1n1l1c1t", "1n1l2c1t", "1n2l2c2t", "2n4l3c2t", "2n14l9c2t"}) {
    auto layout = CpuLayout::from_topology(*Topology::parse(topo));
    for (const auto& c : canned_scenarios()) {
      CAPTURE(topo);
      CAPTURE(c.name);
      names.insert(c.name);
      CHECK(!c.doc.empty());
      auto s = make_scenario(c.name, {.layout = &layout});
      REQUIRE(s);
      CHECK(s->name == c.name);
      REQUIRE(!s->steps.empty());
      CHECK(s->steps.size() <= static_cast<size_t>(kMaxSteps));
      std::vector<Hold> holds;
      for (const auto& st : s->steps) holds.push_back(st.hold);
      auto plan = plan_steps(holds, 4'000'000'000ull);
      REQUIRE(plan);
      CHECK(plan->back().end_ns <= 4'000'000'000ull);  // canned holds fit the test duration
      for (const auto& d : s->backdrop) CHECK(resolve_cpuset(d.cpuset, layout));
      for (const auto& st : s->steps)
        for (const auto& op : st.ops) {
          if (op.kind == Op::Kind::kSetCpuset) CHECK(resolve_cpuset(op.cpuset, layout));
          CHECK(!op.describe().empty());
        }
    }
  }
  CHECK(names.size() == canned_scenarios().size());  // names are unique
}

TEST_CASE("scenario parameters reach the cgroups") {
  auto layout = CpuLayout::from_topology(*Topology::parse("1n2l2c1t"));
  auto s = *make_scenario("steady", {.layout = &layout, .cpuset = "llc:1", .work = WorkType::kYield});
  REQUIRE(s.backdrop.size() == 2);
  for (const auto& d : s.backdrop) {
    CHECK(d.cpuset == "llc:1");
    CHECK(d.work.type == WorkType::kYield);
  }
  auto per_llc = *make_scenario("steady_llc", {.layout = &layout});
  REQUIRE(per_llc.backdrop.size() == 2);
  CHECK(per_llc.backdrop[1].cpuset == "llc:1");
}

TEST_CASE("unknown scenarios list the known ones") {
  auto layout = CpuLayout::from_topology(*Topology::parse("1n1l1c1t"));
  auto s = make_scenario("nope", {.layout = &layout});
  REQUIRE(!s);
  CHECK(s.error().message.find("steady, steady_llc") != std::string::npos);
}

TEST_CASE("guest run arguments") {
  auto a = parse_guest_args({"--scenario", "mixed", "--duration", "500ms", "--scheduler", "/bin/scx_simple",
                             "--sched-arg", "-v", "--sched-arg", "-x", "--topology", "1n2l2c2t", "--cpuset", "llc:0"});
  REQUIRE(a);
  CHECK(a->scenario == "mixed");
  CHECK(a->duration_ns == 500'000'000ull);
  CHECK(a->scheduler == "/bin/scx_simple");
  CHECK(a->sched_args == std::vector<std::string>{"-v", "-x"});
  CHECK(a->topology == "1n2l2c2t");
  CHECK(a->cpuset == "llc:0");
  CHECK(a->enable_timeout == std::chrono::milliseconds(30'000));
  auto d = *parse_guest_args({});
  CHECK(d.scenario == "steady");
  CHECK(!d.topology);
  CHECK(!parse_guest_args({"--duration", "4parsecs"}));
  CHECK(!parse_guest_args({"--bogus"}));
}

TEST_CASE("--snapshots: periodic snapshots per step, 0 by default, bounded by kMaxSnapshots") {
  CHECK(parse_guest_args({})->snapshots_per_step == 0);
  CHECK(parse_guest_args({"--snapshots", "8"})->snapshots_per_step == 8);
  CHECK(parse_guest_args({"--snapshots", std::to_string(kMaxSnapshots)})->snapshots_per_step ==
        static_cast<int>(kMaxSnapshots));
  CHECK(!parse_guest_args({"--snapshots", "-1"}));
  CHECK(!parse_guest_args({"--snapshots", std::to_string(kMaxSnapshots + 1)}));
  CHECK(!parse_guest_args({"--snapshots", "many"}));
}

TEST_CASE("work types and policies round-trip through their names") {
  for (auto t : {WorkType::kSpin, WorkType::kYield, WorkType::kMixed, WorkType::kBursty, WorkType::kPipePingPong,
                 WorkType::kFutexPingPong, WorkType::kSyncIo, WorkType::kCallable})
    CHECK(*parse_work_type(work_type_name(t)) == t);
  for (auto p : {Policy::kNormal, Policy::kBatch, Policy::kIdle, Policy::kExt}) CHECK(*parse_policy(policy_name(p)) == p);
  CHECK(policy_number(Policy::kExt) == 7);
  CHECK(!parse_policy("fifo"));
}
