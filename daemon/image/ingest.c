/* ingest.c: the store's side of a registry pull (image.h, "registry
 * pulls"). The puller has verified the manifest and the config against
 * their digests; here each layer is unpacked from its blob's bytes as they
 * arrive, the blob is checked against its descriptor (digest and size)
 * and the layer against the config's diff_ids, and only then is the
 * download renamed into blobs/ and the layer registered. Nothing is
 * registered until img_ingest_commit, which writes the image, its tag and
 * its RepoDigest at once. Partial downloads live in <root>/ingest/<hex>
 * (a valid prefix of the blob, so the next pull resumes it with Range);
 * files older than a day are swept when the store opens. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "reference.h"
#include "xalloc.h"

#define INGEST_MAX_AGE (24 * 3600)

struct img_ingest {
	img_store *s;
	img_rec *rec;          /* parsed config; NULL once committed */
	char (*chains)[DIGEST_STR_LEN + 1]; /* its ChainIDs, kept past the commit */
	size_t n;
	bool *have;            /* layer i present (leased) */
	bool *put;             /* layer i registered by us (leased) */
	bool exists;           /* the whole image is in the store */
	bool committed;
};

char *img_ingest_path(img_store *s, const char *digest)
{
	if (!digest_valid(digest))
		return NULL;
	_cleanup_free_ char *dir = fs_path_join(s->root, "ingest");
	if (fs_mkdir_p(dir, 0700, NULL) < 0)
		return NULL;
	return xasprintf("%s/%s", dir, digest + 7);
}

void store_sweep_ingest(img_store *s)
{
	_cleanup_free_ char *dir = fs_path_join(s->root, "ingest");
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	time_t now = time(NULL);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		struct stat st;
		_cleanup_free_ char *p = fs_path_join(dir, de->d_name);
		if (!hex_valid(de->d_name, DIGEST_HEX_LEN) ||
		    (stat(p, &st) == 0 && now - st.st_mtime > INGEST_MAX_AGE))
			fs_rm_rf(p, NULL);
	}
}

img_ingest *img_ingest_begin(img_store *s, const char *config, size_t len, err_t **err)
{
	img_rec *rec = img_rec_from_config(config, len, err);
	if (!rec)
		return NULL;
	img_ingest *g = xcalloc(1, sizeof(*g));
	g->s = s;
	g->rec = rec;
	g->n = rec->nlayers;
	g->chains = xcalloc(g->n + 1, sizeof(*g->chains));
	memcpy(g->chains, rec->chain, g->n * sizeof(*g->chains));
	g->have = xcalloc(rec->nlayers + 1, sizeof(bool));
	g->put = xcalloc(rec->nlayers + 1, sizeof(bool));
	store_lock(s);
	g->exists = store_image_locked(s, rec->id) != NULL;
	store_unlock(s);
	for (size_t i = 0; i < rec->nlayers; i++)
		g->have[i] = store_hold_layer(s, rec->chain[i]);
	return g;
}

const char *img_ingest_id(const img_ingest *g)
{
	return g->rec ? g->rec->id : NULL;
}

size_t img_ingest_layers(const img_ingest *g)
{
	return g->n;
}

const char *img_ingest_config_os(const img_ingest *g)
{
	return g->rec ? jget_str(g->rec->cfg, "os") : NULL;
}

bool img_ingest_exists(const img_ingest *g)
{
	return g->exists;
}

bool img_ingest_have_layer(const img_ingest *g, size_t i)
{
	return i < g->n && g->have[i];
}

int img_ingest_layer(img_ingest *g, size_t i, const img_reader *in, const img_blob_desc *d,
		     bool *bad_blob, err_t **err)
{
	img_store *s = g->s;
	*bad_blob = false;
	if (!g->rec || i >= g->n)
		return err_invalid(err, "layer %zu is beyond the image's %zu layers", i, g->n);
	_cleanup_layer_tmp_ layer_tmp *t = layer_tmp_new(s->root, err);
	if (!t)
		return -1;
	extract_opts o = {.keep_mode = KEEP_NONE, .max_entries = s->max_layer_entries};
	extract_result x;
	if (extract_layer(in, t->diff, &o, &x, err) < 0)
		return -1;
	if (strcmp(x.raw_digest, d->digest) || x.raw_size != d->size) {
		*bad_blob = true;
		return err_invalid(err, "filesystem layer verification failed for digest %s", d->digest);
	}
	if (strcmp(x.diff_id, g->rec->diff[i])) {
		*bad_blob = true;
		return err_invalid(err, "layers from manifest don't match image configuration "
				   "(layer %zu: the config says %s, the layer is %s)", i, g->rec->diff[i],
				   x.diff_id);
	}
	/* lease the blob first: a concurrent delete must not collect it */
	store_lock(s);
	store_lease_locked(s, d->digest);
	store_unlock(s);
	layer_blob b = {.digest = d->digest, .size = d->size, .media_type = d->media_type};
	char chain[DIGEST_STR_LEN + 1];
	int rc = blob_adopt(s->root, d->path, d->digest, err);
	if (rc == 0)
		rc = store_put_layer(s, t, &b, i ? g->rec->chain[i - 1] : "", &x, chain, err);
	store_lock(s);
	store_unlease_locked(s, d->digest);
	store_unlock(s);
	if (rc == 0)
		g->put[i] = true;
	return rc;
}

/* Keeps a manifest's bytes in the blob store (the puller verified them). */
static int keep_manifest(img_store *s, const char *bytes, size_t len, const char *digest,
			 err_t **err)
{
	_cleanup_blob_writer_ blob_writer *w = blob_writer_new(s->root, err);
	if (!w || blob_writer_write(w, bytes, len, err) < 0)
		return -1;
	return blob_writer_commit(w, digest, (int64_t)len, err);
}

/* Sets ref to id (a tag moves; a digest is replaced, as Docker's pull
 * forces it); true when it did not point there already. */
static bool point_ref_locked(img_store *s, const reference *ref, const char *id, err_t **err)
{
	const char *cur = refstore_get(s->refs, ref);
	if (cur && !strcmp(cur, id))
		return false;
	if (cur && ref->digest)
		refstore_delete(s->refs, ref);
	if (refstore_add(s->refs, ref, id, true, NULL, err) < 0)
		return false;
	return true;
}

int img_ingest_commit(img_ingest *g, const img_pull_refs *p, bool *changed, err_t **err)
{
	img_store *s = g->s;
	*changed = false;
	if (!g->rec)
		return err_set(err, ERR_SYSTEM, 0, "image already committed");
	for (size_t i = 0; i < g->n; i++)
		if (!g->have[i] && !g->put[i])
			return err_set(err, ERR_SYSTEM, 0, "layer %zu of %s was not pulled", i, g->rec->id);
	_cleanup_ref_ reference *tag = p->tag ? ref_parse_normalized(p->tag, err) : NULL;
	_cleanup_ref_ reference *dref = p->digest_ref ? ref_parse_normalized(p->digest_ref, err) : NULL;
	if ((p->tag && !tag) || (p->digest_ref && !dref))
		return -1;
	if (p->manifest && keep_manifest(s, p->manifest, p->manifest_len, p->manifest_digest, err) < 0)
		return -1;
	store_lock(s);
	if (p->manifest)
		store_lease_locked(s, p->manifest_digest);
	store_unlock(s);
	char *manifests[2] = {p->manifest ? (char *)p->manifest_digest : NULL, NULL};
	img_meta meta = {.manifests = manifests};
	char id[DIGEST_STR_LEN + 1];
	strcpy(id, g->rec->id);
	_cleanup_free_ char *stage = store_stage_image(s, g->rec, &meta, err);
	int rc = stage ? 0 : -1;
	store_lock(s);
	if (rc == 0) {
		bool was = store_image_locked(s, id) != NULL;
		img_rec *r = store_commit_image_locked(s, steal_ptr(&g->rec), stage, err);
		rc = r ? 0 : -1;
		if (r && !was)
			*changed = true;
		g->committed = r != NULL;
	}
	bool tag_moved = false;
	if (rc == 0 && tag) {
		_cleanup_err_ err_t *e = NULL;
		tag_moved = point_ref_locked(s, tag, id, &e);
		if (e)
			rc = err_set(err, e->kind, 0, "%s", e->msg);
	}
	if (rc == 0 && dref) {
		_cleanup_err_ err_t *e = NULL;
		if (point_ref_locked(s, dref, id, &e) && !tag)
			*changed = true;
		if (e)
			rc = err_set(err, e->kind, 0, "%s", e->msg);
	}
	if (rc == 0 && (tag || dref))
		rc = refstore_save(s->refs, err);
	if (rc == 0 && tag_moved) {
		*changed = true;
		_cleanup_free_ char *fam = ref_familiar_string(tag);
		store_event_locked(s, "tag", id, fam);
	}
	if (p->manifest)
		store_unlease_locked(s, p->manifest_digest);
	if (p->manifest && rc < 0 && !store_blob_referenced_locked(s, p->manifest_digest))
		blob_delete(s->root, p->manifest_digest, NULL);
	store_unlock(s);
	return rc;
}

void img_ingest_free(img_ingest *g)
{
	if (!g)
		return;
	bool orphans = false;
	for (size_t i = 0; i < g->n; i++) {
		if (g->have[i] || g->put[i])
			store_release_layer(g->s, g->chains[i]);
		orphans |= g->put[i] && !g->committed;
	}
	if (orphans) { /* a failed pull registers nothing: its layers go again */
		char **trash = NULL;
		size_t ntrash = 0;
		store_lock(g->s);
		store_collect_layers_locked(g->s, &trash, &ntrash);
		store_unlock(g->s);
		store_empty_trash(trash, ntrash);
	}
	img_rec_free(g->rec);
	free(g->chains);
	free(g->have);
	free(g->put);
	free(g);
}
