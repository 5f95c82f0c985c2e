/* Unit tests for the shim's json-file writer (Docker's exact bytes: Go's
 * escaping, RFC3339Nano, 16 KiB partials, rotation names) and the protocol
 * helpers (signal names, exit file, long socket paths). */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonlog.h"
#include "shim_proto.h"
#include "strbuf.h"
#include "xalloc.h"

static char dir[] = "/tmp/engine-log-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	fs_rm_rf(dir, NULL);
	strcpy(dir, "/tmp/engine-log-XXXXXX");
}

static char *slurp(const char *path)
{
	char *out = NULL;
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(fs_read_file(path, 1 << 24, &out, NULL, &e) == 0, "%s", err_msg(e));
	return out;
}

static const struct timespec t0 = {1700000000, 123456000};

START_TEST(test_escape_like_go)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "\"plain\""},
		{"tab\there", "\"tab\\u0009here\""},
		{"<a&b>", "\"\\u003ca\\u0026b\\u003e\""},
		{"q\"b\\", "\"q\\\"b\\\\\""},
		{"cr\rnl\n", "\"cr\\rnl\\n\""},
		{"\x01\x1f", "\"\\u0001\\u001f\""},
		{"caf\xc3\xa9", "\"caf\xc3\xa9\""},
		{"bad\xff\xfe", "\"bad\\ufffd\\ufffd\""},
		{"cut\xe2\x82", "\"cut\\ufffd\\ufffd\""},
		{"ls\xe2\x80\xa8ps\xe2\x80\xa9", "\"ls\\u2028ps\\u2029\""},
		{"surrogate\xed\xa0\x80", "\"surrogate\\ufffd\\ufffd\\ufffd\""},
		{"overlong\xc0\xaf", "\"overlong\\ufffd\\ufffd\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_sb_ strbuf sb = STRBUF_INIT;
		jsonlog_escape(&sb, cases[i].in, strlen(cases[i].in));
		ck_assert_str_eq(sb.buf, cases[i].out);
	}
}
END_TEST

START_TEST(test_time_format)
{
	char buf[SHIM_TIME_LEN];
	shim_fmt_time(&t0, buf);
	ck_assert_str_eq(buf, "2023-11-14T22:13:20.123456Z");
	struct timespec whole = {1700000000, 0}, ns = {1700000000, 1};
	shim_fmt_time(&whole, buf);
	ck_assert_str_eq(buf, "2023-11-14T22:13:20Z");
	shim_fmt_time(&ns, buf);
	ck_assert_str_eq(buf, "2023-11-14T22:13:20.000000001Z");
}
END_TEST

START_TEST(test_lines_and_partials)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_free_ char *path = fs_path_join(dir, "c-json.log");
	jsonlog *l = jsonlog_open(path, 0, 1, &e);
	ck_assert_ptr_nonnull(l);
	struct timespec t1 = {1700000001, 0};
	jsonlog_feed(l, JSONLOG_STDOUT, "one\ntw", 6, &t0);
	jsonlog_feed(l, JSONLOG_STDOUT, "o\n\n", 3, &t1);
	jsonlog_feed(l, JSONLOG_STDERR, "err", 3, &t0);
	_cleanup_free_ char *big = xmalloc(40000);
	memset(big, 'x', 40000);
	jsonlog_feed(l, JSONLOG_STDOUT, big, 40000, &t0);
	jsonlog_feed(l, JSONLOG_STDOUT, "y\n", 2, &t1);
	jsonlog_eof(l, JSONLOG_STDERR, &t1);
	ck_assert_int_eq(jsonlog_flush(l, &e), 0);
	jsonlog_close(l);
	_cleanup_free_ char *text = slurp(path);
	const char *want_head =
		"{\"log\":\"one\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123456Z\"}\n"
		"{\"log\":\"two\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:21Z\"}\n"
		"{\"log\":\"\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:21Z\"}\n";
	ck_assert_int_eq(strncmp(text, want_head, strlen(want_head)), 0);
	/* 40000 x + "y\n": two 16 KiB partials, then the rest with the first part's time. */
	char *p = text + strlen(want_head);
	ck_assert_int_eq(strncmp(p, "{\"log\":\"xxx", 11), 0);
	char *nl1 = strchr(p, '\n');
	ck_assert_int_eq((int)(nl1 - p), (int)strlen("{\"log\":\"\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123456Z\"}") + 16384);
	char *nl2 = strchr(nl1 + 1, '\n');
	char *third = nl2 + 1;
	ck_assert_ptr_nonnull(strstr(third, "y\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123456Z\"}"));
	ck_assert_ptr_nonnull(strstr(text, "{\"log\":\"err\",\"stream\":\"stderr\",\"time\":\"2023-11-14T22:13:21Z\"}\n"));
}
END_TEST

START_TEST(test_rotation)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_free_ char *path = fs_path_join(dir, "r.log");
	jsonlog *l = jsonlog_open(path, 300, 3, &e);
	for (int i = 0; i < 40; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "line-%02d\n", i);
		jsonlog_feed(l, JSONLOG_STDOUT, line, (size_t)n, &t0);
	}
	jsonlog_close(l);
	_cleanup_free_ char *p1 = xasprintf("%s.1", path);
	_cleanup_free_ char *p2 = xasprintf("%s.2", path);
	_cleanup_free_ char *p3 = xasprintf("%s.3", path);
	ck_assert(fs_exists(path) && fs_exists(p1) && fs_exists(p2) && !fs_exists(p3));
	_cleanup_free_ char *cur = slurp(path);
	ck_assert_ptr_nonnull(strstr(cur, "line-39"));
	_cleanup_free_ char *prev = slurp(p1);
	ck_assert_ptr_null(strstr(prev, "line-39"));
	/* max-file 1: the file is replaced in place. */
	_cleanup_free_ char *one = fs_path_join(dir, "one.log");
	l = jsonlog_open(one, 200, 1, &e);
	for (int i = 0; i < 20; i++)
		jsonlog_feed(l, JSONLOG_STDOUT, "abcdefghij\n", 11, &t0);
	jsonlog_close(l);
	_cleanup_free_ char *one1 = xasprintf("%s.1", one);
	ck_assert(!fs_exists(one1));
}
END_TEST

START_TEST(test_proto_helpers)
{
	ck_assert_int_eq(shim_signal_parse("TERM"), SIGTERM);
	ck_assert_int_eq(shim_signal_parse("SIGKILL"), SIGKILL);
	ck_assert_int_eq(shim_signal_parse("sigusr1"), SIGUSR1);
	ck_assert_int_eq(shim_signal_parse("15"), 15);
	ck_assert_int_eq(shim_signal_parse("RTMIN+2"), SIGRTMIN + 2);
	ck_assert_int_eq(shim_signal_parse("0"), -1);
	ck_assert_int_eq(shim_signal_parse("15x"), -1);
	ck_assert_int_eq(shim_signal_parse("NOPE"), -1);
	_cleanup_err_ err_t *e = NULL;
	shim_exit x = {.exit_code = 127, .pid = 42, .error = (char *)"exec: \"foo\": executable file not found in $PATH"};
	strcpy(x.finished_at, "2023-11-14T22:13:20Z");
	ck_assert_int_eq(shim_exit_write(dir, &x, &e), 0);
	_cleanup_free_ char *ep = fs_path_join(dir, SHIM_EXIT_FILE);
	_cleanup_free_ char *text = slurp(ep);
	shim_exit y;
	ck_assert_int_eq(shim_exit_parse(text, strlen(text), &y, &e), 0);
	ck_assert_int_eq(y.exit_code, 127);
	ck_assert_int_eq(y.pid, 42);
	ck_assert_str_eq(y.finished_at, x.finished_at);
	ck_assert_str_eq(y.error, x.error);
	shim_exit_done(&y);
	ck_assert_int_eq(shim_exit_parse("{\"exit_code\":", 13, &y, &e), -1);
	/* A socket path longer than sun_path goes through /proc/self/fd. */
	struct sockaddr_un sa;
	socklen_t len;
	int dfd = -1;
	_cleanup_sb_ strbuf longp = STRBUF_INIT;
	sb_puts(&longp, dir);
	for (int i = 0; i < 20; i++)
		sb_puts(&longp, "/0123456789");
	sb_puts(&longp, "/ctl.sock");
	ck_assert_int_eq(shim_sockaddr("/run/x/ctl.sock", &sa, &len, &dfd, &e), 0);
	ck_assert_str_eq(sa.sun_path, "/run/x/ctl.sock");
	ck_assert_int_eq(dfd, -1);
	ck_assert_int_eq(shim_sockaddr(longp.buf, &sa, &len, &dfd, &e), -1); /* the dir does not exist */
	err_free(&e);
	_cleanup_free_ char *deep = xstrndup(longp.buf, longp.len - strlen("/ctl.sock"));
	ck_assert_int_eq(fs_mkdir_p(deep, 0755, &e), 0);
	ck_assert_int_eq(shim_sockaddr(longp.buf, &sa, &len, &dfd, &e), 0);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(strncmp(sa.sun_path, "/proc/self/fd/", 14), 0);
	close(dfd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shim_jsonlog");
	TCase *tc = tcase_create("jsonlog");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_escape_like_go);
	tcase_add_test(tc, test_time_format);
	tcase_add_test(tc, test_lines_and_partials);
	tcase_add_test(tc, test_rotation);
	tcase_add_test(tc, test_proto_helpers);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
