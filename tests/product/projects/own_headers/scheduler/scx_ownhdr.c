/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader for scx_ownhdr.bpf.c: loads and attaches the scheduler, prints the
 * enqueue count every second until SIGINT/SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <scx/common.h>

#ifndef OWNHDR_SCX_COMMON_USER
#error "the kernel entry's scx/common.h was found before this project's own"
#endif

#include "scx_ownhdr.bpf.skel.h"

static volatile sig_atomic_t stop_req;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

int main(void)
{
	struct scx_ownhdr *skel = scx_ownhdr__open_and_load();
	struct bpf_link *link;

	if (!skel)
		OWNHDR_DIE("opening or loading the BPF program failed");
	link = bpf_map__attach_struct_ops(skel->maps.ownhdr_ops);
	if (!link)
		OWNHDR_DIE("attaching ownhdr_ops failed");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop_req) {
		printf("enqueued %llu\n", (unsigned long long)skel->bss->nr_enqueued);
		fflush(stdout);
		sleep(1);
	}
	bpf_link__destroy(link);
	scx_ownhdr__destroy(skel);
	return 0;
}
