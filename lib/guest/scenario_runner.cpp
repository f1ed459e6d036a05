#include "guest/scenario_runner.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <thread>

#include "base/topology.hpp"
#include "guest/cpuset_spec.hpp"
#include "guest/snapshot_book.hpp"
#include "guest/timed_op.hpp"
#include "guest/worker_pool.hpp"

namespace ktstr::guest {
namespace {

// A cgroup while it exists during the run.
struct LiveGroup {
  CgroupDef def;
  Cgroup cg;
  std::vector<int> cpuset;  // resolved; empty = unrestricted
  int owner_step = -1;      // -1: backdrop; otherwise removed at the end of this step
  int next_index = 0;
};

class Player {
 public:
  Player(const Scenario& s, const RunContext& ctx, RunTelemetry& out, WorkerPool pool)
      : s_(s), ctx_(ctx), out_(out), pool_(std::move(pool)) {}
  // On an error path: remove what is left, newest first (workers still in a
  // group are moved to the hierarchy root by Cgroup::remove()).
  ~Player() {
    pool_.stop_all();
    while (!groups_.empty()) groups_.pop_back();
  }

  Result<void> run() {
    if (s_.steps.empty()) return fail("scenario '{}' has no steps", s_.name);
    if (s_.steps.size() > static_cast<size_t>(kMaxSteps))
      return fail("scenario '{}' has {} steps (at most {})", s_.name, s_.steps.size(), kMaxSteps);
    std::vector<Hold> holds;
    for (const auto& st : s_.steps) holds.push_back(st.hold);
    KTSTR_TRY_VOID(plan_steps(holds, ctx_.duration_ns));  // validates holds up front
    for (int i = 0; i < static_cast<int>(s_.steps.size()); ++i)  // and timed ops
      KTSTR_TRY_VOID(plan_marks(s_.steps[static_cast<size_t>(i)], step_name(i), s_.snapshots_per_step, i == 0));
    for (const auto& d : s_.backdrop) KTSTR_TRY_CTX(add_group(d, -1), "backdrop cgroup {}", d.name);
    for (int i = 0; i < static_cast<int>(s_.steps.size()); ++i) {
      bool last = i + 1 == static_cast<int>(s_.steps.size());
      bool early = false;
      KTSTR_TRY_VOID(play_step(i, last, early));
      if (early) break;
    }
    return {};
  }

 private:
  Result<void> play_step(int i, bool last, bool& ended_early) {
    const Step& st = s_.steps[static_cast<size_t>(i)];
    StepTelemetry rec{.index = i, .name = step_name(i)};
    for (const auto& op : st.ops) {
      const bool before = applies_before_hold(op);
      rec.ops.push_back(before || op.kind == Op::Kind::kSnapshot ? op.describe()
                                                                  : fmt::format("{} at {:g}% of the hold", op.describe(), op.at * 100));
      if (before) KTSTR_TRY_CTX(apply(op, i), "step {} op '{}'", rec.name, op.describe());
    }
    // The step's window encloses every worker's measurement window: it
    // opens before the first CPU-time base is read and closes after the
    // last final read, so sums over workers compare with vCPUs x step time.
    const uint64_t start = monotonic_ns();
    rec.start_ns = start - ctx_.run_start_ns;
    pool_.begin_step(i);
    pool_.release(pending_release_);
    pending_release_.clear();
    ended_early = !KTSTR_TRY(hold_step(i, start, st.hold.resolve(ctx_.duration_ns)));
    for (const auto& g : groups_) {
      out_.cgroups.push_back({.name = g->def.name, .step = i, .cpuset = g->cpuset, .weight = g->def.weight,
                              .workers = static_cast<int>(pool_.live_in(g->def.name).size())});
    }
    auto records = pool_.end_step(i, last || ended_early);
    rec.end_ns = pool_.window_end_ns() - ctx_.run_start_ns;  // not the teardown after it
    for (auto& w : records) {
      if (auto* g = find(w.cgroup)) w.cpuset = allowed(g->cpuset, w.cpuset);
      out_.workers.push_back(std::move(w));
    }
    out_.steps.push_back(std::move(rec));
    // Groups this step created go away with it; at the end, all of them.
    // Newest first, so nested groups go before their parents.
    for (size_t k = groups_.size(); k-- > 0;) {
      if (groups_[k]->owner_step != i && !last && !ended_early) continue;
      KTSTR_TRY_VOID(drop_group(*groups_[k]));
      groups_.erase(groups_.begin() + static_cast<long>(k));
    }
    return {};
  }

  std::string step_name(int i) const {
    const Step& st = s_.steps[static_cast<size_t>(i)];
    return st.name.empty() ? fmt::format("step{}", i) : st.name;
  }

  // Holds step i from start for hold_ns, applying its timed ops and taking
  // its snapshots on the way (timed_op.hpp); false when the run must end early.
  Result<bool> hold_step(int i, uint64_t start, uint64_t hold_ns) {
    const std::string name = step_name(i);
    auto marks = KTSTR_TRY(plan_marks(s_.steps[static_cast<size_t>(i)], name, s_.snapshots_per_step, i == 0));
    for (const auto& m : marks) {
      if (!hold_until(start + static_cast<uint64_t>(m.at * static_cast<double>(hold_ns)))) return false;
      if (!m.op) snap(m.snapshot, i, true);
      else KTSTR_TRY_CTX(apply(*m.op, i), "step {} op '{}'", name, m.op->describe());
    }
    return hold_until(start + hold_ns);
  }

  void snap(std::string name, int step, bool periodic) {
    const uint64_t t0 = monotonic_ns();
    SnapshotTelemetry s{.name = std::move(name), .step = step, .periodic = periodic, .t_ns = t0 - ctx_.run_start_ns};
    s.workers = pool_.sample();
    s.read_ns = monotonic_ns() - t0;
    append_snapshot(out_, std::move(s));
  }

  // Sleeps until deadline in short slices; false when the run must end early.
  bool hold_until(uint64_t deadline) {
    for (;;) {
      if (ctx_.scheduler && ctx_.scheduler->failed()) return false;
      if (ctx_.stop_requested && ctx_.stop_requested()) return false;
      uint64_t now = monotonic_ns();
      if (now >= deadline) return true;
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<uint64_t>(deadline - now, 20'000'000)));
    }
  }

  LiveGroup* find(const std::string& name) {
    for (auto& g : groups_)
      if (g->def.name == name) return g.get();
    return nullptr;
  }
  Result<LiveGroup*> need(const std::string& name) {
    if (auto* g = find(name)) return g;
    return fail("no cgroup named '{}'", name);
  }

  Result<void> add_group(const CgroupDef& d, int owner) {
    if (find(d.name)) return fail("cgroup '{}' already exists", d.name);
    auto g = std::make_unique<LiveGroup>();
    g->def = d;
    g->owner_step = owner;
    if (d.host) {
      if (!d.cpuset.empty() || d.weight != 100) return fail("host group '{}' has no cgroup to set a cpuset or weight on", d.name);
    } else {
      g->cg = KTSTR_TRY(ctx_.cgroups->create(d.name));
    }
    if (!d.cpuset.empty() && d.cpuset != "all") {
      g->cpuset = KTSTR_TRY(resolve_cpuset(d.cpuset, *ctx_.layout));
      KTSTR_TRY_VOID(g->cg.set_cpus(g->cpuset));
    }
    if (d.weight != 100) KTSTR_TRY_VOID(g->cg.set_weight(d.weight));
    int n = d.workers;
    if (d.workers_per_cpu > 0) {
      size_t cpus = g->cpuset.empty() ? ctx_.layout->cpus.size() : g->cpuset.size();
      n = static_cast<int>(std::ceil(d.workers_per_cpu * static_cast<double>(cpus)));
    }
    const int per_group = group_size_of(d.work);
    n = (n + per_group - 1) / per_group * per_group;  // whole groups only
    groups_.push_back(std::move(g));
    return spawn_into(*groups_.back(), n);
  }

  Result<void> spawn_into(LiveGroup& g, int n) {
    if (n <= 0) return {};
    auto ids = KTSTR_TRY(pool_.spawn(g.def.work, n, g.def.host ? nullptr : &g.cg, g.def.name, g.next_index));
    g.next_index += n;
    if (!g.def.affinity.empty()) KTSTR_TRY_VOID(set_affinity(g, ids));
    pending_release_.insert(pending_release_.end(), ids.begin(), ids.end());
    return {};
  }

  // Applies g's affinity spec to workers ids; "random" draws anew each call.
  Result<void> set_affinity(const LiveGroup& g, const std::vector<int>& ids) {
    ++affinity_round_;
    for (size_t k = 0; k < ids.size(); ++k) {
      const uint64_t seed = affinity_round_ * 65537 + k;
      auto cpus = KTSTR_TRY(resolve_affinity(g.def.affinity, g.cpuset, *ctx_.layout, seed));
      KTSTR_TRY_VOID(pool_.set_affinity(ids[k], cpus));
    }
    return {};
  }

  // What a worker may run on: its cgroup's cpuset narrowed by its affinity
  // (empty: unrestricted). When a later cpuset change leaves the two
  // disjoint, the kernel falls back to the cpuset, and so does this.
  static std::vector<int> allowed(const std::vector<int>& cpuset, const std::vector<int>& affinity) {
    if (affinity.empty() || cpuset.empty()) return affinity.empty() ? cpuset : affinity;
    std::vector<int> both;
    std::set_intersection(cpuset.begin(), cpuset.end(), affinity.begin(), affinity.end(), std::back_inserter(both));
    return both.empty() ? cpuset : both;
  }

  // Ops that act on a cgroup directory cannot target a host group.
  static Result<void> need_cgroup(const LiveGroup& g) {
    if (g.def.host) return fail("'{}' is a host group: it has no cgroup", g.def.name);
    return {};
  }

  Result<void> drop_group(LiveGroup& g) {
    for (int id : pool_.live_in(g.def.name)) pool_.kill(id, /*record=*/false);
    return g.cg.remove();
  }

  Result<void> apply(const Op& op, int step) {
    using K = Op::Kind;
    switch (op.kind) {
      case K::kAddCgroup:
        return add_group(op.def, step);
      case K::kRemoveCgroup: {
        auto* g = KTSTR_TRY(need(op.cgroup));
        for (int id : pool_.live_in(g->def.name)) pool_.kill(id);
        KTSTR_TRY_VOID(g->cg.remove());
        std::erase_if(groups_, [&](const auto& p) { return p.get() == g; });
        return {};
      }
      case K::kMoveWorkers: {
        auto* from = KTSTR_TRY(need(op.cgroup));
        auto* to = KTSTR_TRY(need(op.target));
        KTSTR_TRY_VOID(need_cgroup(*to));
        auto ids = pool_.live_in(from->def.name);
        size_t n = op.count <= 0 ? ids.size() : std::min(ids.size(), static_cast<size_t>(op.count));
        for (size_t k = 0; k < n; ++k) KTSTR_TRY_VOID(pool_.move(ids[k], to->cg, to->def.name));
        return {};
      }
      case K::kSetCpuset: {
        auto* g = KTSTR_TRY(need(op.cgroup));
        KTSTR_TRY_VOID(need_cgroup(*g));
        bool all = op.cpuset.empty() || op.cpuset == "all";
        auto cpus = KTSTR_TRY(resolve_cpuset(op.cpuset, *ctx_.layout));
        KTSTR_TRY_VOID(g->cg.set_cpus(cpus));
        g->cpuset = all ? std::vector<int>{} : cpus;
        g->def.cpuset = op.cpuset;
        return {};
      }
      case K::kSetWeight: {
        auto* g = KTSTR_TRY(need(op.cgroup));
        KTSTR_TRY_VOID(need_cgroup(*g));
        KTSTR_TRY_VOID(g->cg.set_weight(op.value));
        g->def.weight = op.value;
        return {};
      }
      case K::kSpawn:
        return spawn_into(*KTSTR_TRY(need(op.cgroup)), op.count);
      case K::kKill: {
        auto ids = pool_.live_in(KTSTR_TRY(need(op.cgroup))->def.name);
        for (size_t k = 0; k < ids.size() && k < static_cast<size_t>(op.count); ++k) pool_.kill(ids[ids.size() - 1 - k]);
        return {};
      }
      case K::kKillScheduler:
        if (!ctx_.scheduler) return fail("no scheduler is running");
        ctx_.scheduler->kill(op.value);
        return {};
      case K::kSetAffinity: {
        auto* g = KTSTR_TRY(need(op.cgroup));
        g->def.affinity = op.cpuset;
        return set_affinity(*g, pool_.live_in(g->def.name));
      }
      case K::kSnapshot:
        snap(op.name, step, false);
        return {};
    }
    return {};
  }

  const Scenario& s_;
  const RunContext& ctx_;
  RunTelemetry& out_;
  std::vector<std::unique_ptr<LiveGroup>> groups_;
  WorkerPool pool_;
  std::vector<int> pending_release_;
  uint64_t affinity_round_ = 0;
};

}  // namespace

std::string Op::describe() const {
  switch (kind) {
    case Kind::kAddCgroup:
      return fmt::format("add {} {} ({} x {}{}{}{})", def.host ? "host group" : "cgroup", def.name,
                         def.workers_per_cpu > 0 ? fmt::format("{}/cpu", def.workers_per_cpu) : fmt::format("{}", def.workers),
                         work_type_name(def.work.type), def.cpuset.empty() ? "" : ", cpuset " + def.cpuset,
                         def.weight == 100 ? "" : fmt::format(", weight {}", def.weight),
                         def.affinity.empty() ? "" : ", affinity " + def.affinity);
    case Kind::kRemoveCgroup: return fmt::format("remove cgroup {}", cgroup);
    case Kind::kMoveWorkers:
      return count > 0 ? fmt::format("move {} workers {} -> {}", count, cgroup, target)
                       : fmt::format("move all workers {} -> {}", cgroup, target);
    case Kind::kSetCpuset: return fmt::format("set cpuset {} = {}", cgroup, cpuset.empty() ? "all" : cpuset);
    case Kind::kSetWeight: return fmt::format("set weight {} = {}", cgroup, value);
    case Kind::kSpawn: return fmt::format("spawn {} workers in {}", count, cgroup);
    case Kind::kKill: return fmt::format("kill {} workers in {}", count, cgroup);
    case Kind::kKillScheduler: return fmt::format("kill scheduler with signal {}", value);
    case Kind::kSetAffinity: return fmt::format("set affinity {} = {}", cgroup, cpuset);
    case Kind::kSnapshot: return fmt::format("snapshot {} at {:g}% of the hold", name, at * 100);
  }
  return "?";
}

Result<void> run_scenario(const Scenario& s, const RunContext& ctx, RunTelemetry& out) {
  if (!ctx.layout || !ctx.cgroups) return fail("run_scenario: no CPU layout or cgroup manager");
  auto pool = KTSTR_TRY(WorkerPool::create(ctx.run_start_ns));
  Player p(s, ctx, out, std::move(pool));
  return p.run();
}

}  // namespace ktstr::guest
