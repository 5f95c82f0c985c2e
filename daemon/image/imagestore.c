/* imagestore.c: the store object: opening and crash repair, the image and
 * layer tables, lookups by ID, prefix and reference, committing and
 * removing images, and the garbage rules (a layer lives while an image's
 * config names it or an operation leases it; a blob lives while a layer or
 * an image record names it or it is leased). */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blobstore.h"
#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "reference.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xalloc.h"

#define DEFAULT_MAX_LAYER_ENTRIES 1000000

/* ---- times (see store.h) ---- */

int img_time_parse(const char *s, img_time *t)
{
	_cleanup_err_ err_t *e = NULL;
	int64_t sec;
	int32_t nsec, off;
	if (!s || time_parse_rfc3339_zone(s, &sec, &nsec, &off, &e) < 0)
		return -1;
	*t = (img_time){sec, nsec, off, true};
	return 0;
}

char *img_time_format(const img_time *t)
{
	if (!t || !t->set)
		return time_format_rfc3339nano(IMG_TIME_ZERO_SEC, 0);
	return time_format_rfc3339nano_zone(t->sec, t->nsec, t->off);
}

img_time img_time_now(void)
{
	int64_t ns = now_ns();
	return (img_time){ns / NS_PER_SEC, (int32_t)(ns % NS_PER_SEC), 0, true};
}

int img_time_cmp(const img_time *a, const img_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

int img_time_until(const char *value, img_time *t, err_t **err)
{
	time_ref now = time_ref_now();
	_cleanup_free_ char *ts = NULL;
	int64_t sec, nsec;
	if (time_get_timestamp(value, &now, &ts, err) < 0 ||
	    time_parse_timestamps(ts, 0, &sec, &nsec, err) < 0)
		return -1;
	*t = (img_time){sec, (int32_t)nsec, 0, true};
	return 0;
}

/* ---- locking and events ---- */

void store_lock(img_store *s)
{
	pthread_mutex_lock(&s->mu);
}

void store_event_locked(img_store *s, const char *action, const char *id, const char *name)
{
	s->events = xgrow(s->events, &s->capevents, s->nevents + 1, sizeof(store_event));
	s->events[s->nevents++] = (store_event){xstrdup(action), xstrdup(id ? id : ""),
						name ? xstrdup(name) : NULL};
}

void store_unlock(img_store *s)
{
	store_event *ev = s->events;
	size_t n = s->nevents;
	s->events = NULL;
	s->nevents = s->capevents = 0;
	pthread_mutex_unlock(&s->mu);
	for (size_t i = 0; i < n; i++) {
		if (s->on_event)
			s->on_event(s->event_ctx, ev[i].action, ev[i].id, ev[i].name);
		free(ev[i].action);
		free(ev[i].id);
		free(ev[i].name);
	}
	free(ev);
}

const char *img_store_root(const img_store *s)
{
	return s->root;
}

/* ---- image records ---- */

void img_rec_free(img_rec *r)
{
	if (!r)
		return;
	free(r->config);
	if (r->cfg)
		json_object_put(r->cfg);
	free(r->diff);
	free(r->chain);
	strv_free(r->manifests);
	free(r);
}

static int parse_rootfs(img_rec *r, err_t **err)
{
	json_object *rootfs = jget_obj(r->cfg, "rootfs");
	json_object *ids = jget_arr(rootfs, "diff_ids");
	const char *type = jget_str(rootfs, "type");
	if (!rootfs || !type || strcmp(type, "layers"))
		return err_invalid(err, "invalid image config: rootfs type must be \"layers\"");
	size_t n = ids ? json_object_array_length(ids) : 0;
	if (n > IMG_MAX_LAYERS)
		return err_invalid(err, "invalid image config: max depth exceeded (%zu layers)", n);
	r->nlayers = n;
	r->diff = xcalloc(n + 1, sizeof(*r->diff));
	r->chain = xcalloc(n + 1, sizeof(*r->chain));
	for (size_t i = 0; i < n; i++) {
		const char *d = json_object_get_string(json_object_array_get_idx(ids, i));
		if (!json_object_is_type(json_object_array_get_idx(ids, i), json_type_string) ||
		    !digest_valid(d))
			return err_invalid(err, "invalid image config: bad diff_id at layer %zu", i);
		strcpy(r->diff[i], d);
		chain_id_next(i ? r->chain[i - 1] : NULL, d, r->chain[i]);
	}
	return 0;
}

img_rec *img_rec_from_config(const char *config, size_t len, err_t **err)
{
	img_rec *r = xcalloc(1, sizeof(*r));
	r->config = xmalloc(len + 1);
	memcpy(r->config, config, len);
	r->config[len] = '\0';
	r->config_len = len;
	digest_buf(config, len, r->id);
	_cleanup_err_ err_t *perr = NULL;
	r->cfg = json_parse_strict(config, len, &perr);
	if (!r->cfg || !json_object_is_type(r->cfg, json_type_object)) {
		err_invalid(err, "invalid image config %s: %s", r->id, perr ? perr->msg : "not an object");
		img_rec_free(r);
		return NULL;
	}
	if (parse_rootfs(r, err) < 0) {
		img_rec_free(r);
		return NULL;
	}
	const char *created = jget_str(r->cfg, "created");
	if (created)
		img_time_parse(created, &r->created);
	return r;
}

img_rec *store_image_locked(img_store *s, const char *id)
{
	for (size_t i = 0; i < s->nimages; i++)
		if (!strcmp(s->images[i]->id, id))
			return s->images[i];
	return NULL;
}

size_t store_children_locked(img_store *s, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nimages; i++)
		if (!strcmp(s->images[i]->parent, id))
			n++;
	return n;
}

/* Unique image whose ID hex starts with hex; ambiguous is an error. */
static img_rec *find_prefix_locked(img_store *s, const char *name, bool *ambiguous)
{
	const char *hex = strncmp(name, "sha256:", 7) ? name : name + 7;
	size_t n = strlen(hex);
	img_rec *hit = NULL;
	*ambiguous = false;
	if (!n || strspn(hex, "0123456789abcdef") != n)
		return NULL;
	for (size_t i = 0; i < s->nimages; i++) {
		if (strncmp(s->images[i]->id + 7, hex, n))
			continue;
		if (hit) {
			*ambiguous = true;
			return NULL;
		}
		hit = s->images[i];
	}
	return hit;
}

img_rec *store_find_locked(img_store *s, const char *name, err_t **err)
{
	if (!name || !*name) {
		err_invalid(err, "image name cannot be blank");
		return NULL;
	}
	if (ref_is_identifier(name) || digest_valid(name)) {
		_cleanup_free_ char *id = digest_valid(name) ? xstrdup(name) : xasprintf("sha256:%s", name);
		img_rec *r = store_image_locked(s, id);
		if (!r)
			err_notfound(err, "No such image: %s", id);
		return r;
	}
	_cleanup_ref_ reference *ref = ref_parse_normalized(name, err);
	if (!ref)
		return NULL;
	const char *id = refstore_get(s->refs, ref);
	img_rec *r = id ? store_image_locked(s, id) : NULL;
	if (r)
		return r;
	bool ambiguous;
	r = find_prefix_locked(s, name, &ambiguous);
	if (r)
		return r;
	ref_default_tag(ref);
	_cleanup_free_ char *fam = ref_familiar_string(ref);
	if (ambiguous)
		err_notfound(err, "No such image: %s (ambiguous: several image IDs start with it)", fam);
	else
		err_notfound(err, "No such image: %s", fam);
	return NULL;
}

int img_resolve(img_store *s, const char *name, char id_out[DIGEST_STR_LEN + 1], err_t **err)
{
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	if (r)
		memcpy(id_out, r->id, DIGEST_STR_LEN + 1);
	store_unlock(s);
	return r ? 0 : -1;
}

char **img_layer_dirs(img_store *s, const char *name, err_t **err)
{
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	char **v = NULL;
	if (r) {
		v = xcalloc(r->nlayers + 1, sizeof(char *));
		for (size_t i = 0; i < r->nlayers; i++)
			v[i] = layer_diff_dir(s->root, r->chain[i]);
	}
	store_unlock(s);
	return v;
}

size_t img_count(img_store *s)
{
	store_lock(s);
	size_t n = s->nimages;
	store_unlock(s);
	return n;
}

char *img_config(img_store *s, const char *name, size_t *len, err_t **err)
{
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	char *c = NULL;
	if (r) {
		c = xmalloc(r->config_len + 1);
		memcpy(c, r->config, r->config_len + 1);
		if (len)
			*len = r->config_len;
	}
	store_unlock(s);
	return c;
}

/* ---- meta.json ---- */

static void strv_push(char ***v, const char *s)
{
	size_t n = 0;
	while (*v && (*v)[n])
		n++;
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

/* meta.json: what the config does not say. "layers" repeats the ChainIDs
 * the config implies, so a damaged config is noticed on open. */
static json_object *meta_json(const img_rec *r)
{
	json_object *o = json_object_new_object();
	jset_str(o, "parent", r->parent);
	json_object *layers = json_object_new_array();
	for (size_t i = 0; i < r->nlayers; i++)
		json_object_array_add(layers, json_object_new_string(r->chain[i]));
	jset(o, "layers", layers);
	jset(o, "manifests", jstrv(r->manifests));
	_cleanup_free_ char *added = img_time_format(&r->added);
	jset_str(o, "added", added);
	if (r->last_tag.set) {
		_cleanup_free_ char *t = img_time_format(&r->last_tag);
		jset_str(o, "lastTagTime", t);
	}
	return o;
}

int store_write_meta(img_store *s, const img_rec *r, err_t **err)
{
	_cleanup_free_ char *p = xasprintf("%s/images/%s/meta.json", s->root, r->id + 7);
	_cleanup_json_ json_object *o = meta_json(r);
	const char *text = jdump(o);
	return fs_write_atomic(p, text, strlen(text), 0600, err);
}

static int read_meta(const char *dir, img_rec *r, err_t **err)
{
	_cleanup_free_ char *p = fs_path_join(dir, "meta.json");
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (fs_read_file(p, IMG_CONFIG_MAX, &text, &len, err) < 0)
		return -1;
	_cleanup_json_ json_object *o = json_parse_strict(text, len, err);
	if (!o)
		return -1;
	const char *parent = jget_str(o, "parent");
	if (parent && digest_valid(parent))
		strcpy(r->parent, parent);
	r->manifests = jarr_to_strv(jget_arr(o, "manifests"), "manifests", err);
	const char *tt = jget_str(o, "lastTagTime"), *added = jget_str(o, "added");
	if (tt)
		img_time_parse(tt, &r->last_tag);
	if (added)
		img_time_parse(added, &r->added);
	json_object *layers = jget_arr(o, "layers");
	if (!layers || json_object_array_length(layers) != r->nlayers)
		return err_set(err, ERR_SYSTEM, 0, "meta.json does not match the config's layers");
	for (size_t i = 0; i < r->nlayers; i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(layers, i)), r->chain[i]))
			return err_set(err, ERR_SYSTEM, 0, "meta.json does not match the config's layers");
	return r->manifests ? 0 : -1;
}

static int write_file_sync(const char *path, const char *data, size_t len, err_t **err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(err, "create %s", path);
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, data + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return err_sys(err, "write %s", path);
		off += (size_t)k;
	}
	if (fsync(fd) < 0)
		return err_sys(err, "sync %s", path);
	return 0;
}

char *store_stage_image(img_store *s, img_rec *r, const img_meta *m, err_t **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/images/tmp-XXXXXX", s->root);
	if (!mkdtemp(dir)) {
		err_sys(err, "create %s", dir);
		return NULL;
	}
	memset(r->parent, 0, sizeof(r->parent));
	r->added = img_time_now();
	if (m && m->parent)
		snprintf(r->parent, sizeof(r->parent), "%s", m->parent);
	strv_free(r->manifests);
	r->manifests = jarr_to_strv(NULL, "", NULL);
	for (size_t i = 0; m && m->manifests && m->manifests[i]; i++)
		strv_push(&r->manifests, m->manifests[i]);
	_cleanup_json_ json_object *meta = meta_json(r);
	const char *text = jdump(meta);
	_cleanup_free_ char *cfg = fs_path_join(dir, "config.json");
	_cleanup_free_ char *mp = fs_path_join(dir, "meta.json");
	if (write_file_sync(cfg, r->config, r->config_len, err) < 0 ||
	    write_file_sync(mp, text, strlen(text), err) < 0 || fs_fsync_dir(dir) < 0) {
		fs_rm_rf(dir, NULL);
		err_sys(err, "stage image %s", r->id);
		return NULL;
	}
	return steal_ptr(&dir);
}

static bool strv_has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* An image loaded again may come with a manifest we did not know yet. */
static void adopt_manifests_locked(img_store *s, img_rec *have, char **manifests)
{
	bool changed = false;
	for (char **m = manifests; m && *m; m++) {
		if (strv_has(have->manifests, *m))
			continue;
		strv_push(&have->manifests, *m);
		changed = true;
	}
	if (changed)
		store_write_meta(s, have, NULL);
}

static void add_image_locked(img_store *s, img_rec *r)
{
	s->images = xgrow(s->images, &s->capimages, s->nimages + 1, sizeof(img_rec *));
	s->images[s->nimages++] = r;
}

img_rec *store_commit_image_locked(img_store *s, img_rec *r, const char *stage, err_t **err)
{
	img_rec *have = store_image_locked(s, r->id);
	if (have) {
		fs_rm_rf(stage, NULL);
		adopt_manifests_locked(s, have, r->manifests);
		img_rec_free(r);
		return have;
	}
	for (size_t i = 0; i < r->nlayers; i++) {
		if (!store_layer_locked(s, r->chain[i])) {
			err_set(err, ERR_SYSTEM, 0, "image %s: layer %s is missing", r->id, r->chain[i]);
			fs_rm_rf(stage, NULL);
			img_rec_free(r);
			return NULL;
		}
	}
	_cleanup_free_ char *final = xasprintf("%s/images/%s", s->root, r->id + 7);
	_cleanup_free_ char *images = fs_path_join(s->root, "images");
	if (rename(stage, final) < 0 || fs_fsync_dir(images) < 0) {
		err_sys(err, "commit image %s", r->id);
		fs_rm_rf(stage, NULL);
		img_rec_free(r);
		return NULL;
	}
	add_image_locked(s, r);
	return r;
}

/* ---- layers, leases, blobs ---- */

layer_rec *store_layer_locked(img_store *s, const char *chain)
{
	for (size_t i = 0; i < s->nlayers; i++)
		if (!strcmp(s->layers[i]->chain, chain))
			return s->layers[i];
	return NULL;
}

void store_add_layer_locked(img_store *s, const layer_rec *rec)
{
	if (store_layer_locked(s, rec->chain))
		return;
	layer_rec *l = xmalloc(sizeof(*l));
	*l = *rec;
	s->layers = xgrow(s->layers, &s->caplayers, s->nlayers + 1, sizeof(layer_rec *));
	s->layers[s->nlayers++] = l;
}

void store_lease_locked(img_store *s, const char *digest)
{
	s->leases = xgrow(s->leases, &s->capleases, s->nleases + 1, sizeof(char *));
	s->leases[s->nleases++] = xstrdup(digest);
}

void store_unlease_locked(img_store *s, const char *digest)
{
	for (size_t i = 0; i < s->nleases; i++) {
		if (strcmp(s->leases[i], digest))
			continue;
		free(s->leases[i]);
		s->leases[i] = s->leases[--s->nleases];
		return;
	}
}

static bool leased_locked(img_store *s, const char *digest)
{
	for (size_t i = 0; i < s->nleases; i++)
		if (!strcmp(s->leases[i], digest))
			return true;
	return false;
}

static bool layer_used_locked(img_store *s, const layer_rec *l)
{
	if (leased_locked(s, l->chain) || store_layer_pinned_locked(s, l->chain))
		return true;
	for (size_t i = 0; i < s->nimages; i++)
		for (size_t j = 0; j < s->images[i]->nlayers; j++)
			if (!strcmp(s->images[i]->chain[j], l->chain))
				return true;
	return false;
}

bool store_blob_referenced_locked(img_store *s, const char *digest)
{
	if (leased_locked(s, digest))
		return true;
	for (size_t i = 0; i < s->nlayers; i++)
		if (!strcmp(s->layers[i]->blob, digest))
			return true;
	for (size_t i = 0; i < s->nimages; i++)
		for (char **m = s->images[i]->manifests; m && *m; m++)
			if (!strcmp(*m, digest))
				return true;
	return false;
}

static void drop_layer_locked(img_store *s, layer_rec *l)
{
	for (size_t i = 0; i < s->nlayers; i++) {
		if (s->layers[i] != l)
			continue;
		s->layers[i] = s->layers[--s->nlayers];
		free(l);
		return;
	}
}

static void drop_image_locked(img_store *s, img_rec *r)
{
	for (size_t i = 0; i < s->nimages; i++) {
		if (s->images[i] != r)
			continue;
		memmove(&s->images[i], &s->images[i + 1], (s->nimages - i - 1) * sizeof(img_rec *));
		s->nimages--;
		return;
	}
}

static void push_trash(char ***trash, size_t *n, char *path)
{
	size_t cap = *n;
	*trash = xgrow(*trash, &cap, *n + 1, sizeof(char *));
	(*trash)[(*n)++] = path;
}

static void gc_blob_locked(img_store *s, const char *digest)
{
	if (*digest && !store_blob_referenced_locked(s, digest))
		blob_delete(s->root, digest, NULL);
}

static int remove_layers_locked(img_store *s, img_rec *r, char ***trash, size_t *ntrash,
				json_object *deleted, int64_t *reclaimed, err_t **err)
{
	for (size_t i = r->nlayers; i-- > 0;) {
		layer_rec *l = store_layer_locked(s, r->chain[i]);
		if (!l || layer_used_locked(s, l))
			continue;
		char *t = layer_unlink(s->root, l->chain, err);
		if (!t)
			return -1;
		push_trash(trash, ntrash, t);
		if (deleted) {
			json_object *o = json_object_new_object();
			jset_str(o, "Deleted", l->chain);
			json_object_array_add(deleted, o);
		}
		if (reclaimed)
			*reclaimed += l->size;
		char blob[DIGEST_STR_LEN + 1];
		strcpy(blob, l->blob);
		drop_layer_locked(s, l);
		gc_blob_locked(s, blob);
	}
	return 0;
}

void store_collect_layers_locked(img_store *s, char ***trash, size_t *ntrash)
{
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < s->nlayers; i++) {
			layer_rec *l = s->layers[i];
			if (layer_used_locked(s, l))
				continue;
			char *t = layer_unlink(s->root, l->chain, NULL);
			if (!t)
				continue;
			push_trash(trash, ntrash, t);
			char blob[DIGEST_STR_LEN + 1];
			strcpy(blob, l->blob);
			drop_layer_locked(s, l);
			gc_blob_locked(s, blob);
			again = true;
			break;
		}
	}
}

int store_remove_image_locked(img_store *s, img_rec *r, char ***trash, size_t *ntrash,
			      json_object *deleted, int64_t *reclaimed, err_t **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/images/%s", s->root, r->id + 7);
	_cleanup_free_ char *t = xasprintf("%s/images/tmp-del-XXXXXX", s->root);
	if (!mkdtemp(t) || rename(dir, t) < 0) {
		rmdir(t);
		return err_sys(err, "remove image %s", r->id);
	}
	push_trash(trash, ntrash, steal_ptr(&t));
	drop_image_locked(s, r);
	int rc = remove_layers_locked(s, r, trash, ntrash, deleted, reclaimed, err);
	for (char **m = r->manifests; m && *m; m++)
		gc_blob_locked(s, *m);
	img_rec_free(r);
	return rc;
}

void store_empty_trash(char **trash, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fs_rm_rf(trash[i], NULL);
		free(trash[i]);
	}
	free(trash);
}

/* ---- opening and repair ---- */

static bool is_hex64(const char *s)
{
	return hex_valid(s, DIGEST_HEX_LEN);
}

/* Removes every entry of dir whose name starts with prefix ("" = all). */
static void sweep(const char *dir, const char *prefix)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		_cleanup_free_ char *p = fs_path_join(dir, de->d_name);
		fs_rm_rf(p, NULL);
	}
}

static int make_dirs(const char *root, err_t **err)
{
	static const char *const sub[] = {"images", "layers", "pins", "tmp"};
	if (blob_store_init(root, err) < 0 || layer_store_init(root, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		_cleanup_free_ char *p = fs_path_join(root, sub[i]);
		if (fs_mkdir_p(p, 0700, err) < 0)
			return -1;
	}
	return 0;
}

static void load_layers(img_store *s)
{
	_cleanup_free_ char *dir = fs_path_join(s->root, "layers");
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!is_hex64(de->d_name))
			continue;
		layer_rec rec;
		_cleanup_err_ err_t *e = NULL;
		if (layer_read(s->root, de->d_name, &rec, &e) < 0) {
			log_warn("image store: removing damaged layer %s: %s", de->d_name, err_msg(e));
			_cleanup_free_ char *p = fs_path_join(dir, de->d_name);
			fs_rm_rf(p, NULL);
			continue;
		}
		store_add_layer_locked(s, &rec);
	}
}

static img_rec *load_image(img_store *s, const char *hex, err_t **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/images/%s", s->root, hex);
	_cleanup_free_ char *cp = fs_path_join(dir, "config.json");
	sweep(dir, "meta.json.tmp-"); /* fs_write_atomic's temp, if a crash left one */
	_cleanup_free_ char *cfg = NULL;
	size_t len;
	if (fs_read_file(cp, IMG_CONFIG_MAX, &cfg, &len, err) < 0)
		return NULL;
	img_rec *r = img_rec_from_config(cfg, len, err);
	if (!r)
		return NULL;
	if (strcmp(r->id + 7, hex)) {
		err_set(err, ERR_SYSTEM, 0, "config.json does not hash to the image ID");
		img_rec_free(r);
		return NULL;
	}
	if (read_meta(dir, r, err) < 0) {
		img_rec_free(r);
		return NULL;
	}
	for (size_t i = 0; i < r->nlayers; i++) {
		if (!store_layer_locked(s, r->chain[i])) {
			err_set(err, ERR_SYSTEM, 0, "layer %s is missing", r->chain[i]);
			img_rec_free(r);
			return NULL;
		}
	}
	return r;
}

static void load_images(img_store *s)
{
	_cleanup_free_ char *dir = fs_path_join(s->root, "images");
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!is_hex64(de->d_name))
			continue;
		_cleanup_err_ err_t *e = NULL;
		img_rec *r = load_image(s, de->d_name, &e);
		if (!r) {
			log_warn("image store: removing damaged image %s: %s", de->d_name, err_msg(e));
			_cleanup_free_ char *p = fs_path_join(dir, de->d_name);
			fs_rm_rf(p, NULL);
			continue;
		}
		add_image_locked(s, r);
	}
}

static bool image_known(void *ctx, const char *id)
{
	return store_image_locked(ctx, id) != NULL;
}

static void gc_unused(img_store *s)
{
	for (size_t i = s->nlayers; i-- > 0;) {
		layer_rec *l = s->layers[i];
		if (layer_used_locked(s, l))
			continue;
		_cleanup_free_ char *p = layer_dir(s->root, l->chain);
		fs_rm_rf(p, NULL);
		drop_layer_locked(s, l);
	}
	_cleanup_free_ char *dir = fs_path_join(s->root, "blobs/sha256");
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *dg = xasprintf("sha256:%s", de->d_name);
		if (is_hex64(de->d_name) && store_blob_referenced_locked(s, dg))
			continue;
		_cleanup_free_ char *p = fs_path_join(dir, de->d_name);
		fs_rm_rf(p, NULL);
	}
}

static int repair(img_store *s, err_t **err)
{
	_cleanup_free_ char *tmp = fs_path_join(s->root, "tmp");
	_cleanup_free_ char *layers = fs_path_join(s->root, "layers");
	_cleanup_free_ char *images = fs_path_join(s->root, "images");
	sweep(tmp, "blob-");
	sweep(layers, "tmp-");
	sweep(images, "tmp-");
	sweep(images, "repositories.json.tmp-");
	load_layers(s);
	load_images(s);
	store_load_pins(s);
	_cleanup_free_ char *rp = fs_path_join(s->root, "images/repositories.json");
	s->refs = refstore_open(rp, err);
	if (!s->refs)
		return -1;
	if (refstore_prune(s->refs, image_known, s) && refstore_save(s->refs, err) < 0)
		return -1;
	gc_unused(s);
	return 0;
}

img_store *img_store_open(const img_store_opts *o, err_t **err)
{
	if (!o || !o->root || !*o->root) {
		err_invalid(err, "image store: no data root");
		return NULL;
	}
	if (make_dirs(o->root, err) < 0)
		return NULL;
	img_store *s = xcalloc(1, sizeof(*s));
	s->root = xstrdup(o->root);
	pthread_mutex_init(&s->mu, NULL);
	s->on_event = o->on_event;
	s->event_ctx = o->event_ctx;
	s->hooks = o->containers;
	s->max_layer_entries = o->max_layer_entries ? o->max_layer_entries : DEFAULT_MAX_LAYER_ENTRIES;
	if (repair(s, err) < 0) {
		img_store_close(s);
		return NULL;
	}
	return s;
}

void img_store_close(img_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nimages; i++)
		img_rec_free(s->images[i]);
	free(s->images);
	for (size_t i = 0; i < s->nlayers; i++)
		free(s->layers[i]);
	free(s->layers);
	for (size_t i = 0; i < s->nleases; i++)
		free(s->leases[i]);
	free(s->leases);
	for (size_t i = 0; i < s->nevents; i++) {
		free(s->events[i].action);
		free(s->events[i].id);
		free(s->events[i].name);
	}
	free(s->events);
	refstore_free(s->refs);
	store_free_pins(s);
	pthread_mutex_destroy(&s->mu);
	free(s->root);
	free(s);
}
