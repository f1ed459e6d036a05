// The bodies of the work types, one family per file. Each runs until the
// worker is stopped; group work falls back to spinning when its group has a
// single member. Internal to lib/guest: work.cpp dispatches to them.
#pragma once

#include "guest/work.hpp"

namespace ktstr::guest {

using WorkBody = void (*)(const WorkSpec&, WorkerContext&, const GroupLink&);

// work_basic.cpp
void run_spin(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_yield(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_mixed(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_bursty(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_pipe_pingpong(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_sync_io(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_callable(const WorkSpec&, WorkerContext&, const GroupLink&);

// work_cpu.cpp
void run_alu(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_smt_spin(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_cache_pressure(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_ipc_variance(const WorkSpec&, WorkerContext&, const GroupLink&);

// work_wake.cpp (futex pingpong is a wake chain of two)
void run_wake_chain(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_futex_fanout(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_thundering_herd(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_asymmetric_waker(const WorkSpec&, WorkerContext&, const GroupLink&);

// work_queue.cpp
void run_epoll_storm(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_producer_consumer(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_schbench(const WorkSpec&, WorkerContext&, const GroupLink&);

// work_life.cpp
void run_fork_churn(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_nice_sweep(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_affinity_churn(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_policy_churn(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_cgroup_attach_storm(const WorkSpec&, WorkerContext&, const GroupLink&);

// work_lock.cpp
void run_page_fault_churn(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_mutex_contention(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_priority_inversion(const WorkSpec&, WorkerContext&, const GroupLink&);

// work_preempt.cpp
void run_signal_storm(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_preempt_storm(const WorkSpec&, WorkerContext&, const GroupLink&);
void run_rt_starvation(const WorkSpec&, WorkerContext&, const GroupLink&);

}  // namespace ktstr::guest
