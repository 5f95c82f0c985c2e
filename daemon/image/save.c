/* save.c: GET /images/get. One tar in Docker 25's shape: an OCI image
 * layout (oci-layout, index.json with io.containerd.image.name and
 * org.opencontainers.image.ref.name annotations, blobs/sha256/...) plus
 * Docker's manifest.json and the legacy repositories file, so `docker
 * load`, skopeo (docker-archive: and oci-archive:) and img_load all read it
 * back to the same image IDs. Layers are written from the blobs kept at
 * load/import time, byte for byte, so their digests are the ones recorded;
 * no tar is regenerated from the unpacked tree. Everything is resolved and
 * leased before the first byte goes out. */
#include "store.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "manifest.h"
#include "reference.h"
#include "strbuf.h"
#include "xalloc.h"

#define SAVE_BUF (128 * 1024)

typedef struct save_layer {
	char blob[DIGEST_STR_LEN + 1];
	char diff[DIGEST_STR_LEN + 1];
	char media_type[128];
	int64_t size;
} save_layer;

typedef struct save_image {
	char id[DIGEST_STR_LEN + 1];
	char *config;
	size_t config_len;
	save_layer *layers;
	size_t nlayers;
	char *manifest;         /* bytes of the manifest to write */
	size_t manifest_len;
	char manifest_digest[DIGEST_STR_LEN + 1];
	const char *manifest_mt;
	char *arch, *os, *variant;
	reference **tags;       /* tagged references to name it by */
	size_t ntags, captags;
} save_image;

typedef struct save_set {
	img_store *s;
	save_image *v;
	size_t n, cap;
	char **leases;
	size_t nleases, capleases;
} save_set;

/* ---- resolving names (tarexport.parseNames) ---- */

static save_image *set_image(save_set *ss, const char *id)
{
	for (size_t i = 0; i < ss->n; i++)
		if (!strcmp(ss->v[i].id, id))
			return &ss->v[i];
	ss->v = xgrow(ss->v, &ss->cap, ss->n + 1, sizeof(save_image));
	save_image *si = &ss->v[ss->n++];
	memset(si, 0, sizeof(*si));
	strcpy(si->id, id);
	return si;
}

static void add_tag(save_image *si, const reference *ref)
{
	if (!ref || ref->digest)
		return;
	_cleanup_ref_ reference *t = ref_dup(ref);
	ref_default_tag(t);
	_cleanup_free_ char *full = ref_string(t);
	for (size_t i = 0; i < si->ntags; i++) {
		_cleanup_free_ char *have = ref_string(si->tags[i]);
		if (!strcmp(have, full))
			return;
	}
	si->tags = xgrow(si->tags, &si->captags, si->ntags + 1, sizeof(reference *));
	si->tags[si->ntags++] = steal_ptr(&t);
}

static int by_prefix_locked(save_set *ss, const char *name, err_t **err)
{
	img_rec *r = store_find_locked(ss->s, name, err);
	if (!r)
		return -1;
	set_image(ss, r->id);
	return 0;
}

static int add_name_locked(save_set *ss, const char *name, err_t **err)
{
	if (ref_is_identifier(name) || digest_valid(name))
		return by_prefix_locked(ss, name, err);
	_cleanup_ref_ reference *ref = ref_parse_normalized(name, err);
	if (!ref)
		return -1;
	_cleanup_free_ char *fam = ref_familiar_name(ref);
	if (!strcmp(fam, "sha256"))
		return by_prefix_locked(ss, name, err);
	if (!ref->tag && !ref->digest) {
		const ref_entry **refs;
		size_t n = refstore_by_name(ss->s->refs, fam, &refs);
		for (size_t i = 0; i < n; i++)
			add_tag(set_image(ss, refs[i]->id), refs[i]->ref);
		free(refs);
		return n ? 0 : by_prefix_locked(ss, name, err);
	}
	const char *id = refstore_get(ss->s->refs, ref);
	if (!id || !store_image_locked(ss->s, id))
		return err_notfound(err, "reference does not exist");
	add_tag(set_image(ss, id), ref);
	return 0;
}

/* ---- gathering what to write ---- */

static void lease(save_set *ss, const char *digest)
{
	store_lease_locked(ss->s, digest);
	ss->leases = xgrow(ss->leases, &ss->capleases, ss->nleases + 1, sizeof(char *));
	ss->leases[ss->nleases++] = xstrdup(digest);
}

/* The original manifest when it names exactly our config and layer blobs. */
static bool reuse_manifest(save_set *ss, save_image *si, const char *digest)
{
	char *text = NULL;
	size_t len;
	oci_manifest m;
	if (blob_read(ss->s->root, digest, IMG_CONFIG_MAX, &text, &len, NULL) < 0)
		return false;
	bool ok = parse_oci_manifest(text, len, &m, NULL) == 0;
	if (ok) {
		ok = !strcmp(m.config.digest, si->id) && m.nlayers == si->nlayers;
		for (size_t i = 0; ok && i < m.nlayers; i++)
			ok = !strcmp(m.layers[i].digest, si->layers[i].blob) &&
			     m.layers[i].size == si->layers[i].size;
		oci_manifest_free(&m);
	}
	desc_kind k = ok ? manifest_sniff_kind(text, len) : DESC_OTHER;
	if (k != DESC_MANIFEST) {
		free(text);
		return false;
	}
	_cleanup_json_ json_object *o = json_parse_strict(text, len, NULL);
	const char *mt = jget_str(o, "mediaType");
	si->manifest_mt = mt && !strcmp(mt, MT_DOCKER_MANIFEST) ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST;
	si->manifest = text;
	si->manifest_len = len;
	strcpy(si->manifest_digest, digest);
	lease(ss, digest);
	return true;
}

static void make_manifest(save_image *si)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_int(o, "schemaVersion", 2);
	jset_str(o, "mediaType", MT_OCI_MANIFEST);
	json_object *cfg = json_object_new_object();
	jset_str(cfg, "mediaType", MT_OCI_CONFIG);
	jset_str(cfg, "digest", si->id);
	jset_int(cfg, "size", (int64_t)si->config_len);
	jset(o, "config", cfg);
	json_object *layers = json_object_new_array();
	for (size_t i = 0; i < si->nlayers; i++) {
		json_object *l = json_object_new_object();
		jset_str(l, "mediaType", si->layers[i].media_type);
		jset_str(l, "digest", si->layers[i].blob);
		jset_int(l, "size", si->layers[i].size);
		json_object_array_add(layers, l);
	}
	jset(o, "layers", layers);
	si->manifest = xstrdup(jdump(o));
	si->manifest_len = strlen(si->manifest);
	digest_buf(si->manifest, si->manifest_len, si->manifest_digest);
	si->manifest_mt = MT_OCI_MANIFEST;
}

static int gather_locked(save_set *ss, save_image *si, err_t **err)
{
	img_rec *r = store_image_locked(ss->s, si->id);
	if (!r)
		return err_notfound(err, "No such image: %s", si->id);
	si->config = xmalloc(r->config_len + 1);
	memcpy(si->config, r->config, r->config_len + 1);
	si->config_len = r->config_len;
	si->nlayers = r->nlayers;
	si->layers = xcalloc(r->nlayers + 1, sizeof(save_layer));
	for (size_t i = 0; i < r->nlayers; i++) {
		layer_rec *l = store_layer_locked(ss->s, r->chain[i]);
		if (!l || !*l->blob || !blob_exists(ss->s->root, l->blob))
			return err_set(err, ERR_SYSTEM, 0, "image %s: layer %s has no stored blob to "
				       "export", r->id, r->diff[i]);
		save_layer *sl = &si->layers[i];
		strcpy(sl->blob, l->blob);
		strcpy(sl->diff, l->diff);
		strcpy(sl->media_type, l->media_type);
		sl->size = l->blob_size;
		lease(ss, l->blob);
	}
	si->arch = xstrdup(jget_str(r->cfg, "architecture") ? jget_str(r->cfg, "architecture") : "amd64");
	si->os = xstrdup(jget_str(r->cfg, "os") ? jget_str(r->cfg, "os") : "linux");
	si->variant = jget_str(r->cfg, "variant") ? xstrdup(jget_str(r->cfg, "variant")) : NULL;
	bool reused = false;
	for (char **m = r->manifests; m && *m && !reused; m++)
		reused = reuse_manifest(ss, si, *m);
	if (!reused)
		make_manifest(si);
	return 0;
}

static void save_set_free(save_set *ss)
{
	if (ss->nleases) {
		store_lock(ss->s);
		for (size_t i = 0; i < ss->nleases; i++)
			store_unlease_locked(ss->s, ss->leases[i]);
		store_unlock(ss->s);
	}
	for (size_t i = 0; i < ss->nleases; i++)
		free(ss->leases[i]);
	free(ss->leases);
	for (size_t i = 0; i < ss->n; i++) {
		save_image *si = &ss->v[i];
		free(si->config);
		free(si->layers);
		free(si->manifest);
		free(si->arch);
		free(si->os);
		free(si->variant);
		for (size_t j = 0; j < si->ntags; j++)
			ref_free(si->tags[j]);
		free(si->tags);
	}
	free(ss->v);
}

/* ---- the metadata documents ---- */

static json_object *platform_json(const save_image *si)
{
	json_object *p = json_object_new_object();
	jset_str(p, "architecture", si->arch);
	jset_str(p, "os", si->os);
	if (si->variant)
		jset_str(p, "variant", si->variant);
	return p;
}

static json_object *index_desc(const save_image *si, const reference *tag)
{
	json_object *d = json_object_new_object();
	jset_str(d, "mediaType", si->manifest_mt);
	jset_str(d, "digest", si->manifest_digest);
	jset_int(d, "size", (int64_t)si->manifest_len);
	jset(d, "platform", platform_json(si));
	if (tag) {
		json_object *a = json_object_new_object();
		_cleanup_free_ char *full = ref_string(tag);
		jset_str(a, "io.containerd.image.name", full);
		jset_str(a, "org.opencontainers.image.ref.name", tag->tag);
		jset(d, "annotations", a);
	}
	return d;
}

static char *index_json(const save_set *ss)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_int(o, "schemaVersion", 2);
	jset_str(o, "mediaType", MT_OCI_INDEX);
	json_object *m = json_object_new_array();
	for (size_t i = 0; i < ss->n; i++) {
		const save_image *si = &ss->v[i];
		for (size_t j = 0; j < si->ntags; j++)
			json_object_array_add(m, index_desc(si, si->tags[j]));
		if (!si->ntags)
			json_object_array_add(m, index_desc(si, NULL));
	}
	jset(o, "manifests", m);
	return xasprintf("%s\n", jdump(o));
}

static char *manifest_json(const save_set *ss)
{
	_cleanup_json_ json_object *a = json_object_new_array();
	for (size_t i = 0; i < ss->n; i++) {
		const save_image *si = &ss->v[i];
		json_object *o = json_object_new_object();
		_cleanup_free_ char *cfg = xasprintf("blobs/sha256/%s", si->id + 7);
		jset_str(o, "Config", cfg);
		json_object *tags = si->ntags ? json_object_new_array() : NULL;
		for (size_t j = 0; j < si->ntags; j++) {
			_cleanup_free_ char *fam = ref_familiar_string(si->tags[j]);
			json_object_array_add(tags, json_object_new_string(fam));
		}
		jset(o, "RepoTags", tags);
		json_object *layers = json_object_new_array();
		for (size_t j = 0; j < si->nlayers; j++) {
			_cleanup_free_ char *p = xasprintf("blobs/sha256/%s", si->layers[j].blob + 7);
			json_object_array_add(layers, json_object_new_string(p));
		}
		jset(o, "Layers", layers);
		json_object_array_add(a, o);
	}
	return xasprintf("%s\n", jdump(a));
}

/* {"busybox":{"latest":"<top layer DiffID hex>"}}, or NULL when untagged. */
static char *repositories_json(const save_set *ss)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	bool any = false;
	for (size_t i = 0; i < ss->n; i++) {
		const save_image *si = &ss->v[i];
		for (size_t j = 0; j < si->ntags && si->nlayers; j++) {
			_cleanup_free_ char *name = ref_familiar_name(si->tags[j]);
			json_object *repo = jget(o, name);
			if (!repo) {
				repo = json_object_new_object();
				jset(o, name, repo);
			}
			jset_str(repo, si->tags[j]->tag, si->layers[si->nlayers - 1].diff + 7);
			any = true;
		}
	}
	return any ? xasprintf("%s\n", jdump(o)) : NULL;
}

/* ---- writing the tar ---- */

typedef struct tar_out {
	const img_writer *w;
	err_t *err;
} tar_out;

static la_ssize_t tar_write_cb(struct archive *a, void *ud, const void *buf, size_t n)
{
	tar_out *t = ud;
	if (img_write_all(t->w, buf, n, &t->err) < 0) {
		archive_set_error(a, EIO, "%s", err_msg(t->err));
		return -1;
	}
	return (la_ssize_t)n;
}

static int put_header(struct archive *a, const char *path, unsigned type, int64_t size,
		      err_t **err)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, type == AE_IFDIR ? 0 : size);
	archive_entry_set_mtime(e, 0, 0);
	int r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r < ARCHIVE_WARN)
		return err_set(err, ERR_SYSTEM, 0, "write %s: %s", path, archive_error_string(a));
	return 0;
}

static int put_bytes(struct archive *a, const char *path, const char *data, size_t len,
		     err_t **err)
{
	if (put_header(a, path, AE_IFREG, (int64_t)len, err) < 0)
		return -1;
	if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
		return err_set(err, ERR_SYSTEM, 0, "write %s: %s", path, archive_error_string(a));
	return 0;
}

static int put_blob_file(struct archive *a, const char *root, const char *digest, err_t **err)
{
	_cleanup_close_ int fd = blob_open(root, digest, err);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return fd < 0 ? -1 : err_sys(err, "stat blob %s", digest);
	_cleanup_free_ char *path = xasprintf("blobs/sha256/%s", digest + 7);
	if (put_header(a, path, AE_IFREG, st.st_size, err) < 0)
		return -1;
	_cleanup_free_ char *buf = xmalloc(SAVE_BUF);
	int64_t left = st.st_size;
	while (left > 0) {
		ssize_t k = read(fd, buf, SAVE_BUF < left ? SAVE_BUF : (size_t)left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return err_sys(err, "read blob %s", digest);
		if (archive_write_data(a, buf, (size_t)k) != k)
			return err_set(err, ERR_SYSTEM, 0, "write %s: %s", path, archive_error_string(a));
		left -= k;
	}
	return 0;
}

static bool seen(char ***done, size_t *n, const char *digest)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*done)[i], digest))
			return true;
	*done = xrealloc(*done, (*n + 1) * sizeof(char *));
	(*done)[(*n)++] = xstrdup(digest);
	return false;
}

static int put_image_blobs(struct archive *a, save_set *ss, save_image *si, char ***done,
			   size_t *ndone, err_t **err)
{
	_cleanup_free_ char *cp = xasprintf("blobs/sha256/%s", si->id + 7);
	_cleanup_free_ char *mp = xasprintf("blobs/sha256/%s", si->manifest_digest + 7);
	if (!seen(done, ndone, si->id) && put_bytes(a, cp, si->config, si->config_len, err) < 0)
		return -1;
	for (size_t i = 0; i < si->nlayers; i++)
		if (!seen(done, ndone, si->layers[i].blob) &&
		    put_blob_file(a, ss->s->root, si->layers[i].blob, err) < 0)
			return -1;
	if (!seen(done, ndone, si->manifest_digest) &&
	    put_bytes(a, mp, si->manifest, si->manifest_len, err) < 0)
		return -1;
	return 0;
}

static int write_archive(struct archive *a, save_set *ss, err_t **err)
{
	char **done = NULL;
	size_t ndone = 0;
	int rc = put_header(a, "blobs/", AE_IFDIR, 0, err);
	if (rc == 0)
		rc = put_header(a, "blobs/sha256/", AE_IFDIR, 0, err);
	for (size_t i = 0; rc == 0 && i < ss->n; i++)
		rc = put_image_blobs(a, ss, &ss->v[i], &done, &ndone, err);
	for (size_t i = 0; i < ndone; i++)
		free(done[i]);
	free(done);
	_cleanup_free_ char *index = index_json(ss);
	_cleanup_free_ char *manifest = manifest_json(ss);
	_cleanup_free_ char *repos = repositories_json(ss);
	static const char layout[] = "{\"imageLayoutVersion\": \"1.0.0\"}";
	if (rc == 0)
		rc = put_bytes(a, "index.json", index, strlen(index), err);
	if (rc == 0)
		rc = put_bytes(a, "manifest.json", manifest, strlen(manifest), err);
	if (rc == 0)
		rc = put_bytes(a, "oci-layout", layout, strlen(layout), err);
	if (rc == 0 && repos)
		rc = put_bytes(a, "repositories", repos, strlen(repos), err);
	return rc;
}

static int stream_out(save_set *ss, const img_writer *out, err_t **err)
{
	tar_out t = {out, NULL};
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_per_block(a, 10240);
	int rc = archive_write_open(a, &t, NULL, tar_write_cb, NULL) == ARCHIVE_OK
			 ? write_archive(a, ss, err) : err_set(err, ERR_SYSTEM, 0, "open output");
	if (archive_write_close(a) != ARCHIVE_OK && rc == 0)
		rc = err_set(err, ERR_SYSTEM, 0, "finish archive: %s", archive_error_string(a));
	archive_write_free(a);
	if (rc < 0 && t.err && err && *err)
		err_wrap(err, "%s", t.err->msg);
	err_free(&t.err);
	return rc;
}

int img_save(img_store *s, char *const *names, size_t n, const img_writer *out, err_t **err)
{
	save_set ss = {.s = s};
	if (!n)
		return err_invalid(err, "no image names given");
	store_lock(s);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_name_locked(&ss, names[i], err);
	for (size_t i = 0; rc == 0 && i < ss.n; i++)
		rc = gather_locked(&ss, &ss.v[i], err);
	store_unlock(s);
	if (rc == 0)
		rc = stream_out(&ss, out, err);
	if (rc == 0) {
		store_lock(s);
		for (size_t i = 0; i < ss.n; i++)
			store_event_locked(s, "save", ss.v[i].id, ss.v[i].id);
		store_unlock(s);
	}
	save_set_free(&ss);
	return rc;
}
