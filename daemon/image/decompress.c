/* decompress.c: see decompress.h. One state machine per format over a
 * shared input buffer; each library is reached through its lazylib table,
 * acquired for the life of the reader. */
#include "decompress.h"

#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "lazylib.h"
#include "xalloc.h"

#define UNZ_IN (128 * 1024)

#define ZLIB_FUNCS(X)                                                          \
	X(int, inflateInit2_, (z_streamp, int, const char *, int))             \
	X(int, inflate, (z_streamp, int))                                      \
	X(int, inflateReset, (z_streamp))                                      \
	X(int, inflateEnd, (z_streamp))
#define ZSTD_FUNCS(X)                                                          \
	X(ZSTD_DStream *, ZSTD_createDStream, (void))                          \
	X(size_t, ZSTD_initDStream, (ZSTD_DStream *))                          \
	X(size_t, ZSTD_decompressStream, (ZSTD_DStream *, ZSTD_outBuffer *, ZSTD_inBuffer *)) \
	X(size_t, ZSTD_freeDStream, (ZSTD_DStream *))                          \
	X(unsigned, ZSTD_isError, (size_t))                                    \
	X(const char *, ZSTD_getErrorName, (size_t))
#define LZMA_FUNCS(X)                                                          \
	X(lzma_ret, lzma_stream_decoder, (lzma_stream *, uint64_t, uint32_t))  \
	X(lzma_ret, lzma_code, (lzma_stream *, lzma_action))                   \
	X(void, lzma_end, (lzma_stream *))
#define BZ2_FUNCS(X)                                                           \
	X(int, BZ2_bzDecompressInit, (bz_stream *, int, int))                  \
	X(int, BZ2_bzDecompress, (bz_stream *))                                \
	X(int, BZ2_bzDecompressEnd, (bz_stream *))

LAZYLIB_DECLARE(zlib, ZLIB_FUNCS)
LAZYLIB_DEFINE(zlib, "libz.so.1", ZLIB_FUNCS)
LAZYLIB_DECLARE(zstd, ZSTD_FUNCS)
LAZYLIB_DEFINE(zstd, "libzstd.so.1", ZSTD_FUNCS)
LAZYLIB_DECLARE(xz, LZMA_FUNCS)
LAZYLIB_DEFINE(xz, "liblzma.so.5", LZMA_FUNCS)
LAZYLIB_DECLARE(bz2, BZ2_FUNCS)
LAZYLIB_DEFINE(bz2, "libbz2.so.1.0", BZ2_FUNCS)

struct unz {
	comp_kind kind;
	const img_reader *src;
	lazylib *lib;
	unsigned char *in;
	size_t in_pos, in_len;
	bool in_eof;
	bool done;       /* the compressed data ended cleanly */
	bool mid_frame;  /* zstd/bzip2: a frame is started and not finished */
	z_stream z;
	ZSTD_DStream *zs;
	lzma_stream lz;
	bz_stream bz;
	bool inited;
};

comp_kind comp_sniff(const void *buf, size_t n)
{
	const unsigned char *b = buf;
	static const unsigned char zst[] = {0x28, 0xb5, 0x2f, 0xfd}, xzm[] = {0xfd, '7', 'z', 'X', 'Z', 0};
	if (n >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8)
		return COMP_GZIP;
	if (n >= 4 && !memcmp(b, zst, 4))
		return COMP_ZSTD;
	if (n >= 6 && !memcmp(b, xzm, 6))
		return COMP_XZ;
	if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h')
		return COMP_BZIP2;
	return COMP_NONE;
}

const char *comp_name(comp_kind k)
{
	static const char *const names[] = {"none", "gzip", "zstd", "xz", "bzip2"};
	return names[k];
}

/* ---- input ---- */

/* Refills the input buffer when it is empty; false at the end of src. */
static int fill(unz *u, err_t **err)
{
	if (u->in_pos < u->in_len)
		return 1;
	if (u->in_eof)
		return 0;
	ssize_t k;
	do
		k = u->src->read(u->src->ctx, u->in, UNZ_IN);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return err_set(err, ERR_SYSTEM, errno, "read layer stream");
	u->in_pos = 0;
	u->in_len = (size_t)k;
	if (k == 0)
		u->in_eof = true;
	return k > 0;
}

static int truncated(unz *u, err_t **err)
{
	return err_invalid(err, "%s decompression failed: unexpected end of data (truncated)",
			   comp_name(u->kind));
}

/* ---- gzip ---- */

/* After a member: another member, zero padding (ignored) or garbage. */
static int gzip_next_member(unz *u, err_t **err)
{
	for (;;) {
		int r = fill(u, err);
		if (r <= 0) {
			if (r == 0)
				u->done = true;
			return r;
		}
		if (u->in[u->in_pos] == 0x1f) {
			u->z.next_in = u->in + u->in_pos;
			u->z.avail_in = (uInt)(u->in_len - u->in_pos);
			if (zlib.inflateReset(&u->z) != Z_OK)
				return err_invalid(err, "gzip decompression failed: cannot start the next member");
			return 1;
		}
		while (u->in_pos < u->in_len && !u->in[u->in_pos])
			u->in_pos++;
		if (u->in_pos < u->in_len)
			return err_invalid(err, "gzip decompression failed: invalid header after the end of the data");
	}
}

static ssize_t gzip_read(unz *u, void *buf, size_t n, err_t **err)
{
	u->z.next_out = buf;
	u->z.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	while (u->z.avail_out == n && !u->done) {
		if (u->in_pos >= u->in_len) {
			int r = fill(u, err);
			if (r < 0)
				return -1;
			if (r == 0)
				return truncated(u, err);
			u->z.next_in = u->in;
			u->z.avail_in = (uInt)u->in_len;
		}
		int zr = zlib.inflate(&u->z, Z_NO_FLUSH);
		u->in_pos = u->in_len - u->z.avail_in;
		if (zr == Z_STREAM_END) {
			if (gzip_next_member(u, err) < 0)
				return -1;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			return err_invalid(err, "gzip decompression failed: %s", u->z.msg ? u->z.msg : "corrupt data");
		}
	}
	return (ssize_t)(n - u->z.avail_out);
}

/* ---- zstd ---- */

static ssize_t zstd_read(unz *u, void *buf, size_t n, err_t **err)
{
	ZSTD_outBuffer out = {buf, n, 0};
	while (out.pos == 0 && !u->done) {
		if (u->in_pos >= u->in_len) {
			int r = fill(u, err);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (u->mid_frame)
					return truncated(u, err);
				u->done = true;
				break;
			}
		}
		ZSTD_inBuffer in = {u->in, u->in_len, u->in_pos};
		size_t zr = zstd.ZSTD_decompressStream(u->zs, &out, &in);
		u->in_pos = in.pos;
		if (zstd.ZSTD_isError(zr))
			return err_invalid(err, "zstd decompression failed: %s", zstd.ZSTD_getErrorName(zr));
		u->mid_frame = zr != 0;
	}
	return (ssize_t)out.pos;
}

/* ---- xz ---- */

static ssize_t xz_read(unz *u, void *buf, size_t n, err_t **err)
{
	u->lz.next_out = buf;
	u->lz.avail_out = n;
	while (u->lz.avail_out == n && !u->done) {
		lzma_action act = LZMA_RUN;
		if (u->in_pos >= u->in_len) {
			int r = fill(u, err);
			if (r < 0)
				return -1;
			if (r == 0)
				act = LZMA_FINISH;
		}
		u->lz.next_in = u->in + u->in_pos;
		u->lz.avail_in = u->in_len - u->in_pos;
		lzma_ret lr = xz.lzma_code(&u->lz, act);
		u->in_pos = u->in_len - u->lz.avail_in;
		if (lr == LZMA_STREAM_END)
			u->done = true;
		else if (lr == LZMA_BUF_ERROR && act == LZMA_FINISH)
			return truncated(u, err);
		else if (lr != LZMA_OK)
			return err_invalid(err, "xz decompression failed: corrupt data (lzma error %d)", (int)lr);
	}
	return (ssize_t)(n - u->lz.avail_out);
}

/* ---- bzip2 ---- */

static ssize_t bz2_read(unz *u, void *buf, size_t n, err_t **err)
{
	u->bz.next_out = buf;
	u->bz.avail_out = (unsigned)(n > UINT32_MAX ? UINT32_MAX : n);
	while (u->bz.avail_out == n && !u->done) {
		if (u->in_pos >= u->in_len) {
			int r = fill(u, err);
			if (r < 0)
				return -1;
			if (r == 0) {
				if (u->mid_frame)
					return truncated(u, err);
				u->done = true;
				break;
			}
		}
		if (!u->mid_frame) { /* a (next) stream starts here */
			if (u->inited)
				bz2.BZ2_bzDecompressEnd(&u->bz);
			memset(&u->bz, 0, sizeof(u->bz));
			u->inited = bz2.BZ2_bzDecompressInit(&u->bz, 0, 0) == BZ_OK;
			if (!u->inited)
				return err_set(err, ERR_SYSTEM, 0, "bzip2: cannot start a decoder");
			u->bz.next_out = buf; /* nothing was produced yet in this call */
			u->bz.avail_out = (unsigned)(n > UINT32_MAX ? UINT32_MAX : n);
			u->mid_frame = true;
		}
		u->bz.next_in = (char *)u->in + u->in_pos;
		u->bz.avail_in = (unsigned)(u->in_len - u->in_pos);
		int br = bz2.BZ2_bzDecompress(&u->bz);
		u->in_pos = u->in_len - u->bz.avail_in;
		if (br == BZ_STREAM_END)
			u->mid_frame = false;
		else if (br != BZ_OK)
			return err_invalid(err, "bzip2 decompression failed: corrupt data (bzip2 error %d)", br);
	}
	return (ssize_t)(n - u->bz.avail_out);
}

/* ---- the reader ---- */

static lazylib *lib_of(comp_kind k)
{
	switch (k) {
	case COMP_GZIP: return &zlib_lib;
	case COMP_ZSTD: return &zstd_lib;
	case COMP_XZ: return &xz_lib;
	case COMP_BZIP2: return &bz2_lib;
	default: return NULL;
	}
}

static int start(unz *u, err_t **err)
{
	switch (u->kind) {
	case COMP_GZIP:
		if (zlib.inflateInit2_(&u->z, 15 + 16, ZLIB_VERSION, (int)sizeof(z_stream)) != Z_OK)
			return err_set(err, ERR_SYSTEM, 0, "gzip: cannot start a decoder");
		break;
	case COMP_ZSTD:
		u->zs = zstd.ZSTD_createDStream();
		if (!u->zs || zstd.ZSTD_isError(zstd.ZSTD_initDStream(u->zs)))
			return err_set(err, ERR_SYSTEM, 0, "zstd: cannot start a decoder");
		break;
	case COMP_XZ:
		u->lz = (lzma_stream)LZMA_STREAM_INIT;
		if (xz.lzma_stream_decoder(&u->lz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return err_set(err, ERR_SYSTEM, 0, "xz: cannot start a decoder");
		break;
	default:
		return 0;
	}
	u->inited = true;
	return 0;
}

unz *unz_new(comp_kind kind, const img_reader *src, err_t **err)
{
	unz *u = xcalloc(1, sizeof(*u));
	u->kind = kind;
	u->src = src;
	u->lib = lib_of(kind);
	if (u->lib && lazylib_acquire(u->lib, err) < 0) {
		free(u);
		return NULL;
	}
	if (kind != COMP_NONE)
		u->in = xmalloc(UNZ_IN);
	if (start(u, err) < 0) {
		unz_free(u);
		return NULL;
	}
	return u;
}

ssize_t unz_read(unz *u, void *buf, size_t n, err_t **err)
{
	if (!n)
		return 0;
	switch (u->kind) {
	case COMP_GZIP: return gzip_read(u, buf, n, err);
	case COMP_ZSTD: return zstd_read(u, buf, n, err);
	case COMP_XZ: return xz_read(u, buf, n, err);
	case COMP_BZIP2: return bz2_read(u, buf, n, err);
	default: break;
	}
	ssize_t k;
	do
		k = u->src->read(u->src->ctx, buf, n);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return err_set(err, ERR_SYSTEM, errno, "read layer stream");
	return k;
}

void unz_free(unz *u)
{
	if (!u)
		return;
	if (u->inited) {
		switch (u->kind) {
		case COMP_GZIP: zlib.inflateEnd(&u->z); break;
		case COMP_ZSTD: zstd.ZSTD_freeDStream(u->zs); break;
		case COMP_XZ: xz.lzma_end(&u->lz); break;
		case COMP_BZIP2: bz2.BZ2_bzDecompressEnd(&u->bz); break;
		default: break;
		}
	} else if (u->zs) {
		zstd.ZSTD_freeDStream(u->zs);
	}
	if (u->lib)
		lazylib_release(u->lib);
	free(u->in);
	free(u);
}
