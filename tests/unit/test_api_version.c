/* Unit tests for api/version: prefix splitting and version comparison. */
#include <check.h>
#include <string.h>

#include "version.h"

START_TEST(test_split)
{
	char v[16];
	ck_assert_str_eq(api_split_version("/v1.41/containers/json", v, sizeof(v)), "/containers/json");
	ck_assert_str_eq(v, "1.41");
	ck_assert_str_eq(api_split_version("/_ping", v, sizeof(v)), "/_ping");
	ck_assert_str_eq(v, "");
	ck_assert_str_eq(api_split_version("/volumes", v, sizeof(v)), "/volumes");
	ck_assert_ptr_null(api_split_version("/v1x/info", v, sizeof(v)));
	ck_assert_ptr_null(api_split_version("/v1.2.3/info", v, sizeof(v)));
	ck_assert_ptr_null(api_split_version("/v11111111111111111111.1/info", v, sizeof(v)));
}
END_TEST

START_TEST(test_cmp)
{
	ck_assert_int_lt(api_version_cmp("1.24", "1.44"), 0);
	ck_assert_int_gt(api_version_cmp("1.45", "1.44"), 0);
	ck_assert_int_eq(api_version_cmp("1.44", "1.44"), 0);
	ck_assert_int_gt(api_version_cmp("2.0", "1.44"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("api_version");
	TCase *tc = tcase_create("version");
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_cmp);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
