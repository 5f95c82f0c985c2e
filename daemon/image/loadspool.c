/* loadspool.c: pass one of img_load. The archive is not seekable and its
 * members come in any order (layers before or after the manifests that
 * name them), so every regular member is spooled to a temp blob in tmp/
 * while it streams past, hashed on the way; a member that looks like a
 * layer (tar, gzip, zstd, bzip2, xz magic) is also unpacked into
 * layers/tmp-XXXXXX in the same pass, so load reads each byte once. Members
 * that the store already holds (OCI blobs by digest) are skipped. */
#include "load.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "strbuf.h"
#include "xalloc.h"

#define OUTER_BUF (128 * 1024)
#define SNIFF_LEN 512
#define PROGRESS_STEP (1 << 20)

typedef struct outer {
	const img_reader *in;
	unsigned char *buf;
} outer;

static la_ssize_t outer_read(struct archive *a, void *ud, const void **buf)
{
	outer *o = ud;
	ssize_t n = o->in->read(o->in->ctx, o->buf, OUTER_BUF);
	if (n < 0) {
		archive_set_error(a, errno, "read archive: %s", strerror(errno));
		return -1;
	}
	*buf = o->buf;
	return n;
}

/* ---- the member reader handed to the extractor ---- */

typedef struct member_reader {
	load_ctx *lc;
	struct archive *a;
	blob_writer *spool;
	const unsigned char *pre; /* sniffed bytes, already spooled */
	size_t prelen, prepos;
	int64_t done, total, next_report;
	char id[16];
	err_t *err;               /* the archive or the spool failed: fatal */
} member_reader;

static void report(member_reader *m, bool last)
{
	const img_progress *p = m->lc->p;
	if (m->lc->quiet || !p || !p->status || (!last && m->done < m->next_report))
		return;
	m->next_report = m->done + PROGRESS_STEP;
	p->status(p->ctx, m->id, "Loading layer", m->done, m->total);
}

/* Next bytes of the member from the archive, spooled on the way. */
static ssize_t member_pull(member_reader *m, void *buf, size_t n)
{
	la_ssize_t k = archive_read_data(m->a, buf, n);
	if (k < 0) {
		err_invalid(&m->err, "invalid archive: %s", archive_error_string(m->a));
		errno = EIO;
		return -1;
	}
	if (k > 0 && blob_writer_write(m->spool, buf, (size_t)k, &m->err) < 0) {
		errno = EIO;
		return -1;
	}
	m->done += k;
	report(m, false);
	return k;
}

static ssize_t member_read(void *ctx, void *buf, size_t n)
{
	member_reader *m = ctx;
	if (m->prepos < m->prelen) {
		size_t k = m->prelen - m->prepos < n ? m->prelen - m->prepos : n;
		memcpy(buf, m->pre + m->prepos, k);
		m->prepos += k;
		return (ssize_t)k;
	}
	return member_pull(m, buf, n);
}

static int member_drain(member_reader *m, err_t **err)
{
	unsigned char *buf = xmalloc(OUTER_BUF);
	ssize_t k;
	while ((k = member_pull(m, buf, OUTER_BUF)) > 0)
		;
	free(buf);
	if (k < 0) {
		*err = steal_ptr(&m->err);
		return -1;
	}
	report(m, true);
	return 0;
}

/* ---- members ---- */

static bool looks_like_layer(const unsigned char *b, size_t n)
{
	static const unsigned char gz[] = {0x1f, 0x8b}, zst[] = {0x28, 0xb5, 0x2f, 0xfd},
				   bz[] = {'B', 'Z', 'h'}, xz[] = {0xfd, '7', 'z', 'X', 'Z', 0};
	if ((n >= 2 && !memcmp(b, gz, 2)) || (n >= 4 && !memcmp(b, zst, 4)) ||
	    (n >= 3 && !memcmp(b, bz, 3)) || (n >= 6 && !memcmp(b, xz, 6)))
		return true;
	return n >= 262 && !memcmp(b + 257, "ustar", 5);
}

/* A short name for progress lines: the blob or layer directory name. */
static void progress_id(const char *path, char out[16])
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "layer.tar") && base > path + 1) {
		const char *dir = base - 1;
		while (dir > path && dir[-1] != '/')
			dir--;
		base = dir;
	}
	snprintf(out, 13, "%s", base);
	char *dot = strchr(out, '.');
	if (dot)
		*dot = '\0';
}

/* "blobs/sha256/<hex>" already in the store: nothing to read. */
static bool skip_known_blob(load_ctx *lc, spool_entry *se)
{
	const char *pfx = "blobs/sha256/";
	if (strncmp(se->path, pfx, strlen(pfx)) || !hex_valid(se->path + strlen(pfx), 64))
		return false;
	char dg[DIGEST_STR_LEN + 1];
	snprintf(dg, sizeof(dg), "sha256:%s", se->path + strlen(pfx));
	store_lock(lc->s);
	bool have = blob_exists(lc->s->root, dg);
	if (have) {
		store_lease_locked(lc->s, dg);
		lc->leases = xgrow(lc->leases, &lc->capleases, lc->nleases + 1, sizeof(char *));
		lc->leases[lc->nleases++] = xstrdup(dg);
		strcpy(se->stored, dg);
	}
	store_unlock(lc->s);
	return have;
}

static void unpack_speculatively(load_ctx *lc, spool_entry *se, member_reader *m)
{
	_cleanup_err_ err_t *terr = NULL;
	se->layer = layer_tmp_new(lc->s->root, &terr);
	if (!se->layer) {
		se->xerr = steal_ptr(&terr);
		return;
	}
	img_reader r = {member_read, m};
	extract_opts o = {.max_entries = lc->s->max_layer_entries};
	if (extract_layer(&r, se->layer->diff, &o, &se->x, &se->xerr) == 0) {
		se->unpacked = true;
		return;
	}
	layer_tmp_free(se->layer);
	se->layer = NULL;
}

static int spool_member(load_ctx *lc, struct archive *a, spool_entry *se, int64_t size,
			err_t **err)
{
	if (skip_known_blob(lc, se))
		return archive_read_data_skip(a) == ARCHIVE_OK
			       ? 0 : err_invalid(err, "invalid archive: %s", archive_error_string(a));
	se->blob = blob_writer_new(lc->s->root, err);
	if (!se->blob)
		return -1;
	unsigned char pre[SNIFF_LEN];
	member_reader m = {.lc = lc, .a = a, .spool = se->blob, .pre = pre, .total = size};
	progress_id(se->path, m.id);
	while (m.prelen < SNIFF_LEN) {
		ssize_t k = member_pull(&m, pre + m.prelen, SNIFF_LEN - m.prelen);
		if (k < 0) {
			*err = steal_ptr(&m.err);
			return -1;
		}
		if (k == 0)
			break;
		m.prelen += (size_t)k;
	}
	if (looks_like_layer(pre, m.prelen))
		unpack_speculatively(lc, se, &m);
	if (m.err) { /* the archive itself broke while a layer was unpacked */
		*err = steal_ptr(&m.err);
		return -1;
	}
	if (member_drain(&m, err) < 0)
		return -1;
	return blob_writer_finish(se->blob, err);
}

static spool_entry *new_entry(load_ctx *lc, char *path)
{
	lc->v = xgrow(lc->v, &lc->cap, lc->n + 1, sizeof(spool_entry));
	spool_entry *se = &lc->v[lc->n++];
	memset(se, 0, sizeof(*se));
	se->path = path;
	return se;
}

/* Joins a symlink target to the link's directory (an archive path, not yet
 * normalised: load_lookup checks it). */
static char *link_target(const char *path, const char *target)
{
	if (target[0] == '/')
		return xstrdup(target + 1);
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(target);
	return xasprintf("%.*s/%s", (int)(slash - path), path, target);
}

static int take_member(load_ctx *lc, struct archive *a, struct archive_entry *e, err_t **err)
{
	char *path = NULL;
	if (extract_check_name(archive_entry_pathname(e), &path, err) < 0)
		return err_wrap(err, "invalid archive");
	const char *hl = archive_entry_hardlink(e);
	unsigned type = archive_entry_filetype(e);
	if (!hl && type != AE_IFLNK && type != AE_IFREG) {
		free(path);
		return 0;
	}
	spool_entry *se = new_entry(lc, path);
	if (hl)
		se->link = xstrdup(hl);
	else if (type == AE_IFLNK)
		se->link = link_target(path, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
	else
		return spool_member(lc, a, se, archive_entry_size(e), err);
	return 0;
}

static struct archive *open_outer(outer *o, err_t **err)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, o, NULL, outer_read, NULL) != ARCHIVE_OK) {
		err_invalid(err, "invalid archive: %s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

int load_spool(load_ctx *lc, const img_reader *in, err_t **err)
{
	outer o = {in, xmalloc(OUTER_BUF)};
	struct archive *a = open_outer(&o, err);
	int rc = a ? 0 : -1;
	while (rc == 0) {
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			rc = err_invalid(err, "invalid archive: %s", archive_error_string(a));
		else if (lc->n >= LOAD_MAX_MEMBERS)
			rc = err_invalid(err, "invalid archive: more than %d members", LOAD_MAX_MEMBERS);
		else
			rc = take_member(lc, a, e, err);
	}
	if (a)
		archive_read_free(a);
	free(o.buf);
	return rc;
}

/* ---- lookups ---- */

/* Normalises an archive path, resolving "." and ".."; NULL if it escapes. */
static char *norm_path(const char *p)
{
	_cleanup_strv_ char **parts = xcalloc(strlen(p) + 2, sizeof(char *));
	size_t n = 0;
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 2 && !strncmp(p, "..", 2)) {
			if (!n)
				return NULL;
			free(parts[--n]);
			parts[n] = NULL;
		} else if (len && !(len == 1 && *p == '.')) {
			parts[n++] = xstrndup(p, len);
		}
		p += len;
		while (*p == '/')
			p++;
	}
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? "/" : "", parts[i]);
	return sb_steal(&sb);
}

spool_entry *load_lookup(load_ctx *lc, const char *path, err_t **err)
{
	_cleanup_free_ char *cur = norm_path(path);
	for (int hop = 0; cur && hop <= LOAD_MAX_LINK_HOPS; hop++) {
		spool_entry *se = NULL;
		for (size_t i = lc->n; i-- > 0;)
			if (!strcmp(lc->v[i].path, cur)) {
				se = &lc->v[i];
				break;
			}
		if (!se) {
			err_invalid(err, "invalid archive: %s not found", path);
			return NULL;
		}
		if (!se->link)
			return se;
		char *next = norm_path(se->link);
		free(cur);
		cur = next;
	}
	err_invalid(err, "invalid archive: %s: %s", path,
		    cur ? "too many levels of links" : "link points outside the archive");
	return NULL;
}

const char *load_entry_digest(const spool_entry *e)
{
	return *e->stored ? e->stored : e->blob ? blob_writer_digest(e->blob) : NULL;
}

int load_open_entry(load_ctx *lc, spool_entry *e, err_t **err)
{
	const char *tmp = e->blob ? blob_writer_path(e->blob) : NULL;
	if (tmp) {
		int fd = open(tmp, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? err_sys(err, "open %s", tmp) : fd;
	}
	return blob_open(lc->s->root, load_entry_digest(e), err);
}

int load_read_small(load_ctx *lc, spool_entry *e, char **out, size_t *len, err_t **err)
{
	const char *tmp = e->blob ? blob_writer_path(e->blob) : NULL;
	if (tmp)
		return fs_read_file(tmp, IMG_CONFIG_MAX, out, len, err);
	return blob_read(lc->s->root, load_entry_digest(e), IMG_CONFIG_MAX, out, len, err);
}

void load_ctx_free(load_ctx *lc)
{
	for (size_t i = 0; i < lc->n; i++) {
		spool_entry *e = &lc->v[i];
		free(e->path);
		free(e->link);
		blob_writer_free(e->blob);
		layer_tmp_free(e->layer);
		err_free(&e->xerr);
	}
	free(lc->v);
	if (lc->nleases) {
		store_lock(lc->s);
		for (size_t i = 0; i < lc->nleases; i++)
			store_unlease_locked(lc->s, lc->leases[i]);
		store_unlock(lc->s);
	}
	for (size_t i = 0; i < lc->nleases; i++)
		free(lc->leases[i]);
	free(lc->leases);
	memset(lc, 0, sizeof(*lc));
}
