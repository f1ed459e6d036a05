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
  CHECK(canned_scenarios().size() >= 16);
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
  CHECK(work_types().size() >= 30);
  std::set<std::string_view> names;
  for (const auto& i : work_types()) {
    CAPTURE(i.name);
    CHECK(*parse_work_type(i.name) == i.type);
    CHECK(work_type_name(i.type) == i.name);
    CHECK(!i.doc.empty());
    CHECK(i.group_size >= 1);
    CHECK(i.group_size <= GroupArea::kMaxMembers);
    names.insert(i.name);
  }
  CHECK(names.size() == work_types().size());
  auto bad = parse_work_type("spinn");
  REQUIRE(!bad);
  CHECK(bad.error().message.find("schbench") != std::string::npos);  // lists the known names
  CHECK(bad.error().message.find("futex_fanout") != std::string::npos);
  CHECK(group_size_of({.type = WorkType::kFutexFanout}) == 4);
  CHECK(group_size_of({.type = WorkType::kFutexFanout, .group_size = 9}) == 9);
  CHECK(group_size_of({.type = WorkType::kSpin, .group_size = 9}) == 1);  // solo work has no groups
  for (auto p : {Policy::kNormal, Policy::kBatch, Policy::kIdle, Policy::kExt}) CHECK(*parse_policy(policy_name(p)) == p);
  CHECK(policy_number(Policy::kExt) == 7);
  CHECK(!parse_policy("fifo"));
}

TEST_CASE("upstream's curated scenario names exist") {
  auto layout = CpuLayout::from_topology(*Topology::parse("1n2l2c1t"));
  for (const char* n : {"steady", "steady_llc", "oversubscribed", "cpuset_apply", "cpuset_clear", "cpuset_resize",
                        "cgroup_add", "cgroup_remove", "affinity_change", "affinity_pinned", "host_contention",
                        "mixed_workloads", "nested_steady", "nested_task_move"}) {
    CAPTURE(n);
    CHECK(make_scenario(n, {.layout = &layout}));
  }
}

TEST_CASE("cpuset scenarios resolve to what their names say on four CPUs") {
  auto layout = CpuLayout::from_topology(*Topology::parse("1n2l2c1t"));
  auto resize = *make_scenario("cpuset_resize", {.layout = &layout});
  REQUIRE(resize.steps.size() == 3);
  auto cpus = [&](const std::string& spec) { return *resolve_cpuset(spec, layout); };
  CHECK(cpus(resize.backdrop[0].cpuset) == std::vector<int>{0, 1});
  CHECK(cpus(resize.backdrop[1].cpuset) == std::vector<int>{2, 3});
  CHECK(cpus(resize.steps[1].ops[0].cpuset) == std::vector<int>{0});        // cg0 shrunk
  CHECK(cpus(resize.steps[1].ops[1].cpuset) == std::vector<int>{1, 2, 3});  // cg1 grown
  CHECK(cpus(resize.steps[2].ops[0].cpuset) == std::vector<int>{0, 1, 2});
  CHECK(cpus(resize.steps[2].ops[1].cpuset) == std::vector<int>{3});
  auto apply = *make_scenario("cpuset_apply", {.layout = &layout});
  CHECK(apply.backdrop[0].cpuset.empty());
  CHECK(cpus(apply.steps[1].ops[1].cpuset) == std::vector<int>{2, 3});
  auto pinned = *make_scenario("affinity_pinned", {.layout = &layout});
  CHECK(pinned.backdrop[0].affinity == "0-1");
  auto host = *make_scenario("host_contention", {.layout = &layout});
  CHECK(host.backdrop.back().host);
  auto change = *make_scenario("affinity_change", {.layout = &layout});
  CHECK(change.steps.size() == 5);
  CHECK(change.steps[4].ops[0].kind == Op::Kind::kSetAffinity);
}

TEST_CASE("ops describe themselves for the ops timeline") {
  CHECK(Op::set_affinity("cg0", "random").describe() == "set affinity cg0 = random");
  CHECK(Op::set_cpuset("cg1", "not:frac:1/4").describe() == "set cpuset cg1 = not:frac:1/4");
  CHECK(Op::set_cpuset("cg1", "").describe() == "set cpuset cg1 = all");
  CHECK(Op::move("parent/a", "parent/b/deep").describe() == "move all workers parent/a -> parent/b/deep");
  CHECK(Op::remove("cg2").describe() == "remove cgroup cg2");
  CgroupDef host{.name = "host", .workers_per_cpu = 1, .affinity = "0-1", .host = true};
  CHECK(Op::add(host).describe() == "add host group host (1/cpu x spin, affinity 0-1)");
}

TEST_CASE("affinity_change redraws random affinities every fifth and affinity_pinned fits one CPU") {
  auto layout = CpuLayout::from_topology(*Topology::parse("1n2l2c1t"));
  auto change = *make_scenario("affinity_change", {.layout = &layout});
  REQUIRE(change.steps.size() == 5);
  CHECK(change.steps[0].ops.empty());
  for (size_t i = 1; i < change.steps.size(); ++i) {
    CAPTURE(i);
    REQUIRE(change.steps[i].ops.size() == 2);
    for (const auto& op : change.steps[i].ops) {
      CHECK(op.kind == Op::Kind::kSetAffinity);
      CHECK(op.cpuset == "random");
    }
  }
  // The runner seeds op round r, worker k with r x 65537 + k: one worker's
  // draws over the four rounds are not all the same half.
  std::set<std::vector<int>> draws;
  for (uint64_t round = 1; round <= 4; ++round) {
    auto d = *resolve_affinity("random", {}, layout, round * 65537);
    CHECK(d.size() == 2);
    draws.insert(d);
  }
  CHECK(draws.size() > 1);
  auto one = CpuLayout::from_topology(*Topology::parse("1n1l1c1t"));
  auto pinned = *make_scenario("affinity_pinned", {.layout = &one});
  CHECK(pinned.backdrop[0].affinity == "0");
  CHECK(*resolve_affinity(pinned.backdrop[0].affinity, {}, one, 0) == std::vector<int>{0});
}
