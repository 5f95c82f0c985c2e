/* Unit tests for daemon/image/blobstore: verify-before-rename, digest and
 * size mismatches leaving nothing, and crash safety: a writer killed with
 * SIGKILL in the middle of a blob leaves only a temp name, never a wrong
 * or partial blob under its content address, and the store sweeps it. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blobstore.h"
#include "cleanup.h"
#include "fsutil.h"
#include "image.h"
#include "imgtest.h"
#include "xalloc.h"

static char *root;

static void setup(void)
{
	root = imgt_tmpdir();
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(blob_store_init(root, &e), 0);
}

static void teardown(void)
{
	imgt_rmdir(root);
}

static size_t tmp_count(void)
{
	_cleanup_free_ char *t = fs_path_join(root, "tmp");
	return imgt_count_entries(t);
}

START_TEST(test_write_verify_commit)
{
	_cleanup_err_ err_t *e = NULL;
	const char *data = "hello, blobs";
	char want[72];
	imgt_sha(data, strlen(data), want);
	blob_writer *w = blob_writer_new(root, &e);
	ck_assert_int_eq(blob_writer_write(w, data, 5, &e), 0);
	ck_assert_int_eq(blob_writer_write(w, data + 5, strlen(data) - 5, &e), 0);
	ck_assert(!blob_exists(root, want));
	ck_assert_uint_eq(tmp_count(), 1);
	ck_assert_int_eq(blob_writer_commit(w, want, (int64_t)strlen(data), &e), 0);
	ck_assert_str_eq(blob_writer_digest(w), want);
	blob_writer_free(w);
	ck_assert(blob_exists(root, want));
	ck_assert_int_eq(blob_size(root, want, &e), (int64_t)strlen(data));
	_cleanup_free_ char *back = NULL;
	size_t len;
	ck_assert_int_eq(blob_read(root, want, 100, &back, &len, &e), 0);
	ck_assert_str_eq(back, data);
	ck_assert_uint_eq(tmp_count(), 0);
	/* writing the same content again is a no-op */
	w = blob_writer_new(root, &e);
	blob_writer_write(w, data, strlen(data), &e);
	ck_assert_int_eq(blob_writer_commit(w, NULL, -1, &e), 0);
	blob_writer_free(w);
	ck_assert_uint_eq(tmp_count(), 0);
	ck_assert_int_eq(blob_delete(root, want, &e), 0);
	ck_assert(!blob_exists(root, want));
	ck_assert_int_eq(blob_delete(root, want, &e), 0);
	ck_assert_int_eq(blob_open(root, want, &e), -1);
	ck_assert_int_eq(e->kind, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_mismatch_leaves_nothing)
{
	_cleanup_err_ err_t *e = NULL;
	const char *wrong = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	blob_writer *w = blob_writer_new(root, &e);
	blob_writer_write(w, "abc", 3, &e);
	ck_assert_int_eq(blob_writer_commit(w, wrong, -1, &e), -1);
	ck_assert_int_eq(e->kind, ERR_INVALID);
	ck_assert(strstr(e->msg, "digest mismatch: expected sha256:aaaa"));
	blob_writer_free(w);
	err_free(&e);
	w = blob_writer_new(root, &e);
	blob_writer_write(w, "abc", 3, &e);
	ck_assert_int_eq(blob_writer_commit(w, NULL, 4, &e), -1);
	ck_assert(strstr(e->msg, "size mismatch"));
	blob_writer_free(w);
	_cleanup_free_ char *blobs = fs_path_join(root, "blobs/sha256");
	ck_assert_uint_eq(imgt_count_entries(blobs), 0);
	ck_assert_uint_eq(tmp_count(), 0);
	/* abandoned writers clean up after themselves */
	w = blob_writer_new(root, &e);
	blob_writer_write(w, "x", 1, &e);
	blob_writer_free(w);
	ck_assert_uint_eq(tmp_count(), 0);
	ck_assert_ptr_null(blob_path(root, "sha256:nothex"));
}
END_TEST

/* A child writes a large blob slowly; it is killed at some point. */
static void kill_writer_at(useconds_t after, char digest[72])
{
	static char chunk[65536];
	memset(chunk, 'z', sizeof(chunk));
	strbuf all = STRBUF_INIT;
	for (int i = 0; i < 64; i++)
		sb_append(&all, chunk, sizeof(chunk));
	imgt_sha(all.buf, all.len, digest);
	sb_free(&all);
	pid_t pid = fork();
	if (pid == 0) {
		blob_writer *w = blob_writer_new(root, NULL);
		for (int i = 0; w && i < 64; i++) {
			blob_writer_write(w, chunk, sizeof(chunk), NULL);
			usleep(1000);
		}
		if (w)
			blob_writer_commit(w, digest, -1, NULL);
		_exit(0);
	}
	usleep(after);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

START_TEST(test_killed_writer)
{
	for (useconds_t t = 0; t < 120000; t += 15000) {
		char digest[72];
		kill_writer_at(t, digest);
		/* the content address is either absent or whole */
		if (blob_exists(root, digest)) {
			_cleanup_err_ err_t *e = NULL;
			ck_assert_int_eq(blob_size(root, digest, &e), 64 * 65536);
			blob_delete(root, digest, NULL);
		}
	}
	/* the store sweeps the temp files a crash left */
	img_store_opts o = {.root = root};
	_cleanup_err_ err_t *e = NULL;
	img_store *s = img_store_open(&o, &e);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(tmp_count(), 0);
	img_store_close(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blobstore");
	TCase *tc = tcase_create("blobs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_write_verify_commit);
	tcase_add_test(tc, test_mismatch_leaves_nothing);
	tcase_add_test(tc, test_killed_writer);
	suite_add_tcase(s, tc);
	return imgt_run(s) ? 1 : 0;
}
