/* dockercfg.c: see dockercfg.h. */
#include "dockercfg.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "xalloc.h"

char *dcfg_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG");
	if (dir && *dir)
		return fs_path_join(dir, "config.json");
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	return xasprintf("%s/.docker/config.json", home);
}

/* registry.ConvertToHostname: no scheme, nothing after the host. */
static char *hostname(const char *s)
{
	const char *p = strstr(s, "://") ? strstr(s, "://") + 3 : s;
	return xstrndup(p, strcspn(p, "/"));
}

char *dcfg_key(const char *server)
{
	if (!server || !*server)
		return xstrdup(DCFG_HUB_KEY);
	_cleanup_free_ char *h = hostname(server);
	if (!strcmp(h, "docker.io") || !strcmp(h, "index.docker.io") || !strcmp(h, "registry-1.docker.io"))
		return xstrdup(DCFG_HUB_KEY);
	return steal_ptr(&h);
}

static json_object *load(err_t **err)
{
	_cleanup_free_ char *path = dcfg_path();
	_cleanup_free_ char *text = NULL;
	size_t len;
	_cleanup_err_ err_t *rerr = NULL;
	if (fs_read_file(path, 16u << 20, &text, &len, &rerr) < 0) {
		if (rerr->errnum == ENOENT)
			return json_object_new_object();
		err_set(err, ERR_SYSTEM, 0, "%s", rerr->msg);
		return NULL;
	}
	_cleanup_err_ err_t *perr = NULL;
	json_object *o = len ? json_parse_strict(text, len, &perr) : json_object_new_object();
	if (!o || !json_object_is_type(o, json_type_object)) {
		err_set(err, ERR_INVALID, 0, "loading config file %s: %s", path,
			perr ? perr->msg : "not a JSON object");
		if (o)
			json_object_put(o);
		return NULL;
	}
	return o;
}

static int save(json_object *cfg, err_t **err)
{
	_cleanup_free_ char *path = dcfg_path();
	_cleanup_free_ char *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	if (fs_mkdir_p(dir, 0700, err) < 0)
		return -1;
	const char *text = json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE);
	_cleanup_free_ char *with_nl = xasprintf("%s\n", text);
	return fs_write_atomic(path, with_nl, strlen(with_nl), 0600, err);
}

/* The entry for a key: exact, else any key with that host name. */
static json_object *find(json_object *auths, const char *key)
{
	json_object *e = jget_obj(auths, key);
	if (e)
		return e;
	json_object_object_foreach(jobj_or_empty(auths), k, v)
	{
		_cleanup_free_ char *h = dcfg_key(k);
		if (!strcmp(h, key) && json_object_is_type(v, json_type_object))
			return v;
	}
	return NULL;
}

char *dcfg_auth_header(const char *domain)
{
	_cleanup_json_ json_object *cfg = load(NULL);
	_cleanup_free_ char *key = dcfg_key(domain);
	json_object *e = cfg ? find(jget_obj(cfg, "auths"), key) : NULL;
	const char *auth = jget_str(e, "auth"), *token = jget_str(e, "identitytoken");
	if (!e || ((!auth || !*auth) && (!token || !*token)))
		return xstrdup("e30=");
	_cleanup_json_ json_object *o = json_object_new_object();
	size_t len = 0;
	_cleanup_free_ unsigned char *raw = auth && *auth ? base64_decode(auth, strlen(auth), &len) : NULL;
	char *colon = raw ? memchr(raw, ':', len) : NULL;
	if (colon) {
		_cleanup_free_ char *user = xstrndup((char *)raw, (size_t)(colon - (char *)raw));
		jset_str(o, "username", user);
		if (colon[1])
			jset_str(o, "password", colon + 1);
	}
	jset_str(o, "serveraddress", key);
	if (token && *token)
		jset_str(o, "identitytoken", token);
	const char *js = jdump(o);
	return base64_encode(js, strlen(js), true);
}

int dcfg_store(const char *key, const char *user, const char *password, const char *identity,
	       err_t **err)
{
	_cleanup_json_ json_object *cfg = load(err);
	if (!cfg)
		return -1;
	json_object *auths = jget_obj(cfg, "auths");
	if (!auths) {
		auths = json_object_new_object();
		jset(cfg, "auths", auths);
	}
	json_object *e = json_object_new_object();
	_cleanup_free_ char *up = xasprintf("%s:%s", user ? user : "", identity ? "" : password ? password : "");
	_cleanup_free_ char *b = base64_encode(up, strlen(up), false);
	jset_str(e, "auth", b);
	if (identity && *identity)
		jset_str(e, "identitytoken", identity);
	json_object_object_add(auths, key, e);
	return save(cfg, err);
}

int dcfg_erase(const char *key, bool *had, err_t **err)
{
	*had = false;
	_cleanup_json_ json_object *cfg = load(err);
	if (!cfg)
		return -1;
	json_object *auths = jget_obj(cfg, "auths");
	_cleanup_strv_ char **drop = xcalloc(1, sizeof(char *));
	size_t n = 0;
	json_object_object_foreach(jobj_or_empty(auths), k, v)
	{
		(void)v;
		_cleanup_free_ char *h = dcfg_key(k);
		if (!strcmp(k, key) || !strcmp(h, key)) {
			drop = xrealloc(drop, (n + 2) * sizeof(char *));
			drop[n++] = xstrdup(k);
			drop[n] = NULL;
		}
	}
	for (size_t i = 0; i < n; i++)
		json_object_object_del(auths, drop[i]);
	*had = n > 0;
	return n ? save(cfg, err) : 0;
}
