/* runtime.h: the container runtime's public API (what engine-shim uses, and
 * engined for pause/top through cgroups.h). No HTTP, no daemon state: a spec
 * in, a running process out.
 *
 *   rt_spec *s = spec_load(bundle, &err);
 *   rt_container *c = NULL;
 *   runtime_create(s, &cfg, &stdio, &c, &err);   // c->pid runs the command
 *   ... waitpid(c->pid) ...; runtime_destroy(c, &err) removes the cgroup.
 *
 * A failed start maps to Docker's exit codes with runtime_start_exit_code():
 * 127 command not found (`exec: "foo": executable file not found in $PATH`),
 * 126 not executable (`permission denied`), 128 anything else. */
#ifndef ENGINE_RT_RUNTIME_H
#define ENGINE_RT_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups.h"
#include "err.h"
#include "rlimits.h"
#include "spec.h"

#define RT_DEFAULT_CGROUP_PARENT "engine"
#define RT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct rt_config {
	const char *id;            /* container id: the cgroup leaf when the spec has no cgroupsPath */
	const char *cgroup_root;   /* NULL: /sys/fs/cgroup */
	const char *cgroup_parent; /* NULL: "engine" */
	const char *init_path;     /* the static engine-init, for RT_ANN_INIT */
	const char *cache_dir;     /* compiled seccomp filters (root-only dir), NULL: no cache */
	rt_warn_fn warn;           /* non-fatal problems (clamped rlimits, ...), may be NULL */
	void *warn_ctx;
} rt_config;

/* The process's stdio: fds in the caller, -1 for /dev/null. Ignored with
 * process.terminal: the process then gets a pty of the container's devpts
 * (also bound on /dev/console) and the caller its master. */
typedef struct rt_stdio {
	int in, out, err;
} rt_stdio;
#define RT_STDIO_NULL {-1, -1, -1}

typedef struct rt_container {
	pid_t pid;   /* the container's first process, in our PID namespace */
	cgroup *cg;  /* its cgroup */
	int console; /* the pty master with process.terminal, else -1; the caller's to close */
} rt_container;

/* Creates the cgroup, clones into new namespaces, builds the root and starts
 * the process. Returns once the process exec'd (or failed before that). */
int runtime_create(const rt_spec *s, const rt_config *cfg, const rt_stdio *stdio, rt_container **ret,
		   err_t **err);
/* Starts another process in a running container (docker exec): joins its
 * namespaces and cgroup, applies the user, caps, seccomp and rlimits of
 * `proc` (the container's seccomp profile comes from `s`). The new process is
 * a child of the caller. With proc->terminal, *ret_console is its pty master. */
int runtime_exec_in(const rt_spec *s, const rt_config *cfg, const rt_process *proc, pid_t container_pid,
		    const rt_stdio *stdio, pid_t *ret_pid, int *ret_console, err_t **err);
/* The container's cgroup path ("engine/<id>" or the spec's cgroupsPath). */
char *runtime_cgroup_path(const rt_spec *s, const rt_config *cfg);
/* Removes the cgroup, killing what is left in it. Call after the first
 * process exited; c stays allocated (free with rt_container_free). */
int runtime_destroy(rt_container *c, err_t **err);
void rt_container_free(rt_container *c);

int runtime_start_exit_code(const err_t *e);

#endif
