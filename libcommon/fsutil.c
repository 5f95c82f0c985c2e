/* fsutil.c: see fsutil.h. */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

char *fs_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (*b == '/')
		b++;
	if (la && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

int fs_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int fs_fsync_dir(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return fsync(fd);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, err_t **err)
{
	return fs_write_atomic_ex(path, data, len, mode, 0, err);
}

int fs_write_atomic_ex(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		       err_t **err)
{
	/* unique per call, so that two threads writing one path never share a
	 * temp file; sweepers match the ".tmp-" prefix */
	static _Atomic unsigned serial;
	_cleanup_free_ char *tmp = xasprintf("%s.tmp-%d-%u", path, getpid(), serial++);
	_cleanup_free_ char *dir = dir_of(path);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return err_sys(err, "create %s", tmp);
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(err, "write %s", tmp);
			unlink(tmp);
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	bool sync = !(flags & FS_ATOMIC_VOLATILE);
	if ((sync && fsync(fd) < 0) || close(steal_fd(&fd)) < 0) {
		err_sys(err, "sync %s", tmp);
		unlink(tmp);
		return -1;
	}
	bool replacing = (flags & FS_ATOMIC_OLD_OR_NEW) && access(path, F_OK) == 0;
	if (rename(tmp, path) < 0) {
		err_sys(err, "rename %s", path);
		unlink(tmp);
		return -1;
	}
	if (sync && !replacing && fs_fsync_dir(dir) < 0)
		return err_sys(err, "sync %s", dir);
	return 0;
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len, err_t **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno == ENOENT ? ERR_NOT_FOUND : ERR_SYSTEM, errno, "open %s", path);
	size_t cap = 0, n = 0;
	_cleanup_free_ char *buf = NULL;
	for (;;) {
		buf = xgrow(buf, &cap, n + 4096 + 1, 1);
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_sys(err, "read %s", path);
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			return err_set(err, ERR_TOO_LARGE, 0, "%s is larger than %zu bytes", path, max);
	}
	if (!buf)
		buf = xgrow(buf, &cap, 1, 1);
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = steal_ptr(&buf);
	return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, err_t **err)
{
	_cleanup_free_ char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return err_sys(err, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return err_sys(err, "mkdir %s", p);
	return 0;
}

/* Removes the contents of the directory open at dfd, on device dev only. */
static int rm_rf_at(int dfd, dev_t dev, err_t **err)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return err_sys(err, "opendir");
	}
	_cleanup_closedir_ DIR *dir = d;
	struct dirent *de;
	int ret = 0;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != dev) {
				ret = err_set(err, ERR_SYSTEM, EBUSY, "refusing to cross into mount %s", de->d_name);
				continue;
			}
			int sub = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || rm_rf_at(sub, dev, err) < 0) {
				ret = -1;
				continue;
			}
			if (unlinkat(dirfd(dir), de->d_name, AT_REMOVEDIR) < 0)
				ret = err_sys(err, "rmdir %s", de->d_name);
		} else if (unlinkat(dirfd(dir), de->d_name, 0) < 0) {
			ret = err_sys(err, "unlink %s", de->d_name);
		}
	}
	return ret;
}

int fs_rm_rf(const char *path, err_t **err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "stat %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return err_sys(err, "unlink %s", path);
		return 0;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", path);
	if (rm_rf_at(fd, st.st_dev, err) < 0)
		return err_wrap(err, "remove %s", path);
	if (rmdir(path) < 0 && errno != ENOENT)
		return err_sys(err, "rmdir %s", path);
	return 0;
}

static long long tree_size_at(int dfd, dev_t dev)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return 0;
	}
	long long total = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
			total += st.st_size;
		if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				total += tree_size_at(sub, dev);
		}
	}
	closedir(d);
	return total;
}

long long fs_tree_size(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return st.st_size;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	return tree_size_at(fd, st.st_dev);
}

char *fs_helper_path(const char *name, const char *libexec_dir)
{
	static const char *const ups[] = {"", "/..", "/../daemon", "/../../daemon"};
	static const char *const subs[] = {"", "/shim", "/runtime", "/network", "/fetch"};
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
	if (slash) {
		*slash = '\0';
		for (size_t u = 0; u < sizeof(ups) / sizeof(ups[0]); u++)
			for (size_t s = 0; s < sizeof(subs) / sizeof(subs[0]); s++) {
				char *p = xasprintf("%s%s%s/%s", self, ups[u], subs[s], name);
				if (access(p, X_OK) == 0)
					return p;
				free(p);
			}
	}
	return xasprintf("%s/%s", libexec_dir, name);
}
