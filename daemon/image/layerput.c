/* layerput.c: turning an unpacked temp layer into a registered one, and
 * the leases that keep layers alive between being put and being named by a
 * committed image (load and import both go through here). */
#include "store.h"

#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "xalloc.h"

bool store_hold_layer(img_store *s, const char *chain)
{
	store_lock(s);
	layer_rec *l = store_layer_locked(s, chain);
	if (l) {
		store_lease_locked(s, l->chain);
		if (*l->blob)
			store_lease_locked(s, l->blob);
	}
	store_unlock(s);
	return l != NULL;
}

void store_release_layer(img_store *s, const char *chain)
{
	store_lock(s);
	layer_rec *l = store_layer_locked(s, chain);
	if (l && *l->blob)
		store_unlease_locked(s, l->blob);
	store_unlease_locked(s, chain);
	store_unlock(s);
}

/* Swaps the blob lease when the layer that won a race keeps another blob. */
static void relink_lease_locked(img_store *s, const layer_rec *mine, const layer_rec *have)
{
	if (*mine->blob)
		store_unlease_locked(s, mine->blob);
	if (*have->blob)
		store_lease_locked(s, have->blob);
}

static int kept_blob(const layer_blob *b, const extract_result *x, layer_rec *rec, err_t **err)
{
	if (!b || (!b->w && !b->digest))
		return 0;
	if (b->w) {
		if (blob_writer_finish(b->w, err) < 0)
			return -1;
		strcpy(rec->blob, blob_writer_digest(b->w));
		rec->blob_size = blob_writer_size(b->w);
	} else {
		snprintf(rec->blob, sizeof(rec->blob), "%s", b->digest);
		rec->blob_size = b->size;
	}
	const char *mt = x->media_type ? x->media_type : b->media_type;
	snprintf(rec->media_type, sizeof(rec->media_type), "%s", mt ? mt : MEDIA_LAYER_TAR);
	return 0;
}

int store_put_layer(img_store *s, layer_tmp *t, const layer_blob *b, const char *parent_chain,
		    const extract_result *x, char chain_out[DIGEST_STR_LEN + 1], err_t **err)
{
	layer_rec rec = {0};
	chain_id_next(parent_chain, x->diff_id, rec.chain);
	strcpy(rec.diff, x->diff_id);
	snprintf(rec.parent, sizeof(rec.parent), "%s", parent_chain ? parent_chain : "");
	rec.size = x->tree_size;
	memcpy(chain_out, rec.chain, sizeof(rec.chain));
	if (store_hold_layer(s, rec.chain))
		return 0;
	if (kept_blob(b, x, &rec, err) < 0)
		return -1;
	/* lease first: a concurrent delete must not collect the blob or layer */
	store_lock(s);
	store_lease_locked(s, rec.chain);
	if (*rec.blob)
		store_lease_locked(s, rec.blob);
	store_unlock(s);
	int r = b && b->w ? blob_writer_commit(b->w, NULL, -1, err) : 0;
	if (r == 0)
		r = layer_tmp_prepare(t, &rec, err);
	store_lock(s);
	layer_rec *have = r == 0 ? store_layer_locked(s, rec.chain) : NULL;
	if (have)
		relink_lease_locked(s, &rec, have); /* another load won the race */
	else if (r == 0 && (r = layer_tmp_publish(s->root, t, &rec, err)) == 0)
		store_add_layer_locked(s, &rec);
	if (r != 0) {
		if (*rec.blob)
			store_unlease_locked(s, rec.blob);
		store_unlease_locked(s, rec.chain);
		store_unlock(s);
		return r < 0 ? -1 : err_set(err, ERR_SYSTEM, 0, "layer %s exists on disk but not in "
					    "the store", rec.chain);
	}
	store_unlock(s);
	return 0;
}
