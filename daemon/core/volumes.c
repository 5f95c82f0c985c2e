/* volumes.c: the local volume driver (see volumes.h). A volume is a folder;
 * creating one writes its record atomically, then renames a temp folder into
 * place, so a crash never leaves half a volume under its name. */
#include "volumes.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "engine.h"
#include "filters.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "names.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xalloc.h"

struct vol_table {
	struct engine *eng;
	pthread_mutex_t lock; /* serialises create and remove */
	char *root;           /* <data-root>/volumes */
};

static char *vol_dir(vol_table *t, const char *name)
{
	return fs_path_join(t->root, name);
}

vol_table *vol_table_open(struct engine *e, err_t **err)
{
	vol_table *t = xcalloc(1, sizeof(*t));
	t->eng = e;
	pthread_mutex_init(&t->lock, NULL);
	t->root = fs_path_join(e->data_root, "volumes");
	if (fs_mkdir_p(t->root, 0701, err) < 0) {
		vol_table_close(t);
		return NULL;
	}
	/* Leftovers of a create that a crash interrupted. */
	_cleanup_closedir_ DIR *d = opendir(t->root);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, ".tmp-", 5)) {
			_cleanup_free_ char *p = vol_dir(t, de->d_name);
			_cleanup_err_ err_t *rerr = NULL;
			fs_rm_rf(p, &rerr);
		}
	}
	return t;
}

void vol_table_close(vol_table *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->root);
	free(t);
}

bool vol_is_name(const char *src)
{
	return src && *src && src[0] != '/' && src[0] != '.' && src[0] != '~';
}

static bool name_ok(const char *n)
{
	return names_valid(n) && n[0] != '/';
}

static json_object *read_record(vol_table *t, const char *name, err_t **err)
{
	_cleanup_free_ char *dir = vol_dir(t, name);
	_cleanup_free_ char *path = fs_path_join(dir, "volume.json");
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_err_ err_t *rerr = NULL;
	if (!name_ok(name) || fs_read_file(path, 1 << 20, &text, &len, &rerr) < 0) {
		err_set(err, ERR_NOT_FOUND, 0, "get %s: no such volume", name);
		return NULL;
	}
	return json_parse_strict(text, len, err);
}

/* The Volume object of the API. */
static json_object *volume_json(vol_table *t, const char *name, json_object *rec)
{
	json_object *v = json_object_new_object();
	_cleanup_free_ char *dir = vol_dir(t, name);
	_cleanup_free_ char *data = fs_path_join(dir, "_data");
	jset_str(v, "CreatedAt", jget_str(rec, "CreatedAt"));
	jset_str(v, "Driver", "local");
	json_object *labels = jget_obj(rec, "Labels");
	jset(v, "Labels", labels ? jclone(labels) : json_object_new_object());
	jset_str(v, "Mountpoint", data);
	jset_str(v, "Name", name);
	json_object *opts = jget_obj(rec, "Options");
	jset(v, "Options", opts ? jclone(opts) : NULL);
	jset_str(v, "Scope", "local");
	return v;
}

/* Local time with its offset, as Docker shows a volume's CreatedAt. */
static char *created_now(void)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
	size_t l = strlen(buf);
	if (l >= 5 && (buf[l - 5] == '+' || buf[l - 5] == '-')) {
		/* +0000 -> Z, +0100 -> +01:00 */
		if (!strcmp(buf + l - 5, "+0000"))
			return xasprintf("%.*sZ", (int)(l - 5), buf);
		return xasprintf("%.*s:%s", (int)(l - 2), buf, buf + l - 2);
	}
	return xstrdup(buf);
}

static int write_new(vol_table *t, const char *name, json_object *labels, bool anonymous,
		     err_t **err)
{
	_cleanup_free_ char *tmpname = xasprintf(".tmp-%s", name);
	_cleanup_free_ char *tmp = vol_dir(t, tmpname);
	_cleanup_free_ char *data = fs_path_join(tmp, "_data");
	if (fs_mkdir_p(data, 0755, err) < 0)
		return -1;
	_cleanup_json_ json_object *rec = json_object_new_object();
	_cleanup_free_ char *created = created_now();
	jset_str(rec, "CreatedAt", created);
	jset(rec, "Labels", labels ? jclone(labels) : json_object_new_object());
	jset_bool(rec, "Anonymous", anonymous);
	_cleanup_free_ char *path = fs_path_join(tmp, "volume.json");
	const char *text = jdump(rec);
	_cleanup_free_ char *final = vol_dir(t, name);
	if (fs_write_atomic(path, text, strlen(text), 0600, err) < 0 || rename(tmp, final) < 0 ||
	    fs_fsync_dir(t->root) < 0) {
		if (err && !*err)
			err_sys(err, "create volume %s", name);
		_cleanup_err_ err_t *rerr = NULL;
		fs_rm_rf(tmp, &rerr);
		return -1;
	}
	return 0;
}

static void volume_event(vol_table *t, const char *action, const char *name, json_object *extra)
{
	json_object *a = extra ? extra : json_object_new_object();
	jset_str(a, "driver", "local");
	events_publish(t->eng->events, "volume", action, name, a);
}

json_object *vol_create(vol_table *t, const char *name, const char *driver, json_object *opts,
			json_object *labels, bool anonymous, err_t **err)
{
	if (driver && *driver && strcmp(driver, "local")) {
		err_set(err, ERR_NOT_FOUND, 0, "error looking up volume plugin %s: plugin \"%s\" not found", driver, driver);
		return NULL;
	}
	if (opts && json_object_is_type(opts, json_type_object) && json_object_object_length(opts)) {
		err_invalid(err, "volume driver options are not supported by engine's local driver yet");
		return NULL;
	}
	char id[65];
	if (!name || !*name) {
		names_new_id(id);
		name = id;
		anonymous = true;
	}
	if (!name_ok(name)) {
		err_invalid(err, "create %s: \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
			    name, name);
		return NULL;
	}
	pthread_mutex_lock(&t->lock);
	_cleanup_err_ err_t *rerr = NULL;
	json_object *rec = read_record(t, name, &rerr);
	bool created = false;
	if (!rec) {
		if (write_new(t, name, labels, anonymous, err) < 0) {
			pthread_mutex_unlock(&t->lock);
			return NULL;
		}
		rec = read_record(t, name, err);
		created = true;
	}
	pthread_mutex_unlock(&t->lock);
	if (!rec)
		return NULL;
	json_object *v = volume_json(t, name, rec);
	json_object_put(rec);
	if (created)
		volume_event(t, "create", name, NULL);
	return v;
}

json_object *vol_inspect(vol_table *t, const char *name, err_t **err)
{
	_cleanup_json_ json_object *rec = read_record(t, name, err);
	return rec ? volume_json(t, name, rec) : NULL;
}

/* Containers whose Binds or Mounts name this volume (IDs, NULL-terminated). */
static char **users_of(vol_table *t, const char *name)
{
	ctr_table *ct = t->eng->containers;
	size_t n = 0;
	char **ids = xcalloc(1, sizeof(char *));
	if (!ct)
		return ids;
	pthread_mutex_lock(&ct->lock);
	for (size_t i = 0; i < ct->n; i++) {
		json_object *hc = ct->items[i]->host_config;
		bool uses = false;
		json_object *binds = jget_arr(hc, "Binds");
		size_t nl = strlen(name);
		for (size_t k = 0; binds && k < json_object_array_length(binds) && !uses; k++) {
			const char *b = json_object_get_string(json_object_array_get_idx(binds, k));
			uses = !strncmp(b, name, nl) && b[nl] == ':';
		}
		json_object *ms = jget_arr(hc, "Mounts");
		for (size_t k = 0; ms && k < json_object_array_length(ms) && !uses; k++) {
			json_object *m = json_object_array_get_idx(ms, k);
			const char *type = jget_str(m, "Type"), *src = jget_str(m, "Source");
			uses = type && !strcmp(type, "volume") && src && !strcmp(src, name);
		}
		if (uses) {
			ids = xrealloc(ids, (n + 2) * sizeof(char *));
			ids[n++] = xstrdup(ct->items[i]->id);
			ids[n] = NULL;
		}
	}
	pthread_mutex_unlock(&ct->lock);
	return ids;
}

static char **all_names(vol_table *t)
{
	_cleanup_closedir_ DIR *d = opendir(t->root);
	size_t n = 0, cap = 0;
	char **v = NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !name_ok(de->d_name))
			continue;
		v = xgrow(v, &cap, n + 2, sizeof(char *));
		v[n++] = xstrdup(de->d_name);
	}
	if (!v)
		v = xcalloc(1, sizeof(char *));
	v[n] = NULL;
	return v;
}

static const char *const list_keys[] = {"dangling", "driver", "label", "name", NULL};

/* Docker matches volume names by substring. */
static bool name_matches(const filters *f, const char *name)
{
	if (!filters_contains(f, "name"))
		return true;
	_cleanup_strv_ char **want = filters_get(f, "name");
	for (char **w = want; *w; w++)
		if (strstr(name, *w))
			return true;
	return false;
}

/* 1 when the volume passes the filters, 0 when not, -1 on a bad filter. */
static int list_match(vol_table *t, const filters *f, const char *name, json_object *rec, err_t **err)
{
	if (!name_matches(f, name) || !filters_match(f, "driver", "local") ||
	    !filters_match_kv(f, "label", jget_obj(rec, "Labels")))
		return 0;
	if (!filters_contains(f, "dangling"))
		return 1;
	bool dangling = false;
	if (filters_get_bool(f, "dangling", false, &dangling, err) < 0)
		return -1;
	_cleanup_strv_ char **users = users_of(t, name);
	return dangling == (users[0] == NULL);
}

json_object *vol_list(vol_table *t, const char *filt, err_t **err)
{
	_cleanup_filters_ filters *f = NULL;
	if (filters_parse(filt, &f, err) < 0 || filters_validate(f, list_keys, err) < 0)
		return NULL;
	_cleanup_strv_ char **names = all_names(t);
	json_object *vols = json_object_new_array();
	for (char **n = names; *n; n++) {
		_cleanup_json_ json_object *rec = read_record(t, *n, NULL);
		if (!rec)
			continue;
		int m = list_match(t, f, *n, rec, err);
		if (m < 0) {
			json_object_put(vols);
			return NULL;
		}
		if (m)
			json_object_array_add(vols, volume_json(t, *n, rec));
	}
	json_object *o = json_object_new_object();
	jset(o, "Volumes", vols);
	jset(o, "Warnings", json_object_new_array());
	return o;
}

int vol_remove(vol_table *t, const char *name, bool force, err_t **err)
{
	_cleanup_json_ json_object *rec = read_record(t, name, NULL);
	if (!rec) {
		if (force)
			return 0;
		return err_set(err, ERR_NOT_FOUND, 0, "get %s: no such volume", name);
	}
	_cleanup_strv_ char **users = users_of(t, name);
	if (users[0]) {
		_cleanup_sb_ strbuf ids = STRBUF_INIT;
		for (char **u = users; *u; u++)
			sb_printf(&ids, "%s%s", ids.len ? " " : "", *u);
		return err_conflict(err, "remove %s: volume is in use - [%s]", name, sb_str(&ids));
	}
	pthread_mutex_lock(&t->lock);
	_cleanup_free_ char *dir = vol_dir(t, name);
	_cleanup_free_ char *gone = xasprintf("%s/.tmp-del-%s", t->root, name);
	int r = rename(dir, gone) == 0 ? fs_rm_rf(gone, err) : err_sys(err, "remove %s", name);
	pthread_mutex_unlock(&t->lock);
	if (r == 0)
		volume_event(t, "destroy", name, NULL);
	return r;
}

json_object *vol_prune(vol_table *t, const char *filt, err_t **err)
{
	static const char *const keys[] = {"all", "label", "label!", NULL};
	_cleanup_filters_ filters *f = NULL;
	bool all = false;
	if (filters_parse(filt, &f, err) < 0 || filters_validate(f, keys, err) < 0 ||
	    filters_get_bool(f, "all", false, &all, err) < 0)
		return NULL;
	_cleanup_strv_ char **names = all_names(t);
	json_object *deleted = json_object_new_array();
	int64_t reclaimed = 0;
	for (char **n = names; *n; n++) {
		_cleanup_json_ json_object *rec = read_record(t, *n, NULL);
		json_object *labels = rec ? jget_obj(rec, "Labels") : NULL;
		/* Since API 1.42 prune takes only anonymous volumes unless all=true. */
		if (!rec || (!all && !jget_bool(rec, "Anonymous", false)) || !filters_match_kv(f, "label", labels) ||
		    (filters_contains(f, "label!") && filters_match_kv(f, "label!", labels)))
			continue;
		_cleanup_free_ char *dir = vol_dir(t, *n);
		int64_t size = fs_tree_size(dir);
		_cleanup_err_ err_t *rerr = NULL;
		if (vol_remove(t, *n, false, &rerr) == 0) {
			json_object_array_add(deleted, jstr(*n));
			reclaimed += size;
		}
	}
	json_object *o = json_object_new_object();
	jset(o, "VolumesDeleted", json_object_array_length(deleted) ? deleted : NULL);
	if (!json_object_array_length(deleted))
		json_object_put(deleted);
	jset_int(o, "SpaceReclaimed", reclaimed);
	json_object *a = json_object_new_object();
	_cleanup_free_ char *rec = xasprintf("%lld", (long long)reclaimed);
	jset_str(a, "reclaimed", rec);
	events_publish(t->eng->events, "volume", "prune", "", a);
	return o;
}

json_object *vol_disk_usage(vol_table *t, err_t **err)
{
	(void)err;
	_cleanup_strv_ char **names = all_names(t);
	json_object *vols = json_object_new_array();
	for (char **n = names; *n; n++) {
		_cleanup_json_ json_object *rec = read_record(t, *n, NULL);
		if (!rec)
			continue;
		json_object *v = volume_json(t, *n, rec);
		_cleanup_free_ char *dir = vol_dir(t, *n);
		_cleanup_free_ char *data = fs_path_join(dir, "_data");
		_cleanup_strv_ char **users = users_of(t, *n);
		size_t refs = 0;
		while (users[refs])
			refs++;
		json_object *u = json_object_new_object();
		jset_int(u, "Size", fs_tree_size(data));
		jset_int(u, "RefCount", (int64_t)refs);
		jset(v, "UsageData", u);
		json_object_array_add(vols, v);
	}
	return vols;
}

char *vol_mountpoint(vol_table *t, const char *name, bool anonymous, err_t **err)
{
	_cleanup_json_ json_object *v = vol_create(t, name, "local", NULL, NULL, anonymous, err);
	if (!v)
		return NULL;
	return xstrdup(jget_str(v, "Mountpoint"));
}

char *vol_bundle_path(void *ctx, const char *name, err_t **err)
{
	return vol_mountpoint(ctx, name, false, err);
}
