/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_wvt: a weighted-vtime sched_ext scheduler, the ktstr example.
 *
 * Every runnable task carries a virtual time that advances by its used slice
 * scaled by 100/weight (p->scx.weight, from the nice value),
 * and tasks run in vtime order from a dispatch queue (DSQ). Two layouts:
 *   - one shared DSQ (default);
 *   - per_llc: one DSQ per last-level cache; a CPU serves its own LLC first
 *     and steals from the others only when its own queue is empty.
 * Deliberately broken mode (for ktstr's expect_fail example): tasks of the
 * cgroup named broken_cgroup are queued on a DSQ nobody consumes, so they
 * never run again and the kernel's watchdog ejects the scheduler
 * (Documentation/scheduler/sched-ext.rst: "runnable task stall"). Only tasks
 * that already ran broken_after_ns of CPU time are starved: a task starved
 * while it holds a kernel lock (fork, exit, cgroup migration) can block the
 * ejection itself and hang the guest (seen once under TCG); a task that has
 * spun that long is preempted in its user-space loop.
 *
 * Written for ktstr after reading the kernel's tools/sched_ext examples and
 * Documentation/scheduler/sched-ext.rst (v6.12 kfunc names).
 */
#include <scx/common.bpf.h>

#include "scx_wvt.h"

char _license[] SEC("license") = "GPL";

/* Filled by the loader before load (read-only to BPF, so the verifier can
 * prune on them). */
const volatile bool per_llc;
const volatile u32 nr_llcs = 1;
const volatile u32 cpu_llc[WVT_MAX_CPUS];
const volatile char broken_cgroup[WVT_CGROUP_NAME_LEN];
const volatile u64 broken_after_ns = 200 * 1000 * 1000ULL;

/* DSQ ids: 0 .. nr_llcs-1 are the per-LLC queues (0 is the shared queue in
 * the default layout); the black hole sits far above any LLC index. */
#define WVT_DSQ_BLACKHOLE (1ULL << 32)

static u64 global_vtime;
UEI_DEFINE(uei);

/* Counters the loader prints: [0] direct to idle CPU, [1] queued, [2] stolen
 * from another LLC, [3] swallowed by the broken mode. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u64));
	__uint(max_entries, 4);
} wvt_stats SEC(".maps");

static void count(u32 which)
{
	u64 *v = bpf_map_lookup_elem(&wvt_stats, &which);

	if (v)
		(*v)++;
}

static bool before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static u64 llc_dsq_of_cpu(s32 cpu)
{
	if (!per_llc || cpu < 0 || cpu >= WVT_MAX_CPUS)
		return 0;
	return cpu_llc[cpu];
}

/* The queue for a task last on cpu: its own LLC's, unless another LLC's
 * queue is shorter by more than one task. Without this, queues only drain
 * into each other when a CPU runs dry, and a cgroup's spinners on a busier
 * LLC get a fraction of the CPU time of their siblings elsewhere. */
static u64 pick_dsq(struct task_struct *p, s32 cpu)
{
	u64 best = llc_dsq_of_cpu(cpu);
	s32 best_len;
	u32 i;

	/* A task limited to some CPUs (a cpuset) stays with its own LLC: CPUs
	 * of another LLC could not run it, only hold it up. */
	if (!per_llc || p->nr_cpus_allowed < scx_bpf_nr_cpu_ids())
		return best;
	best_len = scx_bpf_dsq_nr_queued(best);
	bpf_for(i, 0, nr_llcs) {
		s32 len = scx_bpf_dsq_nr_queued(i);

		if (len + 1 < best_len) {
			best = i;
			best_len = len;
		}
	}
	return best;
}

/* True when p belongs to the cgroup the broken mode starves. Compares the
 * leaf name of p's cgroup v2 group with broken_cgroup. */
static bool starved(struct task_struct *p)
{
	char name[WVT_CGROUP_NAME_LEN] = {};
	const char *kn_name;
	int i;

	if (!broken_cgroup[0] || p->se.sum_exec_runtime < broken_after_ns)
		return false;
	kn_name = BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, name);
	if (!kn_name || bpf_probe_read_kernel_str(name, sizeof(name), kn_name) < 0)
		return false;
	for (i = 0; i < WVT_CGROUP_NAME_LEN; i++) {
		if (name[i] != broken_cgroup[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;
}

s32 BPF_STRUCT_OPS(wvt_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	/* An idle CPU takes the task at once, except in the broken mode's cgroup
	 * (it must reach enqueue to be swallowed). */
	if (idle && !starved(p)) {
		count(0);
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(wvt_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;

	if (starved(p)) {
		count(3);
		scx_bpf_dispatch(p, WVT_DSQ_BLACKHOLE, SCX_SLICE_DFL, enq_flags);
		return;
	}
	count(1);
	/* A task that slept long keeps at most one slice of credit. */
	if (before(vtime, global_vtime - SCX_SLICE_DFL))
		vtime = global_vtime - SCX_SLICE_DFL;
	scx_bpf_dispatch_vtime(p, pick_dsq(p, scx_bpf_task_cpu(p)), SCX_SLICE_DFL, vtime, enq_flags);
}

void BPF_STRUCT_OPS(wvt_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 own = llc_dsq_of_cpu(cpu);
	u32 i;

	if (scx_bpf_consume(own) || !per_llc)
		return;
	bpf_for(i, 0, nr_llcs) {
		if (i != own && scx_bpf_consume(i)) {
			count(2);
			return;
		}
	}
}

void BPF_STRUCT_OPS(wvt_running, struct task_struct *p)
{
	/* The queue's vtime floor follows the tasks that actually run. */
	if (before(global_vtime, p->scx.dsq_vtime))
		global_vtime = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(wvt_stopping, struct task_struct *p, bool runnable)
{
	/* Charge the used part of the slice, inverse to the weight (100 = nice 0). */
	p->scx.dsq_vtime += (SCX_SLICE_DFL - p->scx.slice) * 100 / p->scx.weight;
}

void BPF_STRUCT_OPS(wvt_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = global_vtime;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(wvt_init)
{
	s32 err;
	u32 i;

	bpf_for(i, 0, nr_llcs) {
		err = scx_bpf_create_dsq(i, -1);
		if (err)
			return err;
	}
	if (broken_cgroup[0])
		return scx_bpf_create_dsq(WVT_DSQ_BLACKHOLE, -1);
	return 0;
}

void BPF_STRUCT_OPS(wvt_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(wvt_ops,
	       .select_cpu	= (void *)wvt_select_cpu,
	       .enqueue		= (void *)wvt_enqueue,
	       .dispatch	= (void *)wvt_dispatch,
	       .running		= (void *)wvt_running,
	       .stopping	= (void *)wvt_stopping,
	       .enable		= (void *)wvt_enable,
	       .init		= (void *)wvt_init,
	       .exit		= (void *)wvt_exit,
	       .name		= "wvt");
