/* Unit tests for path handling in the runtime: resolving mount targets
 * inside a rootfs full of hostile symlinks, the overlay mount data and its
 * short-name fallback, Go-style command lookup and the default env. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "pathsafe.h"
#include "process.h"
#include "rootfs.h"
#include "strbuf.h"
#include "xalloc.h"

static char root[] = "/tmp/engine-path-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(root));
	_cleanup_free_ char *etc = fs_path_join(root, "etc");
	_cleanup_free_ char *bin = fs_path_join(root, "usr/bin");
	ck_assert_int_eq(fs_mkdir_p(etc, 0755, NULL), 0);
	ck_assert_int_eq(fs_mkdir_p(bin, 0755, NULL), 0);
	struct {
		const char *target, *link;
	} links[] = {
		{"/etc/../../../../tmp/outside", "etc/hostname"}, /* absolute, climbing */
		{"../../../../../..", "up"},                      /* relative, climbing */
		{"usr/bin", "bin"},
		{"loop2", "loop1"},
		{"loop1", "loop2"},
		{"/", "rootlink"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		_cleanup_free_ char *p = fs_path_join(root, links[i].link);
		ck_assert_int_eq(symlink(links[i].target, p), 0);
	}
}

static void teardown(void)
{
	fs_rm_rf(root, NULL);
	strcpy(root, "/tmp/engine-path-XXXXXX");
}

static void expect(const char *path, const char *rel)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_free_ char *got = path_in_root(root, path, &e);
	_cleanup_free_ char *want = fs_path_join(root, rel);
	ck_assert_msg(got != NULL, "%s: %s", path, err_msg(e));
	ck_assert_str_eq(got, want);
}

START_TEST(test_resolve_in_root)
{
	expect("/etc/hostname", "tmp/outside");
	expect("/up/etc/passwd", "etc/passwd");
	expect("/../../etc", "etc");
	expect("/bin/sh", "usr/bin/sh");
	expect("/rootlink/rootlink/etc", "etc");
	expect("/missing/../etc/x", "etc/x");
	expect("/", "");
	_cleanup_err_ err_t *e = NULL;
	ck_assert_ptr_null(path_in_root(root, "/loop1/x", &e));
	ck_assert_int_eq(e->errnum, ELOOP);
}
END_TEST

START_TEST(test_create_in_root)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_free_ char *f = path_touch_in_root(root, "/etc/hostname", &e);
	ck_assert_msg(f != NULL, "%s", err_msg(e));
	_cleanup_free_ char *want = fs_path_join(root, "tmp/outside");
	ck_assert_str_eq(f, want);
	ck_assert(fs_exists(want));
	ck_assert(!fs_exists("/tmp/outside") || strcmp(root, "/") == 0);
	_cleanup_free_ char *d = path_mkdir_in_root(root, "/up/new/dir", 0755, &e);
	_cleanup_free_ char *dwant = fs_path_join(root, "new/dir");
	ck_assert_str_eq(d, dwant);
	struct stat st;
	ck_assert_int_eq(stat(dwant, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
}
END_TEST

START_TEST(test_overlay_data)
{
	char *few[] = {"/l/b", "/l/a", NULL};
	rt_overlay o = {.lowerdirs = few, .upperdir = "/c/u", .workdir = "/c/w"};
	_cleanup_free_ char *d = rootfs_overlay_data(&o, false);
	ck_assert_str_eq(d, "lowerdir=/l/b:/l/a,upperdir=/c/u,workdir=/c/w");
	_cleanup_free_ char *s = rootfs_overlay_data(&o, true);
	ck_assert_str_eq(s, "lowerdir=0:1,upperdir=/c/u,workdir=/c/w");
	char **many = xcalloc(501, sizeof(char *));
	for (int i = 0; i < 500; i++)
		many[i] = xasprintf("/var/lib/engine/layers/%064d/diff", i);
	rt_overlay big = {.lowerdirs = many, .upperdir = "/c/u", .workdir = "/c/w"};
	ck_assert_ptr_null(rootfs_overlay_data(&big, false));
	_cleanup_free_ char *sb = rootfs_overlay_data(&big, true);
	ck_assert_ptr_nonnull(sb);
	ck_assert_uint_lt(strlen(sb), ROOTFS_MAX_MOUNT_DATA);
	strv_free(many);
}
END_TEST

START_TEST(test_lookup)
{
	_cleanup_err_ err_t *e = NULL;
	char *env[] = {"PATH=/nonexistent:/bin:/usr/bin", "X=1", NULL};
	_cleanup_free_ char *sh = NULL;
	ck_assert_int_eq(process_lookup("sh", env, &sh, &e), 0);
	ck_assert_str_eq(sh, "/bin/sh");
	char *none = NULL;
	ck_assert_int_eq(process_lookup("no-such-cmd-xyz", env, &none, &e), -1);
	ck_assert_str_eq(e->msg, "exec: \"no-such-cmd-xyz\": executable file not found in $PATH");
	ck_assert_int_eq(e->errnum, ENOENT);
	err_free(&e);
	ck_assert_int_eq(process_lookup("/etc/hostname-no", env, &none, &e), -1);
	ck_assert_str_eq(e->msg, "exec: \"/etc/hostname-no\": stat /etc/hostname-no: no such file or directory");
	err_free(&e);
	ck_assert_int_eq(process_lookup("/etc/passwd", env, &none, &e), -1);
	ck_assert_str_eq(e->msg, "exec: \"/etc/passwd\": permission denied");
	ck_assert_int_eq(e->errnum, EACCES);
	err_free(&e);
	ck_assert_int_eq(process_lookup("/etc", env, &none, &e), -1);
	ck_assert_int_eq(e->errnum, EISDIR);
}
END_TEST

START_TEST(test_env_defaults)
{
	char *env[] = {"A=1", NULL};
	_cleanup_strv_ char **out = process_env(env, "/home/x");
	ck_assert_str_eq(out[0], "A=1");
	ck_assert_str_eq(out[1], "PATH=" RT_DEFAULT_PATH);
	ck_assert_str_eq(out[2], "HOME=/home/x");
	ck_assert_ptr_null(out[3]);
	char *env2[] = {"HOME=/h", "PATH=/p", NULL};
	_cleanup_strv_ char **out2 = process_env(env2, "/home/x");
	ck_assert_ptr_null(out2[2]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_paths");
	TCase *tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_resolve_in_root);
	tcase_add_test(tc, test_create_in_root);
	tcase_add_test(tc, test_overlay_data);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_env_defaults);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
