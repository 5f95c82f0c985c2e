/* Unit tests for libcommon/units (docker/go-units). The expected values were
 * produced with go-units' algorithm under Go's fmt and strconv. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "units.h"

#define CHECK_STR(expr, want)                 \
	do {                                  \
		char *got_ = (expr);          \
		ck_assert_str_eq(got_, want); \
		free(got_);                   \
	} while (0)

START_TEST(test_human_size)
{
	CHECK_STR(units_human_size(0), "0B");
	CHECK_STR(units_human_size(1), "1B");
	CHECK_STR(units_human_size(999), "999B");
	CHECK_STR(units_human_size(1000), "1kB");
	CHECK_STR(units_human_size(1024), "1.024kB");
	CHECK_STR(units_human_size(1234), "1.234kB");
	CHECK_STR(units_human_size(4260000), "4.26MB");
	CHECK_STR(units_human_size(4264185), "4.264MB");
	CHECK_STR(units_human_size(999500), "999.5kB");
	CHECK_STR(units_human_size(999949999), "999.9MB");
	CHECK_STR(units_human_size(20e6), "20MB");
	CHECK_STR(units_human_size(3.5e9), "3.5GB");
	CHECK_STR(units_human_size(1e12), "1TB");
	CHECK_STR(units_human_size(1e18), "1EB");
	CHECK_STR(units_human_size(1e24), "1YB");
	CHECK_STR(units_human_size(1e27), "1000YB");
	CHECK_STR(units_human_size(1e30), "1e+06YB");
	CHECK_STR(units_human_size(0.5), "0.5B");
	CHECK_STR(units_human_size(-1500), "-1500B");
	CHECK_STR(units_human_size(NAN), "NaNB");
	CHECK_STR(units_human_size(INFINITY), "+InfYB");
	CHECK_STR(units_human_size_prec(1234567, 2), "1.2MB");
	CHECK_STR(units_human_size_prec(1200, 1), "1kB");
}
END_TEST

START_TEST(test_bytes_size)
{
	CHECK_STR(units_bytes_size(0), "0B");
	CHECK_STR(units_bytes_size(1000), "1000B");
	CHECK_STR(units_bytes_size(1023), "1023B");
	CHECK_STR(units_bytes_size(1024), "1KiB");
	CHECK_STR(units_bytes_size(1234), "1.205KiB");
	CHECK_STR(units_bytes_size(1048576), "1MiB");
	CHECK_STR(units_bytes_size(4260000), "4.063MiB");
	CHECK_STR(units_bytes_size(1536.0 * 1024 * 1024), "1.5GiB");
	CHECK_STR(units_bytes_size(1e24), "847ZiB");
	CHECK_STR(units_bytes_size(1e30), "8.272e+05YiB");
}
END_TEST

struct parse_case {
	const char *in;
	int64_t dec, bin; /* -1: error */
	const char *msg;  /* the error's text */
};

static const struct parse_case parse_cases[] = {
	{"32", 32, 32, NULL},
	{"32b", 32, 32, NULL},
	{"32B", 32, 32, NULL},
	{"32k", 32000, 32768, NULL},
	{"32K", 32000, 32768, NULL},
	{"32kb", 32000, 32768, NULL},
	{"32Mb", 32000000, 33554432, NULL},
	{"32Gb", 32000000000LL, 34359738368LL, NULL},
	{"32Tb", 32000000000000LL, 35184372088832LL, NULL},
	{"32PB", 32000000000000000LL, 36028797018963968LL, NULL},
	{"32P", 32000000000000000LL, 36028797018963968LL, NULL},
	/* go-units lets "ib" through with decimal units too */
	{"32KiB", 32000, 32768, NULL},
	{"32KIB", 32000, 32768, NULL},
	{"32 KiB", 32000, 32768, NULL},
	{"32 kb", 32000, 32768, NULL},
	{"32.3", 32, 32, NULL},
	{"32.3k", 32299, 33075, NULL},
	{"1.5GB", 1500000000, 1610612736, NULL},
	{"1.5 GiB", 1500000000, 1610612736, NULL},
	{"512m", 512000000, 536870912, NULL},
	{"1g", 1000000000, 1073741824, NULL},
	{"0.5", 0, 0, NULL},
	{"1e3", 1000, 1000, NULL},
	{"1e3k", 1000000, 1024000, NULL},
	{".5k", 500, 512, NULL},
	{"5.k", 5000, 5120, NULL},
	{"+5", 5, 5, NULL},
	{"1_000", 1000, 1000, NULL},
	{"32 ", 32, 32, NULL},
	{"", -1, -1, "invalid size: ''"},
	{"hello", -1, -1, "invalid size: 'hello'"},
	{"-32", -1, -1, "invalid size: '-32'"},
	{"32.3 s", -1, -1, "invalid suffix: 's'"},
	{" 32 ", -1, -1, "strconv.ParseFloat: parsing \"\": invalid syntax"},
	{"32m b", -1, -1, "strconv.ParseFloat: parsing \"32m\": invalid syntax"},
	{"1..2", -1, -1, "strconv.ParseFloat: parsing \"1..2\": invalid syntax"},
	{"0x10", -1, -1, "strconv.ParseFloat: parsing \"0x10\": invalid syntax"},
	{"1__0", -1, -1, "strconv.ParseFloat: parsing \"1__0\": invalid syntax"},
	{"32bm", -1, -1, "invalid suffix: 'bm'"},
	{"8E", -1, -1, "invalid suffix: 'e'"},
	{"32  k", -1, -1, "invalid suffix: ' k'"},
	{"32x", -1, -1, "invalid suffix: 'x'"},
	{"32kbb", -1, -1, "invalid suffix: 'kbb'"},
	{"32ki", -1, -1, "invalid suffix: 'ki'"},
	/* too long: reported as written, before lower-casing */
	{"32 KiBs", -1, -1, "invalid suffix: 'KiBs'"},
	/* go-units wraps these to INT64_MIN; we refuse them */
	{"9223372036854775807", -1, -1, "invalid size: '9223372036854775807': too large"},
	{"10000000P", -1, -1, "invalid size: '10000000P': too large"},
	{"1e400", -1, -1, "strconv.ParseFloat: parsing \"1e400\": value out of range"},
};

START_TEST(test_parse)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		for (int binary = 0; binary <= 1; binary++) {
			err_t *e = NULL;
			int64_t v = -7;
			int r = binary ? units_ram_in_bytes(c->in, &v, &e) : units_from_human_size(c->in, &v, &e);
			int64_t want = binary ? c->bin : c->dec;
			if (want < 0) {
				ck_assert_msg(r == -1 && e, "'%s' should fail", c->in);
				ck_assert_int_eq(e->kind, ERR_INVALID);
				ck_assert_str_eq(e->msg, c->msg);
				ck_assert_int_eq(v, -7);
			} else {
				ck_assert_msg(r == 0 && !e, "'%s' failed: %s", c->in, err_msg(e));
				ck_assert_msg(v == want, "'%s' gave %lld", c->in, (long long)v);
			}
			err_free(&e);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");
	tcase_add_test(tc, test_human_size);
	tcase_add_test(tc, test_bytes_size);
	tcase_add_test(tc, test_parse);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
