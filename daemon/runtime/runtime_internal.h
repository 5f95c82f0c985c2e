/* runtime_internal.h: helpers runtime.c shares with exec.c. */
#ifndef ENGINE_RT_RUNTIME_INTERNAL_H
#define ENGINE_RT_RUNTIME_INTERNAL_H

#include "process.h"
#include "runtime.h"

/* The container's cgroup: planned (cgroup_plan, for runtime_create to realize), or opened. */
cgroup *rt_open_cgroup(const rt_spec *s, const rt_config *cfg, bool plan, err_t **err);
/* Fills pc for process p: caps clamped to the kernel, rlimits clamped to the
 * host (*rlimits is the copy), the seccomp filter compiled (or cached). */
int rt_prepare_proc(const rt_spec *s, const rt_config *cfg, const rt_process *p, proc_ctx *pc,
		    rt_rlimit **rlimits, sc_filter *filter, err_t **err);
/* A fork()-like clone(2) with extra namespace flags. */
pid_t rt_clone(int flags);
/* With p->terminal, the socketpair the pty master comes back on. */
int rt_console_pair(const rt_process *p, int sv[2], err_t **err);
/* Waits until the child exec'd (and sent its pty master); reaps it on failure. */
int rt_wait_child(pid_t pid, int sync_rd, int console_rd, int *console, err_t **err);

#endif
