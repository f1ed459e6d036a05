/* SPDX-License-Identifier: GPL-2.0 */
/*
 * This project's own user-space scx/common.h (the kernel tree's has other
 * contents): a failure macro for the loader. Found through the target's own
 * include directories, before the kernel entry's include/.
 */
#ifndef OWNHDR_SCX_COMMON_H
#define OWNHDR_SCX_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#define OWNHDR_SCX_COMMON_USER 1

#define OWNHDR_DIE(...)                               \
	do {                                          \
		fprintf(stderr, "scx_ownhdr: " __VA_ARGS__); \
		fputc('\n', stderr);                  \
		exit(1);                              \
	} while (0)

#endif /* OWNHDR_SCX_COMMON_H */
