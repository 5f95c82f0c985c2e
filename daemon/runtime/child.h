/* child.h: what the parent prepares for the cloned child, and the child's
 * setup sequence inside its new namespaces. Internal to the runtime. */
#ifndef ENGINE_RT_CHILD_H
#define ENGINE_RT_CHILD_H

#include <stdbool.h>
#include <stddef.h>

#include "mounts.h"
#include "process.h"
#include "spec.h"

typedef struct child_ctx {
	const rt_spec *spec;
	proc_ctx proc;
	int sync_fd;      /* write end; close-on-exec */
	int sync_rd;      /* the parent's end, closed by the child */
	int go_rd, go_wr;  /* "g" from the parent once we sit in our cgroup */
	bool in_cgroup;    /* that happened (and the cgroup namespace is ours) */
	const int *ns_fds; /* per spec namespace: fd to join or -1 */
	mount_ctx mctx;
} child_ctx;

/* Runs in the clone()d child; never returns. */
__attribute__((noreturn)) void child_main(child_ctx *c);

#endif
