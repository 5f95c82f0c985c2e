/* load.h: the two halves of img_load, shared between loadspool.c (reading
 * the archive once, spooling every member and unpacking anything that looks
 * like a layer as it passes) and load.c (finding the images in what was
 * spooled, checking them all, then committing them). Internal. */
#ifndef ENGINE_IMAGE_LOAD_H
#define ENGINE_IMAGE_LOAD_H

#include "store.h"

#define LOAD_MAX_MEMBERS 100000   /* members of one archive */
#define LOAD_MAX_LINK_HOPS 16

typedef struct spool_entry {
	char *path;               /* cleaned archive path */
	char *link;               /* symlink/hardlink target as an archive path */
	blob_writer *blob;        /* the member's bytes, finished; NULL for links */
	char stored[DIGEST_STR_LEN + 1]; /* set when skipped: the store has this blob */
	layer_tmp *layer;         /* speculative unpack, NULL if none or used */
	extract_result x;         /* valid when unpacked is true */
	bool unpacked;
	err_t *xerr;              /* why the speculative unpack failed */
} spool_entry;

typedef struct load_ctx {
	img_store *s;
	bool quiet;
	const img_progress *p;
	spool_entry *v;
	size_t n, cap;
	char **leases;            /* blob digests leased for skipped members */
	size_t nleases, capleases;
} load_ctx;

/* Pass one: reads the whole archive from in. */
int load_spool(load_ctx *lc, const img_reader *in, err_t **err);
/* The member at path, following symlinks and hard links inside the
 * archive; ERR_INVALID when missing or escaping. */
spool_entry *load_lookup(load_ctx *lc, const char *path, err_t **err);
/* The member's content address. */
const char *load_entry_digest(const spool_entry *e);
/* Reads a small member (JSON) whole. */
int load_read_small(load_ctx *lc, spool_entry *e, char **out, size_t *len, err_t **err);
/* Opens the member's bytes for reading (spool file or stored blob). */
int load_open_entry(load_ctx *lc, spool_entry *e, err_t **err);
void load_ctx_free(load_ctx *lc);

#endif
