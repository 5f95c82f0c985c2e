/* blobstore.c: content-addressed blobs with write-hash-verify-rename (see
 * blobstore.h). The temp file lives in <root>/tmp so a crash leaves only
 * temp names, which the image store sweeps when it opens. */
#include "blobstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

struct blob_writer {
	char *root;
	char *tmp;   /* temp path, NULL once committed or removed */
	int fd;      /* -1 after finish */
	digest_ctx *hash;
	int64_t size;
	char digest[DIGEST_STR_LEN + 1];
	bool finished;
};

static char *blob_dir(const char *root)
{
	return fs_path_join(root, "blobs/sha256");
}

int blob_store_init(const char *root, err_t **err)
{
	_cleanup_free_ char *dir = blob_dir(root);
	_cleanup_free_ char *tmp = fs_path_join(root, "tmp");
	if (fs_mkdir_p(dir, 0700, err) < 0 || fs_mkdir_p(tmp, 0700, err) < 0)
		return -1;
	return 0;
}

char *blob_path(const char *root, const char *digest)
{
	if (!digest_valid(digest))
		return NULL;
	return xasprintf("%s/blobs/sha256/%s", root, digest + 7);
}

bool blob_exists(const char *root, const char *digest)
{
	_cleanup_free_ char *p = blob_path(root, digest);
	return p && fs_exists(p);
}

int64_t blob_size(const char *root, const char *digest, err_t **err)
{
	_cleanup_free_ char *p = blob_path(root, digest);
	struct stat st;
	if (!p || stat(p, &st) < 0) {
		err_notfound(err, "blob %s not found", digest ? digest : "(null)");
		return -1;
	}
	return st.st_size;
}

int blob_open(const char *root, const char *digest, err_t **err)
{
	_cleanup_free_ char *p = blob_path(root, digest);
	if (!p)
		return err_invalid(err, "invalid digest %s", digest ? digest : "(null)");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return err_notfound(err, "blob %s not found", digest);
	if (fd < 0)
		return err_sys(err, "open %s", p);
	return fd;
}

int blob_read(const char *root, const char *digest, size_t max, char **out, size_t *len,
	      err_t **err)
{
	_cleanup_free_ char *p = blob_path(root, digest);
	if (!p)
		return err_invalid(err, "invalid digest %s", digest ? digest : "(null)");
	return fs_read_file(p, max, out, len, err);
}

int blob_delete(const char *root, const char *digest, err_t **err)
{
	_cleanup_free_ char *p = blob_path(root, digest);
	if (!p)
		return err_invalid(err, "invalid digest %s", digest ? digest : "(null)");
	if (unlink(p) < 0 && errno != ENOENT)
		return err_sys(err, "remove blob %s", digest);
	return 0;
}

blob_writer *blob_writer_new(const char *root, err_t **err)
{
	_cleanup_free_ char *tmp = xasprintf("%s/tmp/blob-XXXXXX", root);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_sys(err, "create temp blob in %s/tmp", root);
		return NULL;
	}
	blob_writer *w = xcalloc(1, sizeof(*w));
	w->root = xstrdup(root);
	w->tmp = steal_ptr(&tmp);
	w->fd = fd;
	w->hash = digest_new();
	return w;
}

int blob_writer_write(blob_writer *w, const void *buf, size_t n, err_t **err)
{
	if (w->finished)
		return err_set(err, ERR_SYSTEM, 0, "blob writer already finished");
	const char *p = buf;
	digest_update(w->hash, buf, n);
	w->size += (int64_t)n;
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return err_sys(err, "write %s", w->tmp);
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int blob_writer_finish(blob_writer *w, err_t **err)
{
	if (w->finished)
		return 0;
	if (fsync(w->fd) < 0 || close(steal_fd(&w->fd)) < 0)
		return err_sys(err, "sync %s", w->tmp);
	digest_final(w->hash, w->digest);
	w->hash = NULL;
	w->finished = true;
	return 0;
}

const char *blob_writer_digest(const blob_writer *w)
{
	return w->finished ? w->digest : NULL;
}

int64_t blob_writer_size(const blob_writer *w)
{
	return w->size;
}

const char *blob_writer_path(const blob_writer *w)
{
	return w->tmp;
}

static int check_expected(blob_writer *w, const char *expect_digest, int64_t expect_size,
			  err_t **err)
{
	if (expect_digest && strcmp(expect_digest, w->digest))
		return err_invalid(err, "digest mismatch: expected %s, got %s", expect_digest,
				   w->digest);
	if (expect_size >= 0 && expect_size != w->size)
		return err_invalid(err, "size mismatch for %s: expected %lld bytes, got %lld",
				   w->digest, (long long)expect_size, (long long)w->size);
	return 0;
}

int blob_writer_commit(blob_writer *w, const char *expect_digest, int64_t expect_size,
		       err_t **err)
{
	if (!w->tmp)
		return 0;
	if (blob_writer_finish(w, err) < 0 || check_expected(w, expect_digest, expect_size, err) < 0)
		return -1;
	_cleanup_free_ char *dst = blob_path(w->root, w->digest);
	_cleanup_free_ char *dir = blob_dir(w->root);
	if (fs_exists(dst)) {
		unlink(w->tmp);
	} else {
		if (rename(w->tmp, dst) < 0)
			return err_sys(err, "rename blob %s", w->digest);
		if (fs_fsync_dir(dir) < 0)
			return err_sys(err, "sync %s", dir);
	}
	free(steal_ptr(&w->tmp));
	return 0;
}

void blob_writer_free(blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->tmp)
		unlink(w->tmp);
	digest_free(w->hash);
	free(w->tmp);
	free(w->root);
	free(w);
}
