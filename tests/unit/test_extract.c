/* Unit tests for daemon/image/extract: layer tars generated here with
 * libarchive, unpacked, and the result checked file by file (whiteouts,
 * opaque dirs, links, devices, xattrs, modes, owners, times), plus the
 * digests and the hostile cases. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "extract.h"
#include "fsutil.h"
#include "imgtest.h"
#include "xalloc.h"

static char *tmp;

static void setup(void)
{
	tmp = imgt_tmpdir();
}

static void teardown(void)
{
	imgt_rmdir(tmp);
	tmp = NULL;
}

/* Unpacks buf into a fresh dest under tmp; returns the rc. */
static int unpack(const strbuf *buf, const char *dest, extract_result *res, err_t **err,
		  size_t max_entries)
{
	imgt_mem m = {buf->buf, buf->len, 0, 7777};
	img_reader r = imgt_mem_reader(&m);
	extract_opts o = {.max_entries = max_entries};
	ck_assert_int_eq(mkdir(dest, 0755), 0);
	return extract_layer(&r, dest, &o, res, err);
}

static char *at(const char *dir, const char *rel)
{
	return fs_path_join(dir, rel);
}

static void build_rich_layer(imgt_tar *t, int filter)
{
	imgt_tar_open(t, filter);
	imgt_dir(t, "etc");
	struct archive_entry *e = imgt_entry("etc/suid", AE_IFREG, 04755);
	archive_entry_set_uid(e, 1000);
	archive_entry_set_gid(e, 1001);
	archive_entry_set_mtime(e, 1234567890, 0);
	archive_entry_xattr_add_entry(e, "user.note", "hello", 5);
	archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/x", 2);
	imgt_add(t, e, "#!/bin/sh\n", 10);
	e = imgt_entry("etc/link", AE_IFREG, 0644);
	archive_entry_set_hardlink(e, "etc/suid");
	imgt_add(t, e, NULL, 0);
	e = imgt_entry("etc/sym", AE_IFLNK, 0777);
	archive_entry_set_symlink(e, "/etc/suid");
	imgt_add(t, e, NULL, 0);
	e = imgt_entry("dev/null", AE_IFCHR, 0666);
	archive_entry_set_rdev(e, makedev(1, 3));
	imgt_add(t, e, NULL, 0);
	imgt_add(t, imgt_entry("run/fifo", AE_IFIFO, 0600), NULL, 0);
	imgt_file(t, "etc/.wh.motd", "");
	imgt_dir(t, "var/cache");
	imgt_file(t, "var/cache/.wh..wh..opq", "");
	imgt_file(t, "var/cache/kept", "k");
	imgt_file(t, "var/.wh..wh.plnk", "");
	imgt_file(t, "./naïve.txt", "utf8");
	imgt_tar_close(t);
}

START_TEST(test_rich_layer)
{
	static const int filters[] = {ARCHIVE_FILTER_NONE, ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_ZSTD};
	static const char *types[] = {MEDIA_LAYER_TAR, MEDIA_LAYER_GZIP, MEDIA_LAYER_ZSTD};
	imgt_tar t, plain;
	build_rich_layer(&t, filters[_i]);
	build_rich_layer(&plain, ARCHIVE_FILTER_NONE);
	_cleanup_free_ char *dest = at(tmp, "layer");
	extract_result res;
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(unpack(&t.out, dest, &res, &e, 0) == 0, "%s", e ? e->msg : "");
	char want[72];
	imgt_sha(plain.out.buf, plain.out.len, want);
	ck_assert_str_eq(res.diff_id, want);
	imgt_sha(t.out.buf, t.out.len, want);
	ck_assert_str_eq(res.raw_digest, want);
	ck_assert_int_eq(res.raw_size, (int64_t)t.out.len);
	ck_assert_int_eq(res.tar_size, (int64_t)plain.out.len);
	ck_assert_str_eq(res.media_type, types[_i]);

	struct stat st;
	_cleanup_free_ char *suid = at(dest, "etc/suid");
	ck_assert_int_eq(lstat(suid, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 04755);
	ck_assert_uint_eq(st.st_uid, 1000);
	ck_assert_uint_eq(st.st_gid, 1001);
	ck_assert_int_eq(st.st_mtime, 1234567890);
	ck_assert_uint_eq(st.st_nlink, 2);
	char val[32] = "";
	ck_assert_int_eq(lgetxattr(suid, "user.note", val, sizeof(val)), 5);
	ck_assert(!memcmp(val, "hello", 5));
	/* an overlay xattr from a tar header is dropped */
	ck_assert_int_lt(lgetxattr(suid, "trusted.overlay.redirect", val, sizeof(val)), 0);
	_cleanup_free_ char *link = at(dest, "etc/link");
	struct stat lst;
	ck_assert_int_eq(lstat(link, &lst), 0);
	ck_assert_uint_eq(lst.st_ino, st.st_ino);
	_cleanup_free_ char *sym = at(dest, "etc/sym");
	char target[64] = "";
	ck_assert_int_eq(readlink(sym, target, sizeof(target)), 9);
	ck_assert(!memcmp(target, "/etc/suid", 9));
	_cleanup_free_ char *dev = at(dest, "dev/null");
	ck_assert_int_eq(lstat(dev, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_uint_eq(st.st_rdev, makedev(1, 3));
	_cleanup_free_ char *fifo = at(dest, "run/fifo");
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	/* whiteout: char 0:0 in place of .wh.motd */
	_cleanup_free_ char *wh = at(dest, "etc/motd");
	ck_assert_int_eq(lstat(wh, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_uint_eq(st.st_rdev, makedev(0, 0));
	_cleanup_free_ char *whf = at(dest, "etc/.wh.motd");
	ck_assert(!fs_exists(whf));
	/* opaque dir */
	_cleanup_free_ char *cache = at(dest, "var/cache");
	ck_assert_int_eq(lgetxattr(cache, "trusted.overlay.opaque", val, sizeof(val)), 1);
	ck_assert_int_eq(val[0], 'y');
	_cleanup_free_ char *opq = at(dest, "var/cache/.wh..wh..opq");
	ck_assert(!fs_exists(opq));
	_cleanup_free_ char *plnk = at(dest, "var/.wh..wh.plnk");
	ck_assert(!fs_exists(plnk));
	_cleanup_free_ char *utf = at(dest, "naïve.txt");
	ck_assert(fs_exists(utf));
	/* Docker's size: the file once (hard link not counted twice), symlink
	 * length, the rest */
	ck_assert_int_eq(res.tree_size, 10 + 9 + 1 + 4);
	sb_free(&t.out);
	sb_free(&plain.out);
}
END_TEST

START_TEST(test_keep_modes)
{
	imgt_tar t;
	build_rich_layer(&t, ARCHIVE_FILTER_GZIP);
	_cleanup_err_ err_t *e = NULL;
	for (int mode = KEEP_RAW; mode <= KEEP_OCI; mode++) {
		_cleanup_blob_writer_ blob_writer *w = blob_writer_new(tmp, &e);
		ck_assert_ptr_null(w);	/* no tmp/ yet */
		err_free(&e);
		ck_assert_int_eq(blob_store_init(tmp, &e), 0);
		w = blob_writer_new(tmp, &e);
		ck_assert_ptr_nonnull(w);
		_cleanup_free_ char *dest = xasprintf("%s/k%d", tmp, mode);
		imgt_mem m = {t.out.buf, t.out.len, 0, 0};
		img_reader r = imgt_mem_reader(&m);
		extract_opts o = {.keep = w, .keep_mode = (extract_keep)mode};
		extract_result res;
		ck_assert_int_eq(mkdir(dest, 0755), 0);
		ck_assert_int_eq(extract_layer(&r, dest, &o, &res, &e), 0);
		ck_assert_int_eq(blob_writer_commit(w, res.raw_digest, (int64_t)t.out.len, &e), 0);
		ck_assert(blob_exists(tmp, res.raw_digest));
		_cleanup_free_ char *blobs = fs_path_join(tmp, "blobs");
		fs_rm_rf(blobs, NULL);
		_cleanup_free_ char *tdir = fs_path_join(tmp, "tmp");
		fs_rm_rf(tdir, NULL);
	}
	sb_free(&t.out);
}
END_TEST

/* A hostile layer: each must fail with a message mentioning `needle`. */
static void expect_failure(imgt_tar *t, const char *needle, size_t max_entries)
{
	_cleanup_free_ char *dest = at(tmp, "bad");
	extract_result res;
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(unpack(&t->out, dest, &res, &e, max_entries), -1);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(strstr(e->msg, needle), "message '%s' lacks '%s'", e->msg, needle);
	/* nothing was written outside dest */
	_cleanup_free_ char *escape = at(tmp, "escaped");
	ck_assert(!fs_exists(escape));
	fs_rm_rf(dest, NULL);
	sb_free(&t->out);
}

START_TEST(test_dotdot)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	imgt_file(&t, "a/../../escaped", "x");
	imgt_tar_close(&t);
	expect_failure(&t, "escapes the archive root", 0);
}
END_TEST

START_TEST(test_absolute)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	_cleanup_free_ char *abs = at(tmp, "escaped");
	imgt_file(&t, abs, "x");
	imgt_tar_close(&t);
	expect_failure(&t, "absolute path", 0);
}
END_TEST

START_TEST(test_symlink_escape)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	struct archive_entry *e = imgt_entry("evil", AE_IFLNK, 0777);
	archive_entry_set_symlink(e, tmp);
	imgt_add(&t, e, NULL, 0);
	imgt_file(&t, "evil/escaped", "x");
	imgt_tar_close(&t);
	expect_failure(&t, "evil", 0);
}
END_TEST

START_TEST(test_hardlink_escape)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	struct archive_entry *e = imgt_entry("pw", AE_IFREG, 0644);
	archive_entry_set_hardlink(e, "../../../../etc/passwd");
	imgt_add(&t, e, NULL, 0);
	imgt_tar_close(&t);
	expect_failure(&t, "escapes the archive root", 0);
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	e = imgt_entry("pw", AE_IFREG, 0644);
	archive_entry_set_hardlink(e, "/etc/passwd");
	imgt_add(&t, e, NULL, 0);
	imgt_tar_close(&t);
	expect_failure(&t, "absolute path", 0);
}
END_TEST

START_TEST(test_giant_name)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	char *name = xmalloc(70000);
	memset(name, 'a', 69999);
	name[69999] = '\0';
	imgt_file(&t, name, "x");
	free(name);
	imgt_tar_close(&t);
	expect_failure(&t, "too long", 0);
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	name = xmalloc(400);
	memset(name, 'b', 399);
	name[399] = '\0';
	imgt_file(&t, name, "x");
	free(name);
	imgt_tar_close(&t);
	expect_failure(&t, "too long", 0);
}
END_TEST

START_TEST(test_bad_whiteouts)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	imgt_file(&t, "etc/.wh.", "");
	imgt_tar_close(&t);
	expect_failure(&t, "invalid whiteout", 0);
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	imgt_file(&t, "etc/.wh..", "");
	imgt_tar_close(&t);
	expect_failure(&t, "invalid whiteout", 0);
}
END_TEST

START_TEST(test_truncated_and_corrupt)
{
	imgt_tar t;
	build_rich_layer(&t, ARCHIVE_FILTER_GZIP);
	t.out.len /= 2; /* truncated gzip */
	expect_failure(&t, "layer", 0);
	build_rich_layer(&t, ARCHIVE_FILTER_GZIP);
	for (size_t i = 40; i < t.out.len - 20; i += 7)
		t.out.buf[i] ^= 0x5a; /* corrupt deflate data */
	expect_failure(&t, "layer", 0);
	build_rich_layer(&t, ARCHIVE_FILTER_NONE);
	t.out.len = 700; /* truncated inside a member */
	expect_failure(&t, "layer tar", 0);
	/* random bytes are no tar */
	t.out = (strbuf)STRBUF_INIT;
	for (int i = 0; i < 4096; i++)
		sb_putc(&t.out, (char)(i * 7919 % 251));
	expect_failure(&t, "layer", 0);
}
END_TEST

static void tiny_files(imgt_tar *t, int n)
{
	imgt_tar_open(t, ARCHIVE_FILTER_GZIP);
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "d%d/f%d", i % 100, i);
		imgt_file(t, name, "");
	}
	imgt_tar_close(t);
}

START_TEST(test_tiny_file_bomb)
{
	imgt_tar t;
	tiny_files(&t, 3000);
	/* Docker has no limit: many files is a legitimate layer (node_modules);
	 * 3,000 is past the limit below and keeps the suite quick */
	_cleanup_free_ char *dest = at(tmp, "many");
	extract_result res;
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(unpack(&t.out, dest, &res, &e, 0), 0);
	ck_assert_uint_eq(res.entries, 3000);
	ck_assert_uint_eq(imgt_count_entries(dest), 3100);
	/* a configured limit stops it with a clear error */
	expect_failure(&t, "more than 2000 entries", 2000);
}
END_TEST

START_TEST(test_empty_and_trailing)
{
	/* an empty stream is an empty layer (sha256 of nothing) */
	strbuf empty = STRBUF_INIT;
	_cleanup_free_ char *dest = at(tmp, "empty");
	extract_result res;
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(unpack(&empty, dest, &res, &e, 0) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(res.diff_id, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* bytes after the end-of-archive marker count in the DiffID */
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_NONE);
	imgt_file(&t, "a", "b");
	imgt_tar_close(&t);
	for (int i = 0; i < 10240; i++)
		sb_putc(&t.out, 0);
	_cleanup_free_ char *d2 = at(tmp, "padded");
	ck_assert_int_eq(unpack(&t.out, d2, &res, &e, 0), 0);
	char want[72];
	imgt_sha(t.out.buf, t.out.len, want);
	ck_assert_str_eq(res.diff_id, want);
	sb_free(&t.out);
}
END_TEST

START_TEST(test_check_name)
{
	_cleanup_err_ err_t *e = NULL;
	char *c = NULL;
	ck_assert_int_eq(extract_check_name("./a//b/./c/", &c, &e), 0);
	ck_assert_str_eq(c, "a/b/c");
	free(c);
	ck_assert_int_eq(extract_check_name("./", &c, &e), 0);
	ck_assert_str_eq(c, ".");
	free(c);
	ck_assert_int_eq(extract_check_name("a/..b", &c, &e), 0);
	free(c);
	ck_assert_int_eq(extract_check_name("a/../b", &c, &e), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("extract");
	TCase *tc = tcase_create("layers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_rich_layer, 0, 3);
	tcase_add_test(tc, test_keep_modes);
	tcase_add_test(tc, test_dotdot);
	tcase_add_test(tc, test_absolute);
	tcase_add_test(tc, test_symlink_escape);
	tcase_add_test(tc, test_hardlink_escape);
	tcase_add_test(tc, test_giant_name);
	tcase_add_test(tc, test_bad_whiteouts);
	tcase_add_test(tc, test_truncated_and_corrupt);
	tcase_add_test(tc, test_tiny_file_bomb);
	tcase_add_test(tc, test_empty_and_trailing);
	tcase_add_test(tc, test_check_name);
	suite_add_tcase(s, tc);
	return imgt_run(s) ? 1 : 0;
}
