/* bundle.c: the OCI config.json of a container (see bundle.h): process,
 * root, hostname, mounts, namespaces, resources and our annotations (the
 * overlay rootfs, --init, --user), assembled from the parts in bundle_*.c. */
#include "bundle.h"

#include <stdio.h>
#include <string.h>

#include "bundle_internal.h"
#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int check_restart_policy(json_object *hc, err_t **err)
{
	json_object *rp = jget_obj(hc, "RestartPolicy");
	const char *name = jget_str(rp, "Name");
	int64_t max = jget_int(rp, "MaximumRetryCount", 0);
	if (name && *name && strcmp(name, "no") && strcmp(name, "always") &&
	    strcmp(name, "unless-stopped") && strcmp(name, "on-failure"))
		return err_invalid(err, "invalid restart policy: unknown policy '%s'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'", name);
	if (max < 0)
		return err_invalid(err, "invalid restart policy: maximum retry count can't be negative");
	if (max > 0 && (!name || strcmp(name, "on-failure")))
		return err_invalid(err, "invalid restart policy: maximum retry count can only be used with 'on-failure'");
	if (jget_bool(hc, "AutoRemove", false) && name && *name && strcmp(name, "no"))
		return err_invalid(err, "can't create 'AutoRemove' container with restart policy");
	return 0;
}

static int check_modes(json_object *hc, err_t **err)
{
	const char *lt = jget_str(jget_obj(hc, "LogConfig"), "Type");
	if (lt && *lt && strcmp(lt, "json-file") && strcmp(lt, "none"))
		return err_invalid(err, "logging driver %s is not supported by engine: use json-file or none", lt);
	static const char *const keys[] = {"PidMode", "IpcMode", "UTSMode"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *m = jget_str(hc, keys[i]);
		if (m && *m && strcmp(m, "host") && strcmp(m, "private") && strcmp(m, "shareable"))
			return err_invalid(err, "invalid %s: %s: only \"host\" and \"private\" are supported by engine", keys[i], m);
	}
	json_object *ga = jget_arr(hc, "GroupAdd");
	for (size_t i = 0; ga && i < json_object_array_length(ga); i++) {
		const char *g = json_object_get_string(json_object_array_get_idx(ga, i));
		if (!*g || strlen(g) > 256 || strpbrk(g, ",:\n"))
			return err_invalid(err, "invalid group name in --group-add: %s", g);
	}
	return 0;
}

int bundle_check(json_object *config, json_object *hc, const char *const *forbidden, err_t **err)
{
	(void)config;
	if (check_restart_policy(hc, err) < 0 || check_modes(hc, err) < 0 ||
	    bundle_check_mounts(hc, forbidden, err) < 0 || bundle_check_security(hc, err) < 0 ||
	    bundle_check_resources(hc, err) < 0)
		return -1;
	return 0;
}

/* moby's CreateDaemonEnvironment: PATH, HOSTNAME, TERM, then the Config's
 * Env replacing or adding by key. */
static json_object *process_env(json_object *config)
{
	json_object *user = jget_arr(config, "Env");
	size_t cap = 4 + (user ? json_object_array_length(user) : 0);
	_cleanup_strv_ char **env = xcalloc(cap, sizeof(char *));
	size_t n = 0;
	env[n++] = xstrdup(DEFAULT_PATH);
	env[n++] = xasprintf("HOSTNAME=%s", jget_str(config, "Hostname") ?: "");
	if (jget_bool(config, "Tty", false))
		env[n++] = xstrdup("TERM=xterm");
	for (size_t i = 0; user && i < json_object_array_length(user); i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(user, i));
		size_t kl = strcspn(kv, "=");
		size_t k = 0;
		for (; k < n; k++)
			if (!strncmp(env[k], kv, kl) && (env[k][kl] == '=' || env[k][kl] == '\0'))
				break;
		if (!strchr(kv, '='))
			continue; /* "KEY" alone: Docker unsets it (the CLI already expanded -e KEY) */
		if (k < n) {
			free(env[k]);
			env[k] = xstrdup(kv);
		} else {
			env[n++] = xstrdup(kv);
		}
	}
	env[n] = NULL;
	return jstrv(env);
}

static bool is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 10;
}

/* --group-add: numbers go into process.user.additionalGids, names into
 * an annotation the runtime resolves in the container's /etc/group. */
static json_object *numeric_groups(json_object *ga)
{
	json_object *gids = NULL;
	for (size_t i = 0; ga && i < json_object_array_length(ga); i++) {
		const char *g = json_object_get_string(json_object_array_get_idx(ga, i));
		if (!is_number(g))
			continue;
		if (!gids)
			gids = json_object_new_array();
		json_object_array_add(gids, json_object_new_int64(strtoll(g, NULL, 10)));
	}
	return gids;
}

static char *group_names(json_object *ga)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; ga && i < json_object_array_length(ga); i++) {
		const char *g = json_object_get_string(json_object_array_get_idx(ga, i));
		if (!is_number(g))
			sb_printf(&sb, "%s%s", sb.len ? "," : "", g);
	}
	return sb.len ? sb_steal(&sb) : (sb_free(&sb), NULL);
}

static json_object *process_json(const container *c, err_t **err)
{
	json_object *cfg = c->config, *hc = c->host_config;
	json_object *p = json_object_new_object();
	jset_bool(p, "terminal", jget_bool(cfg, "Tty", false));
	json_object *user = json_object_new_object();
	jset_int(user, "uid", 0);
	jset_int(user, "gid", 0);
	json_object *gids = numeric_groups(jget_arr(hc, "GroupAdd"));
	if (gids)
		jset(user, "additionalGids", gids);
	jset(p, "user", user);
	json_object *args = json_object_new_array();
	json_object_array_add(args, jstr(c->path));
	for (char **a = c->args; a && *a; a++)
		json_object_array_add(args, jstr(*a));
	jset(p, "args", args);
	jset(p, "env", process_env(cfg));
	const char *wd = jget_str(cfg, "WorkingDir");
	jset_str(p, "cwd", wd && *wd ? wd : "/");
	json_object *caps = bundle_capabilities(hc, err);
	if (!caps) {
		json_object_put(p);
		return NULL;
	}
	jset(p, "capabilities", caps);
	jset(p, "rlimits", bundle_rlimits(hc, err));
	if (jget_int(hc, "OomScoreAdj", 0))
		jset_int(p, "oomScoreAdj", jget_int(hc, "OomScoreAdj", 0));
	/* HostConfig.ConsoleSize [height, width]: the pty's size from the start,
	 * so the first prompt already fits the client's terminal. */
	json_object *cs = jget_arr(hc, "ConsoleSize");
	if (jget_bool(cfg, "Tty", false) && cs && json_object_array_length(cs) == 2) {
		int64_t h = json_object_get_int64(json_object_array_get_idx(cs, 0));
		int64_t w = json_object_get_int64(json_object_array_get_idx(cs, 1));
		if (h > 0 && w > 0 && h <= 65535 && w <= 65535) {
			json_object *box = json_object_new_object();
			jset_int(box, "height", h);
			jset_int(box, "width", w);
			jset(p, "consoleSize", box);
		}
	}
	return p;
}

static json_object *ns(const char *type, const char *path)
{
	json_object *n = json_object_new_object();
	jset_str(n, "type", type);
	if (path)
		jset_str(n, "path", path);
	return n;
}

static bool mode_is(json_object *hc, const char *key, const char *value)
{
	const char *m = jget_str(hc, key);
	return m && !strcmp(m, value);
}

static json_object *namespaces(json_object *hc, const bundle_opts *o)
{
	json_object *a = json_object_new_array();
	json_object_array_add(a, ns("mount", NULL));
	if (!mode_is(hc, "NetworkMode", "host"))
		json_object_array_add(a, ns("network", o->netns_path));
	if (!mode_is(hc, "UTSMode", "host"))
		json_object_array_add(a, ns("uts", NULL));
	if (!mode_is(hc, "PidMode", "host"))
		json_object_array_add(a, ns("pid", NULL));
	if (!mode_is(hc, "IpcMode", "host"))
		json_object_array_add(a, ns("ipc", NULL));
	/* Docker gives a private cgroup namespace on v2 and the host's on v1. */
	const char *cg = jget_str(hc, "CgroupnsMode");
	if ((cg && !strcmp(cg, "private")) || ((!cg || !*cg) && o->cgroup_version == 2))
		json_object_array_add(a, ns("cgroup", NULL));
	return a;
}

static json_object *strv_json(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		json_object_array_add(a, jstr(*v));
	return a;
}

static const char *const masked_paths[] = {
	"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/sys/firmware", "/sys/devices/virtual/powercap", NULL,
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static json_object *linux_json(const container *c, const bundle_opts *o)
{
	json_object *hc = c->host_config;
	bool priv = jget_bool(hc, "Privileged", false);
	json_object *l = json_object_new_object();
	jset(l, "resources", bundle_resources(hc, priv));
	const char *parent = jget_str(hc, "CgroupParent");
	_cleanup_free_ char *cg = xasprintf("%s/%s", parent && *parent ? parent : o->cgroup_parent, c->id);
	jset_str(l, "cgroupsPath", cg);
	jset(l, "namespaces", namespaces(hc, o));
	jset(l, "maskedPaths", priv ? json_object_new_array() : strv_json(masked_paths));
	jset(l, "readonlyPaths", priv ? json_object_new_array() : strv_json(readonly_paths));
	json_object *sysctls = jget_obj(hc, "Sysctls");
	if (sysctls)
		jset(l, "sysctl", json_object_get(sysctls));
	return l;
}

static json_object *bind_file(const char *dir, const char *name, const char *dst, bool ro)
{
	json_object *m = json_object_new_object();
	_cleanup_free_ char *src = fs_path_join(dir, name);
	jset_str(m, "destination", dst);
	jset_str(m, "type", "bind");
	jset_str(m, "source", src);
	json_object *opts = json_object_new_array();
	json_object_array_add(opts, jstr("rbind"));
	json_object_array_add(opts, jstr("rprivate"));
	json_object_array_add(opts, jstr(ro ? "ro" : "rw"));
	jset(m, "options", opts);
	return m;
}

static json_object *mounts_json(const container *c, const bundle_opts *o, err_t **err)
{
	json_object *hc = c->host_config;
	json_object *m = bundle_default_mounts(hc, jget_bool(hc, "Privileged", false));
	bool ro = jget_bool(hc, "ReadonlyRootfs", false);
	json_object_array_add(m, bind_file(c->dir, "resolv.conf", "/etc/resolv.conf", ro));
	json_object_array_add(m, bind_file(c->dir, "hostname", "/etc/hostname", ro));
	json_object_array_add(m, bind_file(c->dir, "hosts", "/etc/hosts", ro));
	if (bundle_user_mounts(hc, m, o->volume_path, o->volume_ctx, err) < 0) {
		json_object_put(m);
		return NULL;
	}
	return m;
}

static json_object *annotations(const container *c, const bundle_opts *o)
{
	json_object *a = json_object_new_object();
	_cleanup_sb_ strbuf lowers = STRBUF_INIT;
	size_t n = 0;
	while (o->lowers && o->lowers[n])
		n++;
	for (size_t i = n; i > 0; i--)
		sb_printf(&lowers, "%s%s", i == n ? "" : ":", o->lowers[i - 1]);
	jset_str(a, "org.engine.rootfs.lowerdirs", sb_str(&lowers));
	_cleanup_free_ char *upper = fs_path_join(c->dir, "upper");
	_cleanup_free_ char *work = fs_path_join(c->dir, "work");
	jset_str(a, "org.engine.rootfs.upperdir", upper);
	jset_str(a, "org.engine.rootfs.workdir", work);
	if (jget_bool(c->host_config, "Init", false))
		jset_str(a, "org.engine.init", "true");
	const char *user = jget_str(c->config, "User");
	if (user && *user)
		jset_str(a, "org.engine.user", user);
	_cleanup_free_ char *names = group_names(jget_arr(c->host_config, "GroupAdd"));
	if (names)
		jset_str(a, "org.engine.group-add", names);
	return a;
}

static json_object *spec_json(const container *c, const bundle_opts *o, err_t **err)
{
	_cleanup_json_ json_object *s = json_object_new_object();
	jset_str(s, "ociVersion", "1.0.2");
	json_object *proc = process_json(c, err);
	if (!proc)
		return NULL;
	jset(s, "process", proc);
	json_object *root = json_object_new_object();
	_cleanup_free_ char *rootfs = fs_path_join(c->dir, "rootfs");
	jset_str(root, "path", rootfs);
	jset_bool(root, "readonly", jget_bool(c->host_config, "ReadonlyRootfs", false));
	jset(s, "root", root);
	jset_str(s, "hostname", jget_str(c->config, "Hostname"));
	json_object *mounts = mounts_json(c, o, err);
	if (!mounts)
		return NULL;
	jset(s, "mounts", mounts);
	json_object *ann = annotations(c, o);
	jset(s, "annotations", ann);
	json_object *lx = linux_json(c, o);
	jset(s, "linux", lx);
	if (bundle_security(c->host_config, proc, lx, ann, err) < 0)
		return NULL;
	return steal_ptr(&s);
}

int bundle_write(const container *c, const bundle_opts *o, err_t **err)
{
	static const char *const dirs[] = {"rootfs", "upper", "work"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *d = fs_path_join(c->dir, dirs[i]);
		if (fs_mkdir_p(d, 0755, err) < 0)
			return -1;
	}
	_cleanup_json_ json_object *spec = spec_json(c, o, err);
	if (!spec)
		return -1;
	_cleanup_free_ char *path = fs_path_join(c->dir, "config.json");
	const char *text = jdump(spec);
	/* The bundle is rebuilt at every start: no fsync needed. */
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return err_sys(err, "create %s", tmp);
	size_t len = strlen(text);
	bool ok = fwrite(text, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0)
		return err_sys(err, "write %s", path);
	return 0;
}
