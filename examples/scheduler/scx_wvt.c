/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loader for scx_wvt.bpf.c: fills the LLC map from sysfs, applies the
 * command-line options, attaches the scheduler and prints counters until
 * SIGINT/SIGTERM or until the kernel ejects it.
 *
 *   scx_wvt [-l] [-b CGROUP] [-t MS] [-v]
 *     -l         one dispatch queue per LLC (default: one shared queue)
 *     -b CGROUP  broken mode: never dispatch tasks of the cgroup named CGROUP
 *     -t MS      sched_ext watchdog timeout (default: the kernel's, 30 s)
 *     -v         print libbpf debug messages
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <scx/common.h>

#include "scx_wvt.h"
#include "scx_wvt.bpf.skel.h"

static volatile sig_atomic_t exit_req;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	exit_req = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* The LLC a CPU belongs to, as an id shared by its siblings: the lowest CPU
 * of its L3's shared_cpu_list (Documentation/ABI/testing/sysfs-devices-system-cpu,
 * cache/indexN/shared_cpu_list), or its package when the CPU reports no L3.
 * -1 when the CPU is absent. */
/* The first number in a sysfs file of cpu, or -1. */
static long read_cpu_number(int cpu, const char *rel)
{
	char path[128];
	long id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/%s", cpu, rel);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &id) != 1)
		id = -1;
	fclose(f);
	return id;
}

static long llc_id_of(int cpu)
{
	long id = read_cpu_number(cpu, "cache/index3/shared_cpu_list");

	if (id >= 0)
		return id;
	id = read_cpu_number(cpu, "topology/physical_package_id");
	if (id >= 0)
		return WVT_MAX_CPUS + id;  /* apart from CPU-numbered ids */
	return -1;
}

/* Maps every possible CPU to a dense LLC index; returns the number of LLCs. */
static unsigned fill_llc_map(struct scx_wvt *skel)
{
	long ids[WVT_MAX_CPUS];
	unsigned nr = 0;
	int ncpus = libbpf_num_possible_cpus();

	for (int cpu = 0; cpu < ncpus && cpu < WVT_MAX_CPUS; cpu++) {
		long id = llc_id_of(cpu);
		unsigned idx = 0;

		while (idx < nr && ids[idx] != id)
			idx++;
		if (idx == nr)
			ids[nr++] = id;
		skel->rodata->cpu_llc[cpu] = idx;
	}
	return nr ? nr : 1;
}

static void print_stats(struct scx_wvt *skel)
{
	int ncpus = libbpf_num_possible_cpus();
	unsigned long long total[4] = {0};
	__u64 *per_cpu = calloc(ncpus, sizeof(*per_cpu));

	if (!per_cpu)
		return;
	for (__u32 k = 0; k < 4; k++) {
		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.wvt_stats), &k, per_cpu) < 0)
			continue;
		for (int c = 0; c < ncpus; c++)
			total[k] += per_cpu[c];
	}
	free(per_cpu);
	printf("direct=%llu queued=%llu stolen=%llu swallowed=%llu\n", total[0], total[1], total[2], total[3]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	bool per_llc = false;
	const char *broken = NULL;
	unsigned timeout_ms = 0;
	struct scx_wvt *skel;
	struct bpf_link *link;
	__u64 ecode;
	int opt;

	while ((opt = getopt(argc, argv, "lb:t:vh")) != -1) {
		switch (opt) {
		case 'l': per_llc = true; break;
		case 'b': broken = optarg; break;
		case 't': timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'v': verbose = true; break;
		default:
			fprintf(stderr, "usage: %s [-l] [-b CGROUP] [-t MS] [-v]\n", argv[0]);
			return opt != 'h';
		}
	}
	if (broken && strlen(broken) >= WVT_CGROUP_NAME_LEN) {
		fprintf(stderr, "scx_wvt: cgroup name '%s' longer than %d\n", broken, WVT_CGROUP_NAME_LEN - 1);
		return 1;
	}

	libbpf_set_print(print_libbpf);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
restart:
	skel = SCX_OPS_OPEN(wvt_ops, scx_wvt);
	skel->rodata->per_llc = per_llc;
	skel->rodata->nr_llcs = per_llc ? fill_llc_map(skel) : 1;
	if (broken)
		strcpy((char *)skel->rodata->broken_cgroup, broken);
	if (timeout_ms)
		skel->struct_ops.wvt_ops->timeout_ms = timeout_ms;
	SCX_OPS_LOAD(skel, wvt_ops, scx_wvt, uei);
	link = SCX_OPS_ATTACH(skel, wvt_ops, scx_wvt);
	printf("scx_wvt: attached (%s, %u LLC queue(s)%s%s)\n", per_llc ? "per-LLC" : "shared",
	       skel->rodata->nr_llcs, broken ? ", broken: starving cgroup " : "", broken ? broken : "");
	fflush(stdout);

	while (!exit_req && !UEI_EXITED(skel, uei)) {
		print_stats(skel);
		sleep(1);
	}
	bpf_link__destroy(link);
	ecode = UEI_REPORT(skel, uei);
	scx_wvt__destroy(skel);
	if (UEI_ECODE_RESTART(ecode))
		goto restart;
	return 0;
}
