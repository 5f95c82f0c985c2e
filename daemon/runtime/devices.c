/* devices.c: mknod of the standard devices into the container's /dev, with
 * a bind mount of the host's node as the fallback where mknod is refused;
 * which devices may actually be opened is the device cgroup's business. */
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "pathsafe.h"
#include "xalloc.h"

static const struct {
	const char *name;
	unsigned major, minor;
} default_nodes[] = {
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
	const char *target, *name;
} default_links[] = {
	{"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
	{"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},         {"/proc/kcore", "core"},
};

/* mknod, or bind the host's node when mknod is not allowed. */
static int make_node(const char *path, mode_t type, mode_t perm, dev_t dev, const char *host, err_t **err)
{
	if (mknod(path, type | perm, dev) == 0 || errno == EEXIST)
		return 0; /* the child runs its setup with umask 0 */
	if (errno != EPERM || !host)
		return err_sys(err, "mknod %s", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(err, "create %s", path);
	close(fd);
	if (mount(host, path, NULL, MS_BIND, NULL) < 0)
		return err_sys(err, "bind %s", host);
	return 0;
}

int devices_create_defaults(const char *rootfs, err_t **err)
{
	_cleanup_free_ char *dev = path_in_root(rootfs, "/dev", err);
	if (!dev)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(default_nodes); i++) {
		_cleanup_free_ char *p = fs_path_join(dev, default_nodes[i].name);
		_cleanup_free_ char *host = xasprintf("/dev/%s", default_nodes[i].name);
		if (make_node(p, S_IFCHR, 0666, makedev(default_nodes[i].major, default_nodes[i].minor), host,
			      err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_links); i++) {
		_cleanup_free_ char *p = fs_path_join(dev, default_links[i].name);
		if (symlink(default_links[i].target, p) < 0 && errno != EEXIST)
			return err_sys(err, "symlink %s", p);
	}
	return 0;
}

static mode_t node_type(char t)
{
	switch (t) {
	case 'b': return S_IFBLK;
	case 'p': return S_IFIFO;
	default: return S_IFCHR;
	}
}

int devices_create(const char *rootfs, const rt_device *d, size_t n, err_t **err)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = path_in_root(rootfs, d[i].path, err);
		if (!p)
			return -1;
		char *slash = strrchr(p, '/');
		*slash = '\0';
		int r = fs_mkdir_p(p, 0755, err);
		*slash = '/';
		if (r < 0)
			return -1;
		dev_t dev = makedev((unsigned)d[i].major, (unsigned)d[i].minor);
		if (make_node(p, node_type(d[i].type), d[i].mode & 07777, dev, d[i].path, err) < 0)
			return -1;
		if (chown(p, d[i].uid, d[i].gid) < 0)
			return err_sys(err, "chown %s", p);
	}
	return 0;
}
