/* Unit tests for seccomp profiles: Docker's default as C data, its
 * conditional rules, the OCI and Docker file forms, the compiled filter
 * (really installed in a child) and the cache. */
#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "fsutil.h"
#include "seccomp.h"
#include "seccomp_profile.h"

static bool has_name(json_object *calls, const char *name)
{
	for (size_t i = 0; i < json_object_array_length(calls); i++) {
		json_object *names = jget_arr(json_object_array_get_idx(calls, i), "names");
		for (size_t j = 0; j < json_object_array_length(names); j++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(names, j)), name) == 0)
				return true;
	}
	return false;
}

START_TEST(test_default_conditions)
{
	sc_profile *p = sc_profile_default();
	ck_assert_int_eq(p->default_action, SC_ACT_ERRNO);
	ck_assert_uint_eq(p->default_errno, 1);
	ck_assert_str_eq(p->arches[0], sc_native_scmp_arch());
	_cleanup_json_ json_object *def = sc_profile_to_oci_json(p, CAPS_DOCKER_DEFAULT);
	_cleanup_json_ json_object *admin = sc_profile_to_oci_json(p, CAPS_DOCKER_DEFAULT | (1ULL << CAP_SYS_ADMIN));
	json_object *dc = jget_arr(def, "syscalls"), *ac = jget_arr(admin, "syscalls");
	ck_assert(has_name(dc, "read") && has_name(dc, "execve") && has_name(dc, "capset"));
	ck_assert(has_name(dc, "chroot")); /* CAP_SYS_CHROOT is in Docker's set */
	ck_assert(!has_name(dc, "mount") && !has_name(dc, "unshare") && !has_name(dc, "reboot"));
	ck_assert(has_name(dc, "clone3")); /* as the ENOSYS rule */
	ck_assert(has_name(ac, "mount") && has_name(ac, "unshare") && has_name(ac, "setns"));
	ck_assert_uint_lt(json_object_array_length(ac), json_object_array_length(dc) + 1);
	/* Conditions by hand. */
	sc_rule r = {.includes = {.min_kernel_major = 4, .min_kernel_minor = 8}};
	ck_assert(sc_rule_applies(&r, "amd64", 6, 1, 0));
	ck_assert(!sc_rule_applies(&r, "amd64", 4, 7, 0));
	char *arches[] = {"s390x", NULL};
	sc_rule a = {.excludes = {.arches = arches}};
	ck_assert(sc_rule_applies(&a, "amd64", 6, 1, 0));
	ck_assert(!sc_rule_applies(&a, "s390x", 6, 1, 0));
	sc_profile_free(p);
}
END_TEST

START_TEST(test_round_trip_and_docker_format)
{
	_cleanup_err_ err_t *e = NULL;
	sc_profile *p = sc_profile_default();
	_cleanup_json_ json_object *oci = sc_profile_to_oci_json(p, CAPS_DOCKER_DEFAULT);
	sc_profile *back = sc_profile_parse(oci, &e);
	ck_assert_msg(back != NULL, "%s", err_msg(e));
	_cleanup_json_ json_object *again = sc_profile_to_oci_json(back, CAPS_DOCKER_DEFAULT);
	ck_assert_str_eq(jdump(oci), jdump(again));
	sc_profile_free(back);
	sc_profile_free(p);
	/* Docker's file form: archMap, includes/excludes, the old single "name". */
	static const char docker[] =
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
		"\"archMap\":[{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]},"
		"{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}],"
		"\"syscalls\":[{\"name\":\"read\",\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_SYS_PTRACE\"]}},"
		"{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":[\"CAP_FUTURE_THING\"]}},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}],"
		"\"comment\":\"x\"}]}";
	sc_profile *d = sc_profile_parse_text(docker, sizeof(docker) - 1, &e);
	ck_assert_msg(d != NULL, "%s", err_msg(e));
#if defined(__x86_64__)
	ck_assert_str_eq(d->arches[0], "SCMP_ARCH_X86_64");
	ck_assert_str_eq(d->arches[2], "SCMP_ARCH_X32");
#endif
	ck_assert_str_eq(d->rules[0].names[0], "read");
	ck_assert_uint_eq(d->rules[3].n_args, 1);
	ck_assert(!sc_rule_applies(&d->rules[1], "amd64", 6, 1, CAPS_DOCKER_DEFAULT));
	ck_assert(sc_rule_applies(&d->rules[1], "amd64", 6, 1, 1ULL << CAP_SYS_PTRACE));
	ck_assert(!sc_rule_applies(&d->rules[2], "amd64", 6, 1, ~0ULL >> 1)); /* an unknown cap never matches */
	sc_profile_free(d);
}
END_TEST

/* A child installs the filter and probes it. */
static int probe_child(const sc_filter *f)
{
	_cleanup_err_ err_t *e = NULL;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(f, &e) < 0)
		return 10;
	if (getpid() <= 0)
		return 11;
	if (unshare(0x10000000 /* CLONE_NEWUSER */) == 0 || errno != EPERM)
		return 12; /* default action: EPERM */
	if (mkdir("/proc/x-engine-test", 0) == 0 || errno != EACCES)
		return 13; /* the rule below: EACCES */
	return 0;
}

START_TEST(test_build_install_and_cache)
{
	_cleanup_err_ err_t *e = NULL;
	static const char prof[] =
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		"{\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ERRNO\"},"
		"{\"names\":[\"mkdir\",\"mkdirat\",\"no_such_syscall_name\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}";
	sc_profile *p = sc_profile_parse_text(prof, sizeof(prof) - 1, &e);
	ck_assert_msg(p != NULL, "%s", err_msg(e));
	char dir[] = "/tmp/engine-sc-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	sc_filter f1 = {0}, f2 = {0};
	ck_assert_msg(seccomp_build_cached(p, 0, dir, &f1, &e) == 0, "%s", err_msg(e));
	ck_assert_msg(seccomp_build_cached(p, 0, dir, &f2, &e) == 0, "%s", err_msg(e)); /* from the cache */
	ck_assert_uint_eq(f1.len, f2.len);
	ck_assert_int_eq(memcmp(f1.insns, f2.insns, f1.len * 8), 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(probe_child(&f2));
	int st;
	waitpid(pid, &st, 0);
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	/* A cache dir others may write to is not trusted. */
	chmod(dir, 0777);
	sc_filter f3 = {0};
	ck_assert_int_eq(seccomp_build_cached(p, 0, dir, &f3, &e), 0);
	sc_filter_done(&f1);
	sc_filter_done(&f2);
	sc_filter_done(&f3);
	sc_profile_free(p);
	fs_rm_rf(dir, NULL);
}
END_TEST

START_TEST(test_default_filter_builds)
{
	_cleanup_err_ err_t *e = NULL;
	sc_profile *p = sc_profile_default();
	sc_filter f = {0};
	ck_assert_msg(seccomp_build(p, CAPS_DOCKER_DEFAULT, &f, &e) == 0, "%s", err_msg(e));
	ck_assert_uint_gt(f.len, 100);
	sc_filter_done(&f);
	sc_profile_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_seccomp");
	TCase *tc = tcase_create("seccomp");
	tcase_add_test(tc, test_default_conditions);
	tcase_add_test(tc, test_round_trip_and_docker_format);
	tcase_add_test(tc, test_build_install_and_cache);
	tcase_add_test(tc, test_default_filter_builds);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
