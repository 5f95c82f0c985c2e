/* Unit tests for the container user resolution: Docker's --user forms
 * against hand-written passwd/group files, runc's error messages, and files
 * written by someone hostile (broken lines, huge ids, missing fields). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "strbuf.h"
#include "user.h"

static const char passwd[] =
	"# comment\n"
	"root:x:0:0:root:/root:/bin/sh\n"
	"app:x:1000:1000:App:/home/app:/bin/sh\n"
	"broken-line-without-fields\n"
	"neg:x:-1:5:::\n"
	"big:x:99999999999:1::/big:\n"
	"nohome:x:1001:1002\n"
	"dup:x:1000:7:second:/other:\n"
	"\n";
static const char group[] =
	"root:x:0:\n"
	"staff:x:50:app,other\n"
	"wheel:x:10:other,app\n"
	"solo:x:11:apple\n"
	"bad:x:notanumber:app\n"
	"app:x:1000:\n";

static rt_ids resolve_ok(const char *spec, uint32_t uid, uint32_t gid)
{
	_cleanup_err_ err_t *e = NULL;
	user_query q = {.spec = spec, .uid = uid, .gid = gid};
	rt_ids ids;
	ck_assert_msg(user_resolve(&q, passwd, group, &ids, &e) == 0, "%s: %s", spec, err_msg(e));
	return ids;
}

START_TEST(test_by_name)
{
	rt_ids ids = resolve_ok("app", 0, 0);
	ck_assert_uint_eq(ids.uid, 1000);
	ck_assert_uint_eq(ids.gid, 1000);
	ck_assert_str_eq(ids.home, "/home/app");
	ck_assert_uint_eq(ids.n_groups, 2); /* staff and wheel list app; solo lists "apple" */
	ck_assert_uint_eq(ids.groups[0], 50);
	ck_assert_uint_eq(ids.groups[1], 10);
	rt_ids_done(&ids);
}
END_TEST

START_TEST(test_numeric_forms)
{
	rt_ids ids = resolve_ok("1000", 0, 0); /* the first entry with that uid */
	ck_assert_uint_eq(ids.gid, 1000);
	ck_assert_str_eq(ids.home, "/home/app");
	ck_assert_uint_eq(ids.n_groups, 2);
	rt_ids_done(&ids);
	ids = resolve_ok("4242", 0, 0); /* unknown uid: fine, gid 0, HOME / */
	ck_assert_uint_eq(ids.uid, 4242);
	ck_assert_uint_eq(ids.gid, 0);
	ck_assert_str_eq(ids.home, "/");
	ck_assert_uint_eq(ids.n_groups, 0);
	rt_ids_done(&ids);
	ids = resolve_ok("app:wheel", 0, 0); /* an explicit group: no supplementary lookup */
	ck_assert_uint_eq(ids.gid, 10);
	ck_assert_uint_eq(ids.n_groups, 0);
	rt_ids_done(&ids);
	ids = resolve_ok("4242:4343", 0, 0);
	ck_assert_uint_eq(ids.uid, 4242);
	ck_assert_uint_eq(ids.gid, 4343);
	rt_ids_done(&ids);
	ids = resolve_ok("nohome", 0, 0);
	ck_assert_uint_eq(ids.gid, 1002);
	ck_assert_str_eq(ids.home, "/");
	rt_ids_done(&ids);
	ids = resolve_ok("", 0, 0);
	ck_assert_uint_eq(ids.uid, 0);
	ck_assert_str_eq(ids.home, "/root");
	rt_ids_done(&ids);
}
END_TEST

START_TEST(test_spec_ids_and_additional)
{
	_cleanup_err_ err_t *e = NULL;
	uint32_t add[] = {7, 8};
	user_query q = {.spec = NULL, .uid = 1000, .gid = 33, .add_gids = add, .n_add_gids = 2};
	rt_ids ids;
	ck_assert_int_eq(user_resolve(&q, passwd, group, &ids, &e), 0);
	ck_assert_uint_eq(ids.uid, 1000);
	ck_assert_uint_eq(ids.gid, 33);
	ck_assert_uint_eq(ids.n_groups, 2);
	ck_assert_uint_eq(ids.groups[1], 8);
	ck_assert_str_eq(ids.home, "/home/app");
	rt_ids_done(&ids);
	q.uid = 5; /* no passwd at all */
	ck_assert_int_eq(user_resolve(&q, NULL, NULL, &ids, &e), 0);
	ck_assert_str_eq(ids.home, "/");
	rt_ids_done(&ids);
}
END_TEST

START_TEST(test_group_add_names)
{
	_cleanup_err_ err_t *e = NULL;
	uint32_t add[] = {7};
	user_query q = {.spec = "app", .add_gids = add, .n_add_gids = 1, .add_names = "wheel,4242,root"};
	rt_ids ids;
	ck_assert_int_eq(user_resolve(&q, passwd, group, &ids, &e), 0);
	/* staff and wheel list app; then 7, then wheel, 4242 and root by name */
	uint32_t want[] = {50, 10, 7, 10, 4242, 0};
	ck_assert_uint_eq(ids.n_groups, 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_uint_eq(ids.groups[i], want[i]);
	rt_ids_done(&ids);
	static const char *const bad[] = {"nosuch", "staff,nosuch", "bad", "99999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		user_query b = {.uid = 0, .add_names = bad[i]};
		err_free(&e);
		ck_assert_msg(user_resolve(&b, passwd, group, &ids, &e) == -1, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(e->msg, "no matching entries in group file"));
		ck_assert_ptr_null(ids.groups);
	}
}
END_TEST

START_TEST(test_errors)
{
	static const struct {
		const char *spec, *want;
	} cases[] = {
		{"nosuch", "unable to find user nosuch: no matching entries in passwd file"},
		{"app:nogroup", "unable to find group nogroup: no matching entries in group file"},
		{"neg", "unable to find user neg"},          /* a line with a negative uid is skipped */
		{"big", "unable to find user big"},          /* an id beyond 32 bits is skipped */
		{"99999999999", "unable to find user"},      /* not a valid numeric uid either */
		{"-1", "unable to find user -1"},
		{"0x10", "unable to find user 0x10"},
		{"app:bad", "unable to find group bad"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_err_ err_t *e = NULL;
		user_query q = {.spec = cases[i].spec};
		rt_ids ids;
		ck_assert_msg(user_resolve(&q, passwd, group, &ids, &e) == -1, "%s accepted", cases[i].spec);
		ck_assert_msg(strstr(e->msg, cases[i].want) != NULL, "%s: %s", cases[i].spec, e->msg);
		ck_assert_int_eq(e->kind, ERR_INVALID);
	}
}
END_TEST

START_TEST(test_hostile_files)
{
	_cleanup_err_ err_t *e = NULL;
	/* A gigantic line of colons and a group listing the user 100000 times. */
	_cleanup_sb_ strbuf pw = STRBUF_INIT, gr = STRBUF_INIT;
	for (int i = 0; i < 100000; i++)
		sb_putc(&pw, ':');
	sb_puts(&pw, "\napp:x:1000:1000::/h:\n");
	sb_puts(&gr, "g:x:5:");
	for (int i = 0; i < 100000; i++)
		sb_puts(&gr, "app,");
	sb_puts(&gr, "\n");
	for (int i = 0; i < 70000; i++)
		sb_printf(&gr, "g%d:x:%d:app\n", i, i + 10);
	user_query q = {.spec = "app"};
	rt_ids ids;
	ck_assert_int_eq(user_resolve(&q, pw.buf, gr.buf, &ids, &e), 0);
	ck_assert_uint_eq(ids.uid, 1000);
	ck_assert_uint_le(ids.n_groups, USER_MAX_GROUPS);
	rt_ids_done(&ids);
}
END_TEST

START_TEST(test_files_in_root)
{
	_cleanup_err_ err_t *e = NULL;
	char tmpl[] = "/tmp/engine-user-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	_cleanup_free_ char *etc = fs_path_join(tmpl, "etc");
	_cleanup_free_ char *pw = fs_path_join(tmpl, "etc/passwd");
	_cleanup_free_ char *gr = fs_path_join(tmpl, "etc/group");
	ck_assert_int_eq(fs_mkdir_p(etc, 0755, &e), 0);
	ck_assert_int_eq(fs_write_atomic(pw, passwd, strlen(passwd), 0644, &e), 0);
	ck_assert_int_eq(mkfifo(gr, 0644), 0); /* a FIFO must not block us */
	user_query q = {.spec = "app"};
	rt_ids ids;
	ck_assert_int_eq(user_resolve_in(tmpl, &q, &ids, &e), -1);
	ck_assert_ptr_nonnull(strstr(e->msg, "not a regular file"));
	err_free(&e);
	unlink(gr);
	ck_assert_int_eq(user_resolve_in(tmpl, &q, &ids, &e), 0); /* no group file is fine */
	ck_assert_uint_eq(ids.uid, 1000);
	ck_assert_uint_eq(ids.n_groups, 0);
	rt_ids_done(&ids);
	ck_assert_int_eq(fs_rm_rf(tmpl, &e), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_user");
	TCase *tc = tcase_create("user");
	tcase_add_test(tc, test_by_name);
	tcase_add_test(tc, test_numeric_forms);
	tcase_add_test(tc, test_spec_ids_and_additional);
	tcase_add_test(tc, test_group_add_names);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_files_in_root);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
