/* runtime.c: runtime_create(), the parent's half of starting a container.
 * Before clone: the namespace files to join, the compiled seccomp filter,
 * clamped rlimits, the init binary, the cgroup's hierarchies. Then one
 * clone() with the new namespaces; while the child (child.c) mounts its
 * root, the parent creates the cgroup, writes the limits and moves the child
 * in, then lets it go on past the point where it needs its cgroup (the
 * cgroup namespace and cgroupfs mounts, and before it runs anything of the
 * image). The parent waits on the close-on-exec sync pipe until the command
 * runs or fails. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "child.h"
#include "cleanup.h"
#include "namespaces.h"
#include "pty.h"
#include "runtime_internal.h"
#include "syncpipe.h"
#include "xalloc.h"

int runtime_start_exit_code(const err_t *e)
{
	if (!e || e->kind != ERR_INVALID)
		return 128;
	switch (e->errnum) {
	case ENOENT:
	case ENOTDIR: return 127;
	case EACCES:
	case EISDIR:
	case ENOEXEC:
	case EPERM: return 126;
	}
	return 128;
}

char *runtime_cgroup_path(const rt_spec *s, const rt_config *cfg)
{
	if (s->cgroups_path)
		return xstrdup(s->cgroups_path[0] == '/' ? s->cgroups_path + 1 : s->cgroups_path);
	const char *parent = cfg->cgroup_parent ? cfg->cgroup_parent : RT_DEFAULT_CGROUP_PARENT;
	return xasprintf("%s/%s", parent, cfg->id ? cfg->id : "container");
}

cgroup *rt_open_cgroup(const rt_spec *s, const rt_config *cfg, bool plan, err_t **err)
{
	const char *root = cfg->cgroup_root ? cfg->cgroup_root : CGROUP_ROOT;
	cg_mode mode;
	if (cgroup_detect(root, &mode, err) < 0)
		return NULL;
	_cleanup_free_ char *path = runtime_cgroup_path(s, cfg);
	if (plan)
		return cgroup_plan(root, mode, path, err);
	return cgroup_open(root, mode, path, err);
}

int rt_prepare_proc(const rt_spec *s, const rt_config *cfg, const rt_process *p, proc_ctx *pc,
		    rt_rlimit **rlimits, sc_filter *filter, err_t **err)
{
	pc->proc = p;
	pc->last_cap = caps_last_cap();
	if (p->has_caps)
		pc->caps = p->caps;
	caps_clamp_to_kernel(&pc->caps, pc->last_cap);
	uint64_t missing = caps_clamp_to_bounding(&pc->caps, pc->last_cap);
	for (int i = 0; missing && i <= pc->last_cap; i++)
		if ((missing & (1ULL << i)) && cfg->warn) {
			_cleanup_free_ char *w = xasprintf("capability CAP_%s is not available on this host: left out",
							   cap_to_name(i));
			cfg->warn(cfg->warn_ctx, w);
		}
	*rlimits = xcalloc(p->n_rlimits + 1, sizeof(rt_rlimit));
	memcpy(*rlimits, p->rlimits, p->n_rlimits * sizeof(rt_rlimit));
	rlimits_clamp(*rlimits, p->n_rlimits, caps_effective_has(CAP_SYS_RESOURCE), cfg->warn, cfg->warn_ctx);
	pc->rlimits = *rlimits;
	pc->n_rlimits = p->n_rlimits;
	pc->init_fd = -1;
	if (s->seccomp_mode == RT_SECCOMP_NONE)
		return 0;
	sc_profile *def = s->seccomp_mode == RT_SECCOMP_DEFAULT ? sc_profile_default() : NULL;
	int r = seccomp_build_cached(def ? def : s->seccomp, pc->caps.bounding, cfg->cache_dir, filter, err);
	sc_profile_free(def);
	if (r < 0)
		return -1;
	pc->filter = filter;
	return 0;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* The host-side resources a start holds until the child exec'd. */
typedef struct start_res {
	int *ns_fds;
	size_t n_ns;
	rt_rlimit *rlimits;
	sc_filter filter;
	int init_fd;
	char **v1_names;
} start_res;

static void start_res_done(start_res *r)
{
	close_fds(r->ns_fds, r->n_ns);
	free(r->ns_fds);
	free(r->rlimits);
	sc_filter_done(&r->filter);
	if (r->init_fd >= 0)
		close(r->init_fd);
	strv_free(r->v1_names);
}

static int prepare(const rt_spec *s, const rt_config *cfg, const cgroup *cg, child_ctx *c, start_res *r,
		   err_t **err)
{
	r->n_ns = s->n_namespaces;
	r->ns_fds = xcalloc(r->n_ns + 1, sizeof(int));
	for (size_t i = 0; i < r->n_ns; i++)
		r->ns_fds[i] = -1;
	if (ns_open_joins(s, r->ns_fds, err) < 0)
		return -1;
	if (rt_prepare_proc(s, cfg, &s->process, &c->proc, &r->rlimits, &r->filter, err) < 0)
		return -1;
	if (s->init) {
		if (!cfg->init_path)
			return err_invalid(err, "--init needs the engine-init binary");
		r->init_fd = open(cfg->init_path, O_PATH | O_CLOEXEC);
		if (r->init_fd < 0)
			return err_sys(err, "open %s", cfg->init_path);
		c->proc.init_fd = r->init_fd;
	}
	r->v1_names = cgroup_v1_names(cg);
	c->spec = s;
	c->ns_fds = r->ns_fds;
	c->mctx.cg_mode = cgroup_get_mode(cg);
	c->mctx.cg_v1_names = r->v1_names;
	return 0;
}

/* fork()-like clone: the child continues here on a copy of our stack. */
pid_t rt_clone(int flags)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)(flags | SIGCHLD), NULL, NULL, NULL, NULL);
}

int rt_console_pair(const rt_process *p, int sv[2], err_t **err)
{
	sv[0] = sv[1] = -1;
	if (p->terminal && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return err_sys(err, "socketpair");
	return 0;
}

int rt_wait_child(pid_t pid, int sync_rd, int console_rd, int *console, err_t **err)
{
	int r = sync_rd < 0 ? -1 : sync_wait_exec(sync_rd, err);
	if (r == 0 && console_rd >= 0)
		r = pty_recv_master(console_rd, console, err);
	if (r < 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return r;
}

/* In the parent while the child builds its root: the cgroup and its limits,
 * the child moved in, then "go". Moving a task can wait for an RCU grace
 * period (ms on a busy host): done here it overlaps the child's mounts. */
static int place_child(child_ctx *c, cgroup *cg, pid_t pid, int go, err_t **err)
{
	if (cgroup_realize(cg, &c->spec->resources, err) < 0 || cgroup_add_pid(cg, pid, err) < 0)
		return -1; /* closing `go` unwritten tells the child to give up */
	if (write(go, "g", 1) != 1)
		return err_sys(err, "start the container's process");
	return 0;
}

/* The child's own report wins: when it failed first (its overlay mount, say),
 * our cgroup error is only a consequence (the child was gone). */
static int finish_spawn(pid_t pid, int placed, int sync_rd, int console_rd, int *console, err_t **err)
{
	_cleanup_err_ err_t *child = NULL;
	int r = rt_wait_child(pid, sync_rd, placed == 0 ? console_rd : -1, console, &child);
	if (placed < 0 && r == 0) /* it gave up on the closed go pipe */
		rt_wait_child(pid, -1, -1, NULL, NULL);
	if (r < 0 && child && err) {
		err_free(err);
		*err = steal_ptr(&child);
	}
	return placed < 0 ? -1 : r;
}

static int spawn(child_ctx *c, const rt_stdio *stdio, cgroup *cg, pid_t *pid, int *console, err_t **err)
{
	int p[2], g[2] = {-1, -1}, sv[2];
	if (rt_console_pair(&c->spec->process, sv, err) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0 || pipe2(g, O_CLOEXEC) < 0) {
		close_fds(sv, 2);
		close_fds(g, 2);
		return err_sys(err, "pipe");
	}
	c->sync_rd = p[0];
	c->sync_fd = p[1];
	c->go_rd = g[0];
	c->go_wr = g[1];
	c->proc.stdio = stdio;
	c->proc.console_sock = sv[1];
	c->proc.console_bind = true;
	*pid = rt_clone(ns_clone_flags(c->spec));
	if (*pid == 0)
		child_main(c);
	int saved = errno;
	close(p[1]);
	close(g[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	int r = *pid < 0 ? err_set(err, ERR_SYSTEM, saved, "clone") : place_child(c, cg, *pid, g[1], err);
	close(g[1]);
	if (*pid > 0)
		r = finish_spawn(*pid, r, p[0], sv[0], console, err);
	close(p[0]);
	if (sv[0] >= 0)
		close(sv[0]);
	return r;
}

int runtime_create(const rt_spec *s, const rt_config *cfg, const rt_stdio *stdio, rt_container **ret,
		   err_t **err)
{
	cgroup *cg = rt_open_cgroup(s, cfg, true, err); /* realized by spawn() */
	if (!cg)
		return -1;
	child_ctx c = {0};
	start_res res = {.init_fd = -1};
	pid_t pid = -1;
	int console = -1;
	rt_stdio none = RT_STDIO_NULL;
	int r = prepare(s, cfg, cg, &c, &res, err);
	if (r == 0)
		r = spawn(&c, stdio ? stdio : &none, cg, &pid, &console, err);
	start_res_done(&res);
	if (r < 0) {
		cgroup_destroy(cg, 1000, NULL);
		cgroup_free(cg);
		return -1;
	}
	*ret = xcalloc(1, sizeof(rt_container));
	(*ret)->pid = pid;
	(*ret)->cg = cg;
	(*ret)->console = console;
	return 0;
}

int runtime_destroy(rt_container *c, err_t **err)
{
	if (!c->cg)
		return 0;
	return cgroup_destroy(c->cg, 2000, err);
}

void rt_container_free(rt_container *c)
{
	if (!c)
		return;
	cgroup_free(c->cg);
	free(c);
}
