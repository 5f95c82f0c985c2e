/* pathsafe.c: a user-space "resolve beneath root" (what openat2's
 * RESOLVE_IN_ROOT does, but on every kernel). It runs before the container
 * starts, so the tree cannot change under us while we walk it. */
#include "pathsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "strbuf.h"
#include "xalloc.h"

/* Drops the last component of a resolved relative path ("" stays ""). */
static void pop_component(strbuf *cur)
{
	char *slash = cur->len ? strrchr(cur->buf, '/') : NULL;
	cur->len = slash ? (size_t)(slash - cur->buf) : 0;
	if (cur->buf)
		cur->buf[cur->len] = '\0';
}

/* The unresolved rest becomes link target + rest; an absolute target restarts at root. */
static char *splice_link(const char *target, const char *rest, strbuf *cur)
{
	if (target[0] == '/')
		sb_reset(cur);
	return xasprintf("%s/%s", target, rest ? rest : "");
}

static int read_link(const char *root, const strbuf *cur, char **out, err_t **err)
{
	_cleanup_free_ char *full = fs_path_join(root, sb_str(cur));
	char buf[PATH_MAX];
	ssize_t n = readlink(full, buf, sizeof(buf) - 1);
	if (n < 0)
		return err_sys(err, "readlink %s", full);
	buf[n] = '\0';
	*out = xstrdup(buf);
	return 0;
}

char *path_in_root(const char *root, const char *path, err_t **err)
{
	_cleanup_sb_ strbuf cur = STRBUF_INIT;
	_cleanup_free_ char *todo = xstrdup(path);
	bool missing = false;
	int links = 0;
	sb_puts(&cur, "");
	while (todo && *todo) {
		char *slash = strchr(todo, '/');
		_cleanup_free_ char *comp = slash ? xstrndup(todo, (size_t)(slash - todo)) : xstrdup(todo);
		char *rest = slash ? xstrdup(slash + 1) : NULL;
		free(todo);
		todo = rest;
		if (!*comp || strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			pop_component(&cur);
			continue;
		}
		size_t before = cur.len;
		sb_printf(&cur, "%s%s", cur.len ? "/" : "", comp);
		if (missing)
			continue;
		struct stat st;
		_cleanup_free_ char *full = fs_path_join(root, cur.buf);
		if (lstat(full, &st) < 0) {
			if (errno != ENOENT) {
				err_sys(err, "stat %s", full);
				return NULL;
			}
			missing = true;
			continue;
		}
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++links > PATHSAFE_MAX_LINKS) {
			err_set(err, ERR_INVALID, ELOOP, "resolve %s in the container", path);
			return NULL;
		}
		_cleanup_free_ char *target = NULL;
		if (read_link(root, &cur, &target, err) < 0)
			return NULL;
		cur.len = before;
		cur.buf[before] = '\0';
		char *spliced = splice_link(target, todo, &cur);
		free(todo);
		todo = spliced;
	}
	return fs_path_join(root, sb_str(&cur));
}

char *path_mkdir_in_root(const char *root, const char *path, mode_t mode, err_t **err)
{
	char *full = path_in_root(root, path, err);
	if (full && fs_mkdir_p(full, mode, err) < 0) {
		free(full);
		return NULL;
	}
	return full;
}

char *path_touch_in_root(const char *root, const char *path, err_t **err)
{
	char *full = path_in_root(root, path, err);
	if (!full)
		return NULL;
	char *slash = strrchr(full, '/');
	if (slash && slash != full) {
		*slash = '\0';
		int r = fs_mkdir_p(full, 0755, err);
		*slash = '/';
		if (r < 0) {
			free(full);
			return NULL;
		}
	}
	int fd = open(full, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0 && errno != EISDIR && errno != ENXIO) {
		err_sys(err, "create %s", full);
		free(full);
		return NULL;
	}
	if (fd >= 0)
		close(fd);
	return full;
}
