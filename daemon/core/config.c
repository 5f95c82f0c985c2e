/* config.c: daemon.json parsing and flag precedence (see config.h).
 * As dockerd does, a key given both as a flag and in the file is an error, and
 * so is a key that names no option; keys dockerd knows that we do not act on
 * are accepted and kept in `file` for the modules that read them later. */
#include "config.h"

#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

engine_config *config_new_defaults(void)
{
	engine_config *c = xcalloc(1, sizeof(*c));
	char *hosts[] = {ENGINE_DEFAULT_SOCKET, NULL};
	c->hosts = xcalloc(2, sizeof(char *));
	c->hosts[0] = xstrdup(hosts[0]);
	c->data_root = xstrdup(ENGINE_DEFAULT_DATA_ROOT);
	c->exec_root = xstrdup(ENGINE_DEFAULT_EXEC_ROOT);
	c->config_file = xstrdup(ENGINE_DEFAULT_CONFIG);
	c->group = xstrdup("engine");
	c->level = LOG_LVL_INFO;
	c->log_driver = xstrdup("json-file");
	c->detach_keys = xstrdup("ctrl-p,ctrl-q");
	c->cgroup_parent = xstrdup("engine");
	c->shutdown_timeout = 15;
	c->labels = xcalloc(1, sizeof(char *));
	c->insecure_registries = xcalloc(1, sizeof(char *));
	c->registry_mirrors = xcalloc(1, sizeof(char *));
	return c;
}

static char **strv_dup(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	char **r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

engine_config *config_dup(const engine_config *c)
{
	engine_config *d = xcalloc(1, sizeof(*d));
	*d = *c;
	d->hosts = strv_dup(c->hosts);
	d->data_root = dup_or_null(c->data_root);
	d->exec_root = dup_or_null(c->exec_root);
	d->pidfile = dup_or_null(c->pidfile);
	d->config_file = dup_or_null(c->config_file);
	d->group = dup_or_null(c->group);
	d->labels = strv_dup(c->labels);
	d->insecure_registries = strv_dup(c->insecure_registries);
	d->registry_mirrors = strv_dup(c->registry_mirrors);
	d->log_driver = dup_or_null(c->log_driver);
	d->log_max_size = dup_or_null(c->log_max_size);
	d->log_max_file = dup_or_null(c->log_max_file);
	d->detach_keys = dup_or_null(c->detach_keys);
	d->bip = dup_or_null(c->bip);
	d->cgroup_parent = dup_or_null(c->cgroup_parent);
	d->file = c->file ? jclone(c->file) : NULL;
	return d;
}

void config_free(engine_config *c)
{
	if (!c)
		return;
	strv_free(c->hosts);
	free(c->data_root);
	free(c->exec_root);
	free(c->pidfile);
	free(c->config_file);
	free(c->group);
	strv_free(c->labels);
	strv_free(c->insecure_registries);
	strv_free(c->registry_mirrors);
	free(c->log_driver);
	free(c->log_max_size);
	free(c->log_max_file);
	free(c->detach_keys);
	free(c->bip);
	free(c->cgroup_parent);
	if (c->file)
		json_object_put(c->file);
	free(c);
}

/* dockerd keys that are accepted; those we act on are handled below. */
static const char *const known_keys[] = {
	"hosts", "data-root", "exec-root", "pidfile", "group", "log-level", "debug",
	"labels", "insecure-registries", "registry-mirrors", "log-driver", "log-opts",
	"detach-keys", "bip", "cgroup-parent", "live-restore", "shutdown-timeout",
	"storage-driver", "storage-opts", "exec-opts", "iptables", "ip6tables", "ip-forward",
	"ip-masq", "default-runtime", "runtimes", "features", "experimental",
	"max-concurrent-downloads", "max-concurrent-uploads", "max-download-attempts",
	"dns", "dns-search", "dns-opts", "mtu", "userland-proxy", "default-ulimits",
	"default-shm-size", "ipv6", "fixed-cidr", "fixed-cidr-v6", "default-address-pools",
	"default-gateway", "log-format", "selinux-enabled", "userns-remap", "init",
	"no-new-privileges", "seccomp-profile", "icc", "ip", "bridge", "default-cgroupns-mode",
	"default-ipc-mode", "oom-score-adjust", "metrics-addr", "containerd", "tls", "tlsverify",
	"tlscacert", "tlscert", "tlskey", "allow-nondistributable-artifacts", "authorization-plugins",
	"builder", "raw-logs", "swarm-default-advertise-addr", "node-generic-resources", NULL,
};

static bool key_known(const char *k)
{
	for (const char *const *p = known_keys; *p; p++)
		if (!strcmp(*p, k))
			return true;
	return false;
}

static int take_str(json_object *file, const char *key, char **dst, err_t **err)
{
	json_object *v = jget(file, key);
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return err_invalid(err, "invalid value for %s: must be a string", key);
	free(*dst);
	*dst = xstrdup(json_object_get_string(v));
	return 0;
}

static int take_strv(json_object *file, const char *key, char ***dst, err_t **err)
{
	json_object *v = jget(file, key);
	if (!v)
		return 0;
	char **nv = jarr_to_strv(v, key, err);
	if (!nv)
		return -1;
	strv_free(*dst);
	*dst = nv;
	return 0;
}

/* registry-mirrors as dockerd keeps them: "scheme://host/", http or https,
 * nothing after the host. */
static int normalise_mirrors(char **mirrors, err_t **err)
{
	for (char **m = mirrors; m && *m; m++) {
		const char *sep = strstr(*m, "://");
		size_t slen = sep ? (size_t)(sep - *m) : 0;
		if (!sep || !((slen == 4 && !strncmp(*m, "http", 4)) || (slen == 5 && !strncmp(*m, "https", 5))))
			return err_invalid(err, "invalid mirror: unsupported scheme \"%.*s\" in \"%s\"",
					   (int)slen, *m, *m);
		const char *host = sep + 3;
		size_t hlen = strcspn(host, "/?#");
		if (hlen == 0)
			return err_invalid(err, "invalid mirror: no host in \"%s\"", *m);
		if (host[hlen] && strcmp(host + hlen, "/") != 0)
			return err_invalid(err, "invalid mirror: path, query, or fragment at end of the URI \"%s\"", *m);
		char *norm = xasprintf("%.*s://%.*s/", (int)slen, *m, (int)hlen, host);
		free(*m);
		*m = norm;
	}
	return 0;
}

static int take_bool(json_object *file, const char *key, bool *dst, err_t **err)
{
	json_object *v = jget(file, key);
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return err_invalid(err, "invalid value for %s: must be a boolean", key);
	*dst = json_object_get_boolean(v);
	return 0;
}

/* Keys both on the command line and in the file, as dockerd reports them. */
static int check_flag_conflicts(const engine_config *c, json_object *file, err_t **err)
{
	static const struct {
		unsigned flag;
		const char *key;
	} map[] = {
		{CFG_FLAG_HOSTS, "hosts"},     {CFG_FLAG_DATA_ROOT, "data-root"},
		{CFG_FLAG_EXEC_ROOT, "exec-root"}, {CFG_FLAG_PIDFILE, "pidfile"},
		{CFG_FLAG_GROUP, "group"},     {CFG_FLAG_LEVEL, "log-level"},
		{CFG_FLAG_DEBUG, "debug"},
	};
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		if ((c->flag_set & map[i].flag) && jget(file, map[i].key))
			sb_printf(&sb, "%s%s", sb.len ? ", " : "", map[i].key);
	}
	if (sb.len)
		return err_invalid(err,
			"the following directives are specified both as a flag and in the configuration file: %s",
			sb_str(&sb));
	return 0;
}

static int check_unknown_keys(json_object *file, err_t **err)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	json_object_object_foreach(file, k, v) {
		(void)v;
		if (!key_known(k))
			sb_printf(&sb, "%s%s", sb.len ? ", " : "", k);
	}
	if (sb.len)
		return err_invalid(err,
			"the following directives don't match any configuration option: %s", sb_str(&sb));
	return 0;
}

static int apply_log_opts(engine_config *c, json_object *file, err_t **err)
{
	json_object *opts = jget(file, "log-opts");
	if (!opts)
		return 0;
	if (!json_object_is_type(opts, json_type_object))
		return err_invalid(err, "invalid value for log-opts: must be an object");
	if (take_str(opts, "max-size", &c->log_max_size, err) < 0 ||
	    take_str(opts, "max-file", &c->log_max_file, err) < 0)
		return -1;
	return 0;
}

static int apply_file(engine_config *c, json_object *file, err_t **err)
{
	const char *lvl = jget_str(file, "log-level");
	if (lvl && log_level_parse(lvl, &c->level) < 0)
		return err_invalid(err, "unable to parse logging level: %s", lvl);
	if (take_strv(file, "hosts", &c->hosts, err) < 0 ||
	    take_str(file, "data-root", &c->data_root, err) < 0 ||
	    take_str(file, "exec-root", &c->exec_root, err) < 0 ||
	    take_str(file, "pidfile", &c->pidfile, err) < 0 ||
	    take_str(file, "group", &c->group, err) < 0 ||
	    take_bool(file, "debug", &c->debug, err) < 0 ||
	    take_strv(file, "labels", &c->labels, err) < 0 ||
	    take_strv(file, "insecure-registries", &c->insecure_registries, err) < 0 ||
	    take_strv(file, "registry-mirrors", &c->registry_mirrors, err) < 0 ||
	    normalise_mirrors(c->registry_mirrors, err) < 0 ||
	    take_str(file, "log-driver", &c->log_driver, err) < 0 ||
	    take_str(file, "detach-keys", &c->detach_keys, err) < 0 ||
	    take_str(file, "bip", &c->bip, err) < 0 ||
	    take_str(file, "cgroup-parent", &c->cgroup_parent, err) < 0 ||
	    take_bool(file, "live-restore", &c->live_restore, err) < 0 ||
	    apply_log_opts(c, file, err) < 0)
		return -1;
	json_object *st = jget(file, "shutdown-timeout");
	if (st) {
		if (!json_object_is_type(st, json_type_int) || json_object_get_int64(st) < 0)
			return err_invalid(err, "invalid value for shutdown-timeout: must be a non-negative integer");
		c->shutdown_timeout = (int)json_object_get_int64(st);
	}
	const char *drv = jget_str(file, "storage-driver");
	if (drv && strcmp(drv, "overlay2") != 0)
		return err_invalid(err, "storage-driver %s is not supported: engine uses overlay2", drv);
	if (c->log_driver && strcmp(c->log_driver, "json-file") != 0 && strcmp(c->log_driver, "none") != 0)
		return err_invalid(err, "log-driver %s is not supported: use json-file or none", c->log_driver);
	return 0;
}

int config_load_file(engine_config *c, const char *path, bool required, err_t **err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_err_ err_t *rerr = NULL;
	size_t len = 0;
	if (fs_read_file(path, 1 << 20, &buf, &len, &rerr) < 0) {
		if (rerr->kind == ERR_NOT_FOUND && !required)
			return 0;
		return err_set(err, rerr->kind == ERR_NOT_FOUND ? ERR_INVALID : rerr->kind, 0,
			       "unable to configure the daemon with file %s: %s", path, rerr->msg);
	}
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	if (i == len)
		return 0; /* an empty file is an empty configuration, as for dockerd */
	_cleanup_json_ json_object *file = json_parse_strict(buf, len, err);
	if (!file)
		return err_wrap(err, "unable to configure the daemon with file %s", path);
	if (!json_object_is_type(file, json_type_object))
		return err_invalid(err, "unable to configure the daemon with file %s: not a JSON object", path);
	if (check_unknown_keys(file, err) < 0 || check_flag_conflicts(c, file, err) < 0 ||
	    apply_file(c, file, err) < 0)
		return err_wrap(err, "unable to configure the daemon with file %s", path);
	if (c->file)
		json_object_put(c->file);
	c->file = steal_ptr(&file);
	return 0;
}
