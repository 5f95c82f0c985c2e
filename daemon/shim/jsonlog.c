/* jsonlog.c: the json-file writer. Line splitting follows moby's
 * daemon/logger/copier.go (a 16 KiB buffer; a full buffer without a newline,
 * or the end of the stream, gives a partial entry), escaping follows its
 * jsonlog.ffjsonWriteJSONBytesAsString, rotation its loggerutils/logfile.go
 * (rotate before a write once the file reached max-size). Entries are
 * queued and written in one write() per batch of output. */
#include "jsonlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

#include "shim_proto.h"

typedef struct stream_buf {
	char buf[JSONLOG_BUF];
	size_t n;
	bool partial;              /* the last entry was a partial one */
	struct timespec partial_ts; /* its time, shared by the rest of the line */
} stream_buf;

struct jsonlog {
	char *path;
	int fd;
	long long size; /* file size + queued bytes */
	long long max_size;
	int max_files;
	strbuf out;
	stream_buf s[2];
};

static const char *const stream_names[] = {"stdout", "stderr"};

/* Decodes one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (!len || c > 0xf4 || len > n)
		return 0;
	unsigned v = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static void escape_ascii(strbuf *sb, unsigned char b)
{
	static const char hex[] = "0123456789abcdef";
	char e[7] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 15], 0};
	if (b == '"' || b == '\\') {
		char q[2] = {'\\', (char)b};
		sb_append(sb, q, 2);
	} else if (b == '\n') {
		sb_append(sb, "\\n", 2);
	} else if (b == '\r') {
		sb_append(sb, "\\r", 2);
	} else {
		sb_append(sb, e, 6);
	}
}

static void escape_body(strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t start = 0, i = 0;
	while (i < n) {
		unsigned char b = s[i];
		if (b < 0x80) {
			if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
				i++;
				continue;
			}
			sb_append(sb, s + start, i - start);
			escape_ascii(sb, b);
			start = ++i;
			continue;
		}
		unsigned cp = 0;
		size_t len = utf8_len(s + i, n - i, &cp);
		if (len && cp != 0x2028 && cp != 0x2029) {
			i += len;
			continue;
		}
		sb_append(sb, s + start, i - start);
		if (len)
			sb_printf(sb, "\\u%04x", cp);
		else
			sb_puts(sb, "\\ufffd");
		i += len ? len : 1;
		start = i;
	}
	sb_append(sb, s + start, n - start);
}

void jsonlog_escape(strbuf *sb, const char *s, size_t n)
{
	sb_putc(sb, '"');
	escape_body(sb, s, n);
	sb_putc(sb, '"');
}

static int open_log(const char *path, bool truncate)
{
	int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
	return open(path, flags, 0640);
}

jsonlog *jsonlog_open(const char *path, long long max_size, int max_files, err_t **err)
{
	int fd = open_log(path, false);
	if (fd < 0) {
		err_sys(err, "open log %s", path);
		return NULL;
	}
	struct stat st;
	jsonlog *l = xcalloc(1, sizeof(*l));
	l->path = xstrdup(path);
	l->fd = fd;
	l->size = fstat(fd, &st) == 0 ? st.st_size : 0;
	l->max_size = max_size > 0 ? max_size : -1;
	l->max_files = max_files < 1 ? 1 : max_files;
	return l;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* <path>.N-1 is dropped, .i-1 becomes .i, the live file becomes .1. */
static int rotate(jsonlog *l, err_t **err)
{
	close(l->fd);
	if (l->max_files >= 2) {
		_cleanup_free_ char *last = xasprintf("%s.%d", l->path, l->max_files - 1);
		unlink(last);
		for (int i = l->max_files - 1; i > 1; i--) {
			_cleanup_free_ char *to = xasprintf("%s.%d", l->path, i);
			_cleanup_free_ char *from = xasprintf("%s.%d", l->path, i - 1);
			rename(from, to);
		}
		_cleanup_free_ char *first = xasprintf("%s.1", l->path);
		rename(l->path, first);
	} else {
		unlink(l->path);
	}
	l->fd = open_log(l->path, true);
	l->size = 0;
	if (l->fd < 0)
		return err_sys(err, "reopen log %s", l->path);
	return 0;
}

int jsonlog_flush(jsonlog *l, err_t **err)
{
	if (!l->out.len)
		return 0;
	int r = l->fd >= 0 ? write_all(l->fd, l->out.buf, l->out.len) : -1;
	sb_reset(&l->out);
	if (r < 0)
		return err_sys(err, "write log %s", l->path);
	return 0;
}

static void emit(jsonlog *l, int stream, const char *line, size_t n, bool newline, const struct timespec *ts)
{
	if (l->max_size > 0 && l->size >= l->max_size) {
		jsonlog_flush(l, NULL);
		rotate(l, NULL);
	}
	size_t before = l->out.len;
	char when[SHIM_TIME_LEN];
	shim_fmt_time(ts, when);
	sb_puts(&l->out, "{\"log\":\"");
	escape_body(&l->out, line, n);
	sb_puts(&l->out, newline ? "\\n\"" : "\"");
	sb_printf(&l->out, ",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream_names[stream], when);
	l->size += (long long)(l->out.len - before);
}

/* Emits the complete lines in the buffer; with `force`, the rest as a partial. */
static void drain(jsonlog *l, int stream, bool force, const struct timespec *now)
{
	stream_buf *s = &l->s[stream];
	size_t p = 0;
	char *nl;
	while ((nl = memchr(s->buf + p, '\n', s->n - p))) {
		size_t q = (size_t)(nl - (s->buf + p));
		emit(l, stream, s->buf + p, q, true, s->partial ? &s->partial_ts : now);
		s->partial = false;
		p += q + 1;
	}
	if ((force || (p == 0 && s->n == JSONLOG_BUF)) && p < s->n) {
		if (!s->partial)
			s->partial_ts = *now;
		emit(l, stream, s->buf + p, s->n - p, false, &s->partial_ts);
		s->partial = true;
		p = s->n;
	}
	memmove(s->buf, s->buf + p, s->n - p);
	s->n -= p;
}

void jsonlog_feed(jsonlog *l, int stream, const char *data, size_t n, const struct timespec *now)
{
	stream_buf *s = &l->s[stream];
	while (n) {
		size_t take = JSONLOG_BUF - s->n < n ? JSONLOG_BUF - s->n : n;
		memcpy(s->buf + s->n, data, take);
		s->n += take;
		data += take;
		n -= take;
		drain(l, stream, false, now);
	}
}

void jsonlog_eof(jsonlog *l, int stream, const struct timespec *now)
{
	drain(l, stream, true, now);
}

void jsonlog_close(jsonlog *l)
{
	if (!l)
		return;
	jsonlog_flush(l, NULL);
	if (l->fd >= 0)
		close(l->fd);
	sb_free(&l->out);
	free(l->path);
	free(l);
}
