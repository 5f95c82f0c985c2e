/* ctr_create.c: POST /containers/create. The body's Config and HostConfig
 * are normalised (api/schema), merged with the image's config by Docker's
 * rules, checked (bundle_check), given Docker's defaults, and saved with the
 * container's own files (hostname, hosts, resolv.conf) before the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "cleanup.h"
#include "ctr_internal.h"
#include "fsutil.h"
#include "image.h"
#include "jsonutil.h"
#include "names.h"
#include "networks.h"
#include "schema.h"
#include "strbuf.h"
#include "sysinfo.h"
#include "timeutil.h"
#include "xalloc.h"

/* Keys of "KEY=value" entries. */
static bool env_has_key(json_object *env, const char *kv)
{
	size_t kl = strcspn(kv, "=");
	for (size_t i = 0; env && i < json_object_array_length(env); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (!strncmp(e, kv, kl) && (e[kl] == '=' || e[kl] == '\0'))
			return true;
	}
	return false;
}

static bool empty_arr(json_object *a)
{
	return !a || !json_object_is_type(a, json_type_array) || json_object_array_length(a) == 0;
}

static void take(json_object *dst, const char *key, json_object *src)
{
	json_object *v = jget(src, key);
	jset(dst, key, v ? json_object_get(v) : NULL);
}

static void union_obj(json_object *dst, const char *key, json_object *img)
{
	json_object *mine = jget_obj(dst, key), *theirs = jget_obj(img, key);
	if (!theirs)
		return;
	if (!mine) {
		jset(dst, key, json_object_get(theirs));
		return;
	}
	json_object_object_foreach(theirs, k, v)
		if (!jget(mine, k))
			jset(mine, k, json_object_get(v));
}

/* moby's merge(userConf, imageConf). */
static void merge_image_config(json_object *cfg, json_object *img)
{
	const char *user = jget_str(cfg, "User");
	if (!user || !*user)
		take(cfg, "User", img);
	union_obj(cfg, "ExposedPorts", img);
	json_object *env = jget_arr(cfg, "Env"), *ienv = jget_arr(img, "Env");
	if (empty_arr(env)) {
		take(cfg, "Env", img);
	} else {
		for (size_t i = 0; ienv && i < json_object_array_length(ienv); i++) {
			json_object *e = json_object_array_get_idx(ienv, i);
			if (!env_has_key(env, json_object_get_string(e)))
				json_object_array_add(env, json_object_get(e));
		}
	}
	union_obj(cfg, "Labels", img);
	if (!jget_obj(cfg, "Labels"))
		jset(cfg, "Labels", json_object_new_object());
	if (empty_arr(jget_arr(cfg, "Entrypoint"))) {
		if (empty_arr(jget_arr(cfg, "Cmd")))
			take(cfg, "Cmd", img);
		if (!jget_arr(cfg, "Entrypoint"))
			take(cfg, "Entrypoint", img);
	}
	const char *wd = jget_str(cfg, "WorkingDir");
	if (!wd || !*wd)
		take(cfg, "WorkingDir", img);
	union_obj(cfg, "Volumes", img);
	const char *ss = jget_str(cfg, "StopSignal");
	if ((!ss || !*ss) && jget_str(img, "StopSignal"))
		take(cfg, "StopSignal", img);
	if (!jget(cfg, "Healthcheck") && jget(img, "Healthcheck"))
		take(cfg, "Healthcheck", img);
	if (!jget(cfg, "Shell") && jget(img, "Shell"))
		take(cfg, "Shell", img);
	if (empty_arr(jget_arr(cfg, "OnBuild")) && jget_arr(img, "OnBuild"))
		take(cfg, "OnBuild", img);
}

/* The kernel refuses an exec whose strings pass MAX_ARG_STRLEN (128 KiB
 * each) or, together, about a quarter of the stack limit: refuse such a
 * container at create with a clear message rather than at start with E2BIG. */
#define EXEC_STRING_MAX (128 * 1024)
#define EXEC_TOTAL_MAX (1024 * 1024)

static int check_exec_size(json_object *cfg, err_t **err)
{
	static const char *const keys[] = {"Env", "Cmd", "Entrypoint"};
	size_t total = 0;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		json_object *a = jget_arr(cfg, keys[k]);
		for (size_t i = 0; a && i < json_object_array_length(a); i++) {
			size_t l = (size_t)json_object_get_string_len(json_object_array_get_idx(a, i)) + 1;
			if (l > EXEC_STRING_MAX)
				return err_invalid(err, "an entry of %s is %zu bytes: the kernel's limit is %d", keys[k], l, EXEC_STRING_MAX);
			total += l;
		}
	}
	if (total > EXEC_TOTAL_MAX)
		return err_invalid(err, "the command and environment take %zu bytes: more than the %d bytes a process can be started with",
				   total, EXEC_TOTAL_MAX);
	return 0;
}

/* Entrypoint + Cmd -> Path and Args; [""] as entrypoint means none. */
static int command_of(json_object *cfg, char **path, char ***args, err_t **err)
{
	json_object *ep = jget_arr(cfg, "Entrypoint"), *cmd = jget_arr(cfg, "Cmd");
	if (ep && json_object_array_length(ep) == 1 &&
	    !*json_object_get_string(json_object_array_get_idx(ep, 0)))
		ep = NULL;
	size_t ne = ep ? json_object_array_length(ep) : 0, nc = cmd ? json_object_array_length(cmd) : 0;
	if (ne + nc == 0)
		return err_invalid(err, "no command specified");
	char **all = xcalloc(ne + nc + 1, sizeof(char *));
	for (size_t i = 0; i < ne; i++)
		all[i] = xstrdup(json_object_get_string(json_object_array_get_idx(ep, i)));
	for (size_t i = 0; i < nc; i++)
		all[ne + i] = xstrdup(json_object_get_string(json_object_array_get_idx(cmd, i)));
	*path = all[0];
	*args = xcalloc(ne + nc, sizeof(char *));
	for (size_t i = 1; i < ne + nc; i++)
		(*args)[i - 1] = all[i];
	free(all);
	return 0;
}

static void default_str(json_object *o, const char *key, const char *def)
{
	const char *v = jget_str(o, key);
	if (!v || !*v)
		jset_str(o, key, def);
}

/* The values Docker reports for what the client left out. */
static void apply_host_defaults(ctr_table *t, json_object *hc)
{
	default_str(hc, "NetworkMode", "default");
	default_str(jget_obj(hc, "LogConfig"), "Type", "json-file");
	default_str(jget_obj(hc, "RestartPolicy"), "Name", "no");
	default_str(hc, "CgroupnsMode", sysinfo_cgroup_version() == 2 ? "private" : "host");
	default_str(hc, "IpcMode", "private");
	default_str(hc, "Runtime", "engine");
	if (jget_int(hc, "ShmSize", 0) <= 0)
		jset_int(hc, "ShmSize", 67108864);
	if (!jget_arr(hc, "MaskedPaths") && !jget_bool(hc, "Privileged", false)) {
		static char *masked[] = {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
					 "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
					 "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
					 "/sys/devices/virtual/powercap", NULL};
		static char *ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
				     "/proc/sysrq-trigger", NULL};
		jset(hc, "MaskedPaths", jstrv(masked));
		jset(hc, "ReadonlyPaths", jstrv(ro));
	}
	if (json_object_is_type(jget(hc, "OomKillDisable"), json_type_null) && sysinfo_cgroup_version() == 1)
		jset_bool(hc, "OomKillDisable", false);
	(void)t;
}

/* Names: validated and reserved under the table lock by the caller. */
static int check_name(ctr_table *t, const char *name, err_t **err)
{
	if (!names_valid(name))
		return err_invalid(err, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	const char *bare = name[0] == '/' ? name + 1 : name;
	for (size_t i = 0; i < t->n; i++) {
		if (!strcmp(container_short_name(t->items[i]), bare))
			return err_conflict(err, "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
					    bare, t->items[i]->id);
	}
	return 0;
}

static bool name_taken(ctr_table *t, const char *bare)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(container_short_name(t->items[i]), bare))
			return true;
	return false;
}

/* Reserves a name (given or generated) by adding c to the table. */
static int table_insert(ctr_table *t, container *c, const char *name, err_t **err)
{
	pthread_mutex_lock(&t->lock);
	int r = 0;
	if (name) {
		r = check_name(t, name, err);
		if (r == 0)
			c->name = xasprintf("/%s", name[0] == '/' ? name + 1 : name);
	} else {
		for (unsigned attempt = 0; !c->name; attempt++) {
			char *n = names_generate(attempt > 0);
			if (!name_taken(t, n))
				c->name = xasprintf("/%s", n);
			free(n);
		}
	}
	if (r == 0) {
		t->items = xgrow(t->items, &t->cap, t->n + 1, sizeof(*t->items));
		t->items[t->n++] = c;
		container_ref(c);
	}
	pthread_mutex_unlock(&t->lock);
	return r;
}

static char *hosts_file(const char *hostname)
{
	return xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			 "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
			 "ff02::2\tip6-allrouters\n127.0.1.1\t%s\n", hostname);
}

/* The host's resolv.conf without loopback resolvers (unreachable from the
 * container's own network namespace); Google's public ones when none is
 * left, as Docker does. With the host's network it is copied as it is. */
static char *resolv_file(bool host_net)
{
	_cleanup_free_ char *src = NULL;
	_cleanup_err_ err_t *err = NULL;
	fs_read_file("/etc/resolv.conf", 1 << 20, &src, NULL, &err);
	if (host_net)
		return xstrdup(src ? src : "");
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	bool any = false;
	char *save = NULL;
	for (char *l = src ? strtok_r(src, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "nameserver", 10)) {
			const char *ip = l + 10;
			while (*ip == ' ' || *ip == '\t')
				ip++;
			if (!strncmp(ip, "127.", 4) || !strncmp(ip, "::1", 3))
				continue;
			any = true;
		}
		sb_printf(&out, "%s\n", l);
	}
	if (!any)
		sb_puts(&out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	return sb_steal(&out);
}

static int write_small(const char *dir, const char *name, const char *text, err_t **err)
{
	_cleanup_free_ char *p = fs_path_join(dir, name);
	/* hosts and resolv.conf are written again at every start: only the
	 * hostname must outlive a power loss */
	unsigned flags = strcmp(name, "hostname") ? FS_ATOMIC_VOLATILE : 0;
	return fs_write_atomic_ex(p, text, strlen(text), 0644, flags, err);
}

static int write_container_files(container *c, err_t **err)
{
	const char *hostname = jget_str(c->config, "Hostname");
	_cleanup_free_ char *hn = xasprintf("%s\n", hostname);
	_cleanup_free_ char *hosts = hosts_file(hostname);
	const char *nm = jget_str(c->host_config, "NetworkMode");
	_cleanup_free_ char *resolv = resolv_file(nm && !strcmp(nm, "host"));
	if (fs_mkdir_p(c->dir, 0710, err) < 0 || write_small(c->dir, "hostname", hn, err) < 0 ||
	    write_small(c->dir, "hosts", hosts, err) < 0 || write_small(c->dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}

/* The image's "config" section (may be NULL for an image without one). */
static json_object *image_runtime_config(ctr_table *t, const char *image_id, err_t **err)
{
	size_t len = 0;
	_cleanup_free_ char *raw = img_config(t->eng->images, image_id, &len, err);
	if (!raw)
		return NULL;
	json_object *all = json_parse_strict(raw, len, err);
	return all;
}

static int fill_config(ctr_table *t, container *c, json_object *body, err_t **err)
{
	c->config = schema_normalize(schema_container_config, body, "Config", err);
	if (!c->config)
		return -1;
	c->host_config = schema_normalize(schema_host_config, jget(body, "HostConfig"), "HostConfig", err);
	if (!c->host_config)
		return -1;
	const char *image = jget_str(c->config, "Image");
	if (!image || !*image)
		return err_invalid(err, "config.Image: an image is required");
	char id[DIGEST_STR_LEN + 1];
	if (img_resolve(t->eng->images, image, id, err) < 0)
		return -1;
	c->image_id = xstrdup(id);
	_cleanup_json_ json_object *img = image_runtime_config(t, id, err);
	if (!img)
		return -1;
	merge_image_config(c->config, jget_obj(img, "config"));
	const char *hn = jget_str(c->config, "Hostname");
	if (!hn || !*hn) {
		char shortid[13];
		memcpy(shortid, c->id, 12);
		shortid[12] = '\0';
		jset_str(c->config, "Hostname", shortid);
	}
	if (check_exec_size(c->config, err) < 0 || command_of(c->config, &c->path, &c->args, err) < 0)
		return -1;
	const char *forbidden[] = {NULL, NULL};
	engine_config *cfg = engine_config_get(t->eng);
	for (char **h = cfg->hosts; *h && !forbidden[0]; h++)
		if (!strncmp(*h, "unix://", 7))
			forbidden[0] = *h + 7;
	int r = bundle_check(c->config, c->host_config, forbidden, err);
	config_free(cfg);
	if (r < 0)
		return -1;
	apply_host_defaults(t, c->host_config);
	return ctr_net_create(t, c, jget(body, "NetworkingConfig"), err);
}

static void init_identity(ctr_table *t, container *c)
{
	names_new_id(c->id);
	c->created_ns = now_ns();
	c->created = time_format_rfc3339nano(c->created_ns / NS_PER_SEC, (int32_t)(c->created_ns % NS_PER_SEC));
	c->dir = fs_path_join(t->root, c->id);
	c->state_dir = fs_path_join(t->eng->exec_root, c->id);
	_cleanup_free_ char *log = xasprintf("%s-json.log", c->id);
	c->log_path = fs_path_join(c->dir, log);
	c->state = CS_CREATED;
}

container *ctr_create(ctr_table *t, const char *name, json_object *body, char ***warnings,
		      err_t **err)
{
	*warnings = NULL;
	if (body && !json_object_is_type(body, json_type_object)) {
		err_invalid(err, "invalid JSON: the body must be an object");
		return NULL;
	}
	if (name && *name && !names_valid(name)) {
		err_invalid(err, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
		return NULL;
	}
	container *c = container_new();
	init_identity(t, c);
	if (fill_config(t, c, body, err) < 0) {
		container_unref(c);
		return NULL;
	}
	if (table_insert(t, c, name && *name ? name : NULL, err) < 0) {
		container_unref(c);
		return NULL;
	}
	char **lowers = NULL;
	if (write_container_files(c, err) < 0 ||
	    !(lowers = img_pin(t->eng->images, c->id, c->image_id, err)) || container_save(c, err) < 0) {
		strv_free(lowers);
		c->state = CS_REMOVING;
		ctr_destroy(t, c);
		container_unref(c);
		return NULL;
	}
	strv_free(lowers);
	ctr_event(t, c, "create", NULL);
	return c;
}
