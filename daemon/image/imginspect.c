/* imginspect.c: the read-only JSON of one image, in the wire shapes of API
 * 1.44 (Docker 25): GET /images/{name}/json (ImageInspect, with the full
 * container.Config shape Docker marshals for Config and ContainerConfig)
 * and GET /images/{name}/history. The builders live here rather than in
 * api/ because they read the store's records directly. */
#include "store.h"

#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "reference.h"
#include "strbuf.h"
#include "xalloc.h"

#define GRAPH_DRIVER "overlay2"

/* ---- container.Config as Go marshals it ---- */

static void copy_typed(json_object *dst, json_object *src, const char *key, json_type t,
		       json_object *dflt)
{
	json_object *v = jget(src, key);
	if (v && json_object_is_type(v, t)) {
		jset(dst, key, jclone(v));
		if (dflt)
			json_object_put(dflt);
	} else {
		jset(dst, key, dflt);
	}
}

/* Only when present and non-empty (Go's omitempty). */
static void copy_omitempty(json_object *dst, json_object *src, const char *key)
{
	json_object *v = jget(src, key);
	if (!v || json_object_is_type(v, json_type_null))
		return;
	if (json_object_is_type(v, json_type_string) && !*json_object_get_string(v))
		return;
	if (json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v))
		return;
	if (json_object_is_type(v, json_type_object) && !json_object_object_length(v))
		return;
	if (json_object_is_type(v, json_type_array) && !json_object_array_length(v))
		return;
	jset(dst, key, jclone(v));
}

static void copy_str(json_object *dst, json_object *src, const char *key)
{
	copy_typed(dst, src, key, json_type_string, json_object_new_string(""));
}

static void copy_bool(json_object *dst, json_object *src, const char *key)
{
	copy_typed(dst, src, key, json_type_boolean, json_object_new_boolean(0));
}

static void copy_nullable(json_object *dst, json_object *src, const char *key, json_type t)
{
	copy_typed(dst, src, key, t, NULL);
}

/* The full container.Config of Docker 25, filled from src (may be NULL). */
json_object *img_container_config_json(json_object *src)
{
	json_object *c = json_object_new_object();
	copy_str(c, src, "Hostname");
	copy_str(c, src, "Domainname");
	copy_str(c, src, "User");
	copy_bool(c, src, "AttachStdin");
	copy_bool(c, src, "AttachStdout");
	copy_bool(c, src, "AttachStderr");
	copy_omitempty(c, src, "ExposedPorts");
	copy_bool(c, src, "Tty");
	copy_bool(c, src, "OpenStdin");
	copy_bool(c, src, "StdinOnce");
	copy_nullable(c, src, "Env", json_type_array);
	copy_nullable(c, src, "Cmd", json_type_array);
	copy_omitempty(c, src, "Healthcheck");
	copy_omitempty(c, src, "ArgsEscaped");
	copy_str(c, src, "Image");
	copy_nullable(c, src, "Volumes", json_type_object);
	copy_str(c, src, "WorkingDir");
	copy_nullable(c, src, "Entrypoint", json_type_array);
	copy_omitempty(c, src, "NetworkDisabled");
	copy_omitempty(c, src, "MacAddress");
	copy_nullable(c, src, "OnBuild", json_type_array);
	copy_nullable(c, src, "Labels", json_type_object);
	copy_omitempty(c, src, "StopSignal");
	copy_omitempty(c, src, "StopTimeout");
	copy_omitempty(c, src, "Shell");
	return c;
}

/* ---- pieces shared with the list ---- */

int64_t store_image_size_locked(img_store *s, const img_rec *r)
{
	int64_t size = 0;
	for (size_t i = 0; i < r->nlayers; i++) {
		layer_rec *l = store_layer_locked(s, r->chain[i]);
		if (l)
			size += l->size;
	}
	return size;
}

/* RepoTags and RepoDigests (familiar strings), sorted like Docker's. */
void store_repo_lists_locked(img_store *s, const img_rec *r, json_object **tags,
			     json_object **digests)
{
	const ref_entry **refs;
	size_t n = refstore_refs(s->refs, r->id, &refs);
	*tags = json_object_new_array();
	*digests = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(refs[i]->ref->digest ? *digests : *tags,
				      json_object_new_string(refs[i]->familiar));
	free(refs);
}

static const char *cfg_str(const img_rec *r, const char *key)
{
	const char *v = jget_str(r->cfg, key);
	return v ? v : "";
}

static const char *image_comment(const img_rec *r)
{
	const char *c = cfg_str(r, "comment");
	json_object *hist = jget_arr(r->cfg, "history");
	size_t n = hist ? json_object_array_length(hist) : 0;
	if (!*c && n)
		c = jget_str(json_object_array_get_idx(hist, n - 1), "comment");
	return c ? c : "";
}

static json_object *graph_driver(img_store *s, const img_rec *r)
{
	json_object *g = json_object_new_object();
	json_object *data = NULL;
	if (r->nlayers) {
		const char *top = r->chain[r->nlayers - 1];
		data = json_object_new_object();
		_cleanup_sb_ strbuf lower = STRBUF_INIT;
		for (size_t i = r->nlayers - 1; i-- > 0;) {
			_cleanup_free_ char *d = layer_diff_dir(s->root, r->chain[i]);
			sb_printf(&lower, "%s%s", lower.len ? ":" : "", d);
		}
		if (lower.len)
			jset_str(data, "LowerDir", lower.buf);
		_cleanup_free_ char *dir = layer_dir(s->root, top);
		_cleanup_free_ char *merged = fs_path_join(dir, "merged");
		_cleanup_free_ char *upper = fs_path_join(dir, "diff");
		_cleanup_free_ char *work = fs_path_join(dir, "work");
		jset_str(data, "MergedDir", merged);
		jset_str(data, "UpperDir", upper);
		jset_str(data, "WorkDir", work);
	}
	jset(g, "Data", data);
	jset_str(g, "Name", GRAPH_DRIVER);
	return g;
}

static json_object *rootfs_json(const img_rec *r)
{
	json_object *o = json_object_new_object();
	jset_str(o, "Type", "layers");
	if (r->nlayers) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < r->nlayers; i++)
			json_object_array_add(a, json_object_new_string(r->diff[i]));
		jset(o, "Layers", a);
	}
	return o;
}

static json_object *inspect_locked(img_store *s, const img_rec *r, int api_minor)
{
	json_object *o = json_object_new_object(), *tags, *digests;
	store_repo_lists_locked(s, r, &tags, &digests);
	jset_str(o, "Id", r->id);
	jset(o, "RepoTags", tags);
	jset(o, "RepoDigests", digests);
	jset_str(o, "Parent", r->parent);
	jset_str(o, "Comment", image_comment(r));
	_cleanup_free_ char *created = r->created.set ? img_time_format(&r->created) : xstrdup("");
	jset_str(o, "Created", created);
	jset_str(o, "Container", cfg_str(r, "container"));
	jset(o, "ContainerConfig", img_container_config_json(jget_obj(r->cfg, "container_config")));
	jset_str(o, "DockerVersion", cfg_str(r, "docker_version"));
	jset_str(o, "Author", cfg_str(r, "author"));
	json_object *cfg = jget_obj(r->cfg, "config");
	jset(o, "Config", cfg ? img_container_config_json(cfg) : NULL);
	jset_str(o, "Architecture", cfg_str(r, "architecture"));
	if (*cfg_str(r, "variant"))
		jset_str(o, "Variant", cfg_str(r, "variant"));
	jset_str(o, "Os", *cfg_str(r, "os") ? cfg_str(r, "os") : "linux");
	if (*cfg_str(r, "os.version"))
		jset_str(o, "OsVersion", cfg_str(r, "os.version"));
	int64_t size = store_image_size_locked(s, r);
	jset_int(o, "Size", size);
	if (api_minor && api_minor < 44)
		jset_int(o, "VirtualSize", size);
	jset(o, "GraphDriver", graph_driver(s, r));
	jset(o, "RootFS", rootfs_json(r));
	json_object *meta = json_object_new_object();
	_cleanup_free_ char *ltt = img_time_format(&r->last_tag);
	jset_str(meta, "LastTagTime", ltt);
	jset(o, "Metadata", meta);
	return o;
}

json_object *img_inspect(img_store *s, const char *name, int api_minor, err_t **err)
{
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	json_object *o = r ? inspect_locked(s, r, api_minor) : NULL;
	store_unlock(s);
	return o;
}

/* ---- history ---- */

static json_object *tags_of_locked(img_store *s, const img_rec *r)
{
	json_object *tags, *digests;
	store_repo_lists_locked(s, r, &tags, &digests);
	json_object_put(digests);
	if (json_object_array_length(tags))
		return tags;
	json_object_put(tags);
	return NULL;
}

static json_object *history_entry(json_object *h, int64_t size)
{
	json_object *o = json_object_new_object();
	img_time t = {0};
	const char *created = jget_str(h, "created");
	if (!created || img_time_parse(created, &t) < 0)
		t = (img_time){IMG_TIME_ZERO_SEC, 0, 0, true};
	jset_str(o, "Comment", jget_str(h, "comment"));
	jset_int(o, "Created", t.sec);
	jset_str(o, "CreatedBy", jget_str(h, "created_by"));
	jset_str(o, "Id", "<missing>");
	jset_int(o, "Size", size);
	jset(o, "Tags", NULL);
	return o;
}

/* Newest first; IDs and tags filled down the parent chain. */
static json_object *history_locked(img_store *s, const img_rec *r, err_t **err)
{
	json_object *hist = jget_arr(r->cfg, "history");
	size_t n = hist ? json_object_array_length(hist) : 0, layer = 0;
	json_object **entries = xcalloc(n + 1, sizeof(*entries));
	for (size_t i = 0; i < n; i++) {
		json_object *h = json_object_array_get_idx(hist, i);
		int64_t size = 0;
		if (!jget_bool(h, "empty_layer", false)) {
			if (layer >= r->nlayers) {
				for (size_t j = 0; j < i; j++)
					json_object_put(entries[j]);
				free(entries);
				err_set(err, ERR_SYSTEM, 0, "too many non-empty layers in History section");
				return NULL;
			}
			layer_rec *l = store_layer_locked(s, r->chain[layer++]);
			size = l ? l->size : 0;
		}
		entries[i] = history_entry(h, size);
	}
	json_object *out = json_object_new_array();
	const img_rec *cur = r;
	for (size_t i = n; i-- > 0;) {
		if (cur) {
			jset_str(entries[i], "Id", cur->id);
			jset(entries[i], "Tags", tags_of_locked(s, cur));
			cur = *cur->parent ? store_image_locked(s, cur->parent) : NULL;
		}
		json_object_array_add(out, entries[i]);
	}
	free(entries);
	return out;
}

json_object *img_history(img_store *s, const char *name, err_t **err)
{
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	json_object *o = r ? history_locked(s, r, err) : NULL;
	store_unlock(s);
	return o;
}
