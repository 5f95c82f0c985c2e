/* Unit tests for the cgroup v2 code path against a fake tree in a temp dir
 * (most users run pure v2; this machine is a v1 hybrid, where the
 * integration tests cover v1). The fake plays the kernel's part: control
 * files exist before we write them, and what we wrote is read back. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups.h"
#include "devices_bpf.h"
#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

static char root[] = "/tmp/engine-cg-XXXXXX";

static void put(const char *rel, const char *content)
{
	_cleanup_free_ char *p = fs_path_join(root, rel);
	_cleanup_err_ err_t *e = NULL;
	char *slash = strrchr(p, '/');
	*slash = '\0';
	ck_assert_int_eq(fs_mkdir_p(p, 0755, &e), 0);
	*slash = '/';
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static char *get(const char *rel)
{
	_cleanup_free_ char *p = fs_path_join(root, rel);
	_cleanup_err_ err_t *e = NULL;
	char *out = NULL;
	ck_assert_msg(fs_read_file(p, 1 << 16, &out, NULL, &e) == 0, "%s: %s", rel, err_msg(e));
	return out;
}

#define ck_file(rel, want)                                  \
	do {                                                \
		_cleanup_free_ char *_v = get(rel);         \
		ck_assert_str_eq(_v, want);                 \
	} while (0)

static const char *const leaf_files[] = {
	"memory.max", "memory.swap.max", "memory.low", "cpu.weight", "cpu.max", "cpuset.cpus",
	"cpuset.mems", "pids.max", "cgroup.procs", "cgroup.freeze", "cgroup.kill",
};

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(root));
	put("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put("cgroup.subtree_control", "");
	put("engine/cgroup.controllers", "cpuset cpu io memory pids\n");
	put("engine/cgroup.subtree_control", "memory pids\n"); /* partly enabled already */
	for (size_t i = 0; i < sizeof(leaf_files) / sizeof(leaf_files[0]); i++) {
		_cleanup_free_ char *rel = xasprintf("engine/c1/%s", leaf_files[i]);
		put(rel, "");
	}
	put("engine/c1/cgroup.procs", "12\n34\n");
	put("engine/c1/cgroup.events", "populated 1\nfrozen 1\n");
	put("engine/c1/memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n");
}

static void teardown(void)
{
	fs_rm_rf(root, NULL);
	strcpy(root, "/tmp/engine-cg-XXXXXX");
}

static rt_resources docker_resources(void)
{
	rt_resources r = {
		.memory_limit = 64 << 20, .memory_swap = 128 << 20, .memory_reservation = RT_UNSET,
		.cpu_shares = 512, .cpu_quota = 150000, .cpu_period = 100000,
		.cpuset_cpus = (char *)"0-1", .pids_limit = 100,
	};
	return r;
}

START_TEST(test_create_and_limits)
{
	_cleanup_err_ err_t *e = NULL;
	rt_resources r = docker_resources();
	_cleanup_cgroup_ cgroup *cg = cgroup_create(root, CG_MODE_V2, "/engine/c1", &r, &e);
	ck_assert_msg(cg != NULL, "%s", err_msg(e));
	ck_assert_str_eq(cgroup_path(cg), "engine/c1");
	ck_file("cgroup.subtree_control", "+cpuset +cpu +io +memory +pids");
	ck_file("engine/cgroup.subtree_control", "+cpuset +cpu +io"); /* only what was missing */
	ck_file("engine/c1/memory.max", "67108864");
	ck_file("engine/c1/memory.swap.max", "67108864"); /* OCI swap is memory+swap */
	ck_file("engine/c1/cpu.weight", "20");
	ck_file("engine/c1/cpu.max", "150000 100000");
	ck_file("engine/c1/cpuset.cpus", "0-1");
	ck_file("engine/c1/pids.max", "100");
	ck_file("engine/c1/memory.low", "");
	_cleanup_free_ char *dir = fs_path_join(root, "engine/c1");
	ck_assert_str_eq(cgroup_dir(cg, "memory"), dir);
	_cleanup_strv_ char **v1 = cgroup_v1_names(cg);
	ck_assert_ptr_null(v1[0]);
}
END_TEST

START_TEST(test_unlimited_values)
{
	_cleanup_err_ err_t *e = NULL;
	rt_resources r = {.memory_limit = -1, .memory_swap = -1, .memory_reservation = RT_UNSET,
			  .cpu_quota = -1, .pids_limit = -1};
	_cleanup_cgroup_ cgroup *cg = cgroup_create(root, CG_MODE_V2, "engine/c1", &r, &e);
	ck_assert_msg(cg != NULL, "%s", err_msg(e));
	ck_file("engine/c1/memory.max", "max");
	ck_file("engine/c1/memory.swap.max", "max");
	ck_file("engine/c1/cpu.max", "max 100000");
	ck_file("engine/c1/pids.max", "max");
}
END_TEST

START_TEST(test_runtime_ops)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_cgroup_ cgroup *cg = cgroup_open(root, CG_MODE_V2, "engine/c1", &e);
	ck_assert_msg(cg != NULL, "%s", err_msg(e));
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	ck_assert_int_eq(cgroup_pids(cg, &pids, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(pids[1], 34);
	uint64_t kills = 0;
	ck_assert_int_eq(cgroup_oom_kills(cg, &kills, &e), 0);
	ck_assert_uint_eq(kills, 1);
	ck_assert_int_eq(cgroup_freeze(cg, true, &e), 0);
	ck_file("engine/c1/cgroup.freeze", "1");
	ck_assert_int_eq(cgroup_kill_all(cg, SIGKILL, &e), 0); /* cgroup.kill, no PIDs signalled */
	ck_file("engine/c1/cgroup.kill", "1");
	/* The OOM watch: inotify on memory.events fires when the "kernel" updates it. */
	int w = cgroup_oom_watch(cg, &e);
	ck_assert_msg(w >= 0, "%s", err_msg(e));
	struct pollfd pfd = {.fd = w, .events = POLLIN};
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	put("engine/c1/memory.events", "low 0\nhigh 0\nmax 4\noom 3\noom_kill 2\n");
	ck_assert_int_eq(poll(&pfd, 1, 1000), 1);
	cgroup_oom_watch_drain(w);
	ck_assert_int_eq(cgroup_oom_kills(cg, &kills, &e), 0);
	ck_assert_uint_eq(kills, 2);
	close(w);
	int *fds = NULL;
	ck_assert_int_eq(cgroup_procs_fds(cg, &fds, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	close(fds[0]);
	free(fds);
	ck_assert_ptr_null(cgroup_open(root, CG_MODE_V2, "engine/nope", &e));
	ck_assert_int_eq(e->kind, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_destroy_and_refusals)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_cgroup_ cgroup *cg = cgroup_create(root, CG_MODE_V2, "engine/c2", NULL, &e);
	ck_assert_msg(cg != NULL, "%s", err_msg(e));
	_cleanup_free_ char *dir = fs_path_join(root, "engine/c2/sub");
	ck_assert_int_eq(mkdir(dir, 0755), 0); /* a child cgroup the container made */
	ck_assert_int_eq(cgroup_destroy(cg, 0, &e), 0);
	ck_assert(!fs_exists(dir));
	ck_assert_ptr_null(cgroup_create(root, CG_MODE_V2, "/", NULL, &e));
	ck_assert_ptr_nonnull(strstr(e->msg, "root cgroup"));
	err_free(&e);
	/* A limit the "kernel" lacks fails the create and removes what was made. */
	rt_resources r = {.memory_limit = 1 << 20, .memory_swap = RT_UNSET, .memory_reservation = RT_UNSET,
			  .cpu_quota = RT_UNSET, .pids_limit = RT_UNSET};
	ck_assert_ptr_null(cgroup_create(root, CG_MODE_V2, "engine/c3", &r, &e));
	ck_assert_ptr_nonnull(strstr(e->msg, "memory.max"));
	_cleanup_free_ char *c3 = fs_path_join(root, "engine/c3");
	ck_assert(!fs_exists(c3));
}
END_TEST

START_TEST(test_weight_and_detect)
{
	ck_assert_uint_eq(cgroup_shares_to_weight(0), 0);
	ck_assert_uint_eq(cgroup_shares_to_weight(2), 1);
	ck_assert_uint_eq(cgroup_shares_to_weight(1024), 39);
	ck_assert_uint_eq(cgroup_shares_to_weight(262144), 10000);
	ck_assert_uint_eq(cgroup_shares_to_weight(1000000), 10000);
	cg_mode m;
	_cleanup_err_ err_t *e = NULL;
	if (fs_exists("/sys/fs/cgroup"))
		ck_assert_int_eq(cgroup_detect("/sys/fs/cgroup", &m, &e), 0);
	ck_assert_int_eq(cgroup_detect("/nonexistent", &m, &e), -1);
	ck_assert_str_eq(cgroup_mode_name(CG_MODE_V2), "v2");
}
END_TEST

/* The device program, loaded for real on a cgroup2 hierarchy (this
 * machine's hybrid has one at /sys/fs/cgroup/unified) with a child inside. */
static const char *cgroup2_root(void)
{
	cg_mode m;
	if (cgroup_detect("/sys/fs/cgroup", &m, NULL) < 0)
		return NULL;
	return m == CG_MODE_V2 ? "/sys/fs/cgroup" : m == CG_MODE_HYBRID ? "/sys/fs/cgroup/unified" : NULL;
}

static int probe_devices(void)
{
	int fd;
	if ((fd = open("/dev/null", O_RDONLY)) < 0)
		return 1;
	close(fd);
	if (open("/dev/null", O_WRONLY) >= 0 || errno != EPERM)
		return 2;
	if ((fd = open("/dev/zero", O_RDWR)) < 0)
		return 3;
	close(fd);
	if (open("/dev/full", O_RDONLY) >= 0 || errno != EPERM)
		return 4;
	return 0;
}

START_TEST(test_device_filter)
{
	const rt_device_rule rules[] = {
		{.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "r"},
		{.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rwm"},
		{.allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm"},
	};
	struct bpf_insn *prog = NULL;
	size_t len = 0;
	devices_bpf_program(rules, 4, &prog, &len);
	ck_assert_uint_gt(len, 6 + 4 * 5);
	ck_assert_int_eq(prog[len - 1].code, BPF_JMP | BPF_EXIT);
	free(prog);
	const char *root2 = cgroup2_root();
	if (geteuid() != 0 || !root2)
		return; /* loading needs root and a cgroup2 hierarchy */
	_cleanup_err_ err_t *e = NULL;
	_cleanup_free_ char *dir = xasprintf("%s/engine-unit-bpf-%d", root2, (int)getpid());
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	int r = devices_bpf_apply(dir, rules, 4, &e), st = 0;
	if (r == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			_cleanup_free_ char *procs = fs_path_join(dir, "cgroup.procs");
			int fd = open(procs, O_WRONLY);
			_exit(fd < 0 || write(fd, "0", 1) != 1 ? 9 : probe_devices());
		}
		waitpid(pid, &st, 0);
	}
	rmdir(dir); /* before any assertion: a failed one ends this process */
	ck_assert_msg(r == 0, "%s", err_msg(e));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_cgroups");
	TCase *tc = tcase_create("v2-fake-tree");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_and_limits);
	tcase_add_test(tc, test_unlimited_values);
	tcase_add_test(tc, test_runtime_ops);
	tcase_add_test(tc, test_destroy_and_refusals);
	tcase_add_test(tc, test_weight_and_detect);
	suite_add_tcase(s, tc);
	TCase *bpf = tcase_create("device-filter");
	tcase_add_test(bpf, test_device_filter);
	suite_add_tcase(s, bpf);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
