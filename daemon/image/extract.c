/* extract.c: one layer, one pass (see extract.h). Two libarchive readers are
 * chained: the first ("raw" format, compression filters only) turns the
 * input into the uncompressed byte stream, which we hash for the DiffID;
 * the second parses that stream as a tar and feeds archive_write_disk. The
 * whole pipeline runs in a helper thread that unshares its filesystem
 * context (CLONE_FS) and chroots into the target, so the daemon's other
 * threads keep their root and working directory. */
#include "extract.h"

#include <archive.h>
#include <archive_entry.h>
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
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "strbuf.h"
#include "xalloc.h"

#define XBUF (128 * 1024)
#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"
#define OPAQUE_XATTR "trusted.overlay.opaque"

enum keep_state { KS_UNDECIDED, KS_RAW, KS_TAR, KS_NONE };

typedef struct xstate {
	const img_reader *src;
	const extract_opts *opts;
	extract_result *res;
	struct archive *raw;
	unsigned char *rawbuf, *tarbuf;
	digest_ctx *raw_hash, *tar_hash;
	enum keep_state keep;
	strbuf pending; /* raw bytes read before the compression was known */
	bool data_eof;
	err_t *err;     /* first failure of our own (tee writes, checks) */
	char **opaque;  /* directories that carried .wh..wh..opq */
	size_t nopaque, capopaque;
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
	if (x->keep == KS_UNDECIDED && x->opts->keep) {
		sb_append(&x->pending, buf, n);
		return 0;
	}
	return x->keep == KS_RAW ? keep_write(x, buf, n) : 0;
}

static la_ssize_t raw_read_cb(struct archive *a, void *ud, const void **buf)
{
	xstate *x = ud;
	ssize_t n = x->src->read(x->src->ctx, x->rawbuf, XBUF);
	if (n < 0) {
		archive_set_error(a, errno, "read layer stream: %s", strerror(errno));
		return -1;
	}
	if (account_raw(x, x->rawbuf, (size_t)n) < 0) {
		archive_set_error(a, EIO, "%s", err_msg(x->err));
		return -1;
	}
	*buf = x->rawbuf;
	return n;
}

/* Reads what libarchive left of the input so the raw digest covers it all. */
static int drain_source(xstate *x, err_t **err)
{
	for (;;) {
		ssize_t n = x->src->read(x->src->ctx, x->rawbuf, XBUF);
		if (n < 0)
			return err_sys(err, "read layer stream");
		if (n == 0)
			return 0;
		if (account_raw(x, x->rawbuf, (size_t)n) < 0)
			return -1;
	}
}

/* ---- the uncompressed side: the tar bytes and the DiffID ---- */

static la_ssize_t tar_read_cb(struct archive *a, void *ud, const void **buf)
{
	xstate *x = ud;
	if (x->data_eof)
		return 0;
	la_ssize_t n = archive_read_data(x->raw, x->tarbuf, XBUF);
	if (n < 0) {
		const char *m = archive_error_string(x->raw);
		archive_set_error(a, EIO, "%s", m ? m : "decompression failed");
		return -1;
	}
	if (n == 0) {
		x->data_eof = true;
		return 0;
	}
	digest_update(x->tar_hash, x->tarbuf, (size_t)n);
	x->res->tar_size += n;
	if (x->keep == KS_TAR && keep_write(x, x->tarbuf, (size_t)n) < 0) {
		archive_set_error(a, EIO, "%s", err_msg(x->err));
		return -1;
	}
	*buf = x->tarbuf;
	return n;
}

static int drain_tar(xstate *x, err_t **err)
{
	while (!x->data_eof) {
		const void *buf;
		if (tar_read_cb(NULL, x, &buf) < 0)
			return err_invalid(err, "layer stream: %s", archive_error_string(x->raw));
	}
	return 0;
}

/* Decides which bytes to keep once the compression is known. */
static int decide_keep(xstate *x)
{
	int count = archive_filter_count(x->raw);
	int code = count == 2 ? archive_filter_code(x->raw, 0) : ARCHIVE_FILTER_NONE;
	bool oci = count == 1 || code == ARCHIVE_FILTER_GZIP || code == ARCHIVE_FILTER_ZSTD;
	if (count == 1)
		x->res->media_type = MEDIA_LAYER_TAR;
	else if (code == ARCHIVE_FILTER_GZIP)
		x->res->media_type = MEDIA_LAYER_GZIP;
	else if (code == ARCHIVE_FILTER_ZSTD)
		x->res->media_type = MEDIA_LAYER_ZSTD;
	else
		x->res->media_type = NULL; /* not an OCI layer encoding */
	if (!x->opts->keep || x->opts->keep_mode == KEEP_NONE) {
		x->keep = KS_NONE;
	} else if (x->opts->keep_mode == KEEP_RAW || oci) {
		x->keep = KS_RAW;
		if (keep_write(x, x->pending.buf, x->pending.len) < 0)
			return -1;
	} else {
		x->keep = KS_TAR;
		x->res->media_type = MEDIA_LAYER_TAR;
	}
	sb_free(&x->pending);
	return 0;
}

static int open_raw(xstate *x, err_t **err)
{
	x->raw = archive_read_new();
	archive_read_support_filter_gzip(x->raw);
	archive_read_support_filter_zstd(x->raw);
	archive_read_support_filter_bzip2(x->raw);
	archive_read_support_filter_xz(x->raw);
	archive_read_support_format_raw(x->raw);
	archive_read_support_format_empty(x->raw);
	struct archive_entry *e;
	int r = archive_read_open(x->raw, x, NULL, raw_read_cb, NULL);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(x->raw, &e);
	if (r < ARCHIVE_WARN)
		return err_invalid(err, "layer stream: %s", archive_error_string(x->raw));
	x->data_eof = r == ARCHIVE_EOF; /* an empty input: an empty layer */
	if (decide_keep(x) < 0)
		return -1;
	return 0;
}

/* ---- entries ---- */

static void add_opaque(xstate *x, const char *dir)
{
	x->opaque = xgrow(x->opaque, &x->capopaque, x->nopaque + 1, sizeof(char *));
	x->opaque[x->nopaque++] = xstrdup(dir);
}

typedef struct xattr_copy {
	char *name;
	void *val;
	size_t size;
} xattr_copy;

static bool overlay_xattr(const char *name)
{
	return !strncmp(name, "trusted.overlay.", 16) || !strncmp(name, "user.overlay.", 13);
}

/* Drops trusted.overlay.* / user.overlay.* xattrs: only whiteout markers may
 * produce them, never a tar header (they steer overlayfs lookups). */
static void strip_overlay_xattrs(struct archive_entry *e)
{
	if (archive_entry_xattr_reset(e) == 0)
		return;
	xattr_copy *keep = NULL;
	size_t n = 0, cap = 0;
	bool drop = false;
	const char *name;
	const void *val;
	size_t size;
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		if (overlay_xattr(name)) {
			drop = true;
			continue;
		}
		keep = xgrow(keep, &cap, n + 1, sizeof(*keep));
		keep[n].name = xstrdup(name);
		keep[n].val = xmalloc(size ? size : 1);
		memcpy(keep[n].val, val, size);
		keep[n++].size = size;
	}
	if (drop) {
		archive_entry_xattr_clear(e);
		for (size_t i = 0; i < n; i++)
			archive_entry_xattr_add_entry(e, keep[i].name, keep[i].val, keep[i].size);
	}
	for (size_t i = 0; i < n; i++) {
		free(keep[i].name);
		free(keep[i].val);
	}
	free(keep);
}

/* Turns `dir/.wh.NAME` into a char device 0:0 at dir/NAME. Returns 1 when
 * the entry is to be skipped (opaque marker, aufs metadata). */
static int convert_whiteout(xstate *x, struct archive_entry *e, const char *clean, err_t **err)
{
	const char *slash = strrchr(clean, '/');
	const char *base = slash ? slash + 1 : clean;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return 0;
	_cleanup_free_ char *dir = slash ? xstrndup(clean, (size_t)(slash - clean)) : xstrdup(".");
	if (!strcmp(base, WH_OPAQUE)) {
		add_opaque(x, dir);
		return 1;
	}
	if (!strncmp(base, WH_META_PREFIX, strlen(WH_META_PREFIX)))
		return 1;
	const char *target = base + strlen(WH_PREFIX);
	if (!*target || !strcmp(target, ".") || !strcmp(target, ".."))
		return err_invalid(err, "layer tar: invalid whiteout %s", clean);
	_cleanup_free_ char *path = slash ? xasprintf("%s/%s", dir, target) : xstrdup(target);
	archive_entry_set_pathname(e, path);
	archive_entry_set_hardlink(e, NULL);
	archive_entry_set_symlink(e, NULL);
	archive_entry_set_filetype(e, AE_IFCHR);
	archive_entry_set_perm(e, 0);
	archive_entry_set_rdev(e, 0);
	archive_entry_set_size(e, 0);
	archive_entry_xattr_clear(e);
	return 2;
}

static int prepare_entry(xstate *x, struct archive_entry *e, err_t **err)
{
	_cleanup_free_ char *clean = NULL;
	if (extract_check_name(archive_entry_pathname(e), &clean, err) < 0)
		return err_wrap(err, "layer tar");
	int r = convert_whiteout(x, e, clean, err);
	if (r < 0 || r == 1)
		return r;
	if (r == 0)
		archive_entry_set_pathname(e, clean);
	const char *hl = archive_entry_hardlink(e);
	if (hl) {
		_cleanup_free_ char *hclean = NULL;
		if (extract_check_name(hl, &hclean, err) < 0)
			return err_wrap(err, "layer tar: hard link %s", clean);
		archive_entry_set_hardlink(e, hclean);
	}
	unsigned type = archive_entry_filetype(e);
	if (!hl && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && type != AE_IFCHR &&
	    type != AE_IFBLK && type != AE_IFIFO)
		return err_invalid(err, "layer tar: %s has an unsupported file type", clean);
	strip_overlay_xattrs(e);
	return 0;
}

static int copy_data(struct archive *tar, struct archive *disk, const char *name, err_t **err)
{
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = archive_read_data_block(tar, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return err_invalid(err, "layer tar: %s: %s", name, archive_error_string(tar));
		if (archive_write_data_block(disk, buf, size, off) < ARCHIVE_WARN)
			return err_sys(err, "extract %s: %s", name, archive_error_string(disk));
	}
}

static int write_entry(struct archive *tar, struct archive *disk, struct archive_entry *e,
		       err_t **err)
{
	_cleanup_free_ char *name = xstrdup(archive_entry_pathname(e));
	if (archive_write_header(disk, e) < ARCHIVE_WARN)
		return err_set(err, ERR_INVALID, 0, "extract %s: %s", name, archive_error_string(disk));
	if (archive_entry_size(e) > 0 && copy_data(tar, disk, name, err) < 0)
		return -1;
	if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
		return err_sys(err, "extract %s: %s", name, archive_error_string(disk));
	return 0;
}

static struct archive *disk_writer(void)
{
	struct archive *disk = archive_write_disk_new();
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
		ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
		ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	return disk;
}

static int unpack_entries(xstate *x, struct archive *tar, err_t **err)
{
	struct archive *disk = disk_writer();
	int ret = 0;
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(tar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			ret = err_invalid(err, "layer tar: %s", archive_error_string(tar));
			break;
		}
		x->res->entries++;
		if (x->opts->max_entries && x->res->entries > x->opts->max_entries) {
			ret = err_invalid(err, "layer tar: more than %zu entries", x->opts->max_entries);
			break;
		}
		r = prepare_entry(x, e, err);
		if (r < 0 || (r != 1 && write_entry(tar, disk, e, err) < 0)) {
			ret = -1;
			break;
		}
	}
	if (archive_write_close(disk) < ARCHIVE_WARN && ret == 0)
		ret = err_sys(err, "extract: %s", archive_error_string(disk));
	archive_write_free(disk);
	return ret;
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
	if (open_raw(x, err) < 0)
		return -1;
	struct archive *tar = archive_read_new();
	archive_read_support_format_tar(tar);
	archive_read_support_format_empty(tar);
	int ret = 0;
	if (archive_read_open(tar, x, NULL, tar_read_cb, NULL) != ARCHIVE_OK)
		ret = err_invalid(err, "layer tar: %s", archive_error_string(tar));
	else
		ret = unpack_entries(x, tar, err);
	archive_read_free(tar);
	if (ret == 0)
		ret = drain_tar(x, err);
	if (ret == 0)
		ret = drain_source(x, err);
	if (ret == 0)
		ret = apply_opaque(x, err);
	return ret;
}

static void xstate_done(xstate *x)
{
	if (x->raw)
		archive_read_free(x->raw);
	free(x->rawbuf);
	free(x->tarbuf);
	digest_free(x->raw_hash);
	digest_free(x->tar_hash);
	sb_free(&x->pending);
	for (size_t i = 0; i < x->nopaque; i++)
		free(x->opaque[i]);
	free(x->opaque);
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
	xstate x = {.src = j->src, .opts = j->opts, .res = j->res};
	x.rawbuf = xmalloc(XBUF);
	x.tarbuf = xmalloc(XBUF);
	x.raw_hash = digest_new();
	x.tar_hash = digest_new();
	int rc = enter_target(j->dest, &j->err);
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
