/* Unit tests for libcommon/filters. Behaviour is moby's api/types/filters;
 * the glob table was checked against Go's path.Match. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "err.h"
#include "filters.h"
#include "jsonutil.h"
#include "strbuf.h"

static filters *parse_ok(const char *json)
{
	err_t *e = NULL;
	filters *f = NULL;
	ck_assert_msg(filters_parse(json, &f, &e) == 0, "%s: %s", json, err_msg(e));
	ck_assert_ptr_nonnull(f);
	return f;
}

static void check_values(const filters *f, const char *name, const char *want)
{
	_cleanup_strv_ char **v = filters_get(f, name);
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (char **p = v; *p; p++)
		sb_printf(&sb, "%s%s", p == v ? "" : ",", *p);
	ck_assert_str_eq(sb_str(&sb), want);
}

START_TEST(test_parse_forms)
{
	const char *empty[] = {NULL, "", "{}", "null", " {} "};
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		_cleanup_filters_ filters *f = parse_ok(empty[i]);
		ck_assert_int_eq(filters_len(f), 0);
	}
	_cleanup_filters_ filters *f = parse_ok("{\"dangling\":{\"true\":true},\"label\":{\"b\":true,\"a=1\":true}}");
	ck_assert_int_eq(filters_len(f), 2);
	check_values(f, "label", "a=1,b");
	check_values(f, "dangling", "true");
	check_values(f, "nope", "");
	/* the legacy form of API < 1.22 */
	_cleanup_filters_ filters *g = parse_ok("{\"label\":[\"b\",\"a=1\",\"b\"],\"name\":[]}");
	check_values(g, "label", "a=1,b");
	ck_assert(filters_contains(g, "name"));
	check_values(g, "name", "");
	/* null members are accepted in both forms, as Go's decoder does */
	_cleanup_filters_ filters *h = parse_ok("{\"a\":null,\"b\":{\"x\":null}}");
	ck_assert(filters_contains(h, "a"));
	check_values(h, "b", "x");
	ck_assert(!filters_match(h, "b", "x")); /* listed, but false */
	_cleanup_filters_ filters *l = parse_ok("{\"a\":[null,\"y\"]}");
	check_values(l, "a", ",y");
}
END_TEST

START_TEST(test_parse_hostile)
{
	const char *bad[] = {
		"[]", "\"x\"", "1", "true", "{", "{\"a\":", "{\"a\":1}", "{\"a\":\"x\"}",
		"{\"a\":{\"x\":1}}", "{\"a\":{\"x\":\"true\"}}", "{\"a\":[1]}", "{\"a\":[[\"x\"]]}",
		"{\"a\":{\"x\":true},\"b\":[\"y\"]}", /* mixed forms */
		"{\"a\":[\"x\\u0000y\"]}", "{} {}", "{\"a\":{}} x", "\xff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_t *e = NULL;
		filters *f = (filters *)1;
		ck_assert_msg(filters_parse(bad[i], &f, &e) < 0, "accepted %s", bad[i]);
		ck_assert_int_eq(e->kind, ERR_INVALID);
		ck_assert_msg(strstr(e->msg, "invalid filter") && strstr(e->msg, "filters parameter"),
			      "%s: %s", bad[i], e->msg);
		ck_assert_ptr_eq(f, (filters *)1);
		err_free(&e);
	}
	/* deep and large inputs are refused or handled, never recursed into */
	strbuf deep = STRBUF_INIT;
	sb_puts(&deep, "{\"a\":");
	for (int i = 0; i < 100000; i++)
		sb_putc(&deep, '[');
	err_t *e = NULL;
	filters *f = NULL;
	ck_assert_int_lt(filters_parse(deep.buf, &f, &e), 0);
	err_free(&e);
	sb_reset(&deep);
	sb_puts(&deep, "{\"label\":[");
	for (int i = 0; i < 50000; i++)
		sb_printf(&deep, "%s\"v%d\"", i ? "," : "", i);
	sb_puts(&deep, "]}");
	ck_assert_int_eq(filters_parse(deep.buf, &f, &e), 0);
	ck_assert(filters_match(f, "label", "v49999"));
	filters_free(f);
	sb_free(&deep);
}
END_TEST

START_TEST(test_validate)
{
	_cleanup_filters_ filters *f = parse_ok("{\"label\":{\"a\":true},\"foo\":{\"x\":true}}");
	const char *ok[] = {"label", "foo", NULL};
	const char *some[] = {"label", "dangling", NULL};
	err_t *e = NULL;
	ck_assert_int_eq(filters_validate(f, ok, &e), 0);
	ck_assert_int_eq(filters_validate(f, some, &e), -1);
	ck_assert_str_eq(e->msg, "invalid filter 'foo'");
	ck_assert_int_eq(err_http_status(e), 400);
	err_free(&e);
}
END_TEST

START_TEST(test_match)
{
	_cleanup_filters_ filters *f = parse_ok(
		"{\"name\":{\"web\":true,\"db\":true},\"id\":{\"abc\":true},\"off\":{\"x\":false}}");
	ck_assert(filters_match(f, "name", "web"));
	ck_assert(filters_match(f, "name", "db"));
	ck_assert(!filters_match(f, "name", "we"));
	ck_assert(filters_match(f, "absent", "anything"));
	ck_assert(!filters_match(f, "off", "x"));
	ck_assert(filters_match_prefix(f, "id", "abcdef"));
	ck_assert(!filters_match_prefix(f, "id", "ab"));
	ck_assert(filters_match_prefix(f, "absent", "x"));
	ck_assert(filters_match_prefix(f, "off", "xyz")); /* prefixes ignore the boolean */
	/* Args.Match: equality, or the value as an extended regular expression */
	_cleanup_filters_ filters *r = parse_ok("{\"name\":{\"^we.$\":true,\"([\":true},\"id\":{\"([\":true}}");
	ck_assert(filters_match_re(r, "name", "web"));
	ck_assert(!filters_match_re(r, "name", "webs"));
	ck_assert(filters_match_re(r, "id", "(["));   /* does not compile: equality still counts */
	ck_assert(!filters_match_re(r, "id", "x"));
	ck_assert(filters_match_re(r, "absent", "x"));
}
END_TEST

START_TEST(test_match_kv)
{
	_cleanup_filters_ filters *f = parse_ok("{\"label\":{\"com.a\":true,\"com.b=2\":true}}");
	_cleanup_json_ json_object *both = json_tokener_parse("{\"com.a\":\"x\",\"com.b\":\"2\"}");
	_cleanup_json_ json_object *wrong = json_tokener_parse("{\"com.a\":\"x\",\"com.b\":\"3\"}");
	_cleanup_json_ json_object *one = json_tokener_parse("{\"com.a\":\"x\"}");
	_cleanup_json_ json_object *none = json_object_new_object();
	ck_assert(filters_match_kv(f, "label", both));
	ck_assert(!filters_match_kv(f, "label", wrong));
	ck_assert(!filters_match_kv(f, "label", one));
	ck_assert(!filters_match_kv(f, "label", none));
	ck_assert(!filters_match_kv(f, "label", NULL));
	ck_assert(filters_match_kv(f, "absent", NULL));
	_cleanup_filters_ filters *empty = parse_ok("{\"label\":{\"=\":true}}");
	_cleanup_json_ json_object *blank = json_tokener_parse("{\"\":\"\"}");
	ck_assert(filters_match_kv(empty, "label", blank));
}
END_TEST

START_TEST(test_get_bool)
{
	struct {
		const char *json;
		bool def, want;
		const char *msg;
	} cases[] = {
		{"{}", true, true, NULL},
		{"{}", false, false, NULL},
		{"{\"dangling\":{\"true\":true}}", false, true, NULL},
		{"{\"dangling\":{\"1\":true}}", false, true, NULL},
		{"{\"dangling\":{\"false\":true}}", true, false, NULL},
		{"{\"dangling\":{\"0\":true}}", true, false, NULL},
		{"{\"dangling\":[\"true\",\"1\"]}", false, true, NULL},
		{"{\"dangling\":{\"xyz\":true}}", false, false, "invalid filter 'dangling=[xyz]'"},
		{"{\"dangling\":{\"true\":true,\"false\":true}}", false, false,
		 "invalid filter 'dangling=[false true]'"},
		{"{\"dangling\":{\"true\":false}}", false, false, "invalid filter 'dangling=[true]'"},
		{"{\"dangling\":{}}", false, false, "invalid filter 'dangling'"},
		{"{\"dangling\":null}", false, false, "invalid filter 'dangling'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_filters_ filters *f = parse_ok(cases[i].json);
		err_t *e = NULL;
		bool out = !cases[i].want;
		int r = filters_get_bool(f, "dangling", cases[i].def, &out, &e);
		if (cases[i].msg) {
			ck_assert_msg(r < 0, "%s", cases[i].json);
			ck_assert_str_eq(e->msg, cases[i].msg);
			ck_assert_int_eq(e->kind, ERR_INVALID);
			err_free(&e);
		} else {
			ck_assert_msg(r == 0 && out == cases[i].want, "%s", cases[i].json);
		}
	}
}
END_TEST

START_TEST(test_cli_args_and_json)
{
	_cleanup_filters_ filters *f = filters_new();
	err_t *e = NULL;
	_cleanup_free_ char *none = filters_to_json(f);
	ck_assert_str_eq(none, "");
	ck_assert_int_eq(filters_add_arg(f, "", &e), 0);
	ck_assert_int_eq(filters_len(f), 0);
	ck_assert_int_eq(filters_add_arg(f, " Label = a=<b>&c ", &e), 0);
	ck_assert_int_eq(filters_add_arg(f, "dangling=true", &e), 0);
	ck_assert_int_eq(filters_add_arg(f, "label=x", &e), 0);
	ck_assert_int_eq(filters_add_arg(f, "name=", &e), 0);
	ck_assert_int_eq(filters_add_arg(f, "nonsense", &e), -1);
	ck_assert_str_eq(e->msg, "bad format of filter (expected name=value)");
	err_free(&e);
	/* sorted keys, HTML characters escaped: what json.Marshal sends */
	_cleanup_free_ char *json = filters_to_json(f);
	ck_assert_str_eq(json, "{\"dangling\":{\"true\":true},"
			       "\"label\":{\"a=\\u003cb\\u003e\\u0026c\":true,\"x\":true},"
			       "\"name\":{\"\":true}}");
	/* and it reads back */
	_cleanup_filters_ filters *back = parse_ok(json);
	check_values(back, "label", "a=<b>&c,x");
	check_values(back, "name", "");
}
END_TEST

struct glob_case {
	const char *pattern, *s;
	bool match, bad;
};

/* checked against Go's path.Match */
static const struct glob_case glob_cases[] = {
	{"abc", "abc", true, false},
	{"*", "abc", true, false},
	{"*c", "abc", true, false},
	{"a*", "a", true, false},
	{"a*", "abc", true, false},
	{"a*", "ab/c", false, false},
	{"a*/b", "abc/b", true, false},
	{"a*/b", "a/c/b", false, false},
	{"a*b*c*d*e*/f", "axbxcxdxe/f", true, false},
	{"a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false},
	{"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false},
	{"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false},
	{"a*b?c*x", "abxbbxdbxebxczzx", true, false},
	{"a*b?c*x", "abxbbxdbxebxczzy", false, false},
	{"ab[c]", "abc", true, false},
	{"ab[b-d]", "abc", true, false},
	{"ab[e-g]", "abc", false, false},
	{"ab[^c]", "abc", false, false},
	{"ab[^b-d]", "abc", false, false},
	{"ab[^e-g]", "abc", true, false},
	{"a\\*b", "a*b", true, false},
	{"a\\*b", "ab", false, false},
	{"a?b", "a\xe2\x98\xba" "b", true, false},
	{"a[^a]b", "a\xe2\x98\xba" "b", true, false},
	{"a???b", "a\xe2\x98\xba" "b", false, false},
	{"a[^a][^a][^a]b", "a\xe2\x98\xba" "b", false, false},
	{"[a-\xce\xb6]*", "\xce\xb1", true, false},
	{"*[a-\xce\xb6]", "A", false, false},
	{"a?b", "a/b", false, false},
	{"a*b", "a/b", false, false},
	{"[\\]a]", "]", true, false},
	{"[\\-]", "-", true, false},
	{"[x\\-]", "x", true, false},
	{"[x\\-]", "-", true, false},
	{"[x\\-]", "z", false, false},
	{"[\\-x]", "x", true, false},
	{"[\\-x]", "-", true, false},
	{"[\\-x]", "a", false, false},
	{"[]a]", "]", false, true},
	{"[-]", "-", false, true},
	{"[x-]", "x", false, true},
	{"[x-]", "-", false, true},
	{"[x-]", "z", false, true},
	{"[-x]", "x", false, true},
	{"[-x]", "-", false, true},
	{"[-x]", "a", false, true},
	{"\\", "a", false, true},
	{"[a-b-c]", "a", false, true},
	{"[", "a", false, true},
	{"[^", "a", false, true},
	{"[^bc", "a", false, true},
	{"a[", "a", false, true},
	{"a[", "ab", false, true},
	{"a[", "x", false, true},
	{"a/b[", "x", false, true},
	{"*x", "xxx", true, false},
	{"busybox*", "busybox:latest", true, false},
	{"*/*", "library/busybox", true, false},
	{"busy*:lat*", "busybox:latest", true, false},
	{"", "", true, false},
	{"", "a", false, false},
	{"a*[", "abc", false, true},
	{"[a*]", "*", true, false},
	{"x*[", "y", false, true},
	{"\\[", "[", true, false},
	{"ab\\", "ab", false, true},
};

START_TEST(test_glob)
{
	for (size_t i = 0; i < sizeof(glob_cases) / sizeof(glob_cases[0]); i++) {
		const struct glob_case *c = &glob_cases[i];
		err_t *e = NULL;
		bool m = !c->match;
		int r = filters_glob(c->pattern, c->s, &m, &e);
		ck_assert_msg((r < 0) == c->bad, "%s ~ %s: error %d", c->pattern, c->s, r);
		ck_assert_msg(m == c->match, "%s ~ %s gave %d", c->pattern, c->s, m);
		if (c->bad)
			ck_assert_str_eq(e->msg, "syntax error in pattern");
		err_free(&e);
	}
	_cleanup_filters_ filters *f = parse_ok("{\"reference\":{\"busy*\":true,\"alp?ne:*\":true}}");
	err_t *e = NULL;
	ck_assert_int_eq(filters_match_glob(f, "reference", "busybox:latest", &e), 1);
	ck_assert_int_eq(filters_match_glob(f, "reference", "alpine:3", &e), 1);
	ck_assert_int_eq(filters_match_glob(f, "reference", "debian:12", &e), 0);
	ck_assert_int_eq(filters_match_glob(f, "absent", "x", &e), 1);
	_cleanup_filters_ filters *bad = parse_ok("{\"reference\":{\"[\":true}}");
	ck_assert_int_eq(filters_match_glob(bad, "reference", "x", &e), -1);
	err_free(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("filters");
	TCase *tc = tcase_create("filters");
	tcase_add_test(tc, test_parse_forms);
	tcase_add_test(tc, test_parse_hostile);
	tcase_add_test(tc, test_validate);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_match_kv);
	tcase_add_test(tc, test_get_bool);
	tcase_add_test(tc, test_cli_args_and_json);
	tcase_add_test(tc, test_glob);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
