/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_mine: the scheduler of README.md "Your scheduler project from zero".
 * Every task goes to the global queue in FIFO order; the count of enqueues
 * is readable by the loader. Written against the 6.12 kernel entry's
 * scx/common.bpf.h (scx_bpf_dispatch, the 6.12 name).
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

u64 nr_enqueued;  /* read by the loader */

void BPF_STRUCT_OPS(mine_enqueue, struct task_struct *p, u64 enq_flags)
{
	__sync_fetch_and_add(&nr_enqueued, 1);
	scx_bpf_dispatch(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, enq_flags);
}

SEC(".struct_ops.link")
struct sched_ext_ops mine_ops = {
	.enqueue = (void *)mine_enqueue,
	.name = "mine",
};
