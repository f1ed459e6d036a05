// One entry per canned scenario added for parity with upstream's curated
// names: each boots two topologies (2 and 4 vCPUs) under EEVDF, must pass
// the host's verdict with not_starved (isolation too where cpusets or
// affinities confine workers), and must show what its name says.
//
// not_starved's spread and gap are judged only where the guest's vCPUs fit
// the host's CPUs. With more vCPUs than host CPUs under TCG the host
// time-shares the vCPU threads, and a worker's off-CPU time seen inside the
// guest includes the host's descheduling of its vCPU (TCG reports no steal
// time): one CI run on 2 host CPUs measured a 45.7 pp spread inside one
// cgroup of nested_task_move on 4 vCPUs under EEVDF. That spread measures
// the host, not the guest's scheduler; zero progress, isolation and each
// scenario's own checks are still judged on every topology.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "vm_boot.hpp"

using namespace ktstr;
using namespace ktstr::vmtest;

namespace {

constexpr const char* kTopologies[] = {"1n2l1c1t", "1n2l2c1t"};

struct Checks {
  bool fair = true;       // not_starved
  bool isolated = false;  // isolation
};

// Boots the scenario on topology and requires a passing verdict.
Boot run_scenario(const std::string& name, const std::string& topology, Checks c = {},
                  std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--scenario", name, "--duration", "3s"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto b = boot(topology, args, std::nullopt, "", 120);
  REQUIRE(b.tel.error == "");
  CHECK(b.outcome.guest_exit_code == 0);
  verdict::Thresholds th;
  const bool fits_host = b.tel.vcpus <= sysconf(_SC_NPROCESSORS_ONLN);
  if (c.fair && fits_host) th.not_starved = true;
  if (c.isolated) th.isolation = true;
  require_pass(b, th);
  return b;
}

std::vector<const WorkerTelemetry*> in(const RunTelemetry& t, const std::string& cgroup, int step) {
  std::vector<const WorkerTelemetry*> out;
  for (const auto& w : t.workers)
    if (w.cgroup == cgroup && w.step == step) out.push_back(&w);
  return out;
}

std::set<std::string> cgroups_in(const RunTelemetry& t, int step) {
  std::set<std::string> out;
  for (const auto& w : t.workers)
    if (w.step == step) out.insert(w.cgroup);
  return out;
}

// The cpuset every worker of cgroup reported in step (they must agree).
std::vector<int> cpuset_of(const RunTelemetry& t, const std::string& cgroup, int step) {
  auto ws = in(t, cgroup, step);
  REQUIRE(!ws.empty());
  for (const auto* w : ws) CHECK(w->cpuset == ws[0]->cpuset);
  return ws[0]->cpuset;
}

std::vector<int> range(int lo, int hi) {
  std::vector<int> v;
  for (int c = lo; c < hi; ++c) v.push_back(c);
  return v;
}

}  // namespace

TEST_CASE("scenario cpuset_apply: disjoint halves applied to running cgroups") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("cpuset_apply", topo, {.isolated = true});
    const int n = b.tel.vcpus;
    CHECK(cpuset_of(b.tel, "cg0", 0).empty());
    CHECK(cpuset_of(b.tel, "cg0", 1) == range(0, n / 2));
    CHECK(cpuset_of(b.tel, "cg1", 1) == range(n / 2, n));
  }
}

TEST_CASE("scenario cpuset_clear: confined cgroups set free") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("cpuset_clear", topo, {.isolated = true});
    const int n = b.tel.vcpus;
    CHECK(cpuset_of(b.tel, "cg0", 0) == range(0, n / 2));
    CHECK(cpuset_of(b.tel, "cg1", 0) == range(n / 2, n));
    CHECK(cpuset_of(b.tel, "cg0", 1).empty());
    CHECK(cpuset_of(b.tel, "cg1", 1).empty());
  }
}

TEST_CASE("scenario cpuset_resize: cg0 shrinks to a quarter, then grows to three quarters") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("cpuset_resize", topo, {.isolated = true});
    const int n = b.tel.vcpus;
    int step = 0;
    for (int cut : {n / 2, std::max(1, n / 4), std::max(1, 3 * n / 4)}) {
      CAPTURE(step);
      CHECK(cpuset_of(b.tel, "cg0", step) == range(0, cut));
      CHECK(cpuset_of(b.tel, "cg1", step) == range(cut, n));
      ++step;
    }
  }
}

TEST_CASE("scenario cgroup_add: two cgroups, then four") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("cgroup_add", topo);
    CHECK(cgroups_in(b.tel, 0) == std::set<std::string>{"cg0", "cg1"});
    CHECK(cgroups_in(b.tel, 1) == std::set<std::string>{"cg0", "cg1", "cg2", "cg3"});
  }
}

TEST_CASE("scenario cgroup_remove: four cgroups, then two") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("cgroup_remove", topo);
    CHECK(cgroups_in(b.tel, 0) == std::set<std::string>{"cg0", "cg1", "cg2", "cg3"});
    CHECK(cgroups_in(b.tel, 1) == std::set<std::string>{"cg0", "cg1"});
    std::set<std::string> listed;
    for (const auto& c : b.tel.cgroups)
      if (c.step == 1) listed.insert(c.name);
    CHECK(listed == std::set<std::string>{"cg0", "cg1"});
  }
}

// Random affinities are unequal on purpose, so fairness within a cgroup is
// not expected; isolation (every CPU used is in the worker's affinity) is.
TEST_CASE("scenario affinity_change: new random affinities four times") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("affinity_change", topo, {.fair = false, .isolated = true});
    const size_t half = static_cast<size_t>(std::max(1, b.tel.vcpus / 2));
    std::map<int, std::set<std::vector<int>>> per_worker;  // pid -> affinities seen
    for (const auto& w : b.tel.workers) {
      if (w.step == 0) {
        CHECK(w.cpuset.empty());
        continue;
      }
      CHECK(w.cpuset.size() == half);
      per_worker[w.pid].insert(w.cpuset);
    }
    size_t changed = 0;
    for (const auto& [pid, sets] : per_worker) changed += sets.size() > 1;
    MESSAGE(fmt::format("{}: {} of {} workers saw more than one affinity", topo, changed, per_worker.size()));
    CHECK(changed > 0);
  }
}

TEST_CASE("scenario affinity_pinned: every worker on the first two CPUs") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("affinity_pinned", topo, {.isolated = true});
    CHECK(b.tel.workers.size() == static_cast<size_t>(2 * b.tel.vcpus));
    for (const auto& w : b.tel.workers) CHECK(w.cpuset == std::vector<int>{0, 1});
  }
}

TEST_CASE("scenario host_contention: spinners outside the test cgroups compete") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("host_contention", topo);
    auto host = in(b.tel, "host", 0);
    CHECK(host.size() == static_cast<size_t>(b.tel.vcpus));
    uint64_t host_cpu = 0, cg_cpu = 0;
    for (const auto& w : b.tel.workers) (w.cgroup == "host" ? host_cpu : cg_cpu) += w.cpu_ns;
    MESSAGE(fmt::format("{}: host spinners {:.2f} s CPU, cgroup spinners {:.2f} s", topo, host_cpu / 1e9, cg_cpu / 1e9));
    CHECK(host_cpu > 0);
  }
}

TEST_CASE("scenario mixed_workloads: CPU-heavy, bursty and I/O cgroups side by side") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("mixed_workloads", topo);
    CHECK(cgroups_in(b.tel, 0) == std::set<std::string>{"bursty", "io", "mixed", "spin", "yield"});
  }
}

TEST_CASE("scenario nested_steady: workers in leaves two and three levels deep") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("nested_steady", topo);
    CHECK(cgroups_in(b.tel, 0) == std::set<std::string>{"cg0/sub_a", "cg0/sub_b", "cg1/sub_a/deep", "cg1/sub_b"});
  }
}

TEST_CASE("scenario nested_task_move: the same workers move across nesting levels") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("nested_task_move", topo);
    std::set<int> movers;
    for (const auto* w : in(b.tel, "parent/a", 0)) movers.insert(w->pid);
    REQUIRE(movers.size() == static_cast<size_t>(b.tel.vcpus));
    int step = 0;
    for (const char* where : {"parent/a", "parent/b/deep", "other/x", "parent/a"}) {
      CAPTURE(where);
      std::set<int> here;
      for (const auto* w : in(b.tel, where, step)) here.insert(w->pid);
      CHECK(here == movers);
      ++step;
    }
  }
}

// The scenario the single-group work tests boot: one group whatever the CPU
// count (a chain of four here), or one worker for solo work.
TEST_CASE("scenario one_group: a single group of the --work type") {
  for (const char* topo : kTopologies) {
    auto b = run_scenario("one_group", topo, {}, {"--work", "wake_chain"});
    auto ws = in(b.tel, "cg0", 0);
    REQUIRE(ws.size() == 4);
    std::set<uint64_t> ids, ranks;
    for (const auto* w : ws) {
      ids.insert(counter(*w, "group_id"));
      ranks.insert(counter(*w, "group_rank"));
      CHECK(counter(*w, "group_size") == 4);
      CHECK(w->iterations > 0);
    }
    CHECK(ids.size() == 1);
    CHECK(ranks == std::set<uint64_t>{0, 1, 2, 3});
    CHECK(b.tel.workers.size() == 4);
  }
}
