/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader for scx_mine.bpf.c: loads and attaches the scheduler, prints the
 * enqueue count every second until SIGINT/SIGTERM, then detaches.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <scx/common.h>  /* u64 and friends, which the skeleton uses */

#include "scx_mine.bpf.skel.h"

static volatile sig_atomic_t stop_req;

static void on_signal(int sig)
{
	(void)sig;
	stop_req = 1;
}

int main(void)
{
	struct scx_mine *skel = scx_mine__open_and_load();
	struct bpf_link *link;

	if (!skel) {
		fprintf(stderr, "scx_mine: opening or loading the BPF program failed\n");
		return 1;
	}
	link = bpf_map__attach_struct_ops(skel->maps.mine_ops);
	if (!link) {
		fprintf(stderr, "scx_mine: attaching mine_ops failed\n");
		scx_mine__destroy(skel);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop_req) {
		printf("enqueued %llu\n", (unsigned long long)skel->bss->nr_enqueued);
		fflush(stdout);
		sleep(1);
	}
	bpf_link__destroy(link);
	scx_mine__destroy(skel);
	return 0;
}
