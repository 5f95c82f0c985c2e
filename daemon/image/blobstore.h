/* blobstore.h: the content store, blobs/sha256/<hex> under the data root.
 * A blob is written through a blob_writer: a temp file in <root>/tmp/ that
 * is hashed while it is written, checked against the expected digest and
 * size, fsynced, and only then renamed to its content address (and the
 * folder fsynced). A name in blobs/ therefore always holds exactly the bytes
 * its name promises. Removing unreferenced blobs is the image store's job. */
#ifndef ENGINE_IMAGE_BLOBSTORE_H
#define ENGINE_IMAGE_BLOBSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"

/* Creates <root>/blobs/sha256 and <root>/tmp. */
int blob_store_init(const char *root, err_t **err);
/* "<root>/blobs/sha256/<hex>" for a "sha256:<hex>" digest (validated). */
char *blob_path(const char *root, const char *digest);
bool blob_exists(const char *root, const char *digest);
/* Size of a stored blob, -1 with ERR_NOT_FOUND when absent. */
int64_t blob_size(const char *root, const char *digest, err_t **err);
/* Opens a blob read-only; ERR_NOT_FOUND when absent. */
int blob_open(const char *root, const char *digest, err_t **err);
/* Reads a whole small blob (configs, manifests) of at most max bytes. */
int blob_read(const char *root, const char *digest, size_t max, char **out, size_t *len,
	      err_t **err);
/* Missing is fine. */
int blob_delete(const char *root, const char *digest, err_t **err);

typedef struct blob_writer blob_writer;

/* Starts a temp file <root>/tmp/blob-XXXXXX. */
blob_writer *blob_writer_new(const char *root, err_t **err);
int blob_writer_write(blob_writer *w, const void *buf, size_t n, err_t **err);
/* Ends writing: fsyncs and closes the temp file and fixes the digest. The
 * temp file stays until commit or free. Idempotent. */
int blob_writer_finish(blob_writer *w, err_t **err);
/* The digest and size of what was written (valid after finish). */
const char *blob_writer_digest(const blob_writer *w);
int64_t blob_writer_size(const blob_writer *w);
/* Path of the temp file (for reading a spooled blob back before commit). */
const char *blob_writer_path(const blob_writer *w);
/* Finishes if needed, checks expect_digest (NULL: any) and expect_size
 * (-1: any), then renames the temp file to its content address and fsyncs
 * blobs/sha256. If the blob already exists the temp file is dropped. A
 * mismatch is ERR_INVALID and leaves nothing behind. */
int blob_writer_commit(blob_writer *w, const char *expect_digest, int64_t expect_size,
		       err_t **err);
/* Removes the temp file unless committed, and frees w. NULL is fine. */
void blob_writer_free(blob_writer *w);

static inline void cleanup_blob_writerp(blob_writer **w)
{
	blob_writer_free(*w);
}
#define _cleanup_blob_writer_ __attribute__((cleanup(cleanup_blob_writerp)))

#endif
