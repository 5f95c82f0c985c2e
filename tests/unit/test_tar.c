/* Unit tests for daemon/image's tar reader and writer, the decompressors
 * and lazylib: archives in every header dialect libarchive writes (pax,
 * GNU, ustar, v7) read back field by field, our writer read back by
 * libarchive, each compression (and concatenated streams, and truncated
 * ones). lazylib's load/unload cycles are in test_lazylib.c, a binary
 * without libarchive (which maps the same compression libraries). */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "decompress.h"
#include "extract.h"
#include "fsutil.h"
#include "imgtest.h"
#include "tar.h"
#include "xalloc.h"

/* ---- helpers ---- */

typedef struct memsrc {
	imgt_mem m;
	img_reader r;
	unz *u;
} memsrc;

static ssize_t src_fn(void *ctx, void *buf, size_t n, err_t **err)
{
	memsrc *s = ctx;
	return unz_read(s->u, buf, n, err);
}

/* Opens a tar reader over buf, decompressing as its magic says. */
static tar_reader *open_mem(memsrc *s, const strbuf *buf, size_t chunk)
{
	s->m = (imgt_mem){buf->buf, buf->len, 0, chunk};
	s->r = imgt_mem_reader(&s->m);
	_cleanup_err_ err_t *e = NULL;
	s->u = unz_new(comp_sniff(buf->buf, buf->len), &s->r, &e);
	ck_assert_msg(s->u != NULL, "%s", e ? e->msg : "");
	return tar_reader_new(src_fn, s);
}

static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A name of n bytes with slashes every 40, so ustar can split it. */
static char *long_path(size_t n)
{
	char *s = repeat('d', n);
	for (size_t i = 39; i < n - 1; i += 40)
		s[i] = '/';
	return s;
}

static la_ssize_t to_sb(struct archive *a, void *ud, const void *buf, size_t n)
{
	(void)a;
	sb_append(ud, buf, n);
	return (la_ssize_t)n;
}

static void build(imgt_tar *t, int format, int filter, const char *name, const char *target,
		  int64_t uid)
{
	memset(t, 0, sizeof(*t));
	t->a = archive_write_new();
	archive_write_set_format(t->a, format);
	if (filter != ARCHIVE_FILTER_NONE)
		archive_write_add_filter(t->a, filter);
	archive_write_set_bytes_in_last_block(t->a, 1);
	ck_assert_int_eq(archive_write_open(t->a, &t->out, NULL, to_sb, NULL), ARCHIVE_OK);
	struct archive_entry *e = imgt_entry(name, AE_IFREG, 0640);
	archive_entry_set_uid(e, uid);
	archive_entry_set_gid(e, 42);
	archive_entry_set_mtime(e, 1600000000, 0);
	if (format == ARCHIVE_FORMAT_TAR_PAX_RESTRICTED || format == ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE)
		archive_entry_xattr_add_entry(e, "user.k", "v\0w", 3);
	imgt_add(t, e, "content!", 8);
	e = imgt_entry("sym", AE_IFLNK, 0777);
	archive_entry_set_symlink(e, target);
	imgt_add(t, e, NULL, 0);
	imgt_dir(t, "dir");
	imgt_tar_close(t);
}

static void check_read(const strbuf *buf, const char *name, const char *target, int64_t uid,
		       bool xattr, size_t chunk)
{
	memsrc s;
	tar_reader *tr = open_mem(&s, buf, chunk);
	_cleanup_err_ err_t *err = NULL;
	const tar_entry *e;
	ck_assert_msg(tar_next(tr, &e, &err) == 1, "%s", err ? err->msg : "end");
	ck_assert_str_eq(e->path, name);
	ck_assert_int_eq(e->type, TAR_REG);
	ck_assert_uint_eq(e->mode, 0640);
	ck_assert_int_eq(e->uid, uid);
	ck_assert_int_eq(e->gid, 42);
	ck_assert_int_eq(e->mtime, 1600000000);
	ck_assert_int_eq(e->size, 8);
	if (xattr) {
		ck_assert_uint_eq(e->nxattrs, 1);
		ck_assert_str_eq(e->xattrs[0].name, "user.k");
		ck_assert_uint_eq(e->xattrs[0].len, 3);
		ck_assert(!memcmp(e->xattrs[0].value, "v\0w", 3));
	}
	char data[16] = "";
	ck_assert_int_eq(tar_read_data(tr, data, 3, &err), 3);
	ck_assert_int_eq(tar_read_data(tr, data + 3, sizeof(data), &err), 5);
	ck_assert_int_eq(tar_read_data(tr, data, sizeof(data), &err), 0);
	ck_assert_str_eq(data, "content!");
	ck_assert_int_eq(tar_next(tr, &e, &err), 1);
	ck_assert_int_eq(e->type, TAR_SYMLINK);
	ck_assert_str_eq(e->link, target);
	ck_assert_int_eq(tar_next(tr, &e, &err), 1);
	ck_assert_int_eq(e->type, TAR_DIR);
	ck_assert_str_eq(e->path, "dir/");
	ck_assert_int_eq(tar_next(tr, &e, &err), 0);
	tar_reader_free(tr);
	unz_free(s.u);
}

/* ---- reading ---- */

START_TEST(test_read_dialects)
{
	static const int formats[] = {ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE,
				      ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FORMAT_TAR_USTAR};
	_cleanup_free_ char *name300 = long_path(300), *name150 = long_path(150);
	_cleanup_free_ char *target = repeat('t', 180);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		bool ustar = formats[i] == ARCHIVE_FORMAT_TAR_USTAR;
		bool pax = formats[i] != ARCHIVE_FORMAT_TAR_GNUTAR && !ustar;
		/* ustar has no long link names nor big ids: the prefix field only */
		const char *name = ustar ? name150 : name300;
		const char *tgt = ustar ? "short/target" : target;
		int64_t uid = ustar ? 1000 : 3000000; /* > 07777777: pax record or base-256 */
		imgt_tar t;
		build(&t, formats[i], ARCHIVE_FILTER_NONE, name, tgt, uid);
		check_read(&t.out, name, tgt, uid, pax, 0);
		check_read(&t.out, name, tgt, uid, pax, 7); /* read in odd pieces */
		sb_free(&t.out);
	}
}
END_TEST

START_TEST(test_read_compressions)
{
	static const int filters[] = {ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_ZSTD, ARCHIVE_FILTER_XZ,
				      ARCHIVE_FILTER_BZIP2};
	static const comp_kind kinds[] = {COMP_GZIP, COMP_ZSTD, COMP_XZ, COMP_BZIP2};
	for (size_t i = 0; i < 4; i++) {
		imgt_tar t;
		build(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, filters[i], "f", "t", 7);
		ck_assert_int_eq(comp_sniff(t.out.buf, t.out.len), kinds[i]);
		check_read(&t.out, "f", "t", 7, true, 0);
		check_read(&t.out, "f", "t", 7, true, 5);
		/* cut short: a clear error, never a silent end */
		strbuf cut = STRBUF_INIT;
		sb_append(&cut, t.out.buf, t.out.len * 2 / 3);
		memsrc s;
		tar_reader *tr = open_mem(&s, &cut, 0);
		_cleanup_err_ err_t *err = NULL;
		const tar_entry *e;
		int r;
		while ((r = tar_next(tr, &e, &err)) == 1)
			;
		ck_assert_int_eq(r, -1);
		ck_assert_msg(strstr(err->msg, "decompression failed") || strstr(err->msg, "truncated"),
			      "%s", err->msg);
		tar_reader_free(tr);
		unz_free(s.u);
		sb_free(&cut);
		sb_free(&t.out);
	}
}
END_TEST

/* gzip members and zstd frames one after the other read as one stream, as
 * the tools that write them (pigz, zstd) and Go's readers have it. */
START_TEST(test_concatenated_streams)
{
	imgt_tar t;
	build(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, "f", "t", 7);
	strbuf half1 = STRBUF_INIT, half2 = STRBUF_INIT, z1 = STRBUF_INIT, z2 = STRBUF_INIT;
	sb_append(&half1, t.out.buf, 1024);
	sb_append(&half2, t.out.buf + 1024, t.out.len - 1024);
	imgt_gzip(&half1, &z1);
	imgt_gzip(&half2, &z2);
	sb_append(&z1, z2.buf, z2.len);
	check_read(&z1, "f", "t", 7, true, 0);
	sb_free(&z1);
	sb_free(&z2);
	sb_free(&half1);
	sb_free(&half2);
	sb_free(&t.out);
}
END_TEST

START_TEST(test_hostile_headers)
{
	/* a checksum that does not add up */
	imgt_tar t;
	build(&t, ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_NONE, "f", "t", 7);
	t.out.buf[0] ^= 1;
	memsrc s;
	tar_reader *tr = open_mem(&s, &t.out, 0);
	_cleanup_err_ err_t *err = NULL;
	const tar_entry *e;
	ck_assert_int_eq(tar_next(tr, &e, &err), -1);
	ck_assert(strstr(err->msg, "checksum"));
	tar_reader_free(tr);
	unz_free(s.u);
	err_free(&err);
	/* a pax record whose length lies */
	strbuf bad = STRBUF_INIT;
	unsigned char h[512] = {0};
	const char *rec = "99 path=x\n";
	memcpy(h, "PaxHeader", 9);
	memcpy(h + 100, "0000644", 7);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)strlen(rec));
	h[156] = 'x';
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	sb_append(&bad, (char *)h, 512);
	char blk[512] = {0};
	memcpy(blk, rec, strlen(rec));
	sb_append(&bad, blk, 512);
	sb_append(&bad, t.out.buf, t.out.len);
	t.out.buf[0] ^= 1;
	tr = open_mem(&s, &bad, 0);
	ck_assert_int_eq(tar_next(tr, &e, &err), -1);
	ck_assert_msg(strstr(err->msg, "malformed"), "%s", err->msg);
	tar_reader_free(tr);
	unz_free(s.u);
	sb_free(&bad);
	sb_free(&t.out);
}
END_TEST

/* ---- writing ---- */

static ssize_t sb_write(void *ctx, const void *buf, size_t n)
{
	sb_append(ctx, buf, n);
	return (ssize_t)n;
}

START_TEST(test_writer_round_trip)
{
	strbuf out = STRBUF_INIT;
	img_writer w = {sb_write, &out};
	tar_writer *tw = tar_writer_new(&w);
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *split = long_path(180), *flat = repeat('n', 260);
	const char *names[] = {"blobs/", "short", split, flat};
	ck_assert_int_eq(tar_write_header(tw, names[0], TAR_DIR, 0755, 0, 0, &err), 0);
	for (int i = 1; i < 4; i++) {
		ck_assert_int_eq(tar_write_header(tw, names[i], TAR_REG, 0644, 1000 + i, 0, &err), 0);
		_cleanup_free_ char *data = repeat((char)('a' + i), (size_t)(1000 + i));
		ck_assert_int_eq(tar_write_data(tw, data, 10, &err), 0);
		ck_assert_int_eq(tar_write_data(tw, data + 10, (size_t)(990 + i), &err), 0);
	}
	/* too many bytes for a member is refused */
	ck_assert_int_eq(tar_write_header(tw, "x", TAR_REG, 0644, 1, 0, &err), 0);
	ck_assert_int_eq(tar_write_data(tw, "ab", 2, &err), -1);
	err_free(&err);
	ck_assert_int_eq(tar_write_data(tw, "a", 1, &err), 0);
	ck_assert_int_eq(tar_writer_close(tw, &err), 0);
	tar_writer_free(tw);
	ck_assert_uint_eq(out.len % 10240, 0);

	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_memory(a, out.buf, out.len), ARCHIVE_OK);
	struct archive_entry *e;
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(archive_read_next_header(a, &e), ARCHIVE_OK);
		ck_assert_str_eq(archive_entry_pathname(e), names[i]);
		if (i) {
			ck_assert_int_eq(archive_entry_size(e), 1000 + i);
			char buf[2000];
			ck_assert_int_eq(archive_read_data(a, buf, sizeof(buf)), 1000 + i);
			ck_assert_int_eq(buf[999], 'a' + i);
		}
	}
	ck_assert_int_eq(archive_read_next_header(a, &e), ARCHIVE_OK);
	ck_assert_int_eq(archive_read_next_header(a, &e), ARCHIVE_EOF);
	archive_read_free(a);
	/* and our reader agrees */
	memsrc s;
	tar_reader *tr = open_mem(&s, &out, 0);
	const tar_entry *te;
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(tar_next(tr, &te, &err), 1);
		if (i < 4)
			ck_assert_str_eq(te->path, names[i]);
	}
	ck_assert_int_eq(tar_next(tr, &te, &err), 0);
	tar_reader_free(tr);
	unz_free(s.u);
	sb_free(&out);
}
END_TEST

/* ---- extraction of xz and bzip2 layers ---- */

START_TEST(test_extract_keeps_tar_for_xz_bzip2)
{
	static const int filters[] = {ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_BZIP2};
	_cleanup_free_ char *tmp = imgt_tmpdir();
	_cleanup_err_ err_t *err = NULL;
	ck_assert_int_eq(blob_store_init(tmp, &err), 0);
	for (int i = 0; i < 2; i++) {
		imgt_tar t, plain;
		build(&t, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, filters[i], "f", "t", 7);
		build(&plain, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, "f", "t", 7);
		_cleanup_blob_writer_ blob_writer *w = blob_writer_new(tmp, &err);
		_cleanup_free_ char *dest = xasprintf("%s/x%d", tmp, i);
		ck_assert_int_eq(mkdir(dest, 0755), 0);
		imgt_mem m = {t.out.buf, t.out.len, 0, 0};
		img_reader r = imgt_mem_reader(&m);
		extract_opts o = {.keep = w, .keep_mode = KEEP_OCI};
		extract_result res;
		ck_assert_msg(extract_layer(&r, dest, &o, &res, &err) == 0, "%s", err ? err->msg : "");
		ck_assert_str_eq(res.media_type, MEDIA_LAYER_TAR);
		char want[72];
		imgt_sha(plain.out.buf, plain.out.len, want);
		ck_assert_str_eq(res.diff_id, want);
		ck_assert_int_eq(blob_writer_commit(w, want, (int64_t)plain.out.len, &err), 0);
		_cleanup_free_ char *f = xasprintf("%s/f", dest);
		ck_assert(fs_exists(f));
		sb_free(&t.out);
		sb_free(&plain.out);
	}
	imgt_rmdir(steal_ptr(&tmp));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tar");
	TCase *tc = tcase_create("tar");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_read_dialects);
	tcase_add_test(tc, test_read_compressions);
	tcase_add_test(tc, test_concatenated_streams);
	tcase_add_test(tc, test_hostile_headers);
	tcase_add_test(tc, test_writer_round_trip);
	tcase_add_test(tc, test_extract_keeps_tar_for_xz_bzip2);
	suite_add_tcase(s, tc);
	return imgt_run(s) ? 1 : 0;
}
