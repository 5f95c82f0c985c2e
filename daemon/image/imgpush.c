/* imgpush.c: the store's side of a registry push (image.h, "registry
 * pushes"): what to send (the config, the kept layer blobs, leased for
 * the push's length, and a stored manifest when one names exactly these
 * blobs, so a pulled image is pushed with its original manifest and
 * digest), where a blob might be mounted from (other repositories of the
 * same registry that the store knows hold it, from RepoDigests), and what
 * to remember afterwards (the manifest, the RepoDigest, the push event). */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "manifest.h"
#include "reference.h"
#include "xalloc.h"

static void strv_add_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	*v = xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/* Repositories on `host` (other than `path`) that hold blob: those of the
 * RepoDigests of every image whose layers include it. */
static char **mount_sources_locked(img_store *s, const char *blob, const char *host,
				   const char *path)
{
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < s->nimages && n < 8; i++) {
		img_rec *r = s->images[i];
		bool has = false;
		for (size_t j = 0; j < r->nlayers && !has; j++) {
			layer_rec *l = store_layer_locked(s, r->chain[j]);
			has = l && !strcmp(l->blob, blob);
		}
		if (!has)
			continue;
		const ref_entry **refs;
		size_t nr = refstore_refs(s->refs, r->id, &refs);
		for (size_t k = 0; k < nr; k++) {
			const reference *ref = refs[k]->ref;
			if (ref->digest && !strcmp(ref->domain, host) && strcmp(ref->path, path))
				strv_add_unique(&v, &n, ref->path);
		}
		free(refs);
	}
	return v;
}

/* A stored manifest naming exactly this config and these blobs. */
static void find_manifest_locked(img_store *s, img_rec *r, img_push_image *im)
{
	for (char **m = r->manifests; m && *m; m++) {
		char *text = NULL;
		size_t len;
		oci_manifest om;
		if (blob_read(s->root, *m, IMG_CONFIG_MAX, &text, &len, NULL) < 0)
			continue;
		bool ok = manifest_sniff_kind(text, len) == DESC_MANIFEST &&
			  parse_oci_manifest(text, len, &om, NULL) == 0;
		if (ok) {
			ok = !strcmp(om.config.digest, r->id) && om.nlayers == im->nlayers;
			for (size_t i = 0; ok && i < om.nlayers; i++)
				ok = !strcmp(om.layers[i].digest, im->layers[i].blob) &&
				     om.layers[i].size == im->layers[i].size;
			oci_manifest_free(&om);
		}
		if (!ok) {
			free(text);
			continue;
		}
		_cleanup_json_ json_object *o = json_parse_strict(text, len, NULL);
		const char *mt = jget_str(o, "mediaType");
		im->manifest_mt = mt && !strcmp(mt, MT_DOCKER_MANIFEST) ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST;
		im->manifest = text;
		im->manifest_len = len;
		strcpy(im->manifest_digest, *m);
		store_lease_locked(s, *m);
		return;
	}
}

int img_push_begin(img_store *s, const char *name, const char *host, const char *path,
		   img_push_image *im, err_t **err)
{
	memset(im, 0, sizeof(*im));
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	if (!r) {
		store_unlock(s);
		return -1;
	}
	strcpy(im->id, r->id);
	im->config = xmalloc(r->config_len + 1);
	memcpy(im->config, r->config, r->config_len + 1);
	im->config_len = r->config_len;
	im->nlayers = r->nlayers;
	im->layers = xcalloc(r->nlayers + 1, sizeof(img_push_layer));
	int rc = 0;
	for (size_t i = 0; i < r->nlayers && rc == 0; i++) {
		layer_rec *l = store_layer_locked(s, r->chain[i]);
		if (!l || !*l->blob || !blob_exists(s->root, l->blob)) {
			rc = err_set(err, ERR_SYSTEM, 0, "image %s: layer %s has no stored blob to push",
				     r->id, r->diff[i]);
			break;
		}
		img_push_layer *pl = &im->layers[i];
		strcpy(pl->blob, l->blob);
		strcpy(pl->diff, l->diff);
		snprintf(pl->media_type, sizeof(pl->media_type), "%s", l->media_type);
		pl->size = l->blob_size;
		pl->path = blob_path(s->root, l->blob);
		pl->mount_from = mount_sources_locked(s, l->blob, host, path);
		store_lease_locked(s, l->blob);
		pl->leased = true;
	}
	if (rc == 0)
		find_manifest_locked(s, r, im);
	store_unlock(s);
	if (rc < 0)
		img_push_end(s, im);
	return rc;
}

void img_push_end(img_store *s, img_push_image *im)
{
	store_lock(s);
	for (size_t i = 0; i < im->nlayers; i++)
		if (im->layers[i].leased)
			store_unlease_locked(s, im->layers[i].blob);
	if (im->manifest)
		store_unlease_locked(s, im->manifest_digest);
	store_unlock(s);
	for (size_t i = 0; i < im->nlayers; i++) {
		free(im->layers[i].path);
		strv_free(im->layers[i].mount_from);
	}
	free(im->layers);
	free(im->config);
	free(im->manifest);
	memset(im, 0, sizeof(*im));
}

char **img_repo_tags(img_store *s, const char *repo, err_t **err)
{
	_cleanup_ref_ reference *r = ref_parse_normalized(repo, err);
	if (!r)
		return NULL;
	_cleanup_free_ char *fam = ref_familiar_name(r);
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;
	store_lock(s);
	const ref_entry **refs;
	size_t nr = refstore_by_name(s->refs, fam, &refs);
	for (size_t i = 0; i < nr; i++)
		if (refs[i]->ref->tag && !refs[i]->ref->digest)
			strv_add_unique(&v, &n, refs[i]->full);
	free(refs);
	store_unlock(s);
	return v;
}

int img_push_done(img_store *s, const img_push_image *im, const char *manifest, size_t len,
		  const char *digest, const char *pushed_ref, err_t **err)
{
	_cleanup_ref_ reference *ref = ref_parse_normalized(pushed_ref, err);
	if (!ref)
		return -1;
	_cleanup_ref_ reference *dref = ref_dup(ref);
	free(dref->tag);
	dref->tag = NULL;
	free(dref->digest);
	dref->digest = xstrdup(digest);
	/* keep the manifest so the next push (and save) sends the same bytes */
	_cleanup_blob_writer_ blob_writer *w = blob_writer_new(s->root, err);
	if (!w || blob_writer_write(w, manifest, len, err) < 0 ||
	    blob_writer_commit(w, digest, (int64_t)len, err) < 0)
		return -1;
	store_lock(s);
	img_rec *r = store_image_locked(s, im->id);
	int rc = 0;
	if (r) {
		bool known = false;
		for (char **m = r->manifests; m && *m; m++)
			known |= !strcmp(*m, digest);
		if (!known) {
			size_t n = 0;
			while (r->manifests && r->manifests[n])
				n++;
			r->manifests = xrealloc(r->manifests, (n + 2) * sizeof(char *));
			r->manifests[n] = xstrdup(digest);
			r->manifests[n + 1] = NULL;
			rc = store_write_meta(s, r, err);
		}
		const char *cur = refstore_get(s->refs, dref);
		if (rc == 0 && cur && strcmp(cur, r->id))
			refstore_delete(s->refs, dref);
		if (rc == 0 && (!cur || strcmp(cur, r->id)) &&
		    (refstore_add(s->refs, dref, r->id, true, NULL, err) < 0 || refstore_save(s->refs, err) < 0))
			rc = -1;
	} else if (!store_blob_referenced_locked(s, digest)) {
		blob_delete(s->root, digest, NULL); /* the image went away meanwhile */
	}
	_cleanup_free_ char *fam = ref_familiar_string(ref), *famname = ref_familiar_name(ref);
	if (rc == 0)
		store_event_locked(s, "push", fam, famname);
	store_unlock(s);
	return rc;
}

void img_pull_event(img_store *s, const char *ref_str)
{
	_cleanup_ref_ reference *ref = ref_parse_normalized(ref_str, NULL);
	if (!ref)
		return;
	_cleanup_free_ char *fam = ref_familiar_string(ref), *famname = ref_familiar_name(ref);
	store_lock(s);
	store_event_locked(s, "pull", fam, famname);
	store_unlock(s);
}
