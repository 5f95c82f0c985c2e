/* extract.c: one layer, one pass (see extract.h). The input is read once:
 * its first bytes say the compression (decompress.h), every byte read is
 * hashed for the raw digest (and kept, per the keep mode), the
 * decompressed bytes are hashed for the DiffID and parsed as a tar
 * (tar.h), and each member is written with *at() calls relative to its
 * parent directory, which is opened component by component with
 * O_NOFOLLOW: nothing is ever written through a symlink. The whole
 * pipeline runs in a helper thread that unshares its filesystem context
 * (CLONE_FS) and chroots into the target, so even a missed check could not
 * reach outside it, and the daemon's other threads keep their root. */
#include "extract.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "decompress.h"
#include "fsutil.h"
#include "strbuf.h"
#include "tar.h"
#include "xalloc.h"

#define XBUF (128 * 1024)
#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
#define OPAQUE_XATTR "trusted.overlay.opaque"

enum keep_state { KS_RAW, KS_TAR, KS_NONE };

typedef struct dir_time {
	char *path;
	struct timespec ts[2];
} dir_time;

typedef struct xstate {
	const img_reader *src;
	const extract_opts *opts;
	extract_result *res;
	unsigned char *rawbuf, *databuf;
	digest_ctx *raw_hash, *tar_hash;
	enum keep_state keep;
	unsigned char sniff[COMP_SNIFF_LEN];
	size_t nsniff, sniff_pos;
	bool src_eof;
	img_reader raw_reader; /* raw_read over this state, for the decompressor */
	unz *unz;
	bool tar_eof;
	err_t *err;     /* first failure of our own (tee writes) */
	char **opaque;  /* directories that carried .wh..wh..opq */
	size_t nopaque, capopaque;
	dir_time *dirs; /* directory times, set once all members are in */
	size_t ndirs, capdirs;
	int rootfd;
	char *cached;   /* the last parent directory opened, and its fd */
	int cachedfd;
} xstate;

/* ---- names ---- */

int extract_check_name(const char *name, char **clean, err_t **err)
{
	if (!name || !*name)
		return err_invalid(err, "entry without a name");
	if (name[0] == '/')
		return err_invalid(err, "absolute path %s is not allowed", name);
	if (strlen(name) >= PATH_MAX)
		return err_invalid(err, "path of %zu bytes is too long", strlen(name));
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	const char *p = name;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n > NAME_MAX)
			return err_invalid(err, "path component of %zu bytes is too long", n);
		if (n == 2 && !strncmp(p, "..", 2))
			return err_invalid(err, "path %s escapes the archive root (..)", name);
		if (n && !(n == 1 && p[0] == '.')) {
			if (sb.len)
				sb_putc(&sb, '/');
			sb_append(&sb, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	*clean = sb.len ? sb_steal(&sb) : xstrdup(".");
	return 0;
}

/* ---- the raw side: input bytes, their digest, the kept copy ---- */

static int keep_write(xstate *x, const void *buf, size_t n)
{
	if (!n || !x->opts->keep)
		return 0;
	return blob_writer_write(x->opts->keep, buf, n, &x->err);
}

static int account_raw(xstate *x, const void *buf, size_t n)
{
	digest_update(x->raw_hash, buf, n);
	x->res->raw_size += (int64_t)n;
	return x->keep == KS_RAW ? keep_write(x, buf, n) : 0;
}

static ssize_t src_read(xstate *x, void *buf, size_t n)
{
	ssize_t k;
	do
		k = x->src->read(x->src->ctx, buf, n);
	while (k < 0 && errno == EINTR);
	if (k == 0)
		x->src_eof = true;
	return k;
}

/* The compressed side as the decompressor reads it: the sniffed bytes
 * first, then the source; every byte is accounted once. */
static ssize_t raw_read(void *ctx, void *buf, size_t n)
{
	xstate *x = ctx;
	if (x->sniff_pos < x->nsniff) {
		size_t k = x->nsniff - x->sniff_pos < n ? x->nsniff - x->sniff_pos : n;
		memcpy(buf, x->sniff + x->sniff_pos, k);
		x->sniff_pos += k;
		return (ssize_t)k;
	}
	if (x->src_eof)
		return 0;
	ssize_t k = src_read(x, buf, n);
	if (k > 0 && account_raw(x, buf, (size_t)k) < 0) {
		errno = EIO;
		return -1;
	}
	return k;
}

/* Reads what the decompressor left of the input so the raw digest covers it all. */
static int drain_source(xstate *x, err_t **err)
{
	while (!x->src_eof) {
		ssize_t n = src_read(x, x->rawbuf, XBUF);
		if (n < 0)
			return err_sys(err, "read layer stream");
		if (n > 0 && account_raw(x, x->rawbuf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

/* Reads the first bytes, picks the compression and what to keep. */
static int sniff(xstate *x, err_t **err)
{
	while (x->nsniff < COMP_SNIFF_LEN && !x->src_eof) {
		ssize_t k = src_read(x, x->sniff + x->nsniff, COMP_SNIFF_LEN - x->nsniff);
		if (k < 0)
			return err_sys(err, "read layer stream");
		x->nsniff += (size_t)k;
	}
	comp_kind c = comp_sniff(x->sniff, x->nsniff);
	bool oci = c == COMP_NONE || c == COMP_GZIP || c == COMP_ZSTD;
	x->res->media_type = c == COMP_NONE ? MEDIA_LAYER_TAR : c == COMP_GZIP ? MEDIA_LAYER_GZIP
			     : c == COMP_ZSTD ? MEDIA_LAYER_ZSTD : NULL; /* not an OCI layer encoding */
	if (!x->opts->keep || x->opts->keep_mode == KEEP_NONE) {
		x->keep = KS_NONE;
	} else if (x->opts->keep_mode == KEEP_RAW || oci) {
		x->keep = KS_RAW;
	} else {
		x->keep = KS_TAR;
		x->res->media_type = MEDIA_LAYER_TAR;
	}
	if (account_raw(x, x->sniff, x->nsniff) < 0)
		return -1;
	x->raw_reader = (img_reader){raw_read, x};
	x->unz = unz_new(c, &x->raw_reader, err);
	return x->unz ? 0 : -1;
}

/* ---- the uncompressed side: the tar bytes and the DiffID ---- */

static ssize_t tar_source(void *ctx, void *buf, size_t n, err_t **err)
{
	xstate *x = ctx;
	if (x->tar_eof)
		return 0;
	ssize_t k = unz_read(x->unz, buf, n, err);
	if (k < 0)
		return -1;
	if (k == 0) {
		x->tar_eof = true;
		return 0;
	}
	digest_update(x->tar_hash, buf, (size_t)k);
	x->res->tar_size += k;
	if (x->keep == KS_TAR && keep_write(x, buf, (size_t)k) < 0)
		return err_set(err, ERR_SYSTEM, 0, "%s", err_msg(x->err));
	return k;
}

static int drain_tar(xstate *x, err_t **err)
{
	while (!x->tar_eof)
		if (tar_source(x, x->rawbuf, XBUF, err) < 0)
			return -1;
	return 0;
}

/* ---- entries ---- */

static void add_opaque(xstate *x, const char *dir)
{
	x->opaque = xgrow(x->opaque, &x->capopaque, x->nopaque + 1, sizeof(char *));
	x->opaque[x->nopaque++] = xstrdup(dir);
}

static bool overlay_xattr(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13);
}

/* What a member becomes on disk, after the whiteout rules. */
typedef struct placed {
	char *path;        /* cleaned */
	char *link;        /* cleaned hard link name or symlink target */
	tar_type type;
	bool whiteout;     /* a char 0:0 device, no metadata of its own */
} placed;

/* Turns `dir/.wh.NAME` into a whiteout at dir/NAME. Returns 1 when the
 * member is to be skipped (opaque marker, aufs metadata). */
static int convert_whiteout(xstate *x, placed *p, err_t **err)
{
	const char *slash = strrchr(p->path, '/');
	const char *base = slash ? slash + 1 : p->path;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return 0;
	_cleanup_free_ char *dir = slash ? xstrndup(p->path, (size_t)(slash - p->path)) : xstrdup(".");
	if (!strcmp(base, WH_OPAQUE)) {
		add_opaque(x, dir);
		return 1;
	}
	if (!strncmp(base, WH_META_PREFIX, strlen(WH_META_PREFIX)))
		return 1;
	const char *target = base + strlen(WH_PREFIX);
	if (!*target || !strcmp(target, ".") || !strcmp(target, ".."))
		return err_invalid(err, "layer tar: invalid whiteout %s", p->path);
	char *path = slash ? xasprintf("%s/%s", dir, target) : xstrdup(target);
	free(p->path);
	p->path = path;
	free(p->link);
	p->link = NULL;
	p->type = TAR_CHR;
	p->whiteout = true;
	return 2;
}

static int prepare(xstate *x, const tar_entry *te, placed *p, err_t **err)
{
	if (extract_check_name(te->path, &p->path, err) < 0)
		return err_wrap(err, "layer tar");
	p->type = te->type;
	int r = convert_whiteout(x, p, err);
	if (r != 0)
		return r;
	if (te->type == TAR_HARDLINK) {
		if (extract_check_name(te->link, &p->link, err) < 0)
			return err_wrap(err, "layer tar: hard link %s", p->path);
	} else if (te->type == TAR_SYMLINK) {
		p->link = xstrdup(te->link ? te->link : "");
	}
	if (!strcmp(p->path, ".") && p->type != TAR_DIR)
		return err_invalid(err, "layer tar: the root can only be a directory");
	return 0;
}

/* ---- writing ---- */

static void drop_cache(xstate *x)
{
	if (x->cachedfd >= 0 && x->cachedfd != x->rootfd)
		close(x->cachedfd);
	x->cachedfd = -1;
	free(x->cached);
	x->cached = NULL;
}

/* Opens path's parent directory, creating missing directories (0755, as
 * Docker's MkdirAll) and refusing to pass through anything that is not a
 * real directory. *base is the last component. The fd belongs to x. */
static int open_parent(xstate *x, const char *path, const char **base, err_t **err)
{
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!slash)
		return x->rootfd;
	size_t dlen = (size_t)(slash - path);
	if (x->cached && strlen(x->cached) == dlen && !strncmp(x->cached, path, dlen))
		return x->cachedfd;
	drop_cache(x);
	int fd = x->rootfd;
	const char *p = path;
	while (p < slash) {
		size_t n = strcspn(p, "/");
		_cleanup_free_ char *comp = xstrndup(p, n);
		int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
				err_sys(err, "extract %s: create %.*s", path, (int)(p + n - path), path);
				goto fail;
			}
			next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			if (errno == ENOTDIR || errno == ELOOP)
				err_invalid(err, "layer tar: cannot extract %s: %.*s is not a directory "
					    "(a symlink or a file)", path, (int)(p + n - path), path);
			else
				err_sys(err, "extract %s: open %.*s", path, (int)(p + n - path), path);
			goto fail;
		}
		if (fd != x->rootfd)
			close(fd);
		fd = next;
		p += n;
		while (*p == '/')
			p++;
	}
	x->cached = xstrndup(path, dlen);
	x->cachedfd = fd;
	return fd;
fail:
	if (fd != x->rootfd)
		close(fd);
	return -1;
}

/* Makes room for the member: an existing directory stays for a directory,
 * anything else there goes (a tree is removed whole, as Docker does). */
static int clear_target(xstate *x, int dfd, const char *base, const char *path, tar_type type,
			bool *exists_dir, err_t **err)
{
	struct stat st;
	*exists_dir = false;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : err_sys(err, "extract %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (type == TAR_DIR) {
			*exists_dir = true;
			return 0;
		}
		drop_cache(x);
		return fs_rm_rf(path, err) < 0 ? err_wrap(err, "extract %s", path) : 0;
	}
	if (unlinkat(dfd, base, 0) < 0)
		return err_sys(err, "extract %s: remove the existing entry", path);
	return 0;
}

static int set_xattrs(int fd, const char *path, const tar_entry *te, err_t **err)
{
	for (size_t i = 0; i < te->nxattrs; i++) {
		const tar_xattr *xa = &te->xattrs[i];
		if (overlay_xattr(xa->name)) /* only whiteout markers may set those */
			continue;
		int r = fd >= 0 ? fsetxattr(fd, xa->name, xa->value, xa->len, 0)
				: lsetxattr(path, xa->name, xa->value, xa->len, 0);
		/* best effort where the file system or the type cannot hold it, as Docker */
		if (r < 0 && errno != ENOTSUP && errno != EPERM)
			return err_sys(err, "extract %s: set xattr %s", path, xa->name);
	}
	return 0;
}

static void entry_times(const tar_entry *te, struct timespec ts[2])
{
	ts[1].tv_sec = te->mtime;
	ts[1].tv_nsec = te->mtime_ns;
	if (te->has_atime) {
		ts[0].tv_sec = te->atime;
		ts[0].tv_nsec = te->atime_ns;
	} else {
		ts[0] = ts[1];
	}
}

static int write_file(xstate *x, tar_reader *tr, int dfd, const char *base, const char *path,
		      const tar_entry *te, err_t **err)
{
	_cleanup_close_ int fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					0600);
	if (fd < 0)
		return err_sys(err, "extract %s", path);
	for (;;) {
		ssize_t n = tar_read_data(tr, x->databuf, XBUF, err);
		if (n < 0)
			return err_wrap(err, "layer tar: %s", path);
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, x->databuf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return err_sys(err, "extract %s", path);
			off += w;
		}
	}
	struct timespec ts[2];
	entry_times(te, ts);
	/* chown first: it clears set-user-ID bits that chmod then restores */
	if (fchown(fd, (uid_t)te->uid, (gid_t)te->gid) < 0 || fchmod(fd, te->mode) < 0)
		return err_sys(err, "extract %s: set owner and mode", path);
	if (set_xattrs(fd, path, te, err) < 0)
		return -1;
	if (futimens(fd, ts) < 0)
		return err_sys(err, "extract %s: set times", path);
	return 0;
}

static int write_dir(xstate *x, int dfd, const char *base, const char *path, bool exists,
		     const tar_entry *te, err_t **err)
{
	if (!exists && mkdirat(dfd, base, 0700) < 0)
		return err_sys(err, "extract %s", path);
	_cleanup_close_ int fd = openat(dfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "extract %s", path);
	if (fchown(fd, (uid_t)te->uid, (gid_t)te->gid) < 0 || fchmod(fd, te->mode) < 0)
		return err_sys(err, "extract %s: set owner and mode", path);
	if (set_xattrs(fd, path, te, err) < 0)
		return -1;
	/* its times are set last: the members created in it change them */
	x->dirs = xgrow(x->dirs, &x->capdirs, x->ndirs + 1, sizeof(dir_time));
	x->dirs[x->ndirs].path = xstrdup(path);
	entry_times(te, x->dirs[x->ndirs].ts);
	x->ndirs++;
	return 0;
}

/* Symlinks, hard links, devices, FIFOs and whiteouts. */
static int write_special(int dfd, const char *base, const placed *p, const tar_entry *te,
			 err_t **err)
{
	const char *path = p->path;
	int r;
	switch (p->type) {
	case TAR_SYMLINK:
		r = symlinkat(p->link, dfd, base);
		break;
	case TAR_HARDLINK:
		r = linkat(AT_FDCWD, p->link, dfd, base, 0);
		if (r < 0 && (errno == ENOENT || errno == ENOTDIR))
			return err_invalid(err, "layer tar: hard link %s points to %s, which is not in the "
					   "layer", path, p->link);
		if (r < 0 && errno == EPERM) /* a directory */
			return err_invalid(err, "layer tar: hard link %s points to a directory", path);
		break;
	case TAR_CHR:
	case TAR_BLK:
	case TAR_FIFO: {
		mode_t type = p->type == TAR_CHR ? S_IFCHR : p->type == TAR_BLK ? S_IFBLK : S_IFIFO;
		dev_t dev = p->whiteout ? makedev(0, 0) : makedev(te->devmajor, te->devminor);
		r = mknodat(dfd, base, type | (p->whiteout ? 0 : (te->mode & 07777)), dev);
		break;
	}
	default:
		return err_invalid(err, "layer tar: %s has an unsupported file type", path);
	}
	if (r < 0)
		return err_sys(err, "extract %s", path);
	if (p->whiteout || p->type == TAR_HARDLINK)
		return 0; /* a hard link shares its target's metadata */
	struct timespec ts[2];
	entry_times(te, ts);
	if (fchownat(dfd, base, (uid_t)te->uid, (gid_t)te->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(err, "extract %s: set owner", path);
	if (p->type != TAR_SYMLINK && fchmodat(dfd, base, te->mode, 0) < 0)
		return err_sys(err, "extract %s: set mode", path);
	if (set_xattrs(-1, path, te, err) < 0)
		return -1;
	if (utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return err_sys(err, "extract %s: set times", path);
	return 0;
}

static int write_member(xstate *x, tar_reader *tr, const tar_entry *te, err_t **err)
{
	placed p = {0};
	int r = prepare(x, te, &p, err);
	if (r < 0 || r == 1)
		goto out;
	r = 0;
	if (!strcmp(p.path, ".")) { /* the root: its metadata only */
		if (fchown(x->rootfd, (uid_t)te->uid, (gid_t)te->gid) < 0 && errno != EBADF)
			r = err_sys(err, "extract /");
		goto out;
	}
	const char *base;
	int dfd = open_parent(x, p.path, &base, err);
	bool exists_dir;
	if (dfd < 0 || clear_target(x, dfd, base, p.path, p.type, &exists_dir, err) < 0) {
		r = -1;
		goto out;
	}
	if (exists_dir) /* clear_target may have dropped the cache: reopen */
		dfd = open_parent(x, p.path, &base, err);
	else if (!x->cached || dfd != x->cachedfd)
		dfd = open_parent(x, p.path, &base, err);
	if (dfd < 0)
		r = -1;
	else if (p.type == TAR_REG)
		r = write_file(x, tr, dfd, base, p.path, te, err);
	else if (p.type == TAR_DIR)
		r = write_dir(x, dfd, base, p.path, exists_dir, te, err);
	else
		r = write_special(dfd, base, &p, te, err);
out:
	free(p.path);
	free(p.link);
	return r;
}

static int unpack_members(xstate *x, tar_reader *tr, err_t **err)
{
	for (;;) {
		const tar_entry *te;
		int r = tar_next(tr, &te, err);
		if (r == 0)
			return 0;
		if (r < 0)
			return err_wrap(err, "layer tar");
		x->res->entries++;
		if (x->opts->max_entries && x->res->entries > x->opts->max_entries)
			return err_invalid(err, "layer tar: more than %zu entries", x->opts->max_entries);
		if (write_member(x, tr, te, err) < 0)
			return -1;
	}
}

static int apply_dir_times(xstate *x, err_t **err)
{
	for (size_t i = x->ndirs; i-- > 0;)
		if (utimensat(AT_FDCWD, x->dirs[i].path, x->dirs[i].ts, AT_SYMLINK_NOFOLLOW) < 0 &&
		    errno != ENOENT) /* replaced by a later member */
			return err_sys(err, "extract %s: set times", x->dirs[i].path);
	return 0;
}

static int apply_opaque(xstate *x, err_t **err)
{
	for (size_t i = 0; i < x->nopaque; i++) {
		const char *d = x->opaque[i];
		if (lsetxattr(d, OPAQUE_XATTR, "y", 1, 0) == 0)
			continue;
		if (errno != ENOENT || fs_mkdir_p(d, 0755, NULL) < 0 || lsetxattr(d, OPAQUE_XATTR, "y", 1, 0) < 0)
			return err_sys(err, "set %s on %s", OPAQUE_XATTR, d);
	}
	return 0;
}

/* ---- Docker's layer size: st_size of every non-directory inode, once ---- */

typedef struct inode_set {
	ino_t *ino;
	size_t n, cap;
} inode_set;

static __thread inode_set *size_inodes;
static __thread int64_t size_total;

static bool inode_seen(inode_set *s, ino_t ino)
{
	if (s->n * 2 >= s->cap) {
		inode_set bigger = {xcalloc(s->cap ? s->cap * 2 : 1024, sizeof(ino_t)), 0, 0};
		bigger.cap = s->cap ? s->cap * 2 : 1024;
		for (size_t i = 0; i < s->cap; i++)
			if (s->ino[i])
				inode_seen(&bigger, s->ino[i]);
		free(s->ino);
		*s = bigger;
	}
	size_t i = (size_t)(ino * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
	for (; s->ino[i]; i = (i + 1) & (s->cap - 1))
		if (s->ino[i] == ino)
			return true;
	s->ino[i] = ino;
	s->n++;
	return false;
}

static int size_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	if (S_ISDIR(st->st_mode) || st->st_size == 0 || st->st_ino == 0)
		return 0;
	if (!inode_seen(size_inodes, st->st_ino))
		size_total += st->st_size;
	return 0;
}

/* Size of the tree at dir (the caller's root here), as Docker's calcSize. */
static int64_t tree_size(const char *dir)
{
	inode_set set = {0};
	size_inodes = &set;
	size_total = 0;
	nftw(dir, size_cb, 32, FTW_PHYS);
	free(set.ino);
	size_inodes = NULL;
	return size_total;
}

/* ---- the pipeline ---- */

static int run_pipeline(xstate *x, err_t **err)
{
	x->rootfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->rootfd < 0)
		return err_sys(err, "open the extraction root");
	tar_reader *tr = tar_reader_new(tar_source, x);
	int ret = unpack_members(x, tr, err);
	tar_reader_free(tr);
	drop_cache(x);
	if (ret == 0)
		ret = drain_tar(x, err);
	if (ret == 0)
		ret = drain_source(x, err);
	if (ret == 0)
		ret = apply_opaque(x, err);
	if (ret == 0)
		ret = apply_dir_times(x, err);
	return ret;
}

static void xstate_done(xstate *x)
{
	unz_free(x->unz);
	if (x->rootfd >= 0)
		close(x->rootfd);
	free(x->rawbuf);
	free(x->databuf);
	digest_free(x->raw_hash);
	digest_free(x->tar_hash);
	for (size_t i = 0; i < x->nopaque; i++)
		free(x->opaque[i]);
	free(x->opaque);
	for (size_t i = 0; i < x->ndirs; i++)
		free(x->dirs[i].path);
	free(x->dirs);
	err_free(&x->err);
}

typedef struct job {
	const img_reader *src;
	const char *dest;
	const extract_opts *opts;
	extract_result *res;
	err_t *err;
	int rc;
} job;

static int enter_target(const char *dest, err_t **err)
{
	if (unshare(CLONE_FS) < 0)
		return err_sys(err, "unshare filesystem context for extraction");
	if (chroot(dest) < 0)
		return err_sys(err, "chroot into %s for extraction", dest);
	if (chdir("/") < 0)
		return err_sys(err, "chdir into %s", dest);
	umask(0);
	return 0;
}

static int extract_in_thread(job *j)
{
	xstate x = {.src = j->src, .opts = j->opts, .res = j->res, .rootfd = -1, .cachedfd = -1};
	x.rawbuf = xmalloc(XBUF);
	x.databuf = xmalloc(XBUF);
	x.raw_hash = digest_new();
	x.tar_hash = digest_new();
	/* The decompressor's library is mapped before the chroot hides it. */
	int rc = sniff(&x, &j->err);
	if (rc == 0)
		rc = enter_target(j->dest, &j->err);
	if (rc == 0)
		rc = run_pipeline(&x, &j->err);
	if (rc < 0 && x.err) { /* our own failure (a tee write) is the real cause */
		err_free(&j->err);
		j->err = steal_ptr(&x.err);
	}
	if (rc == 0) {
		digest_final(x.raw_hash, j->res->raw_digest);
		digest_final(x.tar_hash, j->res->diff_id);
		x.raw_hash = x.tar_hash = NULL;
		j->res->tree_size = tree_size(".");
	}
	xstate_done(&x);
	return rc;
}

static void *extract_thread(void *arg)
{
	job *j = arg;
	/* UTF-8 names pass through unchanged; C.UTF-8 is built into glibc, so
	 * no locale file is needed after the chroot. */
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (loc)
		uselocale(loc);
	j->rc = extract_in_thread(j);
	if (loc) {
		uselocale(LC_GLOBAL_LOCALE);
		freelocale(loc);
	}
	return NULL;
}

int extract_layer(const img_reader *src, const char *dest, const extract_opts *opts,
		  extract_result *res, err_t **err)
{
	static const extract_opts none = {0};
	memset(res, 0, sizeof(*res));
	job j = {.src = src, .dest = dest, .opts = opts ? opts : &none, .res = res, .rc = -1};
	pthread_t t;
	int e = pthread_create(&t, NULL, extract_thread, &j);
	if (e) {
		errno = e;
		return err_sys(err, "start extraction thread");
	}
	pthread_join(t, NULL);
	if (j.rc < 0) {
		if (err && !*err)
			*err = steal_ptr(&j.err);
		err_free(&j.err);
		return -1;
	}
	return 0;
}
