/* process.h: the last steps in the child, shared by a container's first
 * process and `exec`: stdio, rlimits, user and groups, env, cwd, the command
 * lookup in $PATH, no_new_privs, seccomp, capabilities, execve. */
#ifndef ENGINE_RT_PROCESS_H
#define ENGINE_RT_PROCESS_H

#include <stdbool.h>

#include "err.h"
#include "runtime.h"
#include "seccomp.h"
#include "spec.h"

typedef struct proc_ctx {
	const rt_process *proc;
	const rt_stdio *stdio;
	const sc_filter *filter; /* NULL: unconfined */
	rt_caps caps;            /* clamped to the kernel; all zero when the spec has none */
	int last_cap;
	const rt_rlimit *rlimits; /* clamped copy */
	size_t n_rlimits;
	int init_fd; /* engine-init (O_PATH) to exec as PID 1, or -1 */
	int console_sock;  /* with proc->terminal: where the pty master goes (pty.h) */
	bool console_bind; /* bind the pty on /dev/console (a container's first process) */
} proc_ctx;

/* Everything from stdio to execve; returns only with an error. */
int process_exec(const proc_ctx *c, err_t **err);

/* Go's exec.LookPath, which gives Docker its messages: the file to execve
 * for cmd, searched in env's PATH (or RT_DEFAULT_PATH). */
int process_lookup(const char *cmd, char *const *env, char **out, err_t **err);
/* env plus PATH and HOME when missing. */
char **process_env(char *const *env, const char *home);

#endif
