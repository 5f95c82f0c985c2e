/* decompress.h: the compressions a layer or an image archive may come in
 * (gzip, zstd, xz, bzip2, or none), told apart by their magic bytes as
 * Docker's DecompressStream does, and a pull-style reader of the
 * uncompressed bytes. The libraries (zlib, libzstd, liblzma, libbz2) are
 * mapped through lazylib only while a stream of theirs is open. */
#ifndef ENGINE_IMAGE_DECOMPRESS_H
#define ENGINE_IMAGE_DECOMPRESS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "stream.h"

typedef enum comp_kind {
	COMP_NONE = 0,
	COMP_GZIP,
	COMP_ZSTD,
	COMP_XZ,
	COMP_BZIP2,
} comp_kind;

/* Bytes comp_sniff wants (fewer at the end of a short stream are fine). */
#define COMP_SNIFF_LEN 6

comp_kind comp_sniff(const void *buf, size_t n);
const char *comp_name(comp_kind k);

typedef struct unz unz;

/* A reader of the uncompressed bytes of src (which yields the compressed
 * ones). Concatenated gzip members, zstd frames, xz streams and bzip2
 * streams are read through, as the command-line tools do. */
unz *unz_new(comp_kind kind, const img_reader *src, err_t **err);
/* Up to n bytes; 0 at the end of the data; -1 with *err for a truncated or
 * corrupt stream (ERR_INVALID) or a failing src (ERR_SYSTEM). */
ssize_t unz_read(unz *u, void *buf, size_t n, err_t **err);
void unz_free(unz *u);

#endif
