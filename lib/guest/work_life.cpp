// Task lifecycle churn: fork/exit, nice changes, affinity changes across
// LLCs, policy changes and cgroup moves, all while the worker keeps running.
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <filesystem>
#include <set>

#include "base/fd.hpp"
#include "guest/cpu_layout.hpp"
#include "guest/work_families.hpp"
#include "guest/work_kit.hpp"

namespace ktstr::guest {
namespace {

namespace fs = std::filesystem;

// Units of work between two changes of nice value, affinity or policy.
constexpr int kUnitsPerChange = 8;

void burn_units(WorkerContext& ctx, int n) {
  for (int i = 0; i < n && !ctx.should_stop(); ++i) {
    burn_unit();
    ctx.progress();
  }
}

// The allowed CPUs ordered so that consecutive entries alternate between
// LLCs (llc0[0], llc1[0], llc0[1], ...), with each CPU's LLC index.
std::vector<std::pair<int, int>> cpus_across_llcs() {
  const auto allowed = allowed_cpus();
  auto layout = read_cpu_layout("/sys");
  std::vector<std::vector<int>> per_llc;
  for (const auto& llc : layout ? layout->llcs : std::vector<std::vector<int>>{allowed}) {
    std::vector<int> ok;
    for (int c : llc)
      if (std::binary_search(allowed.begin(), allowed.end(), c)) ok.push_back(c);
    per_llc.push_back(std::move(ok));
  }
  std::vector<std::pair<int, int>> order;
  for (size_t pos = 0; order.size() < allowed.size(); ++pos) {
    const size_t before = order.size();
    for (size_t l = 0; l < per_llc.size(); ++l)
      if (pos < per_llc[l].size()) order.emplace_back(per_llc[l][pos], static_cast<int>(l));
    if (order.size() == before) break;  // allowed CPUs outside every LLC (not expected)
  }
  return order;
}

// Widens the affinity back to the cgroup's cpuset (after the cpuset changed
// under a pin) and rebuilds the order.
std::vector<std::pair<int, int>> reset_affinity() {
  cpu_set_t all;
  CPU_ZERO(&all);
  for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
  sched_setaffinity(0, sizeof all, &all);  // the kernel intersects with the cpuset
  return cpus_across_llcs();
}

bool sched_ext_enabled() {
  auto s = read_file("/sys/kernel/sched_ext/state");
  return s && s->starts_with("enabled");
}

// The worker's cgroup directory (cgroup v2 line "0::/path" of /proc/self/cgroup).
std::optional<fs::path> own_cgroup() {
  auto text = read_file("/proc/self/cgroup");
  if (!text) return std::nullopt;
  auto at = text->find("0::");
  if (at == std::string::npos) return std::nullopt;
  std::string rel = text->substr(at + 3);
  rel = rel.substr(0, rel.find('\n'));
  return fs::path("/sys/fs/cgroup") / fs::path(rel).relative_path();
}

// Own cgroup first, then its siblings that may hold tasks (no controllers
// delegated below them: cgroup v2's no-internal-process rule).
std::vector<fs::path> attach_targets(const fs::path& own) {
  std::vector<fs::path> out{own};
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(own.parent_path(), ec)) {
    if (!e.is_directory() || e.path() == own) continue;
    auto sub = read_file(e.path() / "cgroup.subtree_control");
    if (sub && sub->find_first_not_of(" \n") == std::string::npos) out.push_back(e.path());
  }
  std::sort(out.begin() + 1, out.end());
  return out;
}

Result<void> attach_self(const fs::path& cg) {
  auto fd = KTSTR_TRY(open_file(cg / "cgroup.procs", O_WRONLY));
  return write_all(fd.get(), fmt::format("{}", getpid()));
}

}  // namespace

// vfork(2): the kernel creates and destroys a task per iteration (what a
// scheduler sees: a new task placed and woken, an exit) without copying page
// tables. A fork(2) costs ~40 ms here under TCG, mostly copy-on-write faults.
void run_fork_churn(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  while (!ctx.should_stop()) {
    const pid_t pid = vfork();
    if (pid == 0) _exit(0);
    if (pid > 0) {
      int status = 0;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      ctx.count(Counter::kForks);
    }
    ctx.progress();
  }
}

// A triangle wave 0 -> 19 -> -20 -> 19 ..., one level per kUnitsPerChange units.
void run_nice_sweep(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  uint64_t seen = 0;
  for (int nice = 0, dir = 1; !ctx.should_stop();) {
    burn_units(ctx, kUnitsPerChange);
    if (nice + dir > 19 || nice + dir < -20) dir = -dir;
    nice += dir;
    if (setpriority(PRIO_PROCESS, 0, nice) != 0) continue;
    ctx.count(Counter::kNiceChanges);
    seen |= uint64_t{1} << (nice + 20);
    ctx.fact(Fact::kNiceLevels, static_cast<uint64_t>(std::popcount(seen)));
  }
}

void run_affinity_churn(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  auto order = cpus_across_llcs();
  int prev_llc = -1;
  for (size_t i = 0; !ctx.should_stop(); ++i) {
    if (order.empty()) return spin_until_stopped(ctx);
    const auto [cpu, llc] = order[i % order.size()];
    if (!pin_to_cpu(cpu)) {
      order = reset_affinity();
      continue;
    }
    ctx.count(Counter::kAffinityChanges);
    if (prev_llc >= 0 && llc != prev_llc) ctx.count(Counter::kLlcCrossings);
    prev_llc = llc;
    burn_units(ctx, kUnitsPerChange);
  }
}

// NORMAL -> BATCH -> IDLE -> EXT -> ...; EXT only while a sched_ext scheduler
// is enabled (otherwise the kernel refuses it), which the ext_unavailable fact records.
void run_policy_churn(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  constexpr std::pair<Policy, Counter> kCycle[] = {{Policy::kNormal, Counter::kToNormal},
                                                   {Policy::kBatch, Counter::kToBatch},
                                                   {Policy::kIdle, Counter::kToIdle},
                                                   {Policy::kExt, Counter::kToExt}};
  for (size_t i = 1; !ctx.should_stop(); ++i) {
    burn_units(ctx, kUnitsPerChange);
    const auto [policy, counter] = kCycle[i % std::size(kCycle)];
    sched_param sp{};
    if (policy == Policy::kExt && !sched_ext_enabled()) {
      ctx.fact(Fact::kExtUnavailable, 1);
      continue;
    }
    if (sched_setscheduler(0, policy_number(policy), &sp) != 0) {
      if (policy == Policy::kExt) ctx.fact(Fact::kExtUnavailable, 1);
      continue;
    }
    ctx.count(Counter::kPolicyChanges);
    ctx.count(counter);
  }
}

// One move per unit, cycling through the worker's cgroup and its siblings.
void run_cgroup_attach_storm(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  auto own = own_cgroup();
  if (!own) return spin_until_stopped(ctx);
  auto targets = attach_targets(*own);
  std::set<fs::path> visited;
  for (size_t i = 1; !ctx.should_stop(); ++i) {
    burn_unit();
    ctx.progress();
    const fs::path& to = targets[i % targets.size()];
    if (targets.size() < 2) continue;
    if (!attach_self(to)) {
      ctx.count(Counter::kMoveFailures);
      targets = attach_targets(*own);  // a sibling went away
      continue;
    }
    ctx.count(Counter::kCgroupMoves);
    visited.insert(to);
    ctx.fact(Fact::kCgroupsVisited, visited.size());
  }
}

}  // namespace ktstr::guest
