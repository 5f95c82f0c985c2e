/* bundle_mounts.c: the container's mounts. Docker's defaults (/proc, /dev,
 * /dev/pts, /sys, /sys/fs/cgroup, /dev/mqueue, /dev/shm), then the user's:
 * Binds ("src:dst[:opts]"), Mounts (type bind or tmpfs) and Tmpfs. Checks
 * follow Docker's messages; beyond Docker, a bind of /proc or of the API
 * socket is refused. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle_internal.h"
#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "names.h"
#include "strbuf.h"
#include "xalloc.h"

static json_object *mount_obj(const char *dst, const char *type, const char *src,
			      const char *const *opts)
{
	json_object *m = json_object_new_object();
	jset_str(m, "destination", dst);
	jset_str(m, "type", type);
	jset_str(m, "source", src);
	json_object *o = json_object_new_array();
	for (; opts && *opts; opts++)
		json_object_array_add(o, jstr(*opts));
	jset(m, "options", o);
	return m;
}

json_object *bundle_default_mounts(json_object *hc, bool privileged)
{
	json_object *a = json_object_new_array();
	static const char *const proc[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5", NULL};
	static const char *const sys_ro[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_rw[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const cg_ro[] = {"ro", "nosuid", "noexec", "nodev", NULL};
	static const char *const cg_rw[] = {"nosuid", "noexec", "nodev", NULL};
	json_object_array_add(a, mount_obj("/proc", "proc", "proc", proc));
	json_object_array_add(a, mount_obj("/dev", "tmpfs", "tmpfs", dev));
	json_object_array_add(a, mount_obj("/dev/pts", "devpts", "devpts", pts));
	json_object_array_add(a, mount_obj("/sys", "sysfs", "sysfs", privileged ? sys_rw : sys_ro));
	json_object_array_add(a, mount_obj("/sys/fs/cgroup", "cgroup", "cgroup", privileged ? cg_rw : cg_ro));
	json_object_array_add(a, mount_obj("/dev/mqueue", "mqueue", "mqueue", proc));
	int64_t shm = jget_int(hc, "ShmSize", 0);
	_cleanup_free_ char *size = xasprintf("size=%lld", (long long)(shm > 0 ? shm : 67108864));
	const char *shm_opts[] = {"nosuid", "noexec", "nodev", "mode=1777", size, NULL};
	json_object_array_add(a, mount_obj("/dev/shm", "tmpfs", "shm", shm_opts));
	return a;
}

typedef struct bind_spec {
	char *src, *dst;
	bool ro;
	const char *propagation; /* "rprivate" by default */
} bind_spec;

static void bind_spec_done(bind_spec *b)
{
	free(b->src);
	free(b->dst);
}

static const char *const propagations[] = {"shared", "rshared", "slave", "rslave", "private",
					   "rprivate", NULL};

static const char *known_propagation(const char *p)
{
	for (const char *const *k = propagations; *k; k++)
		if (!strcmp(*k, p))
			return *k;
	return NULL;
}

static int parse_mode(const char *spec, const char *mode, bind_spec *b, err_t **err)
{
	_cleanup_free_ char *copy = xstrdup(mode);
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "ro"))
			b->ro = true;
		else if (!strcmp(o, "rw"))
			b->ro = false;
		else if (known_propagation(o))
			b->propagation = known_propagation(o);
		else if (strcmp(o, "z") && strcmp(o, "Z") && strcmp(o, "nocopy") && strcmp(o, "consistent") &&
			 strcmp(o, "cached") && strcmp(o, "delegated"))
			return err_invalid(err, "invalid volume specification: '%s': invalid mode: %s", spec, mode);
	}
	return 0;
}

static int check_dst(const char *spec, const char *dst, err_t **err)
{
	if (dst[0] != '/')
		return err_invalid(err, "invalid volume specification: '%s': invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute",
				   spec, dst);
	if (!strcmp(dst, "/"))
		return err_invalid(err, "invalid volume specification: '%s': invalid mount config for type \"bind\": destination can't be '/'",
				   spec);
	return 0;
}

/* "src:dst[:mode]" as docker -v gives it. */
static int parse_bind(const char *spec, bind_spec *b, err_t **err)
{
	memset(b, 0, sizeof(*b));
	b->propagation = "rprivate";
	_cleanup_strv_ char **parts = xcalloc(4, sizeof(char *));
	size_t n = 0;
	const char *p = spec;
	while (n < 3) {
		const char *colon = strchr(p, ':');
		parts[n++] = colon ? xstrndup(p, (size_t)(colon - p)) : xstrdup(p);
		if (!colon)
			break;
		p = colon + 1;
		if (n == 3)
			return err_invalid(err, "invalid volume specification: '%s'", spec);
	}
	if (n < 2 || !*parts[0] || !*parts[1])
		return err_invalid(err, "invalid volume specification: '%s'", spec);
	if (parts[0][0] != '/' && !names_valid(parts[0]))
		return err_invalid(err, "create %s: \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
				   parts[0], parts[0]);
	if (check_dst(spec, parts[1], err) < 0)
		return -1;
	if (n == 3 && parse_mode(spec, parts[2], b, err) < 0)
		return -1;
	b->src = xstrdup(parts[0]);
	b->dst = xstrdup(parts[1]);
	return 0;
}

/* The path with symlinks resolved as far as it exists. */
static char *resolve_existing(const char *path)
{
	char buf[PATH_MAX];
	if (realpath(path, buf))
		return xstrdup(buf);
	return xstrdup(path);
}

static int check_source(const char *src, const char *const *forbidden, err_t **err)
{
	if (src[0] != '/')
		return 0; /* a volume name */
	_cleanup_free_ char *real = resolve_existing(src);
	if (!strcmp(real, "/proc") || !strncmp(real, "/proc/", 6))
		return err_invalid(err, "bind mount of %s refused: /proc of the host is not shared with containers", src);
	for (const char *const *f = forbidden; f && *f; f++) {
		_cleanup_free_ char *fr = resolve_existing(*f);
		size_t l = strlen(real);
		/* The socket itself, or a folder that holds it. */
		if (!strcmp(real, fr) || (!strncmp(fr, real, l) && (fr[l] == '/' || l == 1)))
			return err_invalid(err, "bind mount of %s refused: it exposes the engine API socket %s", src, *f);
	}
	return 0;
}

static json_object *bind_obj(const bind_spec *b)
{
	const char *opts[] = {"rbind", b->propagation, b->ro ? "ro" : "rw", NULL};
	return mount_obj(b->dst, "bind", b->src, opts);
}

static int check_mounts_list(json_object *ms, const char *const *forbidden, err_t **err)
{
	for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		const char *type = jget_str(m, "Type"), *target = jget_str(m, "Target");
		const char *src = jget_str(m, "Source");
		if (!json_object_is_type(m, json_type_object) || !type || !target)
			return err_invalid(err, "invalid mount config: Type and Target are required");
		if (check_dst(target, target, err) < 0)
			return -1;
		if (!strcmp(type, "bind")) {
			if (!src || src[0] != '/')
				return err_invalid(err, "invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute", src ? src : "");
			struct stat st;
			if (stat(src, &st) < 0)
				return err_invalid(err, "invalid mount config for type \"bind\": bind source path does not exist: %s", src);
			if (check_source(src, forbidden, err) < 0)
				return -1;
		} else if (!strcmp(type, "volume")) {
			if (src && *src && !names_valid(src))
				return err_invalid(err, "invalid mount config for type \"volume\": invalid volume name: %s", src);
		} else if (strcmp(type, "tmpfs") != 0) {
			return err_invalid(err, "invalid mount config: mount type %s is not supported by engine yet", type);
		}
	}
	return 0;
}

int bundle_check_mounts(json_object *hc, const char *const *forbidden, err_t **err)
{
	json_object *binds = jget_arr(hc, "Binds");
	for (size_t i = 0; binds && i < json_object_array_length(binds); i++) {
		bind_spec b;
		const char *spec = json_object_get_string(json_object_array_get_idx(binds, i));
		if (parse_bind(spec, &b, err) < 0)
			return -1;
		int r = check_source(b.src, forbidden, err);
		bind_spec_done(&b);
		if (r < 0)
			return -1;
	}
	json_object *tmpfs = jget_obj(hc, "Tmpfs");
	if (jget(hc, "Tmpfs") && !tmpfs && !json_object_is_type(jget(hc, "Tmpfs"), json_type_null))
		return err_invalid(err, "invalid JSON: HostConfig.Tmpfs must be an object of strings");
	json_object_object_foreach(jobj_or_empty(tmpfs), dst, opts) {
		if (!json_object_is_type(opts, json_type_string))
			return err_invalid(err, "invalid JSON: HostConfig.Tmpfs must be an object of strings");
		if (check_dst(dst, dst, err) < 0)
			return -1;
	}
	json_object *ms = jget(hc, "Mounts");
	if (ms && !json_object_is_type(ms, json_type_null) && !json_object_is_type(ms, json_type_array))
		return err_invalid(err, "invalid JSON: HostConfig.Mounts must be an array");
	return check_mounts_list(jget_arr(hc, "Mounts"), forbidden, err);
}

/* "rw,size=64m,mode=1777" -> options array with nosuid,nodev,noexec first. */
static json_object *tmpfs_obj(const char *dst, const char *opts)
{
	_cleanup_strv_ char **o = xcalloc(strlen(opts) + 8, sizeof(char *));
	size_t n = 0;
	o[n++] = xstrdup("nosuid");
	o[n++] = xstrdup("nodev");
	o[n++] = xstrdup("noexec");
	_cleanup_free_ char *copy = xstrdup(opts);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		o[n++] = xstrdup(t);
	return mount_obj(dst, "tmpfs", "tmpfs", (const char *const *)o);
}

static int add_mounts_list(json_object *ms, json_object *out, bundle_volume_fn vol, void *vol_ctx,
			   err_t **err)
{
	for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		const char *type = jget_str(m, "Type");
		bool ro = jget_bool(m, "ReadOnly", false);
		if (!strcmp(type, "volume")) {
			_cleanup_free_ char *path = vol(vol_ctx, jget_str(m, "Source"), err);
			if (!path)
				return -1;
			bind_spec b = {.src = path, .dst = (char *)jget_str(m, "Target"), .ro = ro,
				       .propagation = "rprivate"};
			json_object_array_add(out, bind_obj(&b));
			continue;
		}
		if (!strcmp(type, "bind")) {
			const char *prop = jget_str(jget_obj(m, "BindOptions"), "Propagation");
			bind_spec b = {.src = (char *)jget_str(m, "Source"), .dst = (char *)jget_str(m, "Target"),
				       .ro = ro, .propagation = prop && known_propagation(prop) ? known_propagation(prop) : "rprivate"};
			json_object_array_add(out, bind_obj(&b));
			continue;
		}
		json_object *to = jget_obj(m, "TmpfsOptions");
		_cleanup_sb_ strbuf opts = STRBUF_INIT;
		sb_puts(&opts, ro ? "ro" : "rw");
		if (jget_int(to, "SizeBytes", 0) > 0)
			sb_printf(&opts, ",size=%lld", (long long)jget_int(to, "SizeBytes", 0));
		if (jget_int(to, "Mode", 0) > 0)
			sb_printf(&opts, ",mode=%llo", (long long)jget_int(to, "Mode", 0));
		json_object_array_add(out, tmpfs_obj(jget_str(m, "Target"), sb_str(&opts)));
	}
	return 0;
}

int bundle_user_mounts(json_object *hc, json_object *out, bundle_volume_fn vol, void *vol_ctx,
		       err_t **err)
{
	json_object *binds = jget_arr(hc, "Binds");
	for (size_t i = 0; binds && i < json_object_array_length(binds); i++) {
		bind_spec b;
		if (parse_bind(json_object_get_string(json_object_array_get_idx(binds, i)), &b, err) < 0)
			return -1;
		int r = 0;
		if (b.src[0] != '/') {
			/* A named volume, created on first use as docker run -v does. */
			char *path = vol(vol_ctx, b.src, err);
			r = path ? 0 : -1;
			if (path) {
				free(b.src);
				b.src = path;
			}
		} else {
			/* docker -v creates a missing host directory. */
			struct stat st;
			r = stat(b.src, &st) == 0 ? 0 : fs_mkdir_p(b.src, 0755, err);
		}
		if (r == 0)
			json_object_array_add(out, bind_obj(&b));
		bind_spec_done(&b);
		if (r < 0)
			return -1;
	}
	if (add_mounts_list(jget_arr(hc, "Mounts"), out, vol, vol_ctx, err) < 0)
		return -1;
	json_object_object_foreach(jobj_or_empty(jget_obj(hc, "Tmpfs")), dst, opts)
		json_object_array_add(out, tmpfs_obj(dst, json_object_get_string(opts)));
	return 0;
}
