/* Shared between scx_wvt.bpf.c and its loader: sizes of the rodata the loader
 * fills before loading. */
#ifndef SCX_WVT_H
#define SCX_WVT_H

#define WVT_MAX_CPUS 256        /* ktstr topologies stop at 252 vCPUs */
#define WVT_CGROUP_NAME_LEN 32  /* cgroup leaf names compared in "broken" mode */

#endif
