/* tar.c: see tar.h. The reader keeps one buffer of the stream and walks
 * it header by header: metadata members (pax 'x'/'g', GNU 'L'/'K') are
 * read whole (bounded by TAR_MAX_META) and folded into the next real
 * member, as Go's archive/tar does; pax global headers are skipped, as
 * Docker's untar skips them. */
#include "tar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

#define TBUF (128 * 1024)

/* ustar header field offsets and sizes */
enum {
	H_NAME = 0, H_MODE = 100, H_UID = 108, H_GID = 116, H_SIZE = 124, H_MTIME = 136,
	H_CHKSUM = 148, H_TYPE = 156, H_LINK = 157, H_MAGIC = 257, H_VERSION = 263,
	H_UNAME = 265, H_GNAME = 297, H_DEVMAJOR = 329, H_DEVMINOR = 337, H_PREFIX = 345,
};

struct tar_reader {
	tar_source_fn fn;
	void *ctx;
	unsigned char *buf;
	size_t pos, len;
	bool eof;
	int64_t left;      /* data bytes of the current member not yet read */
	int64_t pad;       /* padding after them */
	tar_entry e;
};

/* ---- input ---- */

/* Reads exactly n bytes (n may be 0); 0 when the stream ended first (with
 * *got bytes read), -1 on a source error. */
static int take(tar_reader *t, void *out, size_t n, size_t *got, err_t **err)
{
	size_t done = 0;
	while (done < n) {
		if (t->pos == t->len) {
			if (t->eof)
				break;
			ssize_t k = t->fn(t->ctx, t->buf, TBUF, err);
			if (k < 0)
				return -1;
			t->pos = 0;
			t->len = (size_t)k;
			if (k == 0) {
				t->eof = true;
				break;
			}
		}
		size_t c = t->len - t->pos < n - done ? t->len - t->pos : n - done;
		if (out)
			memcpy((char *)out + done, t->buf + t->pos, c);
		t->pos += c;
		done += c;
	}
	if (got)
		*got = done;
	return done == n ? 1 : 0;
}

static int truncated(err_t **err)
{
	return err_invalid(err, "unexpected end of archive (truncated)");
}

static int skip(tar_reader *t, int64_t n, err_t **err)
{
	while (n > 0) {
		size_t c = n > (int64_t)TBUF ? TBUF : (size_t)n;
		int r = take(t, NULL, c, NULL, err);
		if (r <= 0)
			return r < 0 ? -1 : truncated(err);
		n -= (int64_t)c;
	}
	return 0;
}

/* ---- header fields ---- */

/* A numeric field: octal (leading spaces or NULs, ended by space or NUL)
 * or GNU base-256 (high bit of the first byte set). */
static int parse_num(const unsigned char *f, size_t len, int64_t *out)
{
	if (f[0] & 0x80) {
		bool neg = f[0] & 0x40;
		uint64_t v = f[0] & 0x3f;
		if (neg)
			return -1; /* no negative sizes, ids or times in a layer */
		for (size_t i = 1; i < len; i++) {
			if (v >> 55)
				return -1;
			v = v << 8 | f[i];
		}
		if (v > INT64_MAX)
			return -1;
		*out = (int64_t)v;
		return 0;
	}
	size_t i = 0;
	while (i < len && (f[i] == ' ' || f[i] == '\0'))
		i++;
	uint64_t v = 0;
	bool any = false;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return -1;
		v = v * 8 + (uint64_t)(f[i] - '0');
		any = true;
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = any ? (int64_t)v : 0;
	return 0;
}

static char *field_str(const unsigned char *f, size_t len)
{
	size_t n = strnlen((const char *)f, len);
	return xstrndup((const char *)f, n);
}

static bool zero_block(const unsigned char *b)
{
	for (int i = 0; i < TAR_BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

static bool checksum_ok(const unsigned char *b)
{
	int64_t want;
	if (parse_num(b + H_CHKSUM, 8, &want) < 0)
		return false;
	int64_t u = 0, s = 0;
	for (int i = 0; i < TAR_BLOCK; i++) {
		unsigned char c = i >= H_CHKSUM && i < H_CHKSUM + 8 ? ' ' : b[i];
		u += c;
		s += (signed char)c;
	}
	return want == u || want == s; /* some old tars summed signed bytes */
}

/* ---- pax records ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* libarchive writes xattr names %-escaped. */
static char *url_decode(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	for (; *s; s++) {
		int hi, lo;
		if (*s == '%' && (hi = hexval((unsigned char)s[1])) >= 0 &&
		    (lo = hexval((unsigned char)s[2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static void add_xattr(tar_entry *e, const char *name, const unsigned char *val, size_t len)
{
	for (size_t i = 0; i < e->nxattrs; i++) {
		if (!strcmp(e->xattrs[i].name, name)) {
			free(e->xattrs[i].value);
			e->xattrs[i].value = xmalloc(len ? len : 1);
			memcpy(e->xattrs[i].value, val, len);
			e->xattrs[i].len = len;
			return;
		}
	}
	e->xattrs = xrealloc(e->xattrs, (e->nxattrs + 1) * sizeof(tar_xattr));
	tar_xattr *x = &e->xattrs[e->nxattrs++];
	x->name = xstrdup(name);
	x->value = xmalloc(len ? len : 1);
	memcpy(x->value, val, len);
	x->len = len;
}

/* Seconds with an optional fraction ("1700000000.123456789"). */
static int parse_pax_time(const char *v, int64_t *sec, int32_t *nsec)
{
	char *end;
	errno = 0;
	long long s = strtoll(v, &end, 10);
	if (errno || end == v)
		return -1;
	int32_t ns = 0;
	if (*end == '.') {
		int digits = 0;
		for (end++; *end >= '0' && *end <= '9'; end++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*end - '0');
		for (; digits < 9; digits++)
			ns *= 10;
		if (s < 0 && ns) { /* -1.5 is 1.5 s before the epoch */
			s--;
			ns = 1000000000 - ns;
		}
	}
	if (*end)
		return -1;
	*sec = s;
	*nsec = ns;
	return 0;
}

static int parse_pax_int(const char *v, int64_t *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || *end || x < 0)
		return -1;
	*out = x;
	return 0;
}

/* Pax values that override the header of the member they precede. */
typedef struct pax_over {
	char *path, *link;
	int64_t size, uid, gid, mtime, atime;
	int32_t mtime_ns, atime_ns;
	bool has_size, has_uid, has_gid, has_mtime, has_atime;
	uint32_t devmajor, devminor;
	bool has_dev;
} pax_over;

static void pax_over_free(pax_over *p)
{
	free(p->path);
	free(p->link);
	memset(p, 0, sizeof(*p));
}

static int pax_record(tar_entry *e, pax_over *o, const char *key, const char *val, size_t vlen,
		      err_t **err)
{
	int bad = 0;
	if (!strcmp(key, "path")) {
		free(o->path);
		o->path = xstrdup(val);
	} else if (!strcmp(key, "linkpath")) {
		free(o->link);
		o->link = xstrdup(val);
	} else if (!strcmp(key, "size")) {
		bad = parse_pax_int(val, &o->size);
		o->has_size = true;
	} else if (!strcmp(key, "uid")) {
		bad = parse_pax_int(val, &o->uid);
		o->has_uid = true;
	} else if (!strcmp(key, "gid")) {
		bad = parse_pax_int(val, &o->gid);
		o->has_gid = true;
	} else if (!strcmp(key, "mtime")) {
		bad = parse_pax_time(val, &o->mtime, &o->mtime_ns);
		o->has_mtime = true;
	} else if (!strcmp(key, "atime")) {
		bad = parse_pax_time(val, &o->atime, &o->atime_ns);
		o->has_atime = true;
	} else if (!strncmp(key, "SCHILY.xattr.", 13)) {
		add_xattr(e, key + 13, (const unsigned char *)val, vlen);
	} else if (!strncmp(key, "LIBARCHIVE.xattr.", 17)) {
		size_t len;
		_cleanup_free_ char *name = url_decode(key + 17);
		_cleanup_free_ unsigned char *bin = base64_decode(val, vlen, &len);
		if (!bin)
			return err_invalid(err, "pax header: bad base64 in %s", key);
		add_xattr(e, name, bin, len);
	} else if (!strcmp(key, "SCHILY.devmajor") || !strcmp(key, "SCHILY.devminor")) {
		int64_t v;
		bad = parse_pax_int(val, &v) < 0 || v > UINT32_MAX;
		if (!bad) {
			*(key[11] == 'a' ? &o->devmajor : &o->devminor) = (uint32_t)v;
			o->has_dev = true;
		}
	} else if (!strncmp(key, "GNU.sparse.", 11)) {
		return err_invalid(err, "sparse files are not supported");
	}
	if (bad)
		return err_invalid(err, "pax header: invalid %s value \"%s\"", key, val);
	return 0;
}

/* Parses "LEN key=value\n" records. */
static int pax_parse(tar_entry *e, pax_over *o, const char *p, size_t n, err_t **err)
{
	size_t off = 0;
	while (off < n) {
		if (p[off] == '\0') /* NUL padding at the end */
			break;
		size_t len = 0, i = off;
		while (i < n && p[i] >= '0' && p[i] <= '9' && len < n)
			len = len * 10 + (size_t)(p[i++] - '0');
		if (i == off || i >= n || p[i] != ' ' || len <= i - off + 1 || len > n - off ||
		    p[off + len - 1] != '\n')
			return err_invalid(err, "pax header: malformed record");
		const char *kv = p + i + 1;
		size_t kvlen = off + len - 1 - (i + 1);
		const char *eq = memchr(kv, '=', kvlen);
		if (!eq || eq == kv)
			return err_invalid(err, "pax header: malformed record");
		_cleanup_free_ char *key = xstrndup(kv, (size_t)(eq - kv));
		size_t vlen = kvlen - (size_t)(eq - kv) - 1;
		_cleanup_free_ char *val = xmalloc(vlen + 1);
		memcpy(val, eq + 1, vlen);
		val[vlen] = '\0';
		if (pax_record(e, o, key, val, vlen, err) < 0)
			return -1;
		off += len;
	}
	return 0;
}

/* ---- members ---- */

static void entry_clear(tar_entry *e)
{
	free(e->path);
	free(e->link);
	for (size_t i = 0; i < e->nxattrs; i++) {
		free(e->xattrs[i].name);
		free(e->xattrs[i].value);
	}
	free(e->xattrs);
	memset(e, 0, sizeof(*e));
}

tar_reader *tar_reader_new(tar_source_fn fn, void *ctx)
{
	tar_reader *t = xcalloc(1, sizeof(*t));
	t->fn = fn;
	t->ctx = ctx;
	t->buf = xmalloc(TBUF);
	return t;
}

void tar_reader_free(tar_reader *t)
{
	if (!t)
		return;
	entry_clear(&t->e);
	free(t->buf);
	free(t);
}

/* Reads a metadata member's data whole. */
static int read_meta(tar_reader *t, int64_t size, char **out, err_t **err)
{
	if (size < 0 || size > (int64_t)TAR_MAX_META)
		return err_invalid(err, "metadata header of %lld bytes is too large", (long long)size);
	char *data = xmalloc((size_t)size + 1);
	int r = take(t, data, (size_t)size, NULL, err);
	if (r <= 0) {
		free(data);
		return r < 0 ? -1 : truncated(err);
	}
	data[size] = '\0';
	int64_t pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
	if (skip(t, pad, err) < 0) {
		free(data);
		return -1;
	}
	*out = data;
	return 0;
}

static int map_type(char flag, const char *name, tar_type *type, err_t **err)
{
	switch (flag) {
	case '\0': {
		size_t n = strlen(name);
		*type = n && name[n - 1] == '/' ? TAR_DIR : TAR_REG; /* v7 directories */
		return 0;
	}
	case '0': case '7': *type = TAR_REG; return 0;
	case '1': *type = TAR_HARDLINK; return 0;
	case '2': *type = TAR_SYMLINK; return 0;
	case '3': *type = TAR_CHR; return 0;
	case '4': *type = TAR_BLK; return 0;
	case '5': case 'D': *type = TAR_DIR; return 0;
	case '6': *type = TAR_FIFO; return 0;
	case 'S': return err_invalid(err, "%s: sparse files are not supported", name);
	case 'M': case 'N': return err_invalid(err, "%s: multi-volume archives are not supported", name);
	default: *type = TAR_REG; return 0; /* POSIX: unknown types read as regular files */
	}
}

/* Builds the member from its ustar header, the pending GNU names and the
 * pax overrides. */
static int build_entry(tar_reader *t, const unsigned char *h, char *gnu_name, char *gnu_link,
		       pax_over *o, err_t **err)
{
	tar_entry *e = &t->e;
	bool ustar = !memcmp(h + H_MAGIC, "ustar\0", 6);
	int64_t mode, uid, gid, size, mtime, maj = 0, min = 0;
	if (parse_num(h + H_MODE, 8, &mode) < 0 || parse_num(h + H_UID, 8, &uid) < 0 ||
	    parse_num(h + H_GID, 8, &gid) < 0 || parse_num(h + H_SIZE, 12, &size) < 0 ||
	    parse_num(h + H_MTIME, 12, &mtime) < 0 ||
	    ((ustar || !memcmp(h + H_MAGIC, "ustar ", 6)) &&
	     (parse_num(h + H_DEVMAJOR, 8, &maj) < 0 || parse_num(h + H_DEVMINOR, 8, &min) < 0)))
		return err_invalid(err, "invalid tar header (bad numeric field)");
	if (o->path)
		e->path = steal_ptr(&o->path);
	else if (gnu_name)
		e->path = xstrdup(gnu_name);
	else if (ustar && h[H_PREFIX]) {
		_cleanup_free_ char *pre = field_str(h + H_PREFIX, 155), *nm = field_str(h + H_NAME, 100);
		e->path = xasprintf("%s/%s", pre, nm);
	} else {
		e->path = field_str(h + H_NAME, 100);
	}
	if (map_type((char)h[H_TYPE], e->path, &e->type, err) < 0)
		return -1;
	if (e->type == TAR_HARDLINK || e->type == TAR_SYMLINK) {
		if (o->link)
			e->link = steal_ptr(&o->link);
		else if (gnu_link)
			e->link = xstrdup(gnu_link);
		else
			e->link = field_str(h + H_LINK, 100);
	}
	e->mode = (uint32_t)(mode & 07777);
	e->uid = o->has_uid ? o->uid : uid;
	e->gid = o->has_gid ? o->gid : gid;
	e->size = o->has_size ? o->size : size;
	e->mtime = o->has_mtime ? o->mtime : mtime;
	e->mtime_ns = o->has_mtime ? o->mtime_ns : 0;
	e->has_atime = o->has_atime;
	e->atime = o->atime;
	e->atime_ns = o->atime_ns;
	e->devmajor = o->has_dev ? o->devmajor : (uint32_t)maj;
	e->devminor = o->has_dev ? o->devminor : (uint32_t)min;
	if (maj > UINT32_MAX || min > UINT32_MAX || e->uid > UINT32_MAX || e->gid > UINT32_MAX)
		return err_invalid(err, "%s: owner or device number out of range", e->path);
	if (e->size < 0)
		return err_invalid(err, "%s: negative size", e->path);
	t->left = e->size;
	t->pad = (TAR_BLOCK - e->size % TAR_BLOCK) % TAR_BLOCK;
	return 1;
}

int tar_next(tar_reader *t, const tar_entry **out, err_t **err)
{
	if (skip(t, t->left + t->pad, err) < 0)
		return -1;
	t->left = t->pad = 0;
	entry_clear(&t->e);
	_cleanup_free_ char *gnu_name = NULL, *gnu_link = NULL, *local = NULL;
	pax_over o = {0};
	int ret = -1;
	for (;;) {
		unsigned char h[TAR_BLOCK];
		size_t got;
		int r = take(t, h, TAR_BLOCK, &got, err);
		if (r < 0)
			break;
		if (r == 0) { /* the stream ended */
			if (got || gnu_name || gnu_link || local)
				truncated(err);
			else
				ret = 0; /* no end blocks: accepted, as Go and GNU tar do */
			break;
		}
		if (zero_block(h)) {
			if (gnu_name || gnu_link || local)
				truncated(err);
			else
				ret = 0;
			break;
		}
		if (!checksum_ok(h)) {
			err_invalid(err, "invalid tar header (checksum mismatch)");
			break;
		}
		int64_t size;
		if (parse_num(h + H_SIZE, 12, &size) < 0 || size < 0) {
			err_invalid(err, "invalid tar header (bad size)");
			break;
		}
		char flag = (char)h[H_TYPE];
		if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K' || flag == 'V') {
			char *data = NULL;
			if (read_meta(t, size, &data, err) < 0)
				break;
			if (flag == 'x') {
				free(local);
				local = data;
				if (pax_parse(&t->e, &o, local, (size_t)size, err) < 0)
					break;
				continue;
			}
			if (flag == 'g' || flag == 'V') {
				/* pax global headers are ignored, as Docker's untar
				 * does; so are volume labels */
				free(data);
				continue;
			}
			char **slot = flag == 'L' ? &gnu_name : &gnu_link;
			free(*slot);
			*slot = data;
			continue;
		}
		ret = build_entry(t, h, gnu_name, gnu_link, &o, err);
		break;
	}
	pax_over_free(&o);
	if (ret == 1)
		*out = &t->e;
	else
		entry_clear(&t->e);
	return ret;
}

ssize_t tar_read_data(tar_reader *t, void *buf, size_t n, err_t **err)
{
	if (t->left <= 0)
		return 0;
	if ((int64_t)n > t->left)
		n = (size_t)t->left;
	size_t got;
	int r = take(t, buf, n, &got, err);
	if (r < 0)
		return -1;
	t->left -= (int64_t)got;
	if (r == 0)
		return truncated(err);
	return (ssize_t)got;
}

/* ---- writer ---- */

#define TREC 10240

struct tar_writer {
	const img_writer *out;
	unsigned char *buf;
	size_t len;
	int64_t total;    /* bytes emitted */
	int64_t left;     /* data still owed to the current member */
	int64_t pad;
};

tar_writer *tar_writer_new(const img_writer *out)
{
	tar_writer *t = xcalloc(1, sizeof(*t));
	t->out = out;
	t->buf = xmalloc(TBUF);
	return t;
}

void tar_writer_free(tar_writer *t)
{
	if (!t)
		return;
	free(t->buf);
	free(t);
}

static int flush(tar_writer *t, err_t **err)
{
	if (t->len && img_write_all(t->out, t->buf, t->len, err) < 0)
		return -1;
	t->len = 0;
	return 0;
}

static int emit(tar_writer *t, const void *p, size_t n, err_t **err)
{
	const unsigned char *c = p;
	while (n) {
		if (t->len == TBUF && flush(t, err) < 0)
			return -1;
		size_t k = TBUF - t->len < n ? TBUF - t->len : n;
		if (c)
			memcpy(t->buf + t->len, c, k);
		else
			memset(t->buf + t->len, 0, k);
		t->len += k;
		t->total += (int64_t)k;
		if (c)
			c += k;
		n -= k;
	}
	return 0;
}

static void put_octal(unsigned char *f, size_t len, uint64_t v)
{
	/* len-1 digits, zero padded, then NUL */
	for (size_t i = len - 1; i-- > 0; v >>= 3)
		f[i] = (unsigned char)('0' + (v & 7));
	f[len - 1] = '\0';
}

static void put_header_block(unsigned char *h, const char *name, const char *prefix, char flag,
			     uint32_t mode, int64_t size, int64_t mtime)
{
	memset(h, 0, TAR_BLOCK);
	memcpy(h + H_NAME, name, strlen(name));
	put_octal(h + H_MODE, 8, mode);
	put_octal(h + H_UID, 8, 0);
	put_octal(h + H_GID, 8, 0);
	put_octal(h + H_SIZE, 12, (uint64_t)size);
	put_octal(h + H_MTIME, 12, (uint64_t)mtime);
	h[H_TYPE] = (unsigned char)flag;
	memcpy(h + H_MAGIC, "ustar\0" "00", 8);
	put_octal(h + H_DEVMAJOR, 8, 0);
	put_octal(h + H_DEVMINOR, 8, 0);
	if (prefix)
		memcpy(h + H_PREFIX, prefix, strlen(prefix));
	memset(h + H_CHKSUM, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	put_octal(h + H_CHKSUM, 7, sum);
	h[H_CHKSUM + 7] = ' ';
}

static void pax_add(strbuf *sb, const char *key, const char *val)
{
	size_t base = strlen(key) + strlen(val) + 3; /* ' ', '=', '\n' */
	size_t len = base + 1;
	for (;;) { /* the length counts its own digits */
		char d[32];
		size_t want = base + (size_t)snprintf(d, sizeof(d), "%zu", len);
		if (want == len)
			break;
		len = want;
	}
	sb_printf(sb, "%zu %s=%s\n", len, key, val);
}

/* Splits a long name at a '/' into a 155-byte prefix and a 100-byte name. */
static bool split_name(const char *path, char **prefix, char **name)
{
	size_t n = strlen(path);
	if (n <= 100)
		return false;
	for (size_t i = n > 101 ? n - 101 : 0; i < n && i <= 155; i++) {
		if (path[i] == '/' && n - i - 1 <= 100 && n - i - 1 > 0) {
			*prefix = xstrndup(path, i);
			*name = xstrdup(path + i + 1);
			return true;
		}
	}
	return false;
}

int tar_write_header(tar_writer *t, const char *path, tar_type type, uint32_t mode,
		     int64_t size, int64_t mtime, err_t **err)
{
	if (t->left)
		return err_set(err, ERR_SYSTEM, 0, "tar: previous member is %lld bytes short",
			       (long long)t->left);
	if (emit(t, NULL, (size_t)t->pad, err) < 0)
		return -1;
	t->pad = 0;
	char flag = type == TAR_DIR ? '5' : type == TAR_SYMLINK ? '2' : '0';
	if (type != TAR_REG)
		size = 0;
	_cleanup_free_ char *prefix = NULL, *name = NULL;
	bool long_name = strlen(path) > 100 && !split_name(path, &prefix, &name);
	bool big = size >= (int64_t)1 << 33; /* 11 octal digits */
	unsigned char h[TAR_BLOCK];
	if (long_name || big) {
		_cleanup_sb_ strbuf px = STRBUF_INIT;
		if (long_name)
			pax_add(&px, "path", path);
		if (big) {
			char s[32];
			snprintf(s, sizeof(s), "%lld", (long long)size);
			pax_add(&px, "size", s);
		}
		_cleanup_free_ char *pname = xasprintf("PaxHeaders/%.80s", path);
		put_header_block(h, pname, NULL, 'x', 0644, (int64_t)px.len, mtime);
		if (emit(t, h, TAR_BLOCK, err) < 0 || emit(t, px.buf, px.len, err) < 0 ||
		    emit(t, NULL, (TAR_BLOCK - px.len % TAR_BLOCK) % TAR_BLOCK, err) < 0)
			return -1;
	}
	_cleanup_free_ char *short_name = long_name ? xstrndup(path, 100) : NULL;
	put_header_block(h, long_name ? short_name : name ? name : path, prefix, flag, mode,
			 big ? 0 : size, mtime);
	if (emit(t, h, TAR_BLOCK, err) < 0)
		return -1;
	t->left = size;
	t->pad = (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
	return 0;
}

int tar_write_data(tar_writer *t, const void *buf, size_t n, err_t **err)
{
	if ((int64_t)n > t->left)
		return err_set(err, ERR_SYSTEM, 0, "tar: %zu bytes more than the member's size", n);
	t->left -= (int64_t)n;
	if (n >= TBUF) { /* big pieces go straight out */
		if (flush(t, err) < 0 || img_write_all(t->out, buf, n, err) < 0)
			return -1;
		t->total += (int64_t)n;
		return 0;
	}
	return emit(t, buf, n, err);
}

int tar_writer_close(tar_writer *t, err_t **err)
{
	if (t->left)
		return err_set(err, ERR_SYSTEM, 0, "tar: last member is %lld bytes short",
			       (long long)t->left);
	if (emit(t, NULL, (size_t)t->pad + 2 * TAR_BLOCK, err) < 0)
		return -1;
	t->pad = 0;
	if (emit(t, NULL, (size_t)((TREC - t->total % TREC) % TREC), err) < 0)
		return -1;
	return flush(t, err);
}
