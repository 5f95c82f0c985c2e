/* load.c: img_load. Pass one (loadspool.c) has spooled the archive; here
 * the images are found (manifest.json first, as Docker does, else the OCI
 * index.json with nested indexes resolved to linux/amd64), every config,
 * manifest and layer is checked against its digest and the config's
 * diff_ids, and only when all images check out are their layers and
 * records committed and their tags set. */
#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "manifest.h"
#include "reference.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_INDEX_DEPTH 8

typedef struct plan_image {
	img_rec *rec;           /* NULL once committed */
	size_t nlayers;
	char **tags;            /* references to set (full form), NULL-terminated */
	spool_entry **layers;   /* rec->nlayers members */
	char **layer_mt;        /* their media types per the manifest (entries may be NULL) */
	spool_entry *manifest;  /* the OCI manifest member, or NULL */
	char *parent;
} plan_image;

typedef struct plan {
	plan_image *v;
	size_t n, cap;
} plan;

static void plan_free(plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		plan_image *pi = &p->v[i];
		for (size_t j = 0; pi->layer_mt && j < pi->nlayers; j++)
			free(pi->layer_mt[j]);
		free(pi->layer_mt);
		img_rec_free(pi->rec);
		strv_free(pi->tags);
		free(pi->layers);
		free(pi->parent);
	}
	free(p->v);
}

static void strv_add(char ***v, const char *s)
{
	size_t n = 0;
	while (*v && (*v)[n])
		n++;
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

/* Takes ownership of rec, layers and mts; merges with an image already
 * planned under the same ID (several tags of one image). */
static void plan_add(plan *p, img_rec *rec, spool_entry **layers, char **mts,
		     spool_entry *manifest, char **tags, const char *parent)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->v[i].rec->id, rec->id))
			continue;
		for (char **t = tags; t && *t; t++)
			strv_add(&p->v[i].tags, *t);
		for (size_t j = 0; j < rec->nlayers; j++)
			free(mts[j]);
		img_rec_free(rec);
		free(layers);
		free(mts);
		strv_free(tags);
		return;
	}
	p->v = xgrow(p->v, &p->cap, p->n + 1, sizeof(plan_image));
	p->v[p->n++] = (plan_image){rec, rec->nlayers, tags ? tags : xcalloc(1, sizeof(char *)),
				    layers, mts, manifest, parent ? xstrdup(parent) : NULL};
}

static img_rec *config_rec(load_ctx *lc, spool_entry *e, const char *want_id, err_t **err)
{
	_cleanup_free_ char *cfg = NULL;
	size_t len;
	if (load_read_small(lc, e, &cfg, &len, err) < 0)
		return NULL;
	img_rec *rec = img_rec_from_config(cfg, len, err);
	if (!rec)
		return NULL;
	const char *os = jget_str(rec->cfg, "os");
	if (os && *os && strcmp(os, "linux")) {
		err_invalid(err, "cannot load %s image on linux", os);
	} else if (want_id && strcmp(want_id, rec->id)) {
		err_invalid(err, "invalid archive: config %s does not match its digest", want_id);
	} else {
		return rec;
	}
	img_rec_free(rec);
	return NULL;
}

/* A normalised tag for a RepoTags entry or an index name; NULL + error. */
static char *tag_ref(const char *name, bool docker, err_t **err)
{
	_cleanup_ref_ reference *r = ref_parse_normalized(name, err);
	if (!r)
		return NULL;
	if (docker && (!r->tag || r->digest)) {
		err_invalid(err, "invalid tag \"%s\"", name);
		return NULL;
	}
	if (r->digest)
		return xstrdup(""); /* a digest names no tag */
	ref_default_tag(r);
	return ref_string(r);
}

/* ---- docker save: manifest.json ---- */

static int plan_docker_item(load_ctx *lc, plan *p, const save_item *it, err_t **err)
{
	spool_entry *ce = load_lookup(lc, it->config, err);
	img_rec *rec = ce ? config_rec(lc, ce, NULL, err) : NULL;
	if (!rec)
		return -1;
	if (it->nlayers != rec->nlayers) {
		err_invalid(err, "invalid manifest, layers length mismatch: expected %zu, got %zu",
			    it->nlayers, rec->nlayers);
		img_rec_free(rec);
		return -1;
	}
	spool_entry **layers = xcalloc(rec->nlayers + 1, sizeof(*layers));
	char **mts = xcalloc(rec->nlayers + 1, sizeof(char *));
	char **tags = xcalloc(1, sizeof(char *));
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < rec->nlayers; i++)
		if (!(layers[i] = load_lookup(lc, it->layers[i], err)))
			rc = -1;
	for (char **t = it->repo_tags; rc == 0 && *t; t++) {
		_cleanup_free_ char *ref = tag_ref(*t, true, err);
		if (!ref)
			rc = -1;
		else
			strv_add(&tags, ref);
	}
	if (rc < 0) {
		img_rec_free(rec);
		free(layers);
		free(mts);
		strv_free(tags);
		return -1;
	}
	plan_add(p, rec, layers, mts, NULL, tags, it->parent);
	return 0;
}

static int plan_docker(load_ctx *lc, plan *p, spool_entry *me, err_t **err)
{
	_cleanup_free_ char *json = NULL;
	size_t len, n;
	save_item *items;
	if (load_read_small(lc, me, &json, &len, err) < 0 ||
	    parse_save_manifest(json, len, &items, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = plan_docker_item(lc, p, &items[i], err);
	save_items_free(items, n);
	return rc;
}

/* ---- OCI layout: index.json ---- */

/* The member for a descriptor, checked against its digest and size. */
static spool_entry *desc_entry(load_ctx *lc, const oci_desc *d, err_t **err)
{
	_cleanup_free_ char *path = xasprintf("blobs/sha256/%s", d->digest + 7);
	spool_entry *e = load_lookup(lc, path, NULL);
	if (!e) {
		err_invalid(err, "invalid archive: missing blob %s", d->digest);
		return NULL;
	}
	const char *have = load_entry_digest(e);
	if (!have || strcmp(have, d->digest)) {
		err_invalid(err, "invalid archive: blob %s does not match its digest (content is %s)",
			    d->digest, have ? have : "unreadable");
		return NULL;
	}
	int64_t size = e->blob ? blob_writer_size(e->blob) : blob_size(lc->s->root, have, NULL);
	if (size != d->size) {
		err_invalid(err, "invalid archive: blob %s has %lld bytes, its descriptor says %lld",
			    d->digest, (long long)size, (long long)d->size);
		return NULL;
	}
	return e;
}

static int plan_manifest(load_ctx *lc, plan *p, spool_entry *me, const char *json, size_t len,
			 const char *name, err_t **err)
{
	oci_manifest m;
	if (parse_oci_manifest(json, len, &m, err) < 0)
		return -1;
	spool_entry *ce = desc_entry(lc, &m.config, err);
	img_rec *rec = ce ? config_rec(lc, ce, m.config.digest, err) : NULL;
	int rc = rec ? 0 : -1;
	if (rec && m.nlayers != rec->nlayers)
		rc = err_invalid(err, "invalid manifest, layers length mismatch: expected %zu, got %zu",
				 m.nlayers, rec->nlayers);
	spool_entry **layers = xcalloc(m.nlayers + 1, sizeof(*layers));
	char **mts = xcalloc(m.nlayers + 1, sizeof(char *));
	for (size_t i = 0; rc == 0 && i < m.nlayers; i++) {
		if (!(layers[i] = desc_entry(lc, &m.layers[i], err)))
			rc = -1;
		else if (m.layers[i].media_type)
			mts[i] = xstrdup(m.layers[i].media_type);
	}
	char **tags = xcalloc(1, sizeof(char *));
	_cleanup_free_ char *ref = rc == 0 && name ? tag_ref(name, false, err) : NULL;
	if (rc == 0 && name && !ref)
		rc = -1;
	if (ref && *ref)
		strv_add(&tags, ref);
	if (rc == 0) {
		plan_add(p, rec, layers, mts, me, tags, NULL);
	} else {
		for (size_t i = 0; i < m.nlayers; i++)
			free(mts[i]);
		free(mts);
		free(layers);
		strv_free(tags);
		img_rec_free(rec);
	}
	oci_manifest_free(&m);
	return rc;
}

static int walk_desc(load_ctx *lc, plan *p, const oci_desc *d, const char *name, int depth,
		     err_t **err);

/* Picks the linux/amd64 image of a nested index (no variant preferred). */
static const oci_desc *pick_platform(const oci_desc *v, size_t n)
{
	const oci_desc *any = NULL;
	for (size_t i = 0; i < n; i++) {
		if (v[i].attestation || v[i].kind == DESC_INDEX || !oci_platform_wanted(&v[i]))
			continue;
		if (!v[i].variant)
			return &v[i];
		if (!any)
			any = &v[i];
	}
	return any;
}

static int walk_index(load_ctx *lc, plan *p, const char *json, size_t len, const char *name,
		      int depth, err_t **err)
{
	oci_desc *v;
	size_t n;
	if (parse_oci_index(json, len, &v, &n, err) < 0)
		return -1;
	const oci_desc *pick = pick_platform(v, n);
	int rc = pick ? walk_desc(lc, p, pick, pick->name ? pick->name : name, depth + 1, err)
		      : err_notfound(err, "no matching manifest for linux/amd64 in the manifest list entries");
	oci_descs_free(v, n);
	return rc;
}

static int walk_desc(load_ctx *lc, plan *p, const oci_desc *d, const char *name, int depth,
		     err_t **err)
{
	if (depth > MAX_INDEX_DEPTH)
		return err_invalid(err, "invalid archive: indexes nested too deeply");
	spool_entry *e = desc_entry(lc, d, err);
	_cleanup_free_ char *json = NULL;
	size_t len;
	if (!e || load_read_small(lc, e, &json, &len, err) < 0)
		return -1;
	desc_kind kind = d->kind != DESC_OTHER ? d->kind : manifest_sniff_kind(json, len);
	if (kind == DESC_INDEX)
		return walk_index(lc, p, json, len, name, depth, err);
	if (kind == DESC_MANIFEST)
		return plan_manifest(lc, p, e, json, len, name, err);
	return err_invalid(err, "invalid archive: %s is neither an image index nor a manifest (%s)",
			   d->digest, d->media_type ? d->media_type : "no media type");
}

static int plan_oci(load_ctx *lc, plan *p, spool_entry *ie, err_t **err)
{
	_cleanup_free_ char *json = NULL;
	size_t len, n;
	oci_desc *v;
	if (load_read_small(lc, ie, &json, &len, err) < 0 ||
	    parse_oci_index(json, len, &v, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (v[i].attestation || (v[i].kind != DESC_INDEX && !oci_platform_wanted(&v[i])))
			continue;
		rc = walk_desc(lc, p, &v[i], v[i].name, 0, err);
	}
	oci_descs_free(v, n);
	if (rc == 0 && p->n == 0)
		rc = err_invalid(err, "invalid archive: no linux/amd64 image in index.json");
	return rc;
}

/* A docker save archive that is also an OCI layout (Docker 25's, ours):
 * remember each image's manifest from index.json so a later save can
 * write the same manifest bytes. Best effort: the layout is not needed. */
static void adopt_manifests(load_ctx *lc, plan *p, spool_entry *ie)
{
	_cleanup_free_ char *json = NULL;
	size_t len, n;
	oci_desc *v;
	if (load_read_small(lc, ie, &json, &len, NULL) < 0 || parse_oci_index(json, len, &v, &n, NULL) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		spool_entry *me = v[i].kind == DESC_MANIFEST ? desc_entry(lc, &v[i], NULL) : NULL;
		_cleanup_free_ char *mj = NULL;
		oci_manifest m;
		if (!me || load_read_small(lc, me, &mj, &len, NULL) < 0 ||
		    parse_oci_manifest(mj, len, &m, NULL) < 0)
			continue;
		for (size_t k = 0; k < p->n; k++)
			if (!p->v[k].manifest && !strcmp(p->v[k].rec->id, m.config.digest))
				p->v[k].manifest = me;
		oci_manifest_free(&m);
	}
	oci_descs_free(v, n);
}

/* ---- checking layers ---- */

/* Unpacks a member now (it was not recognised, or its unpack was used). */
static int unpack_entry(load_ctx *lc, spool_entry *e, err_t **err)
{
	_cleanup_close_ int fd = load_open_entry(lc, e, err);
	if (fd < 0)
		return -1;
	layer_tmp *t = layer_tmp_new(lc->s->root, err);
	if (!t)
		return -1;
	img_reader r = img_reader_fd(fd);
	extract_opts o = {.max_entries = lc->s->max_layer_entries};
	if (extract_layer(&r, t->diff, &o, &e->x, err) < 0) {
		layer_tmp_free(t);
		return -1;
	}
	e->layer = t;
	e->unpacked = true;
	return 0;
}

/* The DiffID of a member: from its unpack, or from a stored layer. */
static int entry_diff(load_ctx *lc, spool_entry *e, char out[DIGEST_STR_LEN + 1], err_t **err)
{
	if (*e->stored) {
		store_lock(lc->s);
		for (size_t i = 0; i < lc->s->nlayers; i++)
			if (!strcmp(lc->s->layers[i]->blob, e->stored))
				strcpy(out, lc->s->layers[i]->diff);
		store_unlock(lc->s);
		if (*out)
			return 0;
	}
	if (!e->unpacked && e->xerr)
		return err_invalid(err, "%s", e->xerr->msg);
	if (!e->unpacked && unpack_entry(lc, e, err) < 0)
		return -1;
	strcpy(out, e->x.diff_id);
	return 0;
}

static bool layer_present(img_store *s, const char *chain)
{
	store_lock(s);
	bool have = store_layer_locked(s, chain) != NULL;
	store_unlock(s);
	return have;
}

static int check_image(load_ctx *lc, plan_image *pi, err_t **err)
{
	img_rec *r = pi->rec;
	for (size_t i = 0; i < r->nlayers; i++) {
		if (layer_present(lc->s, r->chain[i]))
			continue;
		char diff[DIGEST_STR_LEN + 1] = "";
		if (entry_diff(lc, pi->layers[i], diff, err) < 0)
			return err_wrap(err, "layer %zu of image %s", i, r->id);
		if (strcmp(diff, r->diff[i]))
			return err_invalid(err, "invalid diffID for layer %zu: expected \"%s\", got \"%s\"",
					   i, r->diff[i], diff);
	}
	return 0;
}

/* ---- committing ---- */

static int put_layer(load_ctx *lc, plan_image *pi, size_t i, err_t **err)
{
	img_rec *r = pi->rec;
	spool_entry *e = pi->layers[i];
	if (store_hold_layer(lc->s, r->chain[i]))
		return 0;
	if (!e->layer && unpack_entry(lc, e, err) < 0)
		return -1;
	if (strcmp(e->x.diff_id, r->diff[i]))
		return err_invalid(err, "invalid diffID for layer %zu", i);
	layer_blob b = {.w = *e->stored ? NULL : e->blob, .digest = *e->stored ? e->stored : NULL,
			.size = *e->stored ? blob_size(lc->s->root, e->stored, NULL) : 0,
			.media_type = pi->layer_mt[i]};
	char chain[DIGEST_STR_LEN + 1];
	int rc = store_put_layer(lc->s, e->layer, &b, i ? r->chain[i - 1] : "", &e->x, chain, err);
	layer_tmp_free(e->layer);
	e->layer = NULL;
	return rc;
}

static void say(load_ctx *lc, const char *fmt, const char *arg)
{
	if (!lc->p || !lc->p->stream)
		return;
	_cleanup_free_ char *msg = xasprintf(fmt, arg);
	lc->p->stream(lc->p->ctx, msg);
}

static void set_tags_locked(load_ctx *lc, plan_image *pi, img_rec *rec, strbuf *msgs)
{
	for (char **t = pi->tags; *t; t++) {
		_cleanup_ref_ reference *ref = ref_parse_normalized(*t, NULL);
		_cleanup_free_ char *old = NULL;
		if (!ref || refstore_add(lc->s->refs, ref, rec->id, true, &old, NULL) < 0)
			continue;
		_cleanup_free_ char *fam = ref_familiar_string(ref);
		if (old)
			sb_printf(msgs, "The image %s already exists, renaming the old one with ID %s to "
				  "empty string\n", fam, old);
		sb_printf(msgs, "Loaded image: %s\n", fam);
	}
}

static int register_image(load_ctx *lc, plan_image *pi, err_t **err)
{
	char *manifests[2] = {NULL, NULL};
	if (pi->manifest && pi->manifest->blob) {
		if (blob_writer_commit(pi->manifest->blob, NULL, -1, err) < 0)
			return -1;
		manifests[0] = (char *)blob_writer_digest(pi->manifest->blob);
	} else if (pi->manifest) {
		manifests[0] = pi->manifest->stored;
	}
	img_meta meta = {.parent = pi->parent, .manifests = manifests};
	_cleanup_free_ char *stage = store_stage_image(lc->s, pi->rec, &meta, err);
	if (!stage)
		return -1;
	_cleanup_sb_ strbuf msgs = STRBUF_INIT;
	char id[DIGEST_STR_LEN + 1];
	store_lock(lc->s);
	img_rec *rec = store_commit_image_locked(lc->s, steal_ptr(&pi->rec), stage, err);
	int rc = rec ? 0 : -1;
	if (rec) {
		strcpy(id, rec->id);
		set_tags_locked(lc, pi, rec, &msgs);
		if (pi->tags[0])
			rc = refstore_save(lc->s->refs, err);
		store_event_locked(lc->s, "load", rec->id, rec->id);
	}
	store_unlock(lc->s);
	if (rc == 0 && msgs.len)
		say(lc, "%s", msgs.buf);
	else if (rc == 0)
		say(lc, "Loaded image ID: %s\n", id);
	return rc;
}

static int commit_image(load_ctx *lc, plan_image *pi, err_t **err)
{
	size_t n = pi->rec->nlayers, held = 0;
	char (*chains)[DIGEST_STR_LEN + 1] = xcalloc(n + 1, sizeof(*chains));
	memcpy(chains, pi->rec->chain, n * sizeof(*chains));
	int rc = 0;
	if (pi->manifest && load_entry_digest(pi->manifest)) {
		store_lock(lc->s);
		store_lease_locked(lc->s, load_entry_digest(pi->manifest));
		store_unlock(lc->s);
	}
	for (; rc == 0 && held < n; held++)
		if (put_layer(lc, pi, held, err) < 0)
			rc = -1;
	if (rc < 0)
		held--;
	if (rc == 0)
		rc = register_image(lc, pi, err);
	for (size_t i = 0; i < held; i++)
		store_release_layer(lc->s, chains[i]);
	if (pi->manifest && load_entry_digest(pi->manifest)) {
		store_lock(lc->s);
		store_unlease_locked(lc->s, load_entry_digest(pi->manifest));
		store_unlock(lc->s);
	}
	free(chains);
	return rc;
}

static int assemble(load_ctx *lc, plan *p, err_t **err)
{
	_cleanup_err_ err_t *e1 = NULL;
	spool_entry *me = load_lookup(lc, "manifest.json", &e1);
	spool_entry *ie = load_lookup(lc, "index.json", NULL);
	int rc;
	if (me) {
		rc = plan_docker(lc, p, me, err);
		if (rc == 0 && ie)
			adopt_manifests(lc, p, ie);
	} else if (ie)
		rc = plan_oci(lc, p, ie, err);
	else
		return err_invalid(err, "invalid archive: no manifest.json or index.json found "
				   "(legacy pre-1.10 archives are not supported)");
	for (size_t i = 0; rc == 0 && i < p->n; i++)
		rc = check_image(lc, &p->v[i], err);
	for (size_t i = 0; rc == 0 && i < p->n; i++)
		rc = commit_image(lc, &p->v[i], err);
	return rc;
}

int img_load(img_store *s, const img_reader *in, bool quiet, const img_progress *progress,
	     err_t **err)
{
	load_ctx lc = {.s = s, .quiet = quiet, .p = progress};
	plan p = {0};
	int rc = load_spool(&lc, in, err);
	if (rc == 0)
		rc = assemble(&lc, &p, err);
	plan_free(&p);
	load_ctx_free(&lc);
	return rc;
}
