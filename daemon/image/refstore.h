/* refstore.h: tags and digests pointing at image IDs, persisted as
 * repositories.json in Docker's own shape,
 *   {"Repositories":{"busybox":{"busybox:latest":"sha256:...",
 *                                "busybox@sha256:...":"sha256:..."}}},
 * keyed by familiar names, and replaced atomically on every change. Not
 * thread-safe: the image store's mutex guards it. */
#ifndef ENGINE_IMAGE_REFSTORE_H
#define ENGINE_IMAGE_REFSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "err.h"
#include "reference.h"

typedef struct ref_entry {
	reference *ref;  /* normalised; a tag or a digest, never both */
	char *full;      /* "docker.io/library/busybox:latest" (sort key) */
	char *familiar;  /* "busybox:latest" */
	char *name;      /* "busybox": the repository key */
	char id[DIGEST_STR_LEN + 1];
} ref_entry;

typedef struct refstore {
	char *path;
	ref_entry *v;
	size_t n, cap;
} refstore;

/* Loads path (a missing file is an empty store). */
refstore *refstore_open(const char *path, err_t **err);
void refstore_free(refstore *rs);
int refstore_save(refstore *rs, err_t **err);

/* The ID a reference points at: digest first (tag dropped), else the tag
 * ("latest" when none). NULL when unknown. */
const char *refstore_get(const refstore *rs, const reference *r);
/* Adds or moves a tag (ref gets "latest" if bare) or adds a digest. A tag
 * that exists is moved only with force (Docker's "Conflict: Tag ... is
 * already set to image ..."); a digest is never overwritten. In memory only:
 * call refstore_save. Sets *old_id (malloc'd) when a tag moved. */
int refstore_add(refstore *rs, const reference *r, const char *id, bool force, char **old_id,
		 err_t **err);
/* Removes one reference (tag defaulted); returns 1 if it existed, 0 if not. */
int refstore_delete(refstore *rs, const reference *r);
/* Entries pointing at id, sorted by their full string, as a malloc'd array
 * of pointers into the store (valid until the next change). */
size_t refstore_refs(const refstore *rs, const char *id, const ref_entry ***out);
/* Entries of one repository (familiar name), sorted. */
size_t refstore_by_name(const refstore *rs, const char *name, const ref_entry ***out);
/* Drops every reference to an ID that keep() rejects (store recovery). */
size_t refstore_prune(refstore *rs, bool (*keep)(void *ctx, const char *id), void *ctx);

#endif
