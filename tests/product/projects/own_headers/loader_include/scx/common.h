/* SPDX-License-Identifier: GPL-2.0 */
/*
 * This project's own user-space scx/common.h (the kernel tree's has other
 * contents): the kernel-style integer names the generated skeleton uses for
 * the BPF program's globals, and a failure macro for the loader. Found through
 * the target's own include directories, before the kernel entry's include/.
 */
#ifndef OWNHDR_SCX_COMMON_H
#define OWNHDR_SCX_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define OWNHDR_SCX_COMMON_USER 1

#define OWNHDR_DIE(...)                               \
	do {                                          \
		fprintf(stderr, "scx_ownhdr: " __VA_ARGS__); \
		fputc('\n', stderr);                  \
		exit(1);                              \
	} while (0)

#endif /* OWNHDR_SCX_COMMON_H */
