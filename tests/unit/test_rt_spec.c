/* Unit tests for the runtime's config.json reader: Docker's config parses to
 * the right C data; hostile or broken input is refused with a clear error
 * and never crashes or leaks (run under ASan too). Also mount options. */
#include <check.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "caps.h"
#include "cleanup.h"
#include "mount_opts.h"
#include "seccomp_profile.h"
#include "spec.h"
#include "strbuf.h"
#include "xalloc.h"

static const char docker_config[] =
	"{\"ociVersion\":\"1.0.2-dev\","
	"\"process\":{\"terminal\":false,\"user\":{\"uid\":1000,\"gid\":1000,\"additionalGids\":[10,20]},"
	"\"args\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH=/bin\",\"A=b=c\"],\"cwd\":\"/work\","
	"\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\"],"
	"\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"]},"
	"\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1048576,\"soft\":1024}],"
	"\"noNewPrivileges\":true,\"oomScoreAdj\":-500},"
	"\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"abc\","
	"\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
	"{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/var/lib/x/hosts\",\"options\":[\"rbind\",\"rprivate\",\"ro\"]}],"
	"\"annotations\":{\"org.engine.rootfs.lowerdirs\":\"/l/2:/l/1\",\"org.engine.rootfs.upperdir\":\"/c/upper\","
	"\"org.engine.rootfs.workdir\":\"/c/work\",\"org.engine.init\":\"true\",\"org.engine.user\":\"app:staff\"},"
	"\"linux\":{\"resources\":{\"memory\":{\"limit\":1048576,\"swap\":2097152},"
	"\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\"},\"pids\":{\"limit\":64},"
	"\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}]},"
	"\"cgroupsPath\":\"/engine/abc\",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/run/netns/x\"},"
	"{\"type\":\"pid\"}],\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
	"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
	"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
	"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}}}";

static rt_spec *parse(const char *json, err_t **e)
{
	return spec_parse(json, strlen(json), "/bundle", e);
}

START_TEST(test_docker_config)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_spec_ rt_spec *s = parse(docker_config, &e);
	ck_assert_msg(s != NULL, "%s", err_msg(e));
	ck_assert_str_eq(s->root_path, "/bundle/rootfs");
	ck_assert(s->root_readonly);
	ck_assert_str_eq(s->hostname, "abc");
	ck_assert_uint_eq(s->process.user.uid, 1000);
	ck_assert_uint_eq(s->process.user.n_additional_gids, 2);
	ck_assert_uint_eq(s->process.user.additional_gids[1], 20);
	ck_assert_str_eq(s->process.user.name, "app:staff");
	ck_assert_str_eq(s->process.args[2], "echo hi");
	ck_assert_str_eq(s->process.cwd, "/work");
	ck_assert(s->process.has_caps);
	ck_assert_uint_eq(s->process.caps.bounding, (1ULL << 0) | (1ULL << 5));
	ck_assert_uint_eq(s->process.caps.effective, 1ULL);
	ck_assert_uint_eq(s->process.n_rlimits, 1);
	ck_assert_int_eq(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(s->process.rlimits[0].hard, 1048576);
	ck_assert(s->process.no_new_privileges);
	ck_assert_int_eq(s->process.oom_score_adj, -500);
	ck_assert_uint_eq(s->n_mounts, 3);
	ck_assert_str_eq(s->mounts[1].data, "mode=755,size=65536k");
	ck_assert_uint_eq(s->mounts[1].flags, MS_NOSUID | MS_STRICTATIME);
	ck_assert_str_eq(s->mounts[2].type, "bind");
	ck_assert_uint_eq(s->mounts[2].flags, MS_BIND | MS_REC | MS_RDONLY);
	ck_assert_uint_eq(s->mounts[2].propagation, MS_PRIVATE | MS_REC);
	ck_assert(s->has_overlay);
	ck_assert_str_eq(s->overlay.lowerdirs[0], "/l/2");
	ck_assert_str_eq(s->overlay.lowerdirs[1], "/l/1");
	ck_assert_ptr_null(s->overlay.lowerdirs[2]);
	ck_assert(s->init);
	ck_assert_int_eq(s->resources.memory_limit, 1048576);
	ck_assert_int_eq(s->resources.memory_swap, 2097152);
	ck_assert_uint_eq(s->resources.cpu_shares, 512);
	ck_assert_int_eq(s->resources.cpu_quota, 50000);
	ck_assert_str_eq(s->resources.cpuset_cpus, "0-1");
	ck_assert_int_eq(s->resources.pids_limit, 64);
	ck_assert_uint_eq(s->resources.n_devices, 2);
	ck_assert_int_eq(s->resources.devices[0].type, 'a');
	ck_assert_int_eq(s->resources.devices[1].minor, 3);
	ck_assert_str_eq(s->cgroups_path, "/engine/abc");
	ck_assert_uint_eq(s->n_namespaces, 3);
	ck_assert_ptr_nonnull(spec_namespace(s, CLONE_NEWNET));
	ck_assert_str_eq(spec_namespace(s, CLONE_NEWNET)->path, "/run/netns/x");
	ck_assert_ptr_null(spec_namespace(s, CLONE_NEWUTS));
	ck_assert_int_eq(s->seccomp_mode, RT_SECCOMP_PROFILE);
	ck_assert_uint_eq(s->seccomp->n_rules, 1);
	ck_assert_str_eq(s->sysctl[0].key, "net.ipv4.ip_forward");
	ck_assert_str_eq(s->masked_paths[0], "/proc/kcore");
}
END_TEST

START_TEST(test_defaults)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_spec_ rt_spec *s = parse("{\"process\":{\"args\":[\"/bin/true\"]},\"root\":{\"path\":\"/abs/root\"}}", &e);
	ck_assert_msg(s != NULL, "%s", err_msg(e));
	ck_assert_str_eq(s->root_path, "/abs/root");
	ck_assert_str_eq(s->process.cwd, "/");
	ck_assert(!s->process.has_caps);
	ck_assert_ptr_nonnull(s->process.env);
	ck_assert_int_eq(s->resources.memory_limit, RT_UNSET);
	ck_assert_int_eq(s->resources.pids_limit, RT_UNSET);
	ck_assert_int_eq(s->seccomp_mode, RT_SECCOMP_NONE);
	ck_assert(!s->has_overlay);
}
END_TEST

/* Each of these must fail cleanly, with a message naming the problem. */
static const struct {
	const char *json, *want;
} hostile[] = {
	{"", "empty"},
	{"[]", "JSON object"},
	{"{\"root\":{\"path\":\"r\"}}", "process is required"},
	{"{\"process\":{\"args\":[]},\"root\":{\"path\":\"r\"}}", "process.args"},
	{"{\"process\":{\"args\":[\"\"]},\"root\":{\"path\":\"r\"}}", "process.args"},
	{"{\"process\":{\"args\":[\"a\\u0000b\"]},\"root\":{\"path\":\"r\"}}", "NUL"},
	{"{\"process\":{\"args\":[1]},\"root\":{\"path\":\"r\"}}", "args[0]"},
	{"{\"process\":{\"args\":\"sh\"},\"root\":{\"path\":\"r\"}}", "must be an array"},
	{"{\"process\":{\"args\":[\"a\"],\"cwd\":\"rel\"},\"root\":{\"path\":\"r\"}}", "cwd"},
	{"{\"process\":{\"args\":[\"a\"],\"env\":[\"NOEQUALS\"]},\"root\":{\"path\":\"r\"}}", "KEY=VALUE"},
	{"{\"process\":{\"args\":[\"a\"],\"user\":{\"uid\":-1}},\"root\":{\"path\":\"r\"}}", "negative"},
	{"{\"process\":{\"args\":[\"a\"],\"user\":{\"uid\":4294967295}},\"root\":{\"path\":\"r\"}}", "out of range"},
	{"{\"process\":{\"args\":[\"a\"],\"user\":{\"uid\":1.5}},\"root\":{\"path\":\"r\"}}", "integer"},
	{"{\"process\":{\"args\":[\"a\"],\"user\":{\"additionalGids\":[\"x\"]}},\"root\":{\"path\":\"r\"}}", "additionalGids"},
	{"{\"process\":{\"args\":[\"a\"],\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}},\"root\":{\"path\":\"r\"}}", "CAP_NOPE"},
	{"{\"process\":{\"args\":[\"a\"],\"rlimits\":[{\"type\":\"RLIMIT_X\",\"hard\":1,\"soft\":1}]},\"root\":{\"path\":\"r\"}}", "RLIMIT_X"},
	{"{\"process\":{\"args\":[\"a\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":2}]},\"root\":{\"path\":\"r\"}}", "soft"},
	{"{\"process\":{\"args\":[\"a\"],\"oomScoreAdj\":5000},\"root\":{\"path\":\"r\"}}", "oomScoreAdj"},
	{"{\"process\":{\"args\":[\"a\"]}}", "root is required"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":7}}", "path"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"hostname\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "hostname"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"rel\"}]}", "absolute"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"rel\"}]}", "absolute source"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"remount\"]}]}", "remount"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}", "twice"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"bogus\"}]}}", "bogus"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}", "user namespaces"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"cgroupsPath\":\"/engine/../../etc\"}}", "leaves"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"cgroupsPath\":\"system.slice:docker:x\"}}", "cgroupfs"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":{\"limit\":-7}}}}", "limit"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":{\"limit\":100,\"swap\":50}}}}", "memoryswap"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"cpu\":{\"period\":10}}}}", "period"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"cpu\":{\"cpus\":\"0;rm -rf\"}}}}", "cpuset"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"devices\":[{\"type\":\"x\"}]}}}", "type"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"devices\":[{\"access\":\"rwx\"}]}}}", "access"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"devices\":[{\"path\":\"/etc/x\",\"type\":\"c\"}]}}", "under /dev"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"sysctl\":{\"../../x\":\"1\"}}}", "sysctl"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"maskedPaths\":[\"proc\"]}}", "maskedPaths"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}}}", "action"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":9,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}}}", "index"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"linux\":{\"uidMappings\":[]}}", "user namespaces"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"annotations\":{\"org.engine.rootfs.lowerdirs\":\"/a\"}}", "needs"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"annotations\":{\"org.engine.rootfs.lowerdirs\":\"/a,upperdir=/etc\",\"org.engine.rootfs.upperdir\":\"/u\",\"org.engine.rootfs.workdir\":\"/w\"}}", "not usable"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"annotations\":{\"org.engine.rootfs.lowerdirs\":\"rel\",\"org.engine.rootfs.upperdir\":\"/u\",\"org.engine.rootfs.workdir\":\"/w\"}}", "not usable"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"annotations\":{\"org.engine.seccomp\":\"weird\"}}", "org.engine.seccomp"},
	{"{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"}} trailing", "invalid JSON"},
};

START_TEST(test_hostile)
{
	_cleanup_err_ err_t *e = NULL;
	rt_spec *s = spec_parse(hostile[_i].json, strlen(hostile[_i].json), "/bundle", &e);
	ck_assert_msg(s == NULL, "accepted: %s", hostile[_i].json);
	ck_assert_ptr_nonnull(e);
	ck_assert_msg(strstr(e->msg, hostile[_i].want) != NULL, "%s: got \"%s\"", hostile[_i].json, e->msg);
}
END_TEST

START_TEST(test_hostile_sizes)
{
	_cleanup_err_ err_t *e = NULL;
	/* Deep nesting, a huge number of args, too many layers. */
	_cleanup_sb_ strbuf deep = STRBUF_INIT;
	sb_puts(&deep, "{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"x\":");
	for (int i = 0; i < 5000; i++)
		sb_putc(&deep, '[');
	ck_assert_ptr_null(parse(deep.buf, &e));
	err_free(&e);
	_cleanup_sb_ strbuf many = STRBUF_INIT;
	sb_puts(&many, "{\"process\":{\"args\":[");
	for (int i = 0; i < RT_SPEC_MAX_ITEMS + 1; i++)
		sb_puts(&many, i ? ",\"a\"" : "\"a\"");
	sb_puts(&many, "]},\"root\":{\"path\":\"r\"}}");
	ck_assert_ptr_null(parse(many.buf, &e));
	ck_assert_ptr_nonnull(strstr(e->msg, "entries"));
	err_free(&e);
	_cleanup_sb_ strbuf layers = STRBUF_INIT;
	sb_puts(&layers, "{\"process\":{\"args\":[\"a\"]},\"root\":{\"path\":\"r\"},\"annotations\":{"
			 "\"org.engine.rootfs.upperdir\":\"/u\",\"org.engine.rootfs.workdir\":\"/w\","
			 "\"org.engine.rootfs.lowerdirs\":\"");
	for (int i = 0; i < 501; i++)
		sb_printf(&layers, "%s/l%d", i ? ":" : "", i);
	sb_puts(&layers, "\"}}");
	ck_assert_ptr_null(parse(layers.buf, &e));
	ck_assert_ptr_nonnull(strstr(e->msg, "500"));
}
END_TEST

START_TEST(test_mount_opts)
{
	_cleanup_err_ err_t *e = NULL;
	rt_mount m = {.destination = (char *)"/x"};
	char *opts[] = {"ro", "nosuid", "rw", "noexec", "rslave", "size=1m", "mode=0755", "tmpcopyup", NULL};
	ck_assert_int_eq(mount_opts_parse(opts, &m, &e), 0);
	ck_assert_uint_eq(m.flags, MS_NOSUID | MS_NOEXEC);
	ck_assert_uint_eq(m.propagation, MS_SLAVE | MS_REC);
	ck_assert_str_eq(m.data, "size=1m,mode=0755");
	free(m.data);
	char *bad[] = {"size=1m,uid=0", NULL};
	ck_assert_int_eq(mount_opts_parse(bad, &m, &e), -1);
}
END_TEST

START_TEST(test_caps_math)
{
	static const char *const docker[] = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
					     "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
					     "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
					     "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL};
	_cleanup_err_ err_t *e = NULL;
	uint64_t mask = 0;
	ck_assert_int_eq(caps_parse_list((char *const *)docker, &mask, &e), 0);
	ck_assert_uint_eq(mask, CAPS_DOCKER_DEFAULT);
	ck_assert_uint_eq(mask, 0xa80425fbULL);
	ck_assert_int_eq(cap_from_name("sys_admin"), 21);
	ck_assert_int_eq(cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	ck_assert_int_eq(cap_from_name("CAP_NOPE"), -1);
	ck_assert_str_eq(cap_to_name(13), "CAP_NET_RAW");
	ck_assert_ptr_null(cap_to_name(64));
	rt_caps c = {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL};
	caps_clamp_to_kernel(&c, 38);
	ck_assert_uint_eq(c.bounding, (1ULL << 39) - 1);
	ck_assert_uint_eq(c.ambient, (1ULL << 39) - 1);
	ck_assert_int_ge(caps_last_cap(), 36);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_spec");
	TCase *tc = tcase_create("spec");
	tcase_add_test(tc, test_docker_config);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_hostile, 0, sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(tc, test_hostile_sizes);
	tcase_add_test(tc, test_mount_opts);
	tcase_add_test(tc, test_caps_math);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
