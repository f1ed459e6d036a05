#include "guest/worker_pool.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <new>
#include <thread>

#include "base/fd.hpp"

namespace ktstr::guest {
namespace {

void futex_wake_all(std::atomic<uint32_t>& w) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&w), FUTEX_WAKE, INT32_MAX, nullptr, nullptr, 0);
}
void futex_wait(std::atomic<uint32_t>& w, uint32_t expected, long timeout_ns) {
  timespec ts{0, timeout_ns};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&w), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

// The release word lives in the slot's turn-independent ready field: 3 = go.
constexpr uint32_t kReady = 1, kSetupFailed = 2, kGo = 3;

// The child side of spawn(): set the policy, report ready, wait for go, work.
[[noreturn]] void worker_main(const WorkSpec& spec, ControlWords& ctl, WorkerSlot& slot, const PairLink& pair) {
  for (int sig : {SIGTERM, SIGINT, SIGCHLD, SIGHUP}) signal(sig, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the runner
  sched_param sp{};
  if (sched_setscheduler(0, policy_number(spec.policy), &sp) != 0) {
    slot.setup_errno = errno;
    slot.ready.store(kSetupFailed, std::memory_order_release);
    futex_wake_all(slot.ready);
    _exit(1);
  }
  slot.ready.store(kReady, std::memory_order_release);
  futex_wake_all(slot.ready);
  while (slot.ready.load(std::memory_order_acquire) != kGo && !slot.stop.load()) futex_wait(slot.ready, kReady, 100'000'000);
  if (!slot.stop.load()) {
    WorkerContext ctx(ctl, slot);
    try {
      run_work(spec, ctx, slot, pair);
    } catch (...) {  // an exception in user work ends the worker, not the run
    }
  }
  _exit(0);
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
  Schedstat base;            // at the start of the current window
  uint64_t window_start_ns = 0;
};

Result<Schedstat> read_schedstat(pid_t pid) {
  auto text = KTSTR_TRY(read_file(fmt::format("/proc/{}/schedstat", pid)));
  Schedstat s;
  if (std::sscanf(text.c_str(), "%lu %lu", &s.cpu_ns, &s.wait_ns) != 2)
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
      window_end_ns_(o.window_end_ns_),
      time_base_ns_(o.time_base_ns_) {}

WorkerPool::~WorkerPool() {
  stop_all();
  if (region_) munmap(region_, region_bytes_);
}

Result<std::vector<int>> WorkerPool::spawn(const WorkSpec& spec, int count, const Cgroup* cgroup,
                                           const std::string& cgroup_name, int first_index) {
  if (static_cast<int>(workers_.size()) + count > kMaxWorkers)
    return fail("spawning {} workers in {}: limit of {} workers per run", count, cgroup_name, kMaxWorkers);
  const bool pipes = spec.type == WorkType::kPipePingPong;
  const bool futex = spec.type == WorkType::kFutexPingPong;
  std::vector<int> ids;
  UniqueFd ab_r, ab_w, ba_r, ba_w;  // pipes of the current pair, closed in the runner after both forks
  for (int i = 0; i < count; ++i) {
    const int id = static_cast<int>(workers_.size());
    // Slots are never reused and fresh MAP_ANONYMOUS pages read as zero,
    // which is every field's initial state; constructing the slot would
    // touch all of its ~130 KiB (latency reservoirs most work types never
    // use, placement logs for 16 steps) and cost a 252-vCPU oversubscribed
    // guest ~130 MiB.
    WorkerSlot& slot = slots_[id];
    PairLink pair;
    const bool paired = (pipes || futex) && (i % 2 == 1 || i + 1 < count);
    if (paired) {
      pair.is_even = i % 2 == 0;
      pair.even = pair.is_even ? &slot : &slots_[id - 1];
      if (pipes && pair.is_even) {
        int a[2], b[2];
        if (pipe2(a, O_CLOEXEC) != 0 || pipe2(b, O_CLOEXEC) != 0) return fail_errno("pipe2 for ping-pong workers");
        ab_r = UniqueFd(a[0]), ab_w = UniqueFd(a[1]), ba_r = UniqueFd(b[0]), ba_w = UniqueFd(b[1]);
      }
      if (pipes) {
        pair.read_fd = pair.is_even ? ba_r.get() : ab_r.get();
        pair.write_fd = pair.is_even ? ab_w.get() : ba_w.get();
      }
    }
    pid_t pid = fork();
    if (pid < 0) return fail_errno(fmt::format("fork of worker {}/{}", cgroup_name, first_index + i));
    if (pid == 0) worker_main(spec, *ctl_, slot, pair);
    workers_.push_back(Worker{.id = id, .pid = pid, .cgroup = cgroup_name, .index = first_index + i,
                              .type = spec.type, .policy = spec.policy, .alive = true});
    ids.push_back(id);
    if (cgroup) KTSTR_TRY_CTX(cgroup->add_pid(pid), "moving worker {} into {}", pid, cgroup_name);
  }
  for (int id : ids) {
    WorkerSlot& slot = slots_[id];
    for (int waited = 0; slot.ready.load(std::memory_order_acquire) == 0; ++waited) {
      if (waited > 300) return fail("worker {} of {} not ready after 30 s", workers_[id].pid, cgroup_name);
      futex_wait(slot.ready, 0, 100'000'000);
    }
    if (slot.ready.load() == kSetupFailed)
      return fail_errno(fmt::format("sched_setscheduler({}) in worker of {}", policy_name(spec.policy), cgroup_name),
                        slot.setup_errno);
  }
  return ids;
}

void WorkerPool::release(const std::vector<int>& ids) {
  const uint64_t now = monotonic_ns();
  for (int id : ids) {
    Worker& w = workers_[id];
    w.window_start_ns = monotonic_ns();  // before the read: the window covers what base misses
    w.base = read_schedstat(w.pid).value_or(Schedstat{});
    slots_[id].go_ns = now;
    slots_[id].ready.store(kGo, std::memory_order_release);
    futex_wake_all(slots_[id].ready);
  }
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

void WorkerPool::begin_step(int s) {
  step_ = s < kMaxSteps ? s : kMaxSteps - 1;
  // end_step() of the previous step already opened this one at its end time.
  uint64_t now = ctl_->step_start_ns[step_].load(std::memory_order_relaxed);
  if (now == 0) {
    now = monotonic_ns();
    ctl_->step_start_ns[step_].store(now, std::memory_order_relaxed);
  }
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
  const WakeReservoir& wake = slots_[w.id].wake[s];
  return WorkerTelemetry{
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
      .cpuset = {},
      .wake_latency_ns = wake.values(),
      .wake_samples_seen = wake.seen,
      .progress_start_ns = t.start_ns > time_base_ns_ ? t.start_ns - time_base_ns_ : 0,
      .placement = slots_[w.id].placement[s].snapshot(time_base_ns_),
      .placement_merged_us = slots_[w.id].placement[s].merged_us,
  };
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
  if (record) pending_.push_back(snapshot(w, step_, monotonic_ns(), now));
}

void WorkerPool::stop_all() {
  for (auto& w : workers_)
    if (w.alive) slots_[w.id].stop.store(1, std::memory_order_release);
  for (auto& w : workers_)
    if (w.alive) reap(w, std::chrono::milliseconds(200));
}

std::vector<WorkerTelemetry> WorkerPool::end_step(int s, bool last) {
  s = s < kMaxSteps ? s : kMaxSteps - 1;
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
  } else if (s + 1 < kMaxSteps) {
    ctl_->step_start_ns[s + 1].store(end, std::memory_order_relaxed);
    ctl_->step.store(static_cast<uint32_t>(s + 1), std::memory_order_release);  // workers leave step s now
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
