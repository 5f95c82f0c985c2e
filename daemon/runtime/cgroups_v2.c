/* cgroups_v2.c: the unified hierarchy. Controllers are enabled level by
 * level down to the container's parent (cgroup.subtree_control), limits use
 * the v2 files (memory.max, memory.swap.max, cpu.max, cpu.weight, pids.max),
 * the device allowlist is a BPF program (devices_bpf.c),
 * freezing is cgroup.freeze and OOM kills are counted in memory.events. */
#include "cgroups_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>

#include "cleanup.h"
#include "devices_bpf.h"
#include "fsutil.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *const wanted[] = {"cpuset", "cpu", "io", "memory", "pids"};

static bool word_in(const char *list, const char *w)
{
	size_t wl = strlen(w);
	for (const char *p = list; p && *p;) {
		p += strspn(p, " \n");
		size_t l = strcspn(p, " \n");
		if (l == wl && strncmp(p, w, wl) == 0)
			return true;
		p += l;
	}
	return false;
}

/* Enables in dir's children every wanted controller dir has and does not pass on yet. */
static int enable_controllers(const char *dir, err_t **err)
{
	_cleanup_free_ char *avail = NULL, *on = NULL;
	if (cg_read(dir, "cgroup.controllers", &avail, err) < 0 ||
	    cg_read(dir, "cgroup.subtree_control", &on, err) < 0)
		return -1;
	_cleanup_sb_ strbuf add = STRBUF_INIT;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (word_in(avail, wanted[i]) && !word_in(on, wanted[i]))
			sb_printf(&add, "%s+%s", add.len ? " " : "", wanted[i]);
	if (!add.len)
		return 0;
	return cg_write(dir, "cgroup.subtree_control", add.buf, err);
}

int cg_v2_create(cgroup *cg, const char *hroot, err_t **err)
{
	_cleanup_free_ char *rel = xstrdup(cg->path);
	_cleanup_free_ char *level = xstrdup(hroot);
	char *save = NULL;
	for (char *c = strtok_r(rel, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (enable_controllers(level, err) < 0)
			return -1;
		char *next = fs_path_join(level, c);
		free(level);
		level = next;
		if (mkdir(level, 0755) < 0 && errno != EEXIST)
			return err_sys(err, "mkdir %s", level);
	}
	return 0;
}

static int apply_memory(const char *dir, const rt_resources *r, err_t **err)
{
	if (r->memory_limit != RT_UNSET) {
		if (r->memory_limit < 0 ? cg_write(dir, "memory.max", "max", err)
					: cg_writef(dir, "memory.max", err, "%lld", (long long)r->memory_limit))
			return -1;
	}
	if (r->memory_swap != RT_UNSET) {
		/* OCI's swap is memory+swap; v2 limits the swap alone. */
		if (r->memory_swap < 0 || r->memory_limit < 0) {
			if (cg_write(dir, "memory.swap.max", "max", err) < 0)
				return -1;
		} else if (r->memory_limit != RT_UNSET) {
			long long swap = (long long)(r->memory_swap - r->memory_limit);
			if (cg_writef(dir, "memory.swap.max", err, "%lld", swap < 0 ? 0 : swap) < 0)
				return -1;
		}
	}
	if (r->memory_reservation != RT_UNSET && r->memory_reservation >= 0)
		return cg_writef(dir, "memory.low", err, "%lld", (long long)r->memory_reservation);
	return 0;
}

static int apply_cpu(const char *dir, const rt_resources *r, err_t **err)
{
	if (r->cpu_shares && cg_writef(dir, "cpu.weight", err, "%llu",
				       (unsigned long long)cgroup_shares_to_weight(r->cpu_shares)) < 0)
		return -1;
	if (r->cpu_quota != RT_UNSET || r->cpu_period) {
		unsigned long long period = r->cpu_period ? r->cpu_period : 100000;
		if (r->cpu_quota == RT_UNSET || r->cpu_quota <= 0) {
			if (cg_writef(dir, "cpu.max", err, "max %llu", period) < 0)
				return -1;
		} else if (cg_writef(dir, "cpu.max", err, "%lld %llu", (long long)r->cpu_quota, period) < 0) {
			return -1;
		}
	}
	if (r->cpuset_cpus && *r->cpuset_cpus && cg_write(dir, "cpuset.cpus", r->cpuset_cpus, err) < 0)
		return -1;
	if (r->cpuset_mems && *r->cpuset_mems && cg_write(dir, "cpuset.mems", r->cpuset_mems, err) < 0)
		return -1;
	return 0;
}

int cg_v2_apply(const cgroup *cg, const rt_resources *r, err_t **err)
{
	const char *dir = cg->hier[0].dir;
	if (apply_memory(dir, r, err) < 0 || apply_cpu(dir, r, err) < 0)
		return -1;
	if (r->pids_limit != RT_UNSET) {
		if (r->pids_limit <= 0 ? cg_write(dir, "pids.max", "max", err)
				       : cg_writef(dir, "pids.max", err, "%lld", (long long)r->pids_limit))
			return -1;
	}
	return devices_bpf_apply(dir, r->devices, r->n_devices, err);
}

int cg_v2_freeze(const cgroup *cg, bool frozen, err_t **err)
{
	const char *dir = cg->hier[0].dir;
	if (cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	for (int i = 0; i < 2000; i++) {
		uint64_t state = 0;
		if (cg_read_key(dir, "cgroup.events", "frozen", &state, err) < 0)
			return -1;
		if ((state != 0) == frozen)
			return 0;
		nanosleep(&(struct timespec){0, 500000}, NULL);
	}
	return err_set(err, ERR_SYSTEM, ETIMEDOUT, "cgroup %s did not %s", cg->path, frozen ? "freeze" : "thaw");
}

int cg_v2_oom_kills(const cgroup *cg, uint64_t *count, err_t **err)
{
	return cg_read_key(cg->hier[0].dir, "memory.events", "oom_kill", count, err);
}

int cg_v2_oom_watch(const cgroup *cg, err_t **err)
{
	_cleanup_free_ char *events = fs_path_join(cg->hier[0].dir, "memory.events");
	_cleanup_close_ int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "inotify_init1");
	if (inotify_add_watch(fd, events, IN_MODIFY) < 0)
		return err_sys(err, "watch %s", events);
	return steal_fd(&fd);
}
