/* Force-included (-include) into every C file of the kernel's sched_ext
 * selftest runner by build_selftests.sh.
 *
 * Why: under `ktstr run` the runner's stdout is a pipe to the host, so stdio
 * buffers it fully. Tests such as init_enable_count fork() 1024 children that
 * exit() with a copy of the parent's unflushed buffer, and every child
 * re-prints it: one run produced 315,000 lines of repeated "ok N name" lines
 * (measured here). Line buffering, the behaviour the runner gets on a
 * terminal, leaves nothing unflushed at fork(). The upstream sources stay
 * unmodified. */
#include <stdio.h>

static void __attribute__((constructor)) ktstr_runner_linebuf(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
