/* Unit tests for libcommon's base: strbuf, err, jsonutil, fsutil, digest, sha256. */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "detachkeys.h"
#include "digest.h"
#include "err.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "jsonw.h"
#include "sha256.h"
#include "strbuf.h"
#include "xalloc.h"

START_TEST(test_detach_keys)
{
	unsigned char k[DETACH_KEYS_MAX];
	_cleanup_err_ err_t *err = NULL;
	ck_assert_int_eq(detach_keys_parse(DETACH_KEYS_DEFAULT, k, NULL), 2);
	ck_assert_int_eq(k[0], 16);
	ck_assert_int_eq(k[1], 17);
	ck_assert_int_eq(detach_keys_parse("a,ctrl-@,ctrl-[,ctrl-_,DEL,ctrl-z", k, NULL), 6);
	ck_assert_int_eq(k[0], 'a');
	ck_assert_int_eq(k[1], 0);
	ck_assert_int_eq(k[2], 27);
	ck_assert_int_eq(k[3], 31);
	ck_assert_int_eq(k[4], 127);
	ck_assert_int_eq(k[5], 26);
	ck_assert_int_eq(detach_keys_parse("", k, NULL), 0);
	ck_assert_int_eq(detach_keys_parse("ctrl-p,,", k, &err), -1);
	ck_assert_str_eq(err->msg, "Unknown character: ''");
	err_free(&err);
	ck_assert_int_eq(detach_keys_parse("ctrl-pp", k, &err), -1);
	ck_assert_str_eq(err->msg, "Unknown character: 'ctrl-pp'");
	err_free(&err);
	ck_assert_int_eq(detach_keys_parse("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", k, &err), -1);
}
END_TEST

START_TEST(test_strbuf_grows)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	ck_assert_str_eq(sb_str(&sb), "");
	for (int i = 0; i < 1000; i++)
		sb_printf(&sb, "%d,", i);
	ck_assert(strncmp(sb.buf, "0,1,2,", 6) == 0);
	ck_assert_uint_eq(sb.len, strlen(sb.buf));
	char *s = sb_steal(&sb);
	ck_assert_ptr_null(sb.buf);
	free(s);
}
END_TEST

START_TEST(test_err_wrap_and_status)
{
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(err_notfound(&e, "No such image: %s", "x"), -1);
	err_wrap(&e, "load");
	ck_assert_str_eq(e->msg, "load: No such image: x");
	ck_assert_int_eq(err_http_status(e), 404);
	/* The first error wins; a second set does not overwrite it. */
	err_invalid(&e, "other");
	ck_assert_str_eq(e->msg, "load: No such image: x");
}
END_TEST

START_TEST(test_json_strict)
{
	_cleanup_err_ err_t *e = NULL;
	json_object *o = json_parse_strict("{\"a\":1} ", 8, &e);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(jget_int(o, "a", 0), 1);
	json_object_put(o);
	ck_assert_ptr_null(json_parse_strict("{\"a\":1} x", 9, &e));
	ck_assert_int_eq(e->kind, ERR_INVALID);
	err_free(&e);
	ck_assert_ptr_null(json_parse_strict("{\"a\":", 5, &e));
	err_free(&e);
	/* Deep nesting is refused, not recursed into. */
	_cleanup_sb_ strbuf deep = STRBUF_INIT;
	for (int i = 0; i < 10000; i++)
		sb_putc(&deep, '[');
	ck_assert_ptr_null(json_parse_strict(deep.buf, deep.len, &e));
}
END_TEST

START_TEST(test_jget_path)
{
	_cleanup_err_ err_t *e = NULL;
	const char *s = "{\"State\":{\"Running\":true,\"Pid\":4}}";
	_cleanup_json_ json_object *o = json_parse_strict(s, strlen(s), &e);
	ck_assert(json_object_get_boolean(jget_path(o, "State.Running")));
	ck_assert_ptr_null(jget_path(o, "State.Nope.X"));
}
END_TEST

START_TEST(test_digest)
{
	char d[DIGEST_STR_LEN + 1];
	digest_buf("", 0, d);
	ck_assert_str_eq(d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert(digest_valid(d));
	ck_assert(!digest_valid("sha256:E3B0"));
	ck_assert(!digest_valid("md5:abc"));
}
END_TEST

static void sha_hex(const void *data, size_t n, char out[DIGEST_STR_LEN + 1])
{
	unsigned char raw[SHA256_DIGEST_SIZE];
	sha256(data, n, raw);
	digest_hex(raw, out);
}

/* FIPS 180-4 / NIST CAVS vectors, through both block functions. */
START_TEST(test_sha256_vectors)
{
	static const struct { const char *in; const char *hex; } v[] = {
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
		{"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		 "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
	};
	for (int portable = 0; portable < 2; portable++) {
		sha256_force_portable(portable);
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			char d[DIGEST_STR_LEN + 1];
			sha_hex(v[i].in, strlen(v[i].in), d);
			ck_assert_str_eq(d + 7, v[i].hex);
		}
		/* a million 'a', fed in uneven pieces */
		char *a = xmalloc(1000000);
		memset(a, 'a', 1000000);
		sha256_ctx c;
		sha256_init(&c);
		for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 3 % 4099 + 1)
			sha256_update(&c, a + off, off + step > 1000000 ? 1000000 - off : step);
		unsigned char raw[SHA256_DIGEST_SIZE];
		sha256_final(&c, raw);
		char d[DIGEST_STR_LEN + 1];
		digest_hex(raw, d);
		ck_assert_str_eq(d + 7, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
		free(a);
	}
	sha256_force_portable(0);
}
END_TEST

/* The SHA-NI path (when this CPU has it) agrees with the portable one on
 * every length around the block and padding boundaries. */
START_TEST(test_sha256_impls_agree)
{
	unsigned char buf[1100];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (size_t n = 0; n <= sizeof(buf); n += (n < 200 ? 1 : 37)) {
		char a[DIGEST_STR_LEN + 1], b[DIGEST_STR_LEN + 1];
		sha256_force_portable(0);
		sha_hex(buf, n, a);
		sha256_force_portable(1);
		sha_hex(buf, n, b);
		ck_assert_str_eq(a, b);
	}
	sha256_force_portable(0);
}
END_TEST

START_TEST(test_fs_atomic_and_rm)
{
	_cleanup_err_ err_t *e = NULL;
	char tmpl[] = "/tmp/engine-unit-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	_cleanup_free_ char *deep = fs_path_join(tmpl, "a/b/c");
	ck_assert_int_eq(fs_mkdir_p(deep, 0755, &e), 0);
	_cleanup_free_ char *f = fs_path_join(deep, "file");
	ck_assert_int_eq(fs_write_atomic(f, "hello", 5, 0644, &e), 0);
	_cleanup_free_ char *back = NULL;
	size_t n = 0;
	ck_assert_int_eq(fs_read_file(f, 100, &back, &n, &e), 0);
	ck_assert_str_eq(back, "hello");
	ck_assert_int_eq(fs_read_file(f, 2, &back, &n, &e), -1);
	ck_assert_int_eq(e->kind, ERR_TOO_LARGE);
	err_free(&e);
	/* the weaker variants still replace whole and leave no temp behind */
	ck_assert_int_eq(fs_write_atomic_ex(f, "again", 5, 0644, FS_ATOMIC_OLD_OR_NEW, &e), 0);
	free(back);
	back = NULL;
	ck_assert_int_eq(fs_read_file(f, 100, &back, &n, &e), 0);
	ck_assert_str_eq(back, "again");
	_cleanup_free_ char *g = fs_path_join(deep, "volatile");
	ck_assert_int_eq(fs_write_atomic_ex(g, "v", 1, 0600, FS_ATOMIC_VOLATILE, &e), 0);
	struct stat st;
	ck_assert_int_eq(stat(g, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(fs_tree_size(deep) > 0, 1);
	_cleanup_closedir_ DIR *dir = opendir(deep);
	struct dirent *de;
	while ((de = readdir(dir)))
		ck_assert_ptr_null(strstr(de->d_name, ".tmp-"));
	_cleanup_free_ char *link = fs_path_join(tmpl, "a/link");
	ck_assert_int_eq(symlink("/etc", link), 0);
	ck_assert_int_eq(fs_rm_rf(tmpl, &e), 0);
	ck_assert(!fs_exists(tmpl));
	ck_assert(fs_exists("/etc/hostname") || fs_exists("/etc/passwd"));
}
END_TEST

/* Threads replacing one file at once: each write lands whole (a shared
 * temp name once made renames fail and contents mix). */
static const char *race_path;

static void *write_many(void *arg)
{
	char buf[4096];
	memset(buf, 'a' + (int)(intptr_t)arg, sizeof(buf));
	for (int i = 0; i < 300; i++) {
		_cleanup_err_ err_t *e = NULL;
		if (fs_write_atomic_ex(race_path, buf, sizeof(buf), 0600, FS_ATOMIC_VOLATILE, &e) < 0)
			return (void *)1;
	}
	return NULL;
}

START_TEST(test_fs_atomic_concurrent_writers)
{
	char tmpl[] = "/tmp/engine-unit-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	_cleanup_free_ char *f = fs_path_join(tmpl, "shared");
	race_path = f;
	pthread_t t[4];
	for (intptr_t i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, write_many, (void *)i), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		ck_assert_ptr_null(r);
	}
	_cleanup_free_ char *back = NULL;
	size_t n = 0;
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(fs_read_file(f, 8192, &back, &n, &e), 0);
	ck_assert_uint_eq(n, 4096);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_eq(back[i], back[0]);
	ck_assert_int_eq(fs_rm_rf(tmpl, &e), 0);
}
END_TEST

START_TEST(test_jsonw_writes_what_json_c_reads)
{
	strbuf sb = STRBUF_INIT;
	jsonw w;
	jw_init(&w, &sb);
	char *tags[] = {"a", "<b>&\"c\"", NULL};
	jw_obj(&w, NULL);
	jw_str(&w, "s", "x\ny");
	jw_str(&w, "nul", NULL);
	jw_int(&w, "i", -9007199254740993LL);
	jw_bool(&w, "t", true);
	jw_null(&w, "n");
	jw_strv(&w, "v", tags);
	jw_strv(&w, "e", NULL);
	jw_obj(&w, "o");
	jw_arr(&w, "pairs");
	jw_arr(&w, NULL);
	jw_int(&w, NULL, 1);
	jw_int(&w, NULL, 2);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_obj_end(&w);
	ck_assert_str_eq(sb_str(&sb), "{\"s\":\"x\\ny\",\"nul\":\"\",\"i\":-9007199254740993,\"t\":true,"
			 "\"n\":null,\"v\":[\"a\",\"\\u003cb\\u003e\\u0026\\\"c\\\"\"],\"e\":[],"
			 "\"o\":{\"pairs\":[[1,2]]}}");
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *back = json_parse_strict(sb_str(&sb), strlen(sb_str(&sb)), &err);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(jget(back, "v"), 1)), "<b>&\"c\"");
	sb_free(&sb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("libcommon");
	TCase *keys = tcase_create("detachkeys");
	tcase_add_test(keys, test_detach_keys);
	suite_add_tcase(s, keys);
	TCase *tc = tcase_create("base");
	tcase_add_test(tc, test_strbuf_grows);
	tcase_add_test(tc, test_err_wrap_and_status);
	tcase_add_test(tc, test_json_strict);
	tcase_add_test(tc, test_jget_path);
	tcase_add_test(tc, test_digest);
	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_sha256_impls_agree);
	tcase_add_test(tc, test_fs_atomic_and_rm);
	tcase_add_test(tc, test_jsonw_writes_what_json_c_reads);
	tcase_add_test(tc, test_fs_atomic_concurrent_writers);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
