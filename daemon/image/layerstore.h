/* layerstore.h: extracted layers on disk, layers/<chain-id-hex>/ holding
 * diff/ (the unpacked tree, an overlayfs lower dir), diff-id, size, parent
 * and blob (the kept layer blob: digest, media type, size). A layer is
 * unpacked into layers/tmp-XXXXXX/, recorded, synced and renamed to its
 * ChainID, so a half-extracted layer never has its final name. Which layers
 * are in use is derived from the image configs by the image store; this
 * file only knows directories. */
#ifndef ENGINE_IMAGE_LAYERSTORE_H
#define ENGINE_IMAGE_LAYERSTORE_H

#include <stdint.h>

#include "digest.h"
#include "err.h"

typedef struct layer_rec {
	char chain[DIGEST_STR_LEN + 1];
	char diff[DIGEST_STR_LEN + 1];
	char parent[DIGEST_STR_LEN + 1]; /* "" for a base layer */
	int64_t size;                    /* Docker's DiffSize */
	char blob[DIGEST_STR_LEN + 1];   /* kept blob, "" if none */
	char media_type[128];
	int64_t blob_size;
} layer_rec;

/* ChainID(L0) = DiffID(L0); ChainID(n) = sha256(ChainID(n-1) + " " + DiffID(n)).
 * parent is NULL or "" for the first layer. */
void chain_id_next(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1]);

int layer_store_init(const char *root, err_t **err);
/* <root>/layers/<hex> and <root>/layers/<hex>/diff for a "sha256:" ChainID. */
char *layer_dir(const char *root, const char *chain);
char *layer_diff_dir(const char *root, const char *chain);

typedef struct layer_tmp {
	char *dir;  /* <root>/layers/tmp-XXXXXX */
	char *diff; /* its diff/ */
} layer_tmp;

layer_tmp *layer_tmp_new(const char *root, err_t **err);
/* Removes the temp directory unless it was committed; NULL is fine. */
void layer_tmp_free(layer_tmp *t);
static inline void cleanup_layer_tmpp(layer_tmp **t)
{
	layer_tmp_free(*t);
}
#define _cleanup_layer_tmp_ __attribute__((cleanup(cleanup_layer_tmpp)))

/* Writes rec's files into t and syncs the file system (slow: call it
 * without locks). */
int layer_tmp_prepare(layer_tmp *t, const layer_rec *rec, err_t **err);
/* Renames a prepared t to layers/<chain-hex> and syncs layers/ (quick:
 * the image store calls it under its lock, so the table and the disk
 * change together). Returns 1 (t untouched) when the name exists. */
int layer_tmp_publish(const char *root, layer_tmp *t, const layer_rec *rec, err_t **err);
/* Reads layers/<hex>'s record; ERR_NOT_FOUND or ERR_SYSTEM when incomplete. */
int layer_read(const char *root, const char *hex, layer_rec *out, err_t **err);
/* Moves layers/<chain-hex> out of the way (to layers/tmp-del-XXXXXX, which
 * the caller removes with fs_rm_rf, off any lock) and returns that path. */
char *layer_unlink(const char *root, const char *chain, err_t **err);

#endif
