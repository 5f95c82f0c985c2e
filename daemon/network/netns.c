/* netns.c: see netns.h. The namespace is made by the calling thread alone:
 * it unshares its network namespace, bind-mounts /proc/thread-self/ns/net
 * on the file and returns to the namespace it came from. Other threads of
 * engined never notice. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static void back_home(int self)
{
	if (setns(self, CLONE_NEWNET) < 0) {
		log_error("cannot return to our own network namespace: %s", strerror(errno));
		abort();
	}
}

int netns_create(const char *path, err_t **err)
{
	_cleanup_close_ int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (f < 0)
		return err_sys(err, "create %s", path);
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		unlink(path);
		return err_sys(err, "open /proc/thread-self/ns/net");
	}
	if (unshare(CLONE_NEWNET) < 0) {
		int e = errno;
		unlink(path);
		errno = e;
		return err_sys(err, "create a network namespace");
	}
	int r = mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL);
	int e = errno;
	back_home(self);
	if (r < 0) {
		unlink(path);
		errno = e;
		return err_sys(err, "bind-mount the network namespace on %s", path);
	}
	return 0;
}

int netns_open(const char *path, err_t **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open the network namespace %s", path);
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != NSFS_MAGIC) {
		close(fd);
		return err_set(err, ERR_SYSTEM, 0, "%s is not a network namespace", path);
	}
	return fd;
}

int netns_remove(const char *path, err_t **err)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return err_sys(err, "unmount %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return err_sys(err, "remove %s", path);
	return 0;
}
