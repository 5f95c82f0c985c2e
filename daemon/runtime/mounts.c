/* mounts.c: one spec mount at a time. Targets are resolved inside the rootfs
 * (pathsafe.c); bind mounts get their flags in a second, remount step, since
 * the kernel ignores MS_RDONLY & co on the first MS_BIND call; a recursive
 * read-only bind uses mount_setattr(AT_RECURSIVE) where the kernel has it. */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "devices.h"
#include "fsutil.h"
#include "pathsafe.h"
#include "xalloc.h"

#define MS_PER_MOUNT (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | \
		      MS_RELATIME | MS_STRICTATIME)

static int set_propagation(const char *target, unsigned long prop, err_t **err)
{
	if (prop && mount(NULL, target, NULL, prop, NULL) < 0)
		return err_sys(err, "set the propagation of %s", target);
	return 0;
}

static int recursive_readonly(const char *target, err_t **err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (syscall(SYS_mount_setattr, AT_FDCWD, target, AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return err_sys(err, "make %s read-only", target);
	return 0; /* older kernels: the top mount was made read-only already */
}

static int bind_target(const rt_mount *m, const char *root, char **target, err_t **err)
{
	struct stat st;
	if (stat(m->source, &st) < 0)
		return err_set(err, ERR_INVALID, errno, "bind source path %s", m->source);
	*target = S_ISDIR(st.st_mode) ? path_mkdir_in_root(root, m->destination, 0755, err)
				      : path_touch_in_root(root, m->destination, err);
	return *target ? 0 : -1;
}

static int mount_bind(const rt_mount *m, const char *root, err_t **err)
{
	_cleanup_free_ char *target = NULL;
	if (bind_target(m, root, &target, err) < 0)
		return -1;
	if (mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
		return err_set(err, errno == ENOENT || errno == ENOTDIR ? ERR_INVALID : ERR_SYSTEM, errno,
			       "bind mount %s on %s", m->source, m->destination);
	unsigned long flags = m->flags & MS_PER_MOUNT;
	if (flags && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return err_sys(err, "remount %s", m->destination);
	if ((m->flags & MS_RDONLY) && (m->flags & MS_REC) && recursive_readonly(target, err) < 0)
		return -1;
	return set_propagation(target, m->propagation, err);
}

/* v1: a tmpfs with one mount per hierarchy, as runc lays it out; in our
 * cgroup namespace each shows the container's own cgroup as its root. */
static const char *const v1_controllers[] = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer",
					      "net_cls", "net_prio", "blkio", "perf_event", "hugetlb",
					      "pids", "rdma", "misc", "net_cls,net_prio", "cpu,cpuacct"};

static bool is_controller_list(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++)
		if (strcmp(v1_controllers[i], name) == 0)
			return true;
	return false;
}

static int mount_cgroup_v1(const char *target, const rt_mount *m, const mount_ctx *ctx, err_t **err)
{
	unsigned long flags = m->flags & MS_PER_MOUNT;
	if (mount("tmpfs", target, "tmpfs", flags & ~MS_RDONLY, "mode=755") < 0)
		return err_sys(err, "mount tmpfs on %s", m->destination);
	for (char **n = ctx->cg_v1_names; n && *n; n++) {
		_cleanup_free_ char *dir = fs_path_join(target, *n);
		_cleanup_free_ char *opts = is_controller_list(*n) ? xstrdup(*n) : xasprintf("none,name=%s", *n);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return err_sys(err, "mkdir %s", dir);
		if (mount("cgroup", dir, "cgroup", flags, opts) < 0)
			return err_sys(err, "mount cgroup %s", *n);
	}
	if (ctx->cg_mode == CG_MODE_HYBRID) {
		_cleanup_free_ char *dir = fs_path_join(target, "unified");
		if (mkdir(dir, 0755) < 0 || mount("cgroup2", dir, "cgroup2", flags, NULL) < 0)
			return err_sys(err, "mount cgroup2 on %s", dir);
	}
	if ((flags & MS_RDONLY) && mount(NULL, target, NULL, MS_REMOUNT | flags, "mode=755") < 0)
		return err_sys(err, "remount %s read-only", m->destination);
	return 0;
}

static int mount_cgroup(const rt_mount *m, const char *root, const mount_ctx *ctx, err_t **err)
{
	if (ctx->before_cgroup && ctx->before_cgroup(ctx->before_cgroup_ctx, err) < 0)
		return -1;
	_cleanup_free_ char *target = path_mkdir_in_root(root, m->destination, 0755, err);
	if (!target)
		return -1;
	if (ctx->cg_mode != CG_MODE_V2)
		return mount_cgroup_v1(target, m, ctx, err);
	if (mount("cgroup2", target, "cgroup2", m->flags & MS_PER_MOUNT, NULL) < 0)
		return err_sys(err, "mount cgroup2 on %s", m->destination);
	return 0;
}

static int mount_fs(const rt_mount *m, const char *root, err_t **err)
{
	_cleanup_free_ char *target = path_mkdir_in_root(root, m->destination, 0755, err);
	if (!target)
		return -1;
	const char *src = m->source ? m->source : m->type;
	if (mount(src, target, m->type, m->flags & ~(MS_BIND | MS_REC), m->data) < 0)
		return err_sys(err, "mount %s on %s", m->type, m->destination);
	return set_propagation(target, m->propagation, err);
}

static bool is_dev_tmpfs(const rt_mount *m)
{
	return strcmp(m->destination, "/dev") == 0 && strcmp(m->type, "tmpfs") == 0;
}

int mounts_setup(const rt_spec *s, const mount_ctx *ctx, err_t **err)
{
	bool dev_tmpfs = false;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const rt_mount *m = &s->mounts[i];
		int r;
		if (m->flags & MS_BIND)
			r = mount_bind(m, s->root_path, err);
		else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
			r = mount_cgroup(m, s->root_path, ctx, err);
		else
			r = mount_fs(m, s->root_path, err);
		if (r < 0)
			return -1;
		dev_tmpfs |= is_dev_tmpfs(m);
	}
	if (dev_tmpfs && devices_create_defaults(s->root_path, err) < 0)
		return -1;
	return devices_create(s->root_path, s->devices, s->n_devices, err);
}

static int mask_path(const char *path, err_t **err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "stat %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0,mode=0755") < 0)
			return err_sys(err, "mask %s", path);
	} else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
		return err_sys(err, "mask %s", path);
	}
	return 0;
}

static int readonly_path(const char *path, err_t **err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "bind %s", path);
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return err_sys(err, "make %s read-only", path);
	return 0;
}

int mounts_mask_and_protect(const rt_spec *s, err_t **err)
{
	for (char **p = s->masked_paths; p && *p; p++)
		if (mask_path(*p, err) < 0)
			return -1;
	for (char **p = s->readonly_paths; p && *p; p++)
		if (readonly_path(*p, err) < 0)
			return -1;
	return 0;
}
