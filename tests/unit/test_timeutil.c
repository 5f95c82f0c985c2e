/* Unit tests for libcommon/timeutil. Expected values and messages come from
 * Go's time package (Parse, ParseDuration, Format) and from docker's
 * GetTimestamp run against the same reference instant. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "timeutil.h"

#define CHECK_STR(expr, want)                 \
	do {                                  \
		char *got_ = (expr);          \
		ck_assert_str_eq(got_, want); \
		free(got_);                   \
	} while (0)

START_TEST(test_clocks)
{
	int64_t a = mono_ns(), b = mono_ns();
	ck_assert_int_ge(b, a);
	/* after 2023-11-14 and before 2100 */
	ck_assert_int_gt(now_ns(), 1700000000LL * NS_PER_SEC);
	ck_assert_int_lt(now_ns(), 4102444800LL * NS_PER_SEC);
}
END_TEST

START_TEST(test_format_rfc3339nano)
{
	CHECK_STR(time_format_rfc3339nano(0, 0), "1970-01-01T00:00:00Z");
	CHECK_STR(time_format_rfc3339nano(1704164645, 123456789), "2024-01-02T03:04:05.123456789Z");
	CHECK_STR(time_format_rfc3339nano(1704164645, 500000000), "2024-01-02T03:04:05.5Z");
	CHECK_STR(time_format_rfc3339nano(1704164645, 0), "2024-01-02T03:04:05Z");
	CHECK_STR(time_format_rfc3339nano(951782400, 1000), "2000-02-29T00:00:00.000001Z");
	/* Go's zero time, which Docker shows for times never set */
	CHECK_STR(time_format_rfc3339nano(-62135596800LL, 0), "0001-01-01T00:00:00Z");
	CHECK_STR(time_format_rfc3339nano(-1, 999999999), "1969-12-31T23:59:59.999999999Z");
	CHECK_STR(time_format_rfc3339nano(253402300799LL, 999999999), "9999-12-31T23:59:59.999999999Z");
}
END_TEST

/* A time keeps the offset it was written in (Go's FixedZone), as image
 * configs' "created" does when Docker shows it again. */
START_TEST(test_zone_round_trip)
{
	static const char *const in[] = {
		"2024-01-02T03:04:05.5+01:30", "2024-01-02T03:04:05-00:30", "2024-01-02T03:04:05Z",
		"1999-12-31T23:59:59.000000001+14:00",
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		err_t *e = NULL;
		int64_t sec;
		int32_t nsec, off = 99;
		ck_assert_msg(time_parse_rfc3339_zone(in[i], &sec, &nsec, &off, &e) == 0, "%s", in[i]);
		CHECK_STR(time_format_rfc3339nano_zone(sec, nsec, off), in[i]);
	}
	int64_t sec;
	int32_t nsec, off = 1;
	err_t *e = NULL;
	ck_assert_int_eq(time_parse_rfc3339_zone("2024-01-02T03:04:05+00:00", &sec, &nsec, &off, &e), 0);
	ck_assert_int_eq(off, 0);
	/* Go writes a zero offset as Z */
	CHECK_STR(time_format_rfc3339nano_zone(sec, nsec, off), "2024-01-02T03:04:05Z");
	CHECK_STR(time_format_rfc3339nano_zone(1704164645, 0, 3600), "2024-01-02T04:04:05+01:00");
	ck_assert_int_lt(time_parse_rfc3339_zone("2024-01-02", &sec, &nsec, &off, &e), 0);
	err_free(&e);
}
END_TEST

struct rfc_case {
	const char *in;
	int64_t sec;
	int32_t nsec;
	const char *msg;
};

static const struct rfc_case rfc_cases[] = {
	{"2024-01-02T03:04:05.123456789Z", 1704164645, 123456789, NULL},
	{"2024-01-02T03:04:05Z", 1704164645, 0, NULL},
	{"2024-01-02T03:04:05+01:30", 1704159245, 0, NULL},
	{"2024-01-02T03:04:05.5-01:00", 1704168245, 500000000, NULL},
	{"0001-01-01T00:00:00Z", -62135596800LL, 0, NULL},
	{"1969-12-31T23:59:59.999999999Z", -1, 999999999, NULL},
	/* newer Go reads any number of fraction digits, keeping nine */
	{"2024-01-02T03:04:05.1234567891Z", 1704164645, 123456789, NULL},
	{"2024-01-02 03:04:05Z", 0, 0,
	 "parsing time \"2024-01-02 03:04:05Z\" as \"2006-01-02T15:04:05.999999999Z07:00\": "
	 "cannot parse \" 03:04:05Z\" as \"T\""},
	{"2024-01-02T03:04:05", 0, 0,
	 "parsing time \"2024-01-02T03:04:05\" as \"2006-01-02T15:04:05.999999999Z07:00\": "
	 "cannot parse \"\" as \"Z07:00\""},
	{"garbage", 0, 0,
	 "parsing time \"garbage\" as \"2006-01-02T15:04:05.999999999Z07:00\": "
	 "cannot parse \"garbage\" as \"2006\""},
	{"2024-01-02T03:04:05+25:00", 0, 0,
	 "parsing time \"2024-01-02T03:04:05+25:00\": time zone offset hour out of range"},
	{"2024-01-02T03:04:05Z\xff", 0, 0,
	 "parsing time \"2024-01-02T03:04:05Z\\xff\": extra text: \"\\xff\""},
};

START_TEST(test_parse_rfc3339)
{
	for (size_t i = 0; i < sizeof(rfc_cases) / sizeof(rfc_cases[0]); i++) {
		const struct rfc_case *c = &rfc_cases[i];
		err_t *e = NULL;
		int64_t sec = 0;
		int32_t nsec = 0;
		int r = time_parse_rfc3339(c->in, &sec, &nsec, &e);
		if (c->msg) {
			ck_assert_msg(r < 0, "%s should fail", c->in);
			ck_assert_str_eq(e->msg, c->msg);
			ck_assert_int_eq(e->kind, ERR_INVALID);
		} else {
			ck_assert_msg(r == 0, "%s: %s", c->in, err_msg(e));
			ck_assert_int_eq(sec, c->sec);
			ck_assert_int_eq(nsec, c->nsec);
		}
		err_free(&e);
	}
}
END_TEST

struct dur_case {
	const char *in;
	int64_t ns;
	const char *msg;
};

static const struct dur_case dur_cases[] = {
	{"1h30m", 5400000000000LL, NULL},
	{"1.5h", 5400000000000LL, NULL},
	{"300ms", 300000000, NULL},
	{"-2us", -2000, NULL},
	{"2\xc2\xb5s", 2000, NULL}, /* micro sign */
	{"2\xce\xbcs", 2000, NULL}, /* Greek mu */
	{"+5s", 5000000000LL, NULL},
	{"0", 0, NULL},
	{"-0", 0, NULL},
	{".5s", 500000000, NULL},
	{"5.s", 5000000000LL, NULL},
	{"1h2m3s4ms5us6ns", 3723004005006LL, NULL},
	{"9223372036854775807ns", INT64_MAX, NULL},
	{"-9223372036854775808ns", INT64_MIN, NULL},
	{"2562047h", 9223369200000000000LL, NULL},
	{"1.000000000000000000001s", 1000000000, NULL},
	{"0.1234567890123456789s", 123456789, NULL},
	{"", 0, "time: invalid duration \"\""},
	{"1", 0, "time: missing unit in duration \"1\""},
	{".s", 0, "time: invalid duration \".s\""},
	{"1x", 0, "time: unknown unit \"x\" in duration \"1x\""},
	{"1hh", 0, "time: unknown unit \"hh\" in duration \"1hh\""},
	{"1h-1m", 0, "time: unknown unit \"h-\" in duration \"1h-1m\""},
	{"3s2", 0, "time: missing unit in duration \"3s2\""},
	{"9223372036854775808ns", 0, "time: invalid duration \"9223372036854775808ns\""},
	{"2562048h", 0, "time: invalid duration \"2562048h\""},
	{"99999999999999999999h", 0, "time: invalid duration \"99999999999999999999h\""},
};

START_TEST(test_parse_duration)
{
	for (size_t i = 0; i < sizeof(dur_cases) / sizeof(dur_cases[0]); i++) {
		const struct dur_case *c = &dur_cases[i];
		err_t *e = NULL;
		int64_t ns = 42;
		int r = time_parse_duration(c->in, &ns, &e);
		if (c->msg) {
			ck_assert_msg(r < 0, "%s should fail", c->in);
			ck_assert_str_eq(e->msg, c->msg);
		} else {
			ck_assert_msg(r == 0, "%s: %s", c->in, err_msg(e));
			ck_assert_msg(ns == c->ns, "%s gave %lld", c->in, (long long)ns);
		}
		err_free(&e);
	}
}
END_TEST

struct ts_case {
	const char *in, *out, *msg;
};

/* reference: 2023-11-14T22:13:20.123456789Z, in a zone one hour east of UTC */
static const struct ts_case ts_cases[] = {
	{"24h", "1699913600", NULL},
	{"10m", "1699999400", NULL},
	{"1h30m", "1699994600", NULL},
	{"1.5h", "1699994600", NULL},
	{"300ms", "1699999999", NULL},
	{"0s", "1700000000", NULL},
	{"-1h", "1700003600", NULL},
	{"2024-01-02", "1704150000.000000000", NULL},
	{"2024-01-02T15", "1704204000.000000000", NULL},
	{"2024-01-02T15:04", "1704204240.000000000", NULL},
	{"2024-01-02T5:00", "1704168000.000000000", NULL},
	{"2024-01-02T15:04:05", "1704204245.000000000", NULL},
	{"2024-01-02T15:04:05.5", "1704204245.500000000", NULL},
	{"2024-01-02T15:04:05,5", "1704204245.500000000", NULL},
	{"2024-01-02T15:04:05.123456789", "1704204245.123456789", NULL},
	{"2024-01-02T15:04:05Z", "1704207845.000000000", NULL},
	{"2024-01-02T15:04:05.25Z", "1704207845.250000000", NULL},
	{"2024-01-02T15:04:05+02:00", "1704200645.000000000", NULL},
	{"2024-01-02T15:04:05-02:00", "1704215045.000000000", NULL},
	{"2024-01-02T15:04+02:00", "1704200640.000000000", NULL},
	{"2024-01-02T15Z", "1704207600.000000000", NULL},
	{"2024-01-02Z", "1704153600.000000000", NULL},
	{"2024-01-02+03:00", "1704142800.000000000", NULL},
	{"2024-01-02-03:00", "1704164400.000000000", NULL},
	{"2024-02-29", "1709161200.000000000", NULL},
	{"0001-01-01T00:00:00Z", "-62135596800.000000000", NULL},
	{"9999-12-31T23:59:59.999999999Z", "253402300799.999999999", NULL},
	/* Unix seconds pass through as given */
	{"0", "0", NULL},
	{"1700000000", "1700000000", NULL},
	{"1700000000.123", "1700000000.123", NULL},
	{"20240102", "20240102", NULL},
	{"2024-13-01", NULL, "parsing time \"2024-13-01\": month out of range"},
	{"2024-02-30", NULL, "parsing time \"2024-02-30\": day out of range"},
	{"2023-02-29", NULL, "parsing time \"2023-02-29\": day out of range"},
	{"2024-01-02T25:00", NULL, "parsing time \"2024-01-02T25:00\": hour out of range"},
	{"2024-01-02T15:60", NULL, "parsing time \"2024-01-02T15:60\": minute out of range"},
	{"2024-01-02T15:04:60", NULL, "parsing time \"2024-01-02T15:04:60\": second out of range"},
	{"2024-1-02", NULL,
	 "parsing time \"2024-1-02\" as \"2006-01-02\": cannot parse \"1-02\" as \"01\""},
	{"2024-01-02x", NULL, "parsing time \"2024-01-02x\": extra text: \"x\""},
	{"2024-01-02t15:04:05", NULL, "parsing time \"2024-01-02t15:04:05\": extra text: \"t15:04:05\""},
	{"2024-01-02T15:04:05z", NULL,
	 "parsing time \"2024-01-02T15:04:05z\" as \"2006-01-02T15:04:05Z07:00\": "
	 "cannot parse \"z\" as \"Z07:00\""},
	{"2024-01-02T15:04:05+2:00", NULL,
	 "parsing time \"2024-01-02T15:04:05+2:00\" as \"2006-01-02T15:04:05Z07:00\": "
	 "cannot parse \"+2:00\" as \"Z07:00\""},
	{"-5", NULL, "parsing time \"-5\" as \"2006-01-02\": cannot parse \"-5\" as \"2006\""},
	{"abc", NULL, "failed to parse value as time or duration: \"abc\""},
	{"12:30", NULL, "failed to parse value as time or duration: \"12:30\""},
	{"1e9", NULL, "failed to parse value as time or duration: \"1e9\""},
	{"1700000000.", NULL, "failed to parse value as time or duration: \"1700000000.\""},
	{"", NULL, "failed to parse value as time or duration: \"\""},
};

START_TEST(test_get_timestamp)
{
	time_ref ref = {.sec = 1700000000, .nsec = 123456789, .utcoff = 3600};
	for (size_t i = 0; i < sizeof(ts_cases) / sizeof(ts_cases[0]); i++) {
		const struct ts_case *c = &ts_cases[i];
		err_t *e = NULL;
		char *out = NULL;
		int r = time_get_timestamp(c->in, &ref, &out, &e);
		if (c->msg) {
			ck_assert_msg(r < 0, "%s should fail, gave %s", c->in, out);
			ck_assert_str_eq(e->msg, c->msg);
			ck_assert_int_eq(e->kind, ERR_INVALID);
		} else {
			ck_assert_msg(r == 0, "%s: %s", c->in, err_msg(e));
			ck_assert_str_eq(out, c->out);
		}
		free(out);
		err_free(&e);
	}
	/* the local zone is the reference's, and now is a valid reference */
	time_ref now = time_ref_now();
	char *out = NULL;
	ck_assert_int_eq(time_get_timestamp("1s", &now, &out, NULL), 0);
	ck_assert_int_eq(atoll(out), now.sec - 1 - (now.nsec < 0));
	free(out);
}
END_TEST

START_TEST(test_parse_timestamps)
{
	int64_t s = 0, n = 0;
	err_t *e = NULL;
	ck_assert_int_eq(time_parse_timestamps("", -1, &s, &n, &e), 0);
	ck_assert_int_eq(s, -1);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(time_parse_timestamps(NULL, 7, &s, &n, &e), 0);
	ck_assert_int_eq(s, 7);
	ck_assert_int_eq(time_parse_timestamps("1136073600.000000001", 0, &s, &n, &e), 0);
	ck_assert_int_eq(s, 1136073600);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(time_parse_timestamps("1700000000.5", 0, &s, &n, &e), 0);
	ck_assert_int_eq(n, 500000000);
	/* past nine digits the fraction is cut, not rounded */
	ck_assert_int_eq(time_parse_timestamps("1.1234567899", 0, &s, &n, &e), 0);
	ck_assert_int_eq(n, 123456789);
	ck_assert_int_eq(time_parse_timestamps("-5", 0, &s, &n, &e), 0);
	ck_assert_int_eq(s, -5);
	const char *bad[] = {"abc", "1.", ".5", "1.x", "1.2.3", "1e3", "99999999999999999999", " 1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(time_parse_timestamps(bad[i], 0, &s, &n, &e) < 0, "%s", bad[i]);
		ck_assert_int_eq(e->kind, ERR_INVALID);
		ck_assert_ptr_nonnull(strstr(e->msg, "invalid timestamp"));
		err_free(&e);
	}
	ck_assert_int_eq(time_parse_timestamps("abc", 0, &s, &n, &e), -1);
	ck_assert_str_eq(e->msg, "invalid timestamp 'abc': strconv.ParseInt: parsing \"abc\": invalid syntax");
	err_free(&e);
}
END_TEST

START_TEST(test_human_duration)
{
	const int64_t S = NS_PER_SEC, M = 60 * S, H = 60 * M, D = 24 * H;
	CHECK_STR(time_human_duration(-5 * S), "Less than a second");
	CHECK_STR(time_human_duration(0), "Less than a second");
	CHECK_STR(time_human_duration(S - 1), "Less than a second");
	CHECK_STR(time_human_duration(S), "1 second");
	CHECK_STR(time_human_duration(2 * S), "2 seconds");
	CHECK_STR(time_human_duration(59 * S), "59 seconds");
	CHECK_STR(time_human_duration(60 * S), "About a minute");
	CHECK_STR(time_human_duration(119 * S), "About a minute");
	CHECK_STR(time_human_duration(2 * M), "2 minutes");
	CHECK_STR(time_human_duration(59 * M + 59 * S), "59 minutes");
	CHECK_STR(time_human_duration(H), "About an hour");
	CHECK_STR(time_human_duration(H + 29 * M), "About an hour");
	CHECK_STR(time_human_duration(H + 30 * M), "2 hours"); /* hours round */
	CHECK_STR(time_human_duration(47 * H), "47 hours");
	CHECK_STR(time_human_duration(47 * H + 30 * M), "2 days");
	CHECK_STR(time_human_duration(13 * D), "13 days");
	CHECK_STR(time_human_duration(14 * D), "2 weeks");
	CHECK_STR(time_human_duration(59 * D), "8 weeks");
	CHECK_STR(time_human_duration(60 * D), "2 months");
	CHECK_STR(time_human_duration(365 * D), "12 months");
	CHECK_STR(time_human_duration(2 * 365 * D), "2 years");
	CHECK_STR(time_human_duration(INT64_MAX), "292 years");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timeutil");
	TCase *tc = tcase_create("timeutil");
	tcase_add_test(tc, test_clocks);
	tcase_add_test(tc, test_format_rfc3339nano);
	tcase_add_test(tc, test_parse_rfc3339);
	tcase_add_test(tc, test_zone_round_trip);
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_get_timestamp);
	tcase_add_test(tc, test_parse_timestamps);
	tcase_add_test(tc, test_human_duration);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
