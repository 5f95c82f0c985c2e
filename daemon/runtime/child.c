/* child.c: the container's first process from clone() to execve. It joins
 * the namespaces to join, sets the hostname, mounts the overlay root and the
 * spec's mounts; before the first cgroupfs mount (or pivot_root) it waits
 * for the parent to have moved it into its cgroup and unshares its cgroup
 * namespace; then it pivots, writes sysctls, masks paths and hands over to
 * process.c. Nothing of the image runs before it is in its cgroup. Any
 * failure goes to the parent through the sync pipe and the child exits. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups.h"
#include "cleanup.h"
#include "fsutil.h"
#include "namespaces.h"
#include "rootfs.h"
#include "syncpipe.h"
#include "xalloc.h"

static int set_hostname(const rt_spec *s, err_t **err)
{
	if (!s->hostname)
		return 0;
	if (!spec_namespace(s, CLONE_NEWUTS))
		return err_invalid(err, "unable to set hostname without a private UTS namespace");
	if (sethostname(s->hostname, strlen(s->hostname)) < 0)
		return err_sys(err, "sethostname");
	return 0;
}

/* "net.ipv4.ip_forward" -> /proc/sys/net/ipv4/ip_forward. */
static int write_sysctls(const rt_spec *s, err_t **err)
{
	for (size_t i = 0; i < s->n_sysctl; i++) {
		_cleanup_free_ char *rel = xstrdup(s->sysctl[i].key);
		for (char *c = rel; *c; c++)
			if (*c == '.')
				*c = '/';
		_cleanup_free_ char *path = fs_path_join("/proc/sys", rel);
		_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		size_t len = strlen(s->sysctl[i].value);
		if (fd < 0 || write(fd, s->sysctl[i].value, len) != (ssize_t)len)
			return err_sys(err, "sysctl %s", s->sysctl[i].key);
	}
	return 0;
}

static int oom_score(const rt_process *p, err_t **err)
{
	if (!p->has_oom_score_adj)
		return 0;
	_cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return err_sys(err, "set oom_score_adj");
	return 0;
}

/* Waits until the parent moved us into our cgroup, then makes it the root
 * of our cgroup namespace. EOF: the parent failed and reports why. */
static int enter_cgroup(void *ctx, err_t **err)
{
	child_ctx *c = ctx;
	char go = 0;
	if (c->in_cgroup)
		return 0;
	while (read(c->go_rd, &go, 1) < 0 && errno == EINTR)
		;
	if (go != 'g')
		_exit(128);
	c->in_cgroup = true;
	const rt_namespace *cg = spec_namespace(c->spec, CLONE_NEWCGROUP);
	if (cg && !cg->path && unshare(CLONE_NEWCGROUP) < 0)
		return err_sys(err, "unshare the cgroup namespace");
	return 0;
}

static int enter_namespaces(const child_ctx *c, err_t **err)
{
	const rt_spec *s = c->spec;
	if (ns_join(s, c->ns_fds, err) < 0)
		return -1;
	if (setsid() < 0)
		return err_sys(err, "setsid");
	const rt_namespace *net = spec_namespace(s, CLONE_NEWNET);
	if (net && !net->path && ns_loopback_up(err) < 0)
		return -1;
	return set_hostname(s, err);
}

static int build_root(child_ctx *c, err_t **err)
{
	const rt_spec *s = c->spec;
	if (!spec_namespace(s, CLONE_NEWNS))
		return err_invalid(err, "a container needs a mount namespace");
	c->mctx.before_cgroup = enter_cgroup;
	c->mctx.before_cgroup_ctx = c;
	if (rootfs_prepare(s, err) < 0 || mounts_setup(s, &c->mctx, err) < 0 || enter_cgroup(c, err) < 0 ||
	    rootfs_pivot(s->root_path, err) < 0 || write_sysctls(s, err) < 0 ||
	    mounts_mask_and_protect(s, err) < 0 || rootfs_finish(s, err) < 0)
		return -1;
	return oom_score(&s->process, err);
}

void child_main(child_ctx *c)
{
	err_t *err = NULL;
	close(c->sync_rd);
	close(c->go_wr);
	umask(0);
	if (enter_namespaces(c, &err) == 0 && build_root(c, &err) == 0)
		process_exec(&c->proc, &err);
	sync_send_error(c->sync_fd, err);
	_exit(runtime_start_exit_code(err));
}
