/* system.c: facts for /version, /info and /system/df (see system.h). Every
 * value is read from the host or the engine's tables at the time of the call;
 * none is a constant standing in for a measurement. */
#include "system.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "containers.h"
#include "volumes.h"
#include "fsutil.h"
#include "image.h"
#include "sysinfo.h"
#include "system.h"
#include "api/system.h"
#include "xalloc.h"

#ifndef ENGINE_GIT_COMMIT
#define ENGINE_GIT_COMMIT "unknown"
#endif

json_object *system_version_json(engine *e)
{
	(void)e;
	sysinfo_facts f;
	sysinfo_read(&f);
	api_version_info v = {
		.version = ENGINE_VERSION,
		.git_commit = ENGINE_GIT_COMMIT,
		.build_time = __DATE__ " " __TIME__,
		.os = "linux",
		.arch = sysinfo_goarch(f.arch),
		.kernel = f.kernel,
	};
	return api_version_render(&v);
}

static int count_dir_entries(const char *path)
{
	_cleanup_closedir_ DIR *d = opendir(path);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	return n;
}

static bool read_flag_file(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	int c = f ? fgetc(f) : EOF;
	return c == '1';
}

static const char *backing_fs(const char *root)
{
	struct statfs st;
	if (statfs(root, &st) < 0)
		return "unknown";
	switch (st.f_type) {
	case EXT4_SUPER_MAGIC: return "extfs";
	case XFS_SUPER_MAGIC: return "xfs";
	case BTRFS_SUPER_MAGIC: return "btrfs";
	case TMPFS_MAGIC: return "tmpfs";
	default: return "unknown";
	}
}

/* The data root's filesystem does not change under a running daemon. */
static const char *backing_fs_once(const char *root)
{
	static const char *_Atomic known;
	const char *v = known;
	if (!v) {
		v = backing_fs(root);
		known = v;
	}
	return v;
}

/* RFC 3339 with nanoseconds in local time, as Go's time.Now().Format(RFC3339Nano). */
static void now_rfc3339_local(char *out, size_t n)
{
	struct timespec ts;
	struct tm tm;
	char date[64], zone[40];
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (tm.tm_gmtoff == 0) {
		snprintf(zone, sizeof(zone), "Z");
	} else {
		long off = tm.tm_gmtoff;
		snprintf(zone, sizeof(zone), "%c%02d:%02d", off < 0 ? '-' : '+', (int)(labs(off) / 3600 % 100),
			 (int)((labs(off) % 3600) / 60));
	}
	char frac[16];
	snprintf(frac, sizeof(frac), "%09ld", ts.tv_nsec);
	for (int i = 8; i >= 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	snprintf(out, n, "%s%s%s%s", date, frac[0] ? "." : "", frac, zone);
}

static void cgroup_caps_read(api_info *i, int version)
{
	if (version == 2) {
		_cleanup_free_ char *ctl = NULL;
		_cleanup_err_ err_t *err = NULL;
		fs_read_file("/sys/fs/cgroup/cgroup.controllers", 4096, &ctl, NULL, &err);
		const char *c = ctl ? ctl : "";
		i->memory_limit = strstr(c, "memory") != NULL;
		i->swap_limit = i->memory_limit && fs_exists("/sys/fs/cgroup/init.scope/memory.swap.max");
		i->cpu_cfs_period = i->cpu_cfs_quota = i->cpu_shares = strstr(c, "cpu") != NULL;
		i->cpu_set = strstr(c, "cpuset") != NULL;
		i->pids_limit = strstr(c, "pids") != NULL;
		return;
	}
	i->memory_limit = fs_exists("/sys/fs/cgroup/memory/memory.limit_in_bytes");
	i->swap_limit = fs_exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes");
	i->cpu_cfs_period = fs_exists("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
	i->cpu_cfs_quota = fs_exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
	i->cpu_shares = fs_exists("/sys/fs/cgroup/cpu/cpu.shares");
	i->cpu_set = fs_exists("/sys/fs/cgroup/cpuset/cpuset.cpus");
	i->pids_limit = fs_exists("/sys/fs/cgroup/pids");
	i->oom_kill_disable = fs_exists("/sys/fs/cgroup/memory/memory.oom_control");
}

/* What the cgroup hierarchy offers is fixed once we run: read it once. */
static api_info caps_cache;
static int caps_version;
static pthread_once_t caps_once = PTHREAD_ONCE_INIT;

static void caps_init(void)
{
	cgroup_caps_read(&caps_cache, caps_version);
}

static void cgroup_caps(api_info *i, int version)
{
	caps_version = version;
	pthread_once(&caps_once, caps_init);
	i->memory_limit = caps_cache.memory_limit;
	i->swap_limit = caps_cache.swap_limit;
	i->cpu_cfs_period = caps_cache.cpu_cfs_period;
	i->cpu_cfs_quota = caps_cache.cpu_cfs_quota;
	i->cpu_shares = caps_cache.cpu_shares;
	i->cpu_set = caps_cache.cpu_set;
	i->pids_limit = caps_cache.pids_limit;
	i->oom_kill_disable = caps_cache.oom_kill_disable;
}

/* Counters and switches read from /proc: fresh to within a second. Reading
 * them costs five file opens, more than the rest of /info together. */
typedef struct live_facts {
	int64_t read_at_ns;
	bool ipv4_forwarding, nf_iptables, nf_ip6tables;
	int64_t nfd, nthreads;
} live_facts;

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static live_facts live;

static live_facts live_read(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int64_t now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	pthread_mutex_lock(&live_lock);
	if (!live.read_at_ns || now - live.read_at_ns > 1000000000LL) {
		live.ipv4_forwarding = read_flag_file("/proc/sys/net/ipv4/ip_forward");
		live.nf_iptables = read_flag_file("/proc/sys/net/bridge/bridge-nf-call-iptables");
		live.nf_ip6tables = read_flag_file("/proc/sys/net/bridge/bridge-nf-call-ip6tables");
		live.nfd = count_dir_entries("/proc/self/fd");
		live.nthreads = count_dir_entries("/proc/self/task");
		live.read_at_ns = now;
	}
	live_facts copy = live;
	pthread_mutex_unlock(&live_lock);
	return copy;
}

static const char *env_or_empty(const char *a, const char *b)
{
	const char *v = getenv(a);
	if (!v)
		v = getenv(b);
	return v ? v : "";
}

char *system_info_text(engine *e)
{
	sysinfo_facts f;
	sysinfo_read(&f);
	engine_config *cfg = engine_config_get(e);
	char now[160], cgv[4];
	now_rfc3339_local(now, sizeof(now));
	snprintf(cgv, sizeof(cgv), "%d", f.cgroup_version);
	char *sec_v1[] = {"name=seccomp,profile=builtin", NULL};
	char *sec_v2[] = {"name=seccomp,profile=builtin", "name=cgroupns", NULL};
	char *none[] = {NULL};
	live_facts lf = live_read();
	api_info i = {
		.id = e->id,
		.name = f.hostname,
		.images = e->images ? (int64_t)img_count(e->images) : 0,
		.server_version = ENGINE_VERSION,
		.driver = "overlay2",
		.backing_fs = backing_fs_once(e->data_root),
		.ipv4_forwarding = lf.ipv4_forwarding,
		.bridge_nf_iptables = lf.nf_iptables,
		.bridge_nf_ip6tables = lf.nf_ip6tables,
		.debug = cfg->debug,
		.live_restore = cfg->live_restore,
		.nfd = lf.nfd,
		.nthreads = lf.nthreads,
		.system_time = now,
		.logging_driver = cfg->log_driver,
		.cgroup_driver = "cgroupfs",
		.cgroup_version = cgv,
		.kernel = f.kernel,
		.os_name = f.os_name,
		.os_version = f.os_version,
		.os_type = "linux",
		.arch = f.arch,
		.ncpu = f.ncpu,
		.mem_total = f.mem_total,
		.root_dir = e->data_root,
		.labels = cfg->labels,
		.insecure_registries = cfg->insecure_registries,
		.mirrors = cfg->registry_mirrors,
		.security_options = f.cgroup_version == 2 ? sec_v2 : sec_v1,
		.warnings = none,
		.http_proxy = env_or_empty("HTTP_PROXY", "http_proxy"),
		.https_proxy = env_or_empty("HTTPS_PROXY", "https_proxy"),
		.no_proxy = env_or_empty("NO_PROXY", "no_proxy"),
	};
	if (e->containers)
		ctr_counts(e->containers, &i.containers, &i.running, &i.paused, &i.stopped);
	cgroup_caps(&i, f.cgroup_version);
	char *text = api_info_text(&i);
	config_free(cfg);
	return text;
}

json_object *system_df_json(engine *e, const char **types, err_t **err)
{
	static const char *const known[] = {"container", "image", "volume", "build-cache"};
	bool want_images = !types || !*types, want_ctrs = want_images, want_vols = want_images;
	for (const char **t = types; t && *t; t++) {
		bool ok = false;
		for (size_t k = 0; k < ARRAY_SIZE(known); k++)
			ok |= !strcmp(*t, known[k]);
		if (!ok) {
			err_invalid(err, "unknown object type: %s", *t);
			return NULL;
		}
		want_images |= !strcmp(*t, "image");
		want_ctrs |= !strcmp(*t, "container");
		want_vols |= !strcmp(*t, "volume");
	}
	int64_t layers_size = 0;
	json_object *images = NULL;
	if (want_images && e->images) {
		images = img_disk_usage(e->images, &layers_size, err);
		if (!images)
			return NULL;
	}
	json_object *ctrs = NULL;
	if (want_ctrs && e->containers) {
		ctrs = ctr_list(e->containers, true, 0, true, NULL, err);
		if (!ctrs) {
			if (images)
				json_object_put(images);
			return NULL;
		}
	}
	json_object *vols = want_vols && e->volumes ? vol_disk_usage(e->volumes, NULL) : NULL;
	return api_df_render(layers_size, images, ctrs, vols, NULL);
}
