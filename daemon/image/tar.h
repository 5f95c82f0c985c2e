/* tar.h: reading and writing tar streams, the container of layers and of
 * `docker save` archives. The reader takes what Go's archive/tar (Docker)
 * and GNU tar write: ustar (with the prefix field), pax extended headers
 * (path, linkpath, size, uid, gid, mtime, atime, SCHILY.xattr.*,
 * LIBARCHIVE.xattr.*; global headers are skipped as Docker skips them), GNU long names and long link
 * names, base-256 numbers, v7 headers; sparse and multi-volume members are
 * refused with a clear message. Every field is checked; nothing is
 * trusted. The writer produces ustar headers, with a pax header when a
 * name or a size does not fit, as save needs. Pure stream code: no files. */
#ifndef ENGINE_IMAGE_TAR_H
#define ENGINE_IMAGE_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "stream.h"

#define TAR_BLOCK 512
#define TAR_MAX_META (8u << 20) /* bytes of one pax header or GNU long name */

typedef enum tar_type {
	TAR_REG,
	TAR_DIR,
	TAR_SYMLINK,
	TAR_HARDLINK,
	TAR_CHR,
	TAR_BLK,
	TAR_FIFO,
} tar_type;

typedef struct tar_xattr {
	char *name;
	unsigned char *value;
	size_t len;
} tar_xattr;

typedef struct tar_entry {
	char *path;          /* as the archive spells it (not cleaned) */
	char *link;          /* symlink target or hard link name; NULL otherwise */
	tar_type type;
	uint32_t mode;       /* permission bits (07777) */
	int64_t uid, gid;
	int64_t size;        /* data bytes that follow the header */
	int64_t mtime, atime; /* seconds */
	int32_t mtime_ns, atime_ns;
	bool has_atime;
	uint32_t devmajor, devminor;
	tar_xattr *xattrs;
	size_t nxattrs;
} tar_entry;

/* The uncompressed byte stream: up to n bytes, 0 at its end, -1 + *err. */
typedef ssize_t (*tar_source_fn)(void *ctx, void *buf, size_t n, err_t **err);

typedef struct tar_reader tar_reader;

tar_reader *tar_reader_new(tar_source_fn fn, void *ctx);
/* The next member: 1 with *e (valid until the next call), 0 at the end of
 * the archive (a zero block, or the end of the stream between members),
 * -1 with ERR_INVALID for a malformed or truncated archive. The data of
 * the previous member is skipped if it was not read. */
int tar_next(tar_reader *t, const tar_entry **e, err_t **err);
/* The current member's data: up to n bytes, 0 at its end, -1 + *err. */
ssize_t tar_read_data(tar_reader *t, void *buf, size_t n, err_t **err);
void tar_reader_free(tar_reader *t);

typedef struct tar_writer tar_writer;

tar_writer *tar_writer_new(const img_writer *out);
/* A member header; then exactly size bytes through tar_write_data (regular
 * files). mode is the permission bits; uid, gid and the owner names are 0
 * and empty, as in Docker's save. */
int tar_write_header(tar_writer *t, const char *path, tar_type type, uint32_t mode,
		     int64_t size, int64_t mtime, err_t **err);
int tar_write_data(tar_writer *t, const void *buf, size_t n, err_t **err);
/* Pads the last member, writes the end-of-archive blocks and pads the
 * stream to a 10240-byte record as tar does. */
int tar_writer_close(tar_writer *t, err_t **err);
void tar_writer_free(tar_writer *t);

#endif
