// The cgroup weight check: water-filling, sibling sets over a nested
// hierarchy, caps by what a group's workers could use, and the failure line
// naming the cgroups and their shares.
#include <doctest/doctest.h>

#include "fixtures.hpp"
#include "host/verdict/checks.hpp"
#include "host/verdict/weight_shares.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {
const VmFacts kClean{};

// A spinner that was runnable the whole second and got `cpu` of it.
WorkerTelemetry spinner(std::string cgroup, int index, int step, double cpu_s) {
  auto w = make_worker(std::move(cgroup), index, step, 1000, kSecond, static_cast<uint64_t>(cpu_s * 1e9));
  w.runq_wait_ns = kSecond - w.cpu_ns;
  return w;
}

// nested_weights on 2 vCPUs for one 1 s step: parent/{light (weight wl), heavy (400)}
// and other, two spinners each; each worker got the CPU seconds given.
RunTelemetry nested(int light_weight, double light, double heavy, double other) {
  RunTelemetry t = healthy_run();
  t.cgroups = {{.name = "parent", .step = 0, .workers = 0},
               {.name = "parent/light", .step = 0, .weight = light_weight, .workers = 2},
               {.name = "parent/heavy", .step = 0, .weight = 400, .workers = 2},
               {.name = "other", .step = 0, .workers = 2}};
  t.workers.clear();
  for (int i = 0; i < 2; ++i) {
    t.workers.push_back(spinner("parent/light", i, 0, light));
    t.workers.push_back(spinner("parent/heavy", i, 0, heavy));
    t.workers.push_back(spinner("other", i, 0, other));
  }
  return t;
}

const SiblingShare& member(const SiblingSet& s, const std::string& name) {
  for (const auto& m : s.members)
    if (m.cgroup == name) return m;
  throw std::runtime_error("no member " + name);
}
}  // namespace

TEST_CASE("water_fill: by weight, capped members keep their cap, the rest is shared by weight") {
  auto even = water_fill(100, std::vector<double>{100, 300}, std::vector<double>{1000, 1000});
  CHECK(even == std::vector<double>{25, 75});
  auto capped = water_fill(100, std::vector<double>{100, 100, 200}, std::vector<double>{10, 1000, 1000});
  CHECK(capped[0] == 10);
  CHECK(capped[1] == doctest::Approx(30));
  CHECK(capped[2] == doctest::Approx(60));
  auto cascade = water_fill(90, std::vector<double>{1, 1, 1}, std::vector<double>{10, 25, 1000});
  CHECK(cascade == std::vector<double>{10, 25, 55});  // both caps are below the fair 30
  auto undersubscribed = water_fill(100, std::vector<double>{1, 9}, std::vector<double>{20, 30});
  CHECK(undersubscribed == std::vector<double>{40, 60});  // caps scaled up to what was used
}

TEST_CASE("sibling sets: the test root's children and parent's children, each step") {
  auto t = nested(100, 0.1, 0.4, 0.5);  // exactly what the weights say
  auto sets = sibling_shares(t);
  REQUIRE(sets.size() == 2);
  CHECK(sets[0].parent == "");
  CHECK(sets[1].parent == "parent");
  CHECK(sets[0].total_ns == doctest::Approx(2e9));
  CHECK(member(sets[0], "parent").share_pct == doctest::Approx(50));
  CHECK(member(sets[0], "parent").entitled_pct == doctest::Approx(50));
  CHECK(member(sets[1], "parent/light").entitled_pct == doctest::Approx(20));
  CHECK(member(sets[1], "parent/heavy").share_pct == doctest::Approx(80));
  CHECK(check_weights(t, kClean, {.max_weight_error_pct = 0.001}).empty());
}

TEST_CASE("cgroup_weights: a scheduler that ignores the hierarchy fails, naming the cgroups and shares") {
  auto t = nested(100, 1.0 / 3, 1.0 / 3, 1.0 / 3);  // every task equal, as scx_simple does
  auto v = check_weights(t, kClean, {.cgroup_weights = true});
  REQUIRE(v.size() == 4);  // parent and other off by 16.7 pp; light and heavy by 30
  CHECK(v[0].subject == "other step 0");
  CHECK(*v[0].observed == doctest::Approx(100.0 / 6));
  CHECK(*v[0].threshold == kDefaultWeightErrorPct);
  CHECK(v[0].unit == "pp");
  CHECK(v[2].subject == "parent/heavy step 0");
  CHECK(*v[2].observed == doctest::Approx(30));
  CHECK(v[2].detail == "share 50.0% of 1.33 s CPU used by the children of parent vs entitled 80.0% (weight 400 of 500); "
                       "parent/light 50.0% vs entitled 20.0% (weight 100 of 500)");
  CHECK(format_violation(v[3]).starts_with("cgroup_weights parent/light step 0: observed 30 pp, limit 10 pp (share 50.0%"));
  // The limit is inclusive, explicit beats the switch, and the check is off by default.
  CHECK(check_weights(t, kClean, {.max_weight_error_pct = 30.0 + 1e-9}).empty());
  CHECK(check_weights(t, kClean, {.cgroup_weights = true, .max_weight_error_pct = 20.0}).size() == 2);
  CHECK(check_weights(t, kClean, {}).empty());
  CHECK(check_weights(t, kClean, {.cgroup_weights = false}).empty());
}

TEST_CASE("cgroup_weights: a group cannot be entitled to more than its runnable workers could use") {
  // One spinner at weight 400 against two at 100, on 2 vCPUs: by weight it
  // would get 80% of 2 s, but one worker can use only 1 s.
  RunTelemetry t = healthy_run();
  t.cgroups = {{.name = "big", .step = 0, .weight = 400, .workers = 1}, {.name = "small", .step = 0, .workers = 2}};
  t.workers = {spinner("big", 0, 0, 1.0), spinner("small", 0, 0, 0.5), spinner("small", 1, 0, 0.5)};
  auto sets = sibling_shares(t);
  REQUIRE(sets.size() == 1);
  const auto& big = member(sets[0], "big");
  CHECK(big.capped);
  CHECK(big.entitled_pct == doctest::Approx(50));
  CHECK(!member(sets[0], "small").capped);
  CHECK(check_weights(t, kClean, {.max_weight_error_pct = 0.001}).empty());
  // A sleeping worker's demand is its runnable time, not its wall time.
  t.workers[0].cpu_ns = kSecond / 4;
  t.workers[0].runq_wait_ns = 0;
  t.workers[1].cpu_ns = t.workers[2].cpu_ns = kSecond;
  t.workers[1].runq_wait_ns = t.workers[2].runq_wait_ns = 0;
  CHECK(check_weights(t, kClean, {.max_weight_error_pct = 0.001}).empty());
}

TEST_CASE("cgroup_weights: cpusets cap a group, idle groups and lone children are not judged") {
  RunTelemetry t = healthy_run();
  t.vcpus = 4;
  t.cgroups = {{.name = "pinned", .step = 0, .cpuset = {0}, .weight = 1000, .workers = 4},
               {.name = "free", .step = 0, .workers = 4},
               {.name = "idle", .step = 0, .weight = 10000, .workers = 0},
               {.name = "free/only", .step = 0, .workers = 4}};
  for (int i = 0; i < 4; ++i) {
    t.workers.push_back(spinner("pinned", i, 0, 0.25));
    t.workers.push_back(spinner("free/only", i, 0, 0.75));
  }
  t.workers.erase(t.workers.begin(), t.workers.begin() + 2);  // drop healthy_run's cg0 workers
  auto sets = sibling_shares(t);
  REQUIRE(sets.size() == 1);  // free/only has no sibling; idle has no runnable worker
  CHECK(member(sets[0], "pinned").capped);  // one CPU: 1 s of the 4 s used
  CHECK(member(sets[0], "pinned").entitled_pct == doctest::Approx(25));
  CHECK(check_weights(t, kClean, {.max_weight_error_pct = 0.001}).empty());
}
