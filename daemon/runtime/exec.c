/* exec.c: runtime_exec_in(), a new process in a running container (docker
 * exec). We point our own pid_for_children at the container's PID namespace
 * for one clone() and back, so the process is born inside it and is our
 * child (the shim reaps it and gets its exit code) with no extra fork. The
 * child joins the container's cgroup and other namespaces (mount last: it
 * also moves our root and cwd to the container's) and then shares
 * process.c with a container's first process. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "namespaces.h"
#include "runtime_internal.h"
#include "syncpipe.h"
#include "xalloc.h"

/* Joined in this order; the PID namespace is handled by the parent. */
static const int join_order[] = {CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWNS};
#define N_JOIN (sizeof(join_order) / sizeof(join_order[0]))

typedef struct exec_res {
	int ns[N_JOIN];
	int pidns, self_pidns;
	int *cg_fds;
	size_t n_cg_fds;
	rt_rlimit *rlimits;
	sc_filter filter;
	proc_ctx pc;
} exec_res;

static void exec_res_done(exec_res *r)
{
	for (size_t i = 0; i < N_JOIN; i++)
		if (r->ns[i] >= 0)
			close(r->ns[i]);
	if (r->pidns >= 0)
		close(r->pidns);
	if (r->self_pidns >= 0)
		close(r->self_pidns);
	for (size_t i = 0; i < r->n_cg_fds; i++)
		close(r->cg_fds[i]);
	free(r->cg_fds);
	free(r->rlimits);
	sc_filter_done(&r->filter);
}

static int open_ns(pid_t pid, int type, int *fd, err_t **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_proc_name(type));
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return err_set(err, errno == ENOENT ? ERR_CONFLICT : ERR_SYSTEM, errno,
			       "container process %d is not running", (int)pid);
	return 0;
}

static int prepare(const rt_spec *s, const rt_config *cfg, const rt_process *proc, pid_t cpid, exec_res *r,
		   err_t **err)
{
	for (size_t i = 0; i < N_JOIN; i++)
		if (spec_namespace(s, join_order[i]) && open_ns(cpid, join_order[i], &r->ns[i], err) < 0)
			return -1;
	if (spec_namespace(s, CLONE_NEWPID)) {
		if (open_ns(cpid, CLONE_NEWPID, &r->pidns, err) < 0)
			return -1;
		r->self_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (r->self_pidns < 0)
			return err_sys(err, "open /proc/self/ns/pid");
	}
	_cleanup_cgroup_ cgroup *cg = rt_open_cgroup(s, cfg, false, err);
	if (!cg || cgroup_procs_fds(cg, &r->cg_fds, &r->n_cg_fds, err) < 0)
		return -1;
	return rt_prepare_proc(s, cfg, proc, &r->pc, &r->rlimits, &r->filter, err);
}

__attribute__((noreturn)) static void exec_child(exec_res *r, int sync_rd, int sync_wr)
{
	err_t *err = NULL;
	close(sync_rd);
	if (cgroup_enter_fds(r->cg_fds, r->n_cg_fds, &err) < 0)
		goto fail;
	for (size_t i = 0; i < N_JOIN; i++) {
		if (r->ns[i] >= 0 && setns(r->ns[i], join_order[i]) < 0) {
			err_sys(&err, "join the container's %s namespace", ns_to_name(join_order[i]));
			goto fail;
		}
	}
	if (setsid() < 0) {
		err_sys(&err, "setsid");
		goto fail;
	}
	process_exec(&r->pc, &err);
fail:
	sync_send_error(sync_wr, err);
	_exit(runtime_start_exit_code(err));
}

static void close_pair(int fds[2])
{
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int spawn(exec_res *r, pid_t *pid, int *console, err_t **err)
{
	int p[2], sv[2];
	if (rt_console_pair(r->pc.proc, sv, err) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		close_pair(sv);
		return err_sys(err, "pipe");
	}
	r->pc.console_sock = sv[1];
	r->pc.console_bind = false;
	if (r->pidns >= 0 && setns(r->pidns, CLONE_NEWPID) < 0) {
		close_pair(p);
		close_pair(sv);
		return err_sys(err, "enter the container's PID namespace");
	}
	*pid = rt_clone(0);
	if (*pid == 0)
		exec_child(r, p[0], p[1]);
	int saved = errno;
	if (r->self_pidns >= 0 && setns(r->self_pidns, CLONE_NEWPID) < 0)
		abort(); /* every later child would land in the container */
	close(p[1]);
	if (sv[1] >= 0)
		close(sv[1]);
	int rc = *pid < 0 ? err_set(err, ERR_SYSTEM, saved, "clone") : rt_wait_child(*pid, p[0], sv[0], console, err);
	close(p[0]);
	if (sv[0] >= 0)
		close(sv[0]);
	return rc;
}

int runtime_exec_in(const rt_spec *s, const rt_config *cfg, const rt_process *proc, pid_t container_pid,
		    const rt_stdio *stdio, pid_t *ret_pid, int *ret_console, err_t **err)
{
	exec_res r = {.pidns = -1, .self_pidns = -1};
	for (size_t i = 0; i < N_JOIN; i++)
		r.ns[i] = -1;
	rt_stdio none = RT_STDIO_NULL;
	pid_t pid = -1;
	int console = -1;
	int rc = prepare(s, cfg, proc, container_pid, &r, err);
	if (rc == 0) {
		r.pc.stdio = stdio ? stdio : &none;
		rc = spawn(&r, &pid, &console, err);
	}
	exec_res_done(&r);
	if (rc < 0)
		return -1; /* the message is Docker's as it is (exec: "x": executable file not found ...) */
	*ret_pid = pid;
	if (ret_console)
		*ret_console = console;
	else if (console >= 0)
		close(console);
	return 0;
}
