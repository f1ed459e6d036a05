/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_ownhdr: one shared FIFO queue, written against this project's own,
 * newer scx/common.bpf.h (post-6.12 names). An idle CPU found at wakeup gets
 * the task directly; everything else goes through the shared queue.
 */
#include <scx/common.bpf.h>

#ifndef OWNHDR_SCX_COMMON_BPF
#error "the kernel entry's scx/common.bpf.h was found before this project's own"
#endif

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ 0

u64 nr_enqueued;   /* read by the loader */
u64 last_running;  /* scx_bpf_now() of the latest ops.running */

s32 BPF_STRUCT_OPS(ownhdr_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);

	if (idle)
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	return cpu;
}

void BPF_STRUCT_OPS(ownhdr_enqueue, struct task_struct *p, u64 enq_flags)
{
	__sync_fetch_and_add(&nr_enqueued, 1);
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(ownhdr_dispatch, s32 cpu, struct task_struct *prev)
{
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
}

void BPF_STRUCT_OPS(ownhdr_running, struct task_struct *p)
{
	last_running = scx_bpf_now();
}

s32 BPF_STRUCT_OPS_SLEEPABLE(ownhdr_init)
{
	return scx_bpf_create_dsq(SHARED_DSQ, NUMA_NO_NODE);
}

SEC(".struct_ops.link")
struct sched_ext_ops ownhdr_ops = {
	.select_cpu = (void *)ownhdr_select_cpu,
	.enqueue = (void *)ownhdr_enqueue,
	.dispatch = (void *)ownhdr_dispatch,
	.running = (void *)ownhdr_running,
	.init = (void *)ownhdr_init,
	.name = "ownhdr",
};
