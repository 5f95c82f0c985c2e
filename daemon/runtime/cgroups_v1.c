/* cgroups_v1.c: one directory per mounted v1 hierarchy (memory, cpu,
 * cpuset, pids, freezer, devices, blkio, name=systemd, ...). Limits use the
 * v1 files, a new cpuset level inherits its parent's cpus and mems (the
 * kernel leaves them empty), the device allowlist is written to
 * devices.allow/deny, freezing is freezer.state and OOM kills are counted in
 * memory.oom_control (and signalled through cgroup.event_control). */
#include "cgroups_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

int cg_v1_discover(cgroup *cg, err_t **err)
{
	_cleanup_closedir_ DIR *d = opendir(cg->root);
	if (!d)
		return err_sys(err, "open %s", cg->root);
	struct dirent *de;
	while ((de = readdir(d)) && cg->n_hier < CG_MAX_HIER - 1) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.' || strcmp(de->d_name, "unified") == 0)
			continue;
		_cleanup_free_ char *hroot = fs_path_join(cg->root, de->d_name);
		struct statfs fs;
		if (statfs(hroot, &fs) < 0 || fs.f_type != CGROUP_SUPER_MAGIC)
			continue;
		cg_hier *h = &cg->hier[cg->n_hier++];
		h->name = xstrdup(de->d_name);
		h->dir = fs_path_join(hroot, cg->path);
	}
	if (!cg->n_hier)
		return err_set(err, ERR_SYSTEM, 0, "no cgroup v1 hierarchy is mounted under %s", cg->root);
	return 0;
}

/* A new cpuset cgroup starts with no cpus and no mems: copy the parent's. */
static int cpuset_init(const char *parent, const char *dir, err_t **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *v = NULL;
		if (cg_read(parent, files[i], &v, err) < 0 || cg_write(dir, files[i], v, err) < 0)
			return -1;
	}
	return 0;
}

int cg_v1_create(cgroup *cg, err_t **err)
{
	for (size_t i = 0; i < cg->n_hier; i++) {
		cg_hier *h = &cg->hier[i];
		if (h->v2)
			continue;
		_cleanup_free_ char *hroot = fs_path_join(cg->root, h->name);
		bool cpuset = cg_hier_has(h, "cpuset");
		if (cg_mkdir_levels(hroot, cg->path, cpuset ? cpuset_init : NULL, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_memory(const char *dir, const rt_resources *r, err_t **err)
{
	if (!dir)
		return 0;
	if (r->memory_limit != RT_UNSET &&
	    cg_writef(dir, "memory.limit_in_bytes", err, "%lld", (long long)r->memory_limit) < 0)
		return -1;
	if (r->memory_swap != RT_UNSET) {
		_cleanup_free_ char *memsw = fs_path_join(dir, "memory.memsw.limit_in_bytes");
		if (fs_exists(memsw) &&
		    cg_writef(dir, "memory.memsw.limit_in_bytes", err, "%lld", (long long)r->memory_swap) < 0)
			return -1;
	}
	if (r->memory_reservation != RT_UNSET &&
	    cg_writef(dir, "memory.soft_limit_in_bytes", err, "%lld", (long long)r->memory_reservation) < 0)
		return -1;
	return 0;
}

static int apply_cpu(const char *dir, const rt_resources *r, err_t **err)
{
	if (!dir)
		return 0;
	if (r->cpu_shares && cg_writef(dir, "cpu.shares", err, "%llu", (unsigned long long)r->cpu_shares) < 0)
		return -1;
	if (r->cpu_period && cg_writef(dir, "cpu.cfs_period_us", err, "%llu", (unsigned long long)r->cpu_period) < 0)
		return -1;
	if (r->cpu_quota != RT_UNSET &&
	    cg_writef(dir, "cpu.cfs_quota_us", err, "%lld", r->cpu_quota > 0 ? (long long)r->cpu_quota : -1LL) < 0)
		return -1;
	return 0;
}

static int apply_cpuset(const char *dir, const rt_resources *r, err_t **err)
{
	if (!dir)
		return 0;
	if (r->cpuset_cpus && *r->cpuset_cpus && cg_write(dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
		return -1;
	if (r->cpuset_mems && *r->cpuset_mems && cg_write(dir, "cpuset.mems", r->cpuset_mems, err) < 0)
		return -1;
	return 0;
}

static void dev_number(char *buf, size_t n, int64_t v)
{
	if (v < 0)
		snprintf(buf, n, "*");
	else
		snprintf(buf, n, "%lld", (long long)v);
}

static int apply_devices(const char *dir, const rt_resources *r, err_t **err)
{
	if (!dir)
		return 0;
	for (size_t i = 0; i < r->n_devices; i++) {
		const rt_device_rule *d = &r->devices[i];
		const char *file = d->allow ? "devices.allow" : "devices.deny";
		if (d->type == 'a') {
			if (cg_write(dir, file, "a", err) < 0)
				return -1;
			continue;
		}
		char maj[24], min[24];
		dev_number(maj, sizeof(maj), d->major);
		dev_number(min, sizeof(min), d->minor);
		if (cg_writef(dir, file, err, "%c %s:%s %s", d->type, maj, min, d->access) < 0)
			return -1;
	}
	return 0;
}

int cg_v1_apply(const cgroup *cg, const rt_resources *r, err_t **err)
{
	if (apply_memory(cgroup_dir(cg, "memory"), r, err) < 0 || apply_cpu(cgroup_dir(cg, "cpu"), r, err) < 0 ||
	    apply_cpuset(cgroup_dir(cg, "cpuset"), r, err) < 0 ||
	    apply_devices(cgroup_dir(cg, "devices"), r, err) < 0)
		return -1;
	const char *pids = cgroup_dir(cg, "pids");
	if (pids && r->pids_limit != RT_UNSET) {
		if (r->pids_limit <= 0 ? cg_write(pids, "pids.max", "max", err)
				       : cg_writef(pids, "pids.max", err, "%lld", (long long)r->pids_limit))
			return -1;
	}
	return 0;
}

int cg_v1_freeze(const cgroup *cg, bool frozen, err_t **err)
{
	const char *dir = cgroup_dir(cg, "freezer");
	const char *want = frozen ? "FROZEN" : "THAWED";
	if (!dir)
		return err_set(err, ERR_SYSTEM, 0, "the freezer cgroup controller is not mounted");
	for (int i = 0; i < 2000; i++) {
		_cleanup_free_ char *state = NULL;
		if (cg_write(dir, "freezer.state", want, err) < 0 || cg_read(dir, "freezer.state", &state, err) < 0)
			return -1;
		if (strncmp(state, want, strlen(want)) == 0)
			return 0;
		nanosleep(&(struct timespec){0, 500000}, NULL);
	}
	return err_set(err, ERR_SYSTEM, ETIMEDOUT, "cgroup %s did not %s", cg->path, frozen ? "freeze" : "thaw");
}

int cg_v1_oom_kills(const cgroup *cg, uint64_t *count, err_t **err)
{
	const char *dir = cgroup_dir(cg, "memory");
	*count = 0;
	if (!dir)
		return 0;
	return cg_read_key(dir, "memory.oom_control", "oom_kill", count, err);
}

/* v1's notification API: an eventfd and memory.oom_control, registered in
 * cgroup.event_control; the eventfd counts OOM events. */
int cg_v1_oom_watch(const cgroup *cg, err_t **err)
{
	const char *dir = cgroup_dir(cg, "memory");
	if (!dir)
		return err_set(err, ERR_SYSTEM, 0, "the memory cgroup controller is not mounted");
	_cleanup_free_ char *ctl = fs_path_join(dir, "memory.oom_control");
	_cleanup_close_ int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	_cleanup_close_ int ofd = open(ctl, O_RDONLY | O_CLOEXEC);
	if (efd < 0 || ofd < 0)
		return err_sys(err, "watch %s", ctl);
	if (cg_writef(dir, "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
		return -1;
	return steal_fd(&efd);
}
