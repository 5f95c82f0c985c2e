/* Unit tests for api/schema: defaults, Docker's field order, type errors
 * naming the field, unknown keys ignored, ints given as 1.0. */
#include <check.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "schema.h"

static json_object *parse(const char *s)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = json_parse_strict(s, strlen(s), &err);
	ck_assert_ptr_nonnull(o);
	return o;
}

START_TEST(test_defaults_and_order)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *out = schema_normalize(schema_container_config, NULL, "Config", &err);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(jdump(out),
		"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
		"\"AttachStdout\":false,\"AttachStderr\":false,\"ExposedPorts\":null,\"Tty\":false,"
		"\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\","
		"\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}}");
	_cleanup_json_ json_object *hc = schema_normalize(schema_host_config, NULL, "HostConfig", &err);
	ck_assert_str_eq(jdump(jget(hc, "LogConfig")), "{\"Type\":\"\",\"Config\":{}}");
	ck_assert_str_eq(jdump(jget(hc, "RestartPolicy")), "{\"Name\":\"\",\"MaximumRetryCount\":0}");
	ck_assert_str_eq(jdump(jget(hc, "ConsoleSize")), "[0,0]");
	ck_assert(json_object_is_type(jget(hc, "PidsLimit"), json_type_null));
	ck_assert_ptr_null(jget(hc, "Init")); /* omitempty */
}
END_TEST

START_TEST(test_values_kept_unknown_ignored)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *in = parse("{\"Cmd\":[\"sh\",\"-c\",\"x\"],\"Bogus\":1,\"StopTimeout\":3,"
					     "\"Labels\":{\"a\":\"b\"},\"ExposedPorts\":{\"80/tcp\":{}}}");
	_cleanup_json_ json_object *out = schema_normalize(schema_container_config, in, "Config", &err);
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(jdump(jget(out, "Cmd")), "[\"sh\",\"-c\",\"x\"]");
	ck_assert_int_eq(jget_int(out, "StopTimeout", -1), 3);
	ck_assert_ptr_null(jget(out, "Bogus"));
	ck_assert_str_eq(jget_str(jget(out, "Labels"), "a"), "b");
	_cleanup_json_ json_object *hin = parse("{\"Memory\":1048576.0,\"RestartPolicy\":{\"Name\":\"always\"}}");
	_cleanup_json_ json_object *hc = schema_normalize(schema_host_config, hin, "HostConfig", &err);
	ck_assert_str_eq(jdump(jget(hc, "Memory")), "1048576");
	ck_assert_str_eq(jget_str(jget(hc, "RestartPolicy"), "Name"), "always");
}
END_TEST

START_TEST(test_type_errors)
{
	static const char *bad[] = {
		"{\"Memory\":\"lots\"}", "{\"Memory\":1.5}", "{\"Binds\":\"/a:/b\"}", "{\"Binds\":[1]}",
		"{\"RestartPolicy\":{\"MaximumRetryCount\":\"x\"}}", "{\"ConsoleSize\":[1]}",
		"{\"LogConfig\":[]}", "{\"Privileged\":\"true\"}", "[]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_err_ err_t *err = NULL;
		_cleanup_json_ json_object *in = parse(bad[i]);
		ck_assert_ptr_null(schema_normalize(schema_host_config, in, "HostConfig", &err));
		ck_assert_int_eq(err->kind, ERR_INVALID);
		ck_assert(strstr(err->msg, "HostConfig") != NULL);
	}
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *in = parse("{\"RestartPolicy\":{\"MaximumRetryCount\":\"x\"}}");
	ck_assert_ptr_null(schema_normalize(schema_host_config, in, "HostConfig", &err));
	ck_assert_str_eq(err->msg, "invalid JSON: HostConfig.RestartPolicy.MaximumRetryCount must be an integer");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("schema");
	tcase_add_test(tc, test_defaults_and_order);
	tcase_add_test(tc, test_values_kept_unknown_ignored);
	tcase_add_test(tc, test_type_errors);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
