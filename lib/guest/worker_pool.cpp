#include "guest/worker_pool.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <thread>

#include "base/fd.hpp"
#include "base/topology.hpp"
#include "guest/futex.hpp"

namespace ktstr::guest {
namespace {

// A counter the worker is writing as the runner reads it: one untorn 8-byte load.
uint64_t read_live(const uint64_t& v) {
  return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(v)).load(std::memory_order_relaxed);
}

// The child side of spawn(): set the policy, set up, report ready, wait for
// go (both in WorkerContext::start()), work.
[[noreturn]] void worker_main(const WorkSpec& spec, ControlWords& ctl, WorkerSlot& slot, const GroupLink& group) {
  for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGHUP}) signal(sig, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the runner
  sched_param sp{};
  if (sched_setscheduler(0, policy_number(spec.policy), &sp) != 0) {
    slot.setup_errno = errno;
    slot.ready.store(kSlotSetupFailed, std::memory_order_release);
    futex_wake_all(slot.ready);
    _exit(1);
  }
  group.area->pid[group.rank].store(getpid());  // partners may signal it once released
  WorkerContext ctx(ctl, slot);
  try {
    run_work(spec, ctx, group);
  } catch (...) {  // an exception in user work ends the worker, not the run
  }
  _exit(0);
}

// The descriptors of one group (GroupFds): per member a pipe (read, write)
// or one eventfd. The runner keeps them until the group's last member is forked.
Result<std::vector<UniqueFd>> open_group_fds(GroupFds kind, int members, GroupLink& link) {
  std::vector<UniqueFd> fds;
  link.read_fds.clear();
  link.write_fds.clear();
  for (int m = 0; m < members && kind != GroupFds::kNone; ++m) {
    if (kind == GroupFds::kPipes) {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe2 for a worker group");
      fds.emplace_back(p[0]), fds.emplace_back(p[1]);
      link.read_fds.push_back(p[0]), link.write_fds.push_back(p[1]);
    } else {
      UniqueFd e(eventfd(0, EFD_CLOEXEC));
      if (!e) return fail_errno("eventfd for a worker group");
      link.read_fds.push_back(e.get()), link.write_fds.push_back(e.get());
      fds.push_back(std::move(e));
    }
  }
  return fds;
}

}  // namespace

struct WorkerPool::Worker {
  int id = 0;
  pid_t pid = -1;
  std::string cgroup;
  int index = 0;
  WorkType type = WorkType::kSpin;
  Policy policy = Policy::kNormal;
  bool alive = false;
  std::vector<int> affinity;  // set by set_affinity(); empty: unrestricted
  Schedstat base;            // at the start of the current window
  uint64_t window_start_ns = 0;
  bool released = false;
  Schedstat at_release;      // snapshots count from here
};

Result<Schedstat> read_schedstat(pid_t pid) {
  auto text = KTSTR_TRY(read_file(fmt::format("/proc/{}/schedstat", pid)));
  Schedstat s;
  if (std::sscanf(text.c_str(), "%lu %lu %lu", &s.cpu_ns, &s.wait_ns, &s.timeslices) != 3)
    return fail("/proc/{}/schedstat: unexpected format '{}'", pid, text);
  return s;
}

Result<WorkerPool> WorkerPool::create(uint64_t time_base_ns) {
  WorkerPool p;
  p.time_base_ns_ = time_base_ns;
  p.region_bytes_ = sizeof(ControlWords) + sizeof(WorkerSlot) * kMaxWorkers;
  // Shared and lazily backed: only slots that workers touch cost memory.
  void* m = mmap(nullptr, p.region_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED) return fail_errno(fmt::format("mmap {} bytes of worker slots", p.region_bytes_));
  p.region_ = m;
  p.ctl_ = new (m) ControlWords{};
  p.slots_ = reinterpret_cast<WorkerSlot*>(static_cast<char*>(m) + sizeof(ControlWords));
  return p;
}

WorkerPool::WorkerPool(WorkerPool&& o) noexcept
    : region_(std::exchange(o.region_, nullptr)),
      region_bytes_(o.region_bytes_),
      ctl_(o.ctl_),
      slots_(o.slots_),
      workers_(std::move(o.workers_)),
      pending_(std::move(o.pending_)),
      step_(o.step_),
      in_step_(o.in_step_),
      next_group_(o.next_group_),
      window_end_ns_(o.window_end_ns_),
      time_base_ns_(o.time_base_ns_) {}

WorkerPool::~WorkerPool() {
  stop_all();
  if (region_) munmap(region_, region_bytes_);
}

// The group size of spec when count more workers fit the run's limits.
Result<int> WorkerPool::check_spawn(const WorkSpec& spec, int count, const std::string& cgroup_name) const {
  if (static_cast<int>(workers_.size()) + count > kMaxWorkers)
    return fail("spawning {} workers in {}: limit of {} workers per run", count, cgroup_name, kMaxWorkers);
  const int group_size = group_size_of(spec);
  if (group_size > GroupArea::kMaxMembers)
    return fail("spawning {} workers in {}: groups of {} exceed the limit of {} members", count, cgroup_name,
                group_size, GroupArea::kMaxMembers);
  return group_size;
}

// Forks the next worker as member link.rank of its group and moves it into
// cgroup; returns its id.
Result<int> WorkerPool::fork_worker(const WorkSpec& spec, const GroupLink& link, const Cgroup* cgroup,
                                    const std::string& cgroup_name, int index) {
  const int id = static_cast<int>(workers_.size());
  pid_t pid = fork();
  if (pid < 0) return fail_errno(fmt::format("fork of worker {}/{}", cgroup_name, index));
  if (pid == 0) worker_main(spec, *ctl_, slots_[id], link);
  workers_.push_back(Worker{.id = id, .pid = pid, .cgroup = cgroup_name, .index = index, .type = spec.type,
                            .policy = spec.policy, .alive = true});
  if (cgroup) KTSTR_TRY_CTX(cgroup->add_pid(pid), "moving worker {} into {}", pid, cgroup_name);
  return id;
}

// Waits until every worker of ids set up and reported ready (30 s each).
Result<void> WorkerPool::wait_ready(const std::vector<int>& ids, const WorkSpec& spec, const std::string& cgroup_name) {
  for (int id : ids) {
    WorkerSlot& slot = slots_[id];
    for (int waited = 0; slot.ready.load(std::memory_order_acquire) == 0; ++waited) {
      if (waited > 300) return fail("worker {} of {} not ready after 30 s", workers_[id].pid, cgroup_name);
      futex_wait(slot.ready, 0, 100'000'000);
    }
    if (slot.ready.load() == kSlotSetupFailed)
      return fail_errno(fmt::format("sched_setscheduler({}) in worker of {}", policy_name(spec.policy), cgroup_name),
                        slot.setup_errno);
  }
  return {};
}

Result<std::vector<int>> WorkerPool::spawn(const WorkSpec& spec, int count, const Cgroup* cgroup,
                                           const std::string& cgroup_name, int first_index) {
  const int group_size = KTSTR_TRY(check_spawn(spec, count, cgroup_name));
  const GroupFds fd_kind = work_type_info(spec.type).fds;
  std::vector<int> ids;
  GroupLink link;
  std::vector<UniqueFd> group_fds;  // the current group's, closed in the runner after its last fork
  for (int i = 0; i < count; ++i) {
    // Slots are never reused and fresh MAP_ANONYMOUS pages read as zero,
    // which is every field's initial state; constructing the slot would
    // touch all of its ~166 KiB (latency reservoirs and histograms most
    // work types never use, placement logs for 16 steps and the scratch row)
    // and cost a 252-vCPU oversubscribed guest (1008 workers) ~163 MiB.
    if (i % group_size == 0) {  // a new group, led by this worker's slot
      link.size = std::min(group_size, count - i);
      link.id = group_size > 1 ? next_group_++ : 0;
      link.rank = 0;
      link.area = &slots_[workers_.size()].group;
      group_fds = KTSTR_TRY(open_group_fds(link.size > 1 ? fd_kind : GroupFds::kNone, link.size, link));
    } else {
      ++link.rank;
    }
    ids.push_back(KTSTR_TRY(fork_worker(spec, link, cgroup, cgroup_name, first_index + i)));
  }
  KTSTR_TRY_VOID(wait_ready(ids, spec, cgroup_name));
  return ids;
}

void WorkerPool::release(const std::vector<int>& ids) {
  const uint64_t now = monotonic_ns();
  for (int id : ids) {
    Worker& w = workers_[id];
    w.window_start_ns = monotonic_ns();  // before the read: the window covers what base misses
    w.base = read_schedstat(w.pid).value_or(Schedstat{});
    w.at_release = w.base;
    w.released = true;
    slots_[id].go_ns = now;
    slots_[id].ready.store(kSlotGo, std::memory_order_release);
    futex_wake_all(slots_[id].ready);
  }
}

Result<void> WorkerPool::set_affinity(int id, const std::vector<int>& cpus) {
  Worker& w = workers_.at(static_cast<size_t>(id));
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus) CPU_SET(c, &set);
  if (sched_setaffinity(w.pid, sizeof set, &set) != 0)
    return fail_errno(fmt::format("sched_setaffinity of worker {} to {}", w.pid, format_cpu_list(cpus)));
  w.affinity = cpus;
  return {};
}

Result<void> WorkerPool::move(int id, const Cgroup& cgroup, const std::string& cgroup_name) {
  Worker& w = workers_.at(static_cast<size_t>(id));
  KTSTR_TRY_CTX(cgroup.add_pid(w.pid), "moving worker {} to {}", w.pid, cgroup_name);
  w.cgroup = cgroup_name;
  return {};
}

std::vector<int> WorkerPool::live_in(const std::string& cgroup_name) const {
  std::vector<int> out;
  for (const auto& w : workers_)
    if (w.alive && w.cgroup == cgroup_name) out.push_back(w.id);
  return out;
}

std::vector<WorkerSample> WorkerPool::sample() const {
  std::vector<WorkerSample> out;
  for (const auto& w : workers_) {
    if (!w.alive || !w.released) continue;
    const Schedstat now = read_schedstat(w.pid).value_or(w.at_release);
    WorkerSample s{.cgroup = w.cgroup, .worker = w.index, .pid = w.pid,
                   .cpu_ns = now.cpu_ns - w.at_release.cpu_ns, .runq_wait_ns = now.wait_ns - w.at_release.wait_ns};
    for (const auto& row : slots_[w.id].steps) {  // rows of steps not reached yet are zero
      s.iterations += read_live(row.iterations);
      s.migrations += read_live(row.migrations);
    }
    out.push_back(std::move(s));
  }
  return out;
}

void WorkerPool::begin_step(int s) {
  step_ = s < kMaxSteps ? s : kMaxSteps - 1;
  in_step_ = true;
  // The step opens now, after the ops that precede it took effect.
  ctl_->step_start_ns[step_].store(monotonic_ns(), std::memory_order_relaxed);
  ctl_->step.store(static_cast<uint32_t>(step_), std::memory_order_release);
  for (auto& w : workers_) {
    if (!w.alive) continue;
    w.window_start_ns = monotonic_ns();
    w.base = read_schedstat(w.pid).value_or(w.base);
  }
}

WorkerTelemetry WorkerPool::snapshot(Worker& w, int s, uint64_t end_ns, const Schedstat& now) const {
  ProgressTracker t = slots_[w.id].steps[s];
  if (t.start_ns == 0) t.begin(w.window_start_ns);  // never ran in this step
  t.finish(end_ns);
  const WorkerSlot& slot = slots_[w.id];
  const WakeReservoir& wake = slot.wake[s];
  CounterRow counters = slot.counters[s];
  counters.add(Counter::kTimeslices, now.timeslices - w.base.timeslices);
  WorkerTelemetry rec{
      .cgroup = w.cgroup,
      .worker = w.index,
      .pid = w.pid,
      .step = s,
      .work_type = std::string(work_type_name(w.type)),
      .policy = std::string(policy_name(w.policy)),
      .iterations = t.iterations,
      .wall_ns = end_ns - w.window_start_ns,
      .cpu_ns = now.cpu_ns - w.base.cpu_ns,
      .runq_wait_ns = now.wait_ns - w.base.wait_ns,
      .max_gap_ns = t.max_gap_ns,
      .max_gap_at_ns = t.max_gap_at_ns,
      .migrations = t.migrations,
      .cpus_used = t.cpus.list(),
      .cpuset = w.affinity,
      .wake_latency_ns = wake.values(),
      .wake_samples_seen = wake.seen,
      .counters = {},
      .wake_percentiles_ns = percentile_map(slot.latency[s]),
      .progress_start_ns = t.start_ns > time_base_ns_ ? t.start_ns - time_base_ns_ : 0,
      .placement = slot.placement[s].snapshot(time_base_ns_),
      .placement_merged_us = slot.placement[s].merged_us,
  };
  export_counters(counters, slot.facts, rec.counters);
  return rec;
}

void WorkerPool::reap(Worker& w, std::chrono::milliseconds grace) {
  slots_[w.id].stop.store(1, std::memory_order_release);
  futex_wake_all(slots_[w.id].ready);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (waitpid(w.pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(w.pid, SIGKILL);
      waitpid(w.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  w.alive = false;
}

void WorkerPool::kill(int id, bool record) {
  Worker& w = workers_.at(static_cast<size_t>(id));
  if (!w.alive) return;
  Schedstat now = read_schedstat(w.pid).value_or(w.base);
  reap(w, std::chrono::milliseconds(500));
  // Between steps the last end_step() already reported this worker's record.
  if (record && in_step_) pending_.push_back(snapshot(w, step_, monotonic_ns(), now));
}

void WorkerPool::stop_all() {
  for (auto& w : workers_)
    if (w.alive) slots_[w.id].stop.store(1, std::memory_order_release);
  for (auto& w : workers_)
    if (w.alive) reap(w, std::chrono::milliseconds(200));
}

std::vector<WorkerTelemetry> WorkerPool::end_step(int s, bool last) {
  s = s < kMaxSteps ? s : kMaxSteps - 1;
  in_step_ = false;
  const uint64_t end = monotonic_ns();
  struct Final {
    Worker* w;
    Schedstat st;
    uint64_t read_ns;  // just after the read: each worker's CPU window ends here
  };
  std::vector<Final> live;
  // schedstat first: once a worker is reaped its /proc entry is gone.
  for (auto& w : workers_) {
    if (!w.alive) continue;
    Schedstat st = read_schedstat(w.pid).value_or(w.base);
    live.push_back({&w, st, monotonic_ns()});
  }
  window_end_ns_ = live.empty() ? end : live.back().read_ns;
  if (last) {
    for (auto& f : live) slots_[f.w->id].stop.store(1, std::memory_order_release);
    for (auto& f : live) reap(*f.w, std::chrono::milliseconds(2000));
  } else {
    // Workers leave step s now; until begin_step() they observe into a row
    // no record reports, so nothing measured while the next step's ops run
    // (a cpuset or affinity change) is attributed to either step.
    ctl_->step.store(static_cast<uint32_t>(kBetweenSteps), std::memory_order_release);
  }
  std::vector<WorkerTelemetry> out = std::move(pending_);
  pending_.clear();
  for (auto& f : live) {
    out.push_back(snapshot(*f.w, s, end, f.st));
    out.back().wall_ns = f.read_ns - f.w->window_start_ns;
  }
  return out;
}

}  // namespace ktstr::guest
