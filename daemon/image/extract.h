/* extract.h: unpacking one layer (a tar, plain or gzip/zstd/bzip2/xz
 * compressed, detected by content) into an empty directory, in one streaming
 * pass that also computes the layer's DiffID (sha256 of the uncompressed tar)
 * and the digest of the bytes as received. Docker's layer rules apply:
 * `.wh.NAME` becomes an overlayfs whiteout (char device 0:0), `.wh..wh..opq`
 * sets trusted.overlay.opaque=y on its directory, owners, modes, times,
 * xattrs, hard links, symlinks and device nodes are kept. Absolute paths,
 * `..`, writing through symlinks and links pointing outside are refused; the
 * unpacking thread is chrooted into the target, so nothing can land outside
 * it even if a check were missed. Nothing is cleaned up on failure: the
 * caller removes the (temporary) target directory. */
#ifndef ENGINE_IMAGE_EXTRACT_H
#define ENGINE_IMAGE_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "blobstore.h"
#include "digest.h"
#include "err.h"
#include "stream.h"

#define MEDIA_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MEDIA_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

typedef enum extract_keep {
	KEEP_NONE = 0, /* keep nothing */
	KEEP_RAW,      /* keep the bytes exactly as received */
	KEEP_OCI,      /* as received if plain/gzip/zstd, else the uncompressed tar */
} extract_keep;

typedef struct extract_opts {
	blob_writer *keep;     /* receives the kept bytes (not finished) */
	extract_keep keep_mode;
	size_t max_entries;    /* 0: no limit (Docker has none) */
} extract_opts;

typedef struct extract_result {
	char diff_id[DIGEST_STR_LEN + 1]; /* sha256 of the uncompressed tar */
	char raw_digest[DIGEST_STR_LEN + 1];
	int64_t raw_size;     /* bytes read from the input */
	int64_t tar_size;     /* uncompressed bytes */
	const char *media_type; /* of the kept bytes (static string) */
	size_t entries;       /* tar entries seen */
	int64_t tree_size;    /* Docker's layer size: st_size of each inode once */
} extract_result;

/* Unpacks the stream from src into dest (an existing empty directory). The
 * input is read to its end even after the tar's end-of-archive marker so
 * both digests cover every byte. */
int extract_layer(const img_reader *src, const char *dest, const extract_opts *opts,
		  extract_result *res, err_t **err);

/* Checks one member name of a tar (layer or image archive): relative, no `..`, no empty name,
 * components at most NAME_MAX and the whole under PATH_MAX. Returns the name
 * with leading "./" and "/" runs collapsed in *clean (malloc'd). */
int extract_check_name(const char *name, char **clean, err_t **err);

#endif
