/* Unit tests for libcommon/gojson and gonum: JSON and numbers as Go writes
 * them (encoding/json of Go >= 1.22, strconv, fmt). */
#include <check.h>
#include <math.h>
#include <string.h>

#include "cleanup.h"
#include "gojson.h"
#include "gonum.h"
#include "jsonutil.h"
#include "strbuf.h"

static void check_float(double f, char fmt, int prec, const char *want)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	gonum_float(&sb, f, fmt, prec);
	ck_assert_msg(!strcmp(sb_str(&sb), want), "%.17g %c %d: got %s want %s", f, fmt, prec,
		      sb_str(&sb), want);
}

static void check_json_float(double f, const char *want)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	gonum_float_json(&sb, f);
	ck_assert_str_eq(sb_str(&sb), want);
}

START_TEST(test_shortest)
{
	/* fmt's %v: shortest digits, exponent from 1e+06 and below 1e-04 */
	check_float(0, 'g', -1, "0");
	check_float(1, 'g', -1, "1");
	check_float(1.5, 'g', -1, "1.5");
	check_float(1e6, 'g', -1, "1e+06");
	check_float(1234567, 'g', -1, "1.234567e+06");
	check_float(123456.7, 'g', -1, "123456.7");
	check_float(1e21, 'g', -1, "1e+21");
	check_float(1e-7, 'g', -1, "1e-07");
	check_float(0.000012, 'g', -1, "1.2e-05");
	check_float(0.0001, 'g', -1, "0.0001");
	check_float(0.1, 'g', -1, "0.1");
	check_float(1 / 3.0, 'g', -1, "0.3333333333333333");
	check_float(5e-324, 'g', -1, "5e-324");
	check_float(1.7976931348623157e308, 'g', -1, "1.7976931348623157e+308");
	check_float(-2.5, 'g', -1, "-2.5");
	check_float(-0.0, 'g', -1, "-0");
	check_float(NAN, 'g', -1, "NaN");
	check_float(INFINITY, 'g', -1, "+Inf");
	check_float(-INFINITY, 'f', 2, "-Inf");
	check_float(1e6, 'f', -1, "1000000");
	check_float(1e-7, 'f', -1, "0.0000001");
	check_float(1234567, 'e', -1, "1.234567e+06");
	check_float(123456.7, 'E', -1, "1.234567E+05");
	check_float(1e20, 'G', -1, "1E+20");
	/* with a precision Go and C agree */
	check_float(999.95, 'g', 4, "1000");
	check_float(4.26, 'g', 4, "4.26");
	check_float(1.5, 'e', 6, "1.500000e+00");
	check_float(2.5, 'f', 0, "2");
	check_float(3.5, 'f', 0, "4");
}
END_TEST

START_TEST(test_json_numbers)
{
	check_json_float(1234567, "1234567");
	check_json_float(1.5, "1.5");
	check_json_float(1e20, "100000000000000000000");
	check_json_float(1e21, "1e+21");
	check_json_float(1e-6, "0.000001");
	check_json_float(1e-7, "1e-7");
	check_json_float(1.5e-300, "1.5e-300");
	check_json_float(0, "0");
	check_json_float(NAN, "null");
}
END_TEST

static char *encode(const char *json, unsigned flags)
{
	_cleanup_json_ json_object *o = json_tokener_parse(json);
	strbuf sb = STRBUF_INIT;
	ck_assert_int_eq(gojson_value(&sb, o, flags, NULL), 0);
	return sb_steal(&sb);
}

START_TEST(test_strings)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	const char raw[] = "a\"b\\c\b\f\n\r\t\x01\x1f\x7f<>&\xe2\x80\xa8\xe2\x80\xa9\xff\xc3\xa9";
	gojson_string(&sb, raw, sizeof(raw) - 1, 0);
	ck_assert_str_eq(sb.buf, "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\x7f<>&\\u2028\\u2029\\ufffd\xc3\xa9\"");
	sb_reset(&sb);
	gojson_string(&sb, "<a&b>", 5, GOJSON_ESCAPE_HTML);
	ck_assert_str_eq(sb.buf, "\"\\u003ca\\u0026b\\u003e\"");
	sb_reset(&sb);
	/* embedded NUL survives */
	gojson_string(&sb, "a\0b", 3, 0);
	ck_assert_str_eq(sb.buf, "\"a\\u0000b\"");
}
END_TEST

START_TEST(test_values)
{
	const char *in = "{\"b\":[1,2.5,true,null,\"x\"],\"a\":{\"z\":1e21,\"y\":-0.5},\"big\":18446744073709551615}";
	_cleanup_free_ char *ordered = encode(in, 0);
	ck_assert_str_eq(ordered, "{\"b\":[1,2.5,true,null,\"x\"],\"a\":{\"z\":1e+21,\"y\":-0.5},"
				  "\"big\":18446744073709551615}");
	_cleanup_free_ char *sorted = encode(in, GOJSON_SORT_KEYS);
	ck_assert_str_eq(sorted, "{\"a\":{\"y\":-0.5,\"z\":1e+21},\"b\":[1,2.5,true,null,\"x\"],"
				 "\"big\":18446744073709551615}");
	_cleanup_free_ char *empty = encode("{\"a\":[],\"b\":{}}", 0);
	ck_assert_str_eq(empty, "{\"a\":[],\"b\":{}}");
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	ck_assert_int_eq(gojson_value(&sb, NULL, 0, NULL), 0);
	ck_assert_str_eq(sb.buf, "null");
}
END_TEST

START_TEST(test_depth_limit)
{
	json_object *root = json_object_new_array(), *cur = root;
	for (int i = 0; i < 2000; i++) {
		json_object *next = json_object_new_array();
		json_object_array_add(cur, next);
		cur = next;
	}
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	err_t *e = NULL;
	ck_assert_int_eq(gojson_value(&sb, root, 0, &e), -1);
	ck_assert_int_eq(e->kind, ERR_INVALID);
	err_free(&e);
	json_object_put(root);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gojson");
	TCase *tc = tcase_create("gojson");
	tcase_add_test(tc, test_shortest);
	tcase_add_test(tc, test_json_numbers);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_depth_limit);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
