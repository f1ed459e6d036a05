/* SPDX-License-Identifier: GPL-2.0 */
/*
 * This project's own scx/common.bpf.h, newer than the one in the 6.12 kernel
 * tree: it offers names that arrived after 6.12 (scx_bpf_dsq_insert,
 * scx_bpf_dsq_move_to_local, scx_bpf_now, NUMA_NO_NODE) on top of the 6.12
 * kfuncs (kernel/sched/ext.c). Written for ktstr's product test: a scheduler
 * using these names compiles only if this header is found before the
 * kernel entry's.
 */
#ifndef OWNHDR_SCX_COMMON_BPF_H
#define OWNHDR_SCX_COMMON_BPF_H

#define OWNHDR_SCX_COMMON_BPF 1

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE (-1)
#endif

/* The 6.12 kfuncs this project calls. */
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
void scx_bpf_dispatch(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym;
bool scx_bpf_consume(u64 dsq_id) __ksym;
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags, bool *is_idle) __ksym;

/* The post-6.12 names, mapped onto the 6.12 kfuncs. */
static __always_inline void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags)
{
	scx_bpf_dispatch(p, dsq_id, slice, enq_flags);
}

static __always_inline bool scx_bpf_dsq_move_to_local(u64 dsq_id)
{
	return scx_bpf_consume(dsq_id);
}

static __always_inline u64 scx_bpf_now(void)
{
	return bpf_ktime_get_ns();
}

/* struct_ops callbacks: a BPF_PROG in the section libbpf maps to the ops member. */
#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

#endif /* OWNHDR_SCX_COMMON_BPF_H */
