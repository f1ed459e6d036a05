/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader for scx_mine.bpf.c: loads and attaches the scheduler, prints the
 * enqueue count every second, and detaches on SIGINT/SIGTERM. The signals
 * are blocked and waited for (sigtimedwait), so no handler is needed.
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <scx/common.h>  /* u64 and friends, which the skeleton uses */

#include "scx_mine.bpf.skel.h"

int main(void)
{
	const struct timespec second = {.tv_sec = 1};
	struct scx_mine *skel;
	struct bpf_link *link;
	sigset_t stop;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	skel = scx_mine__open_and_load();
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
	do {
		printf("enqueued %llu\n", (unsigned long long)skel->bss->nr_enqueued);
		fflush(stdout);
	} while (sigtimedwait(&stop, NULL, &second) < 0);
	bpf_link__destroy(link);
	scx_mine__destroy(skel);
	return 0;
}
