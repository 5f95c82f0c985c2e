/* Unit tests for libcommon/template.
 *
 * data/template_go.jsonl holds ~700 cases whose expected output or error was
 * produced by Go's text/template (Go 1.19) with docker's function map, over
 * JSON data whose integers stay int64 and other numbers are float64, as
 * json-c keeps them (tests/tools/template_cases.py re-records them). The
 * hand-written tests below cover what that table
 * cannot: where we follow newer Go or docker rather than Go 1.19 (range over
 * an integer, {{else with}}, join over JSON arrays, .Label), the header pass,
 * --format conventions, and the limits that keep hostile templates safe. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "err.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "template.h"
#include "utf8.h"

static const char *cases_path;

/* Runs src over data (JSON text); returns the output or "ERR <message>". */
static char *run_flags(const char *src, const char *data, unsigned flags)
{
	_cleanup_json_ json_object *d = data ? json_tokener_parse(data) : NULL;
	_cleanup_err_ err_t *e = NULL;
	_cleanup_tmpl_ tmpl_t *t = NULL;
	strbuf out = STRBUF_INIT;
	if (tmpl_parse(src, &t, &e) < 0 || tmpl_exec_flags(t, d, flags, &out, &e) < 0) {
		sb_free(&out);
		sb_printf(&out, "ERR %s", e->msg);
	}
	return sb_steal(&out);
}

static char *run(const char *src, const char *data)
{
	return run_flags(src, data, 0);
}

#define CHECK(src, data, want)                 \
	do {                                   \
		char *got_ = run((src), (data)); \
		ck_assert_str_eq(got_, (want));  \
		free(got_);                     \
	} while (0)

#define CHECK_FLAGS(src, data, flags, want)                 \
	do {                                                \
		char *got_ = run_flags((src), (data), (flags)); \
		ck_assert_str_eq(got_, (want));               \
		free(got_);                                  \
	} while (0)

/* Go's JSON (which wrote the expectations) shows bad UTF-8 as U+FFFD. */
static char *as_go_json_text(const char *s, size_t n)
{
	strbuf sb = STRBUF_INIT;
	size_t used;
	for (size_t i = 0; i < n; i += used) {
		uint32_t r = utf8_decode(s + i, n - i, &used);
		if (r == UTF8_ERROR && used == 1)
			utf8_encode(&sb, r);
		else
			sb_append(&sb, s + i, used);
	}
	sb_append(&sb, "", 0);
	return sb_steal(&sb);
}

/* One case of the Go table; returns false (and says why) on a mismatch. */
static bool go_case(json_object *c, json_object *data)
{
	const char *src = jget_str(c, "t"), *want_out = jget_str(c, "out"), *want_err = jget_str(c, "err");
	const char *opt = jget_str(c, "opt");
	unsigned flags = opt && !strcmp(opt, "missingkey=error") ? TMPL_MISSINGKEY_ERROR : 0;
	_cleanup_err_ err_t *e = NULL;
	_cleanup_tmpl_ tmpl_t *t = NULL;
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	int r = tmpl_parse(src, &t, &e);
	if (r == 0)
		r = tmpl_exec_flags(t, data, flags, &out, &e);
	_cleanup_free_ char *got = as_go_json_text(sb_str(&out), out.len);
	if (want_err && (r == 0 || strcmp(e->msg, want_err) != 0)) {
		fprintf(stderr, "%s\n  want error: %s\n  got: %s\n", src, want_err, r ? e->msg : got);
		return false;
	}
	if (want_out && (r != 0 || strcmp(got, want_out) != 0)) {
		fprintf(stderr, "%s\n  want: %s\n  got: %s\n", src, want_out, r ? e->msg : got);
		return false;
	}
	return true;
}

START_TEST(test_go_table)
{
	FILE *f = fopen(cases_path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", cases_path);
	char *line = NULL;
	size_t cap = 0, cases = 0, failed = 0;
	json_object *data = NULL;
	while (getline(&line, &cap, f) > 0) {
		json_object *c = json_tokener_parse(line);
		ck_assert_ptr_nonnull(c);
		if (jget(c, "data")) {
			if (data)
				json_object_put(data);
			data = json_object_get(jget(c, "data"));
		} else {
			cases++;
			failed += !go_case(c, data);
		}
		json_object_put(c);
	}
	free(line);
	fclose(f);
	if (data)
		json_object_put(data);
	ck_assert_uint_gt(cases, 600);
	ck_assert_msg(failed == 0, "%zu of %zu Go cases differ (listed on stderr)", failed, cases);
}
END_TEST

static const char *DATA = "{\"ID\":\"0123456789abcdef\",\"Names\":[\"web\",\"db\"],\"Size\":1234567,"
			  "\"Ratio\":0.25,\"Labels\":{\"com.x\":\"y\",\"a\":\"b\"},\"State\":{\"Running\":true},"
			  "\"Note\":\"<a&b>\",\"Nil\":null}";

START_TEST(test_docker_fields)
{
	CHECK("{{.ID}}", DATA, "0123456789abcdef");
	CHECK("{{.State.Running}}", DATA, "true");
	/* JSON integers print as the integers docker's typed fields are */
	CHECK("{{.Size}}", DATA, "1234567");
	CHECK("{{.Ratio}}", DATA, "0.25");
	CHECK("{{.Names}}", DATA, "[web db]");
	CHECK("{{.Labels}}", DATA, "map[a:b com.x:y]");
	CHECK("{{.Missing}}", DATA, "<no value>");
	CHECK("{{.Nil}}", DATA, "<no value>");
	CHECK("{{print .Nil}}", DATA, "<nil>");
	CHECK("{{index .Labels \"com.x\"}}", DATA, "y");
	CHECK("{{slice .ID 0 12}}", DATA, "0123456789ab");
	CHECK("{{truncate .ID 4}}", DATA, "0123");
	CHECK("{{.Names | len}}", DATA, "2");
	/* join takes a JSON array of strings, as docker's []string fields */
	CHECK("{{join .Names \", \"}}", DATA, "web, db");
	CHECK("{{\",\" | join .Names}}", DATA, "web,db");
	CHECK("{{join .Labels \",\"}}", DATA,
	      "ERR template: :1:7: executing \"\" at <.Labels>: wrong type for value; expected []string; "
	      "got map[string]interface {}");
	CHECK("{{join (split \"a b\" \" \") \"+\"}}", NULL, "a+b");
}
END_TEST

START_TEST(test_json_function)
{
	/* docker's json: Go's encoder without HTML escaping, members in order */
	CHECK("{{json .State}}", DATA, "{\"Running\":true}");
	CHECK("{{json .Note}}", DATA, "\"<a&b>\"");
	CHECK("{{json .Names}}", DATA, "[\"web\",\"db\"]");
	CHECK("{{json .Size}} {{json .Ratio}} {{json .Nil}} {{json .Missing}}", DATA, "1234567 0.25 null null");
	CHECK("{{json .}}", "{\"b\":1,\"a\":[1e21,\"\\u2028\"]}", "{\"b\":1,\"a\":[1e+21,\"\\u2028\"]}");
}
END_TEST

START_TEST(test_label_method)
{
	/* docker's contexts have Label(name) reading the Labels map */
	CHECK("{{.Label \"com.x\"}}", DATA, "y");
	CHECK("{{.Label \"absent\"}}", DATA, "");
	CHECK("{{\"a\" | .Label}}", DATA, "b");
	CHECK("{{.Label \"com.x\" \"extra\"}}", DATA,
	      "ERR template: :1:2: executing \"\" at <.Label>: Label is not a method but has arguments");
	CHECK("{{.Label 1}}", DATA, "ERR template: :1:9: executing \"\" at <1>: expected string; found 1");
	CHECK("{{.Label \"x\"}}", "{\"Labels\":null}", "");
	CHECK("{{.ID \"x\"}}", DATA,
	      "ERR template: :1:2: executing \"\" at <.ID>: ID is not a method but has arguments");
	CHECK("{{.Label \"x\"}}", "{}",
	      "ERR template: :1:2: executing \"\" at <.Label>: Label is not a method but has arguments");
}
END_TEST

START_TEST(test_newer_go)
{
	/* range over an integer (Go 1.22) */
	CHECK("{{range 3}}{{.}}{{end}}", NULL, "012");
	CHECK("{{range $i := 2}}[{{$i}}]{{end}}", NULL, "[0][1]");
	CHECK("{{range 0}}x{{else}}none{{end}}", NULL, "none");
	CHECK("{{range .N}}x{{end}}", "{\"N\":2}", "xx");
	CHECK("{{range $i, $e := 2}}{{end}}", NULL,
	      "ERR template: :1:18: executing \"\" at <2>: can't use 2 to iterate over more than one variable");
	/* {{else with}} (Go 1.23) */
	CHECK("{{with .A}}a{{else with .B}}{{.}}{{else}}none{{end}}", "{\"B\":\"b\"}", "b");
	CHECK("{{with .A}}a{{else with .B}}b{{else}}none{{end}}", "{}", "none");
	/* \b and \f escapes (Go 1.22 encoding/json) */
	CHECK("{{json \"\\b\\f\"}}", NULL, "\"\\b\\f\"");
	/* what we do not support says so */
	CHECK("{{define \"x\"}}{{end}}", NULL, "ERR template: :1: {{define}} is not supported");
	CHECK("{{1+2i}}", NULL, "ERR template: :1: complex numbers are not supported: 1+2i");
}
END_TEST

START_TEST(test_header_pass)
{
	const char *src = "{{.ID}}\t{{join .Names \",\"}}\t{{upper .Status}}\t{{json .Size}}\t{{pad .Port 1 1}}";
	const char *hdr = "{\"ID\":\"CONTAINER ID\",\"Names\":\"NAMES\",\"Status\":\"STATUS\",\"Size\":\"SIZE\","
			  "\"Port\":\"PORTS\"}";
	CHECK_FLAGS(src, hdr, TMPL_HEADER, "CONTAINER ID\tNAMES\tSTATUS\tSIZE\t PORTS ");
	CHECK_FLAGS("{{truncate .ID 3}} {{split .ID \",\"}} {{lower .ID}} {{title .ID}}", hdr, TMPL_HEADER,
		    "CONTAINER ID CONTAINER ID CONTAINER ID CONTAINER ID");
	/* .Label "x" in a header reads the header named Label, if any */
	CHECK_FLAGS("{{.Label \"com.x\"}}", "{\"Label\":\"LABEL\"}", TMPL_HEADER, "LABEL");
	/* the same template runs normally without the flag */
	CHECK(src, "{\"ID\":\"abc\",\"Names\":[\"a\",\"b\"],\"Status\":\"up\",\"Size\":5,\"Port\":\"80\"}",
	      "abc\ta,b\tUP\t5\t 80 ");
}
END_TEST

START_TEST(test_missingkey_error)
{
	CHECK_FLAGS("{{.A}}", "{\"A\":1}", TMPL_MISSINGKEY_ERROR, "1");
	CHECK_FLAGS("{{.B}}", "{\"A\":1}", TMPL_MISSINGKEY_ERROR,
		    "ERR template: :1:2: executing \"\" at <.B>: map has no entry for key \"B\"");
	CHECK_FLAGS("{{.B.C}}", "{}", TMPL_MISSINGKEY_ERROR,
		    "ERR template: :1:4: executing \"\" at <.B.C>: map has no entry for key \"B\"");
}
END_TEST

START_TEST(test_partial_output_and_reuse)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_tmpl_ tmpl_t *t = NULL;
	ck_assert_int_eq(tmpl_parse("a{{.X}}b{{index .L 5}}c", &t, &e), 0);
	_cleanup_json_ json_object *d = json_tokener_parse("{\"X\":1,\"L\":[]}");
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	sb_puts(&out, ">");
	ck_assert_int_eq(tmpl_exec(t, d, &out, &e), -1);
	ck_assert_str_eq(out.buf, ">a1b"); /* appended, and kept up to the error */
	ck_assert_int_eq(e->kind, ERR_INVALID);
	err_free(&e);
	/* a template runs any number of times */
	for (int i = 0; i < 100; i++) {
		_cleanup_json_ json_object *row = json_object_new_object();
		jset_int(row, "X", i);
		jset(row, "L", json_object_new_array());
		json_object_array_add(jget(row, "L"), json_object_new_int(0));
		for (int k = 0; k < 5; k++)
			json_object_array_add(jget(row, "L"), json_object_new_int(k));
		sb_reset(&out);
		ck_assert_int_eq(tmpl_exec(t, row, &out, &e), 0);
	}
	ck_assert_str_eq(out.buf, "a99b4c");
	/* NULL data is no data */
	sb_reset(&out);
	ck_assert_int_eq(tmpl_exec(t, NULL, &out, &e), -1);
	ck_assert_str_eq(out.buf, "a<no value>b");
}
END_TEST

START_TEST(test_docker_format_source)
{
	ck_assert(tmpl_is_table("table {{.ID}}"));
	ck_assert(tmpl_is_table("table"));
	ck_assert(!tmpl_is_table("{{.ID}} table"));
	ck_assert(!tmpl_is_table(NULL));
	struct {
		const char *in, *out;
	} cases[] = {
		{"table {{.ID}}\\t{{.Names}}", "{{.ID}}\t{{.Names}}"},
		{"  {{.ID}}\\n  ", "{{.ID}}\n"},
		{"json", "{{json .}}"},
		{"json ", "json"},
		{"table", ""},
		{"a\\\\tb\\x", "a\\\tb\\x"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *s = tmpl_docker_source(cases[i].in);
		ck_assert_str_eq(s, cases[i].out);
	}
}
END_TEST

START_TEST(test_hostile_templates)
{
	/* nesting is bounded at parse time */
	strbuf deep = STRBUF_INIT;
	for (int i = 0; i < 200; i++)
		sb_puts(&deep, "{{if 1}}");
	char *r = run(deep.buf, NULL);
	ck_assert_str_eq(r, "ERR template: :1: too deeply nested (more than 100 levels)");
	free(r);
	sb_reset(&deep);
	sb_puts(&deep, "{{");
	for (int i = 0; i < 100000; i++)
		sb_putc(&deep, '(');
	r = run(deep.buf, NULL);
	ck_assert_str_eq(r, "ERR template: :1: too deeply nested (more than 100 levels)");
	free(r);
	sb_reset(&deep);
	sb_puts(&deep, "{{");
	for (int i = 0; i < 100000; i++)
		sb_putc(&deep, '(');
	sb_puts(&deep, "1");
	for (int i = 0; i < 100000; i++)
		sb_putc(&deep, ')');
	sb_puts(&deep, "}}");
	r = run(deep.buf, NULL);
	ck_assert_str_eq(r, "ERR template: :1: too deeply nested (more than 100 levels)");
	free(r);
	sb_free(&deep);
	/* strings are capped (64 MiB; doubling a value up to it is tested
	 * under TMPL_LIMITED below, where the cap is 1 MiB, to stay fast) */
	r = run("{{pad \"x\" 67108864 0}}", NULL);
	ck_assert_ptr_nonnull(strstr(r, "error calling pad: result larger than 67108864 bytes"));
	free(r);
	r = run("{{pad \"x\" 9000000000000000000 9000000000000000000}}", NULL);
	ck_assert_ptr_nonnull(strstr(r, "error calling pad: result larger than"));
	free(r);
	CHECK("{{printf \"%99999999d\" 1}}", NULL, "%!(NOVERB)%!(EXTRA int=1)"); /* as Go */
	/* TMPL_LIMITED stops long loops and large output */
	r = run_flags("{{range 1000000000}}{{end}}", NULL, TMPL_LIMITED);
	ck_assert_ptr_nonnull(strstr(r, "execution stopped after 1000000 steps"));
	free(r);
	r = run_flags("{{range 100000}}{{printf \"%100d\" 1}}{{end}}", NULL, TMPL_LIMITED);
	ck_assert_ptr_nonnull(strstr(r, "output larger than 1048576 bytes"));
	free(r);
	r = run_flags("{{$x := \"ab\"}}{{range 40}}{{$x = printf \"%s%s\" $x $x}}{{end}}", NULL, TMPL_LIMITED);
	ck_assert_ptr_nonnull(strstr(r, "error calling printf: result larger than 1048576 bytes"));
	free(r);
	/* one verb over a large container stops at the limit too */
	r = run_flags("{{printf \"%900000v\" .}}", "[1,2,3,4,5,6,7,8,9,10]", TMPL_LIMITED);
	ck_assert_ptr_nonnull(strstr(r, "error calling printf: result larger than 1048576 bytes"));
	free(r);
	/* NUL bytes in strings survive */
	CHECK("{{len \"a\\x00b\"}}{{printf \"%q\" \"a\\x00b\"}}", NULL, "3\"a\\x00b\"");
}
END_TEST

START_TEST(test_deep_data)
{
	json_object *root = json_object_new_object(), *cur = root;
	for (int i = 0; i < 5000; i++) {
		json_object *next = json_object_new_object();
		json_object_object_add(cur, "a", next);
		cur = next;
	}
	_cleanup_tmpl_ tmpl_t *t = NULL;
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	ck_assert_int_eq(tmpl_parse("{{len (printf \"%v\" .)}}", &t, NULL), 0);
	ck_assert_int_eq(tmpl_exec(t, root, &out, NULL), 0);
	json_object_put(root);
}
END_TEST

int main(int argc, char **argv)
{
	cases_path = argc > 1 ? argv[1] : "tests/unit/data/template_go.jsonl";
	Suite *s = suite_create("template");
	TCase *tc = tcase_create("template");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_go_table);
	tcase_add_test(tc, test_docker_fields);
	tcase_add_test(tc, test_json_function);
	tcase_add_test(tc, test_label_method);
	tcase_add_test(tc, test_newer_go);
	tcase_add_test(tc, test_header_pass);
	tcase_add_test(tc, test_missingkey_error);
	tcase_add_test(tc, test_partial_output_and_reuse);
	tcase_add_test(tc, test_docker_format_source);
	tcase_add_test(tc, test_hostile_templates);
	tcase_add_test(tc, test_deep_data);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
