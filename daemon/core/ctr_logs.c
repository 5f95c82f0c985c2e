/* ctr_logs.c: GET /containers/{id}/logs over the json-file log the shim
 * writes (<log>.N ... <log>.1, then <log>, oldest first). `tail` is found
 * by reading the files backwards, so a huge log costs only its last lines.
 * Filters and rendering follow moby: tail first, then since, until and the
 * streams; a timestamp (RFC3339NanoFixed) and the details (the entry's attrs)
 * before the line; Docker's 8-byte frames without a tty, raw with one.
 *
 * `follow` keeps reading: inotify on the log's directory says when it grew
 * or rotated (a rotated file is read to its end, then its successor), the
 * shim's wait connection says when the container stopped (the shim closes
 * the log before it answers: then the rest is read and the stream ends),
 * and the client's socket says when it hung up. No polling loop, no sleep. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "shim_client.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xalloc.h"

#define MAX_ROTATED 1000          /* <log>.N beyond this is not looked for */
#define MAX_LINE (4u << 20)       /* a longer log line is skipped */
#define READ_CHUNK 65536

typedef struct logfile {
	int fd;
	ino_t ino;
} logfile;

struct ctr_logs {
	ctr_logs_opts o;
	bool tty;
	char *path;                /* the live file */
	logfile *files;            /* opened, still to read, oldest first */
	size_t nfiles, next;       /* next: index of the next one to read */
	int fd;                    /* the file being read, -1 */
	ino_t ino;
	strbuf line;               /* a line read in part */
	strbuf out;                /* rendered, not yet returned */
	size_t out_pos;
	bool following;            /* the container runs and we follow it */
	bool stopped;              /* it stopped: drain, then end */
	bool done;
	int inotify_fd, watch_fd;  /* -1 when not following */
	const char *state_dir;
	container *c;
};

/* Opens the live file and the rotated ones, and returns them oldest first.
 * Rotation renames <log>.i to <log>.i+1, so names move toward higher
 * numbers: opening from the newest name to the oldest can meet a file
 * twice (dropped by inode), never miss one. A name may be missing for an
 * instant during a rotation, so a few gaps are stepped over. Open fds also
 * keep the inodes from being reused while we compare them. */
static logfile *open_files(const char *path, size_t *n)
{
	logfile *v = NULL;
	size_t cap = 0, k = 0;
	int misses = 0;
	for (int i = 0; i <= MAX_ROTATED && misses < 3; i++) {
		_cleanup_free_ char *p = i ? xasprintf("%s.%d", path, i) : xstrdup(path);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			misses += i > 0; /* the live file may be missing alone */
			continue;
		}
		misses = 0;
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = v[j].ino == st.st_ino;
		if (seen) {
			close(fd);
			continue;
		}
		v = xgrow(v, &cap, k + 1, sizeof(*v));
		v[k++] = (logfile){fd, st.st_ino};
	}
	for (size_t i = 0; i < k / 2; i++) { /* oldest first */
		logfile t = v[i];
		v[i] = v[k - 1 - i];
		v[k - 1 - i] = t;
	}
	*n = k;
	return v;
}

static void close_files(ctr_logs *l)
{
	for (size_t i = l->next; i < l->nfiles; i++)
		close(l->files[i].fd);
	free(l->files);
	l->files = NULL;
	l->nfiles = l->next = 0;
}

/* Takes the next file to read. */
static void take_next(ctr_logs *l)
{
	logfile f = l->files[l->next++];
	l->fd = f.fd;
	l->ino = f.ino;
}

/* Counts, from the end of fd's first `size` bytes, the lines that begin
 * there; stops at want. Returns the count and sets *start to the offset of
 * the earliest of them. */
static int64_t lines_from_end(int fd, off_t size, int64_t want, off_t *start)
{
	char buf[READ_CHUNK];
	int64_t count = 0;
	off_t pos = size;
	*start = size;
	while (pos > 0) {
		size_t len = pos < (off_t)sizeof(buf) ? (size_t)pos : sizeof(buf);
		pos -= (off_t)len;
		if (pread(fd, buf, len, pos) != (ssize_t)len)
			return count;
		for (size_t i = len; i-- > 0;) {
			off_t at = pos + (off_t)i;
			if (buf[i] != '\n' || at == size - 1)
				continue;
			count++; /* a line begins at at + 1 */
			*start = at + 1;
			if (count == want)
				return count;
		}
	}
	if (size > 0) {
		count++; /* the file's first line */
		*start = 0;
	}
	return count;
}

/* Positions the reader on the last o.tail entries across the files. */
static void seek_tail(ctr_logs *l)
{
	int64_t want = l->o.tail;
	if (!l->nfiles)
		return;
	if (want == 0) { /* nothing old: start at the end of the newest file */
		while (l->next + 1 < l->nfiles)
			close(l->files[l->next++].fd);
		take_next(l);
		lseek(l->fd, 0, SEEK_END);
		return;
	}
	for (size_t i = l->nfiles; i-- > 0;) {
		struct stat st;
		off_t start = 0;
		if (fstat(l->files[i].fd, &st) < 0)
			continue;
		want -= lines_from_end(l->files[i].fd, st.st_size, want, &start);
		if (want <= 0 || i == 0) {
			while (l->next < i)
				close(l->files[l->next++].fd);
			take_next(l);
			lseek(l->fd, start, SEEK_SET);
			return;
		}
	}
}

static void frame(strbuf *out, int stream, const char *data, size_t n)
{
	unsigned char hdr[8] = {(unsigned char)stream, 0, 0, 0};
	uint32_t be = htonl((uint32_t)n);
	memcpy(hdr + 4, &be, 4);
	sb_append(out, hdr, sizeof(hdr));
	sb_append(out, data, n);
}

/* url.QueryEscape. */
static void query_escape(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~", *p))
			sb_putc(sb, (char)*p);
		else if (*p == ' ')
			sb_putc(sb, '+');
		else
			sb_printf(sb, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/* One json-file line; false when `until` is passed (the stream ends). */
static bool render(ctr_logs *l, const char *text, size_t len)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *e = json_parse_strict(text, len, &err);
	const char *stream = jget_str(e, "stream"), *time = jget_str(e, "time");
	json_object *log = jget(e, "log");
	int64_t sec = 0;
	int32_t nsec = 0;
	if (!e || !stream || !time || !log || time_parse_rfc3339(time, &sec, &nsec, NULL) < 0)
		return true; /* not an entry: skipped, as moby's decoder would fail on it */
	int64_t ts = sec * NS_PER_SEC + nsec;
	if (l->o.until_ns && ts > l->o.until_ns)
		return false;
	if (l->o.since_ns && ts < l->o.since_ns)
		return true;
	bool is_err = !strcmp(stream, "stderr");
	if (is_err ? !l->o.err : !l->o.out)
		return true;
	_cleanup_sb_ strbuf line = STRBUF_INIT;
	if (l->o.timestamps) {
		struct tm tm;
		time_t t = (time_t)sec;
		char when[40];
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		sb_printf(&line, "%s.%09dZ ", when, (int)nsec);
	}
	if (l->o.details) {
		json_object *attrs = jget_obj(e, "attrs");
		bool first = true;
		json_object_object_foreach(jobj_or_empty(attrs), k, v) {
			if (!first)
				sb_putc(&line, ',');
			first = false;
			query_escape(&line, k);
			sb_putc(&line, '=');
			query_escape(&line, json_object_get_string(v));
		}
		sb_putc(&line, ' ');
	}
	sb_append(&line, json_object_get_string(log), (size_t)json_object_get_string_len(log));
	if (l->tty)
		sb_append(&l->out, line.buf, line.len);
	else
		frame(&l->out, is_err ? 2 : 1, line.buf, line.len);
	return true;
}

/* Reads a chunk of the current file and renders its complete lines.
 * Returns > 0 when it read something, 0 at the file's end, -1 when the
 * stream is over (until). */
static int read_chunk(ctr_logs *l)
{
	char buf[READ_CHUNK];
	ssize_t n = read(l->fd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	size_t p = 0;
	while (p < (size_t)n) {
		char *nl = memchr(buf + p, '\n', (size_t)n - p);
		size_t take = nl ? (size_t)(nl - (buf + p)) : (size_t)n - p;
		if (l->line.len + take <= MAX_LINE)
			sb_append(&l->line, buf + p, take);
		else
			l->line.len = MAX_LINE + 1; /* too long: dropped at its end */
		p += take;
		if (!nl)
			break;
		p++;
		bool go_on = l->line.len > MAX_LINE || render(l, l->line.buf, l->line.len);
		sb_reset(&l->line);
		if (!go_on)
			return -1;
	}
	return 1;
}

static void close_current(ctr_logs *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	sb_reset(&l->line); /* a line cut by the file's end is not one */
}

/* After the file we read was rotated away and read to its end: the files
 * newer than it, oldest first (all of them when it is gone from the names). */
static void follow_rotation(ctr_logs *l)
{
	close_files(l);
	l->files = open_files(l->path, &l->nfiles);
	size_t from = 0;
	for (size_t i = 0; i < l->nfiles; i++)
		if (l->files[i].ino == l->ino)
			from = i + 1;
	while (l->next < from)
		close(l->files[l->next++].fd);
	close_current(l);
}

static bool is_live(ctr_logs *l)
{
	struct stat st;
	return stat(l->path, &st) == 0 && st.st_ino == l->ino;
}

/* Follow mode at the end of the live file: waits for more, the stop, or a
 * hang-up. Returns 0 to read again, -1 when the client is gone. */
static int wait_more(ctr_logs *l, int cancel_fd)
{
	struct pollfd p[3] = {
		{.fd = l->inotify_fd, .events = POLLIN},
		{.fd = l->watch_fd, .events = POLLIN},
		{.fd = cancel_fd, .events = POLLRDHUP},
	};
	int timeout = -1;
	if (l->o.until_ns) {
		int64_t left = (l->o.until_ns - now_ns()) / 1000000;
		if (left <= 0) {
			l->done = true;
			return 0;
		}
		timeout = left > INT_MAX ? INT_MAX : (int)left;
	}
	int r = poll(p, 3, timeout);
	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0) {
		l->done = true; /* until passed */
		return 0;
	}
	if (p[2].revents)
		return -1;
	if (p[0].revents) {
		char buf[4096];
		while (read(l->inotify_fd, buf, sizeof(buf)) > 0)
			;
	}
	if (p[1].revents) {
		l->stopped = true;
		close(l->watch_fd);
		l->watch_fd = -1;
	}
	return 0;
}

ctr_logs *ctr_logs_open(ctr_table *t, container *c, const ctr_logs_opts *o, bool *tty, err_t **err)
{
	(void)t;
	const char *type = jget_str(jget_obj(c->host_config, "LogConfig"), "Type");
	if (type && *type && strcmp(type, "json-file")) {
		err_set(err, ERR_NOT_IMPLEMENTED, 0, "configured logging driver does not support reading");
		return NULL;
	}
	ctr_logs *l = xcalloc(1, sizeof(*l));
	l->o = *o;
	l->tty = *tty = jget_bool(c->config, "Tty", false);
	l->path = xstrdup(c->log_path);
	l->fd = l->inotify_fd = l->watch_fd = -1;
	l->state_dir = c->state_dir;
	container_ref(c);
	l->c = c;
	if (o->follow) {
		pthread_mutex_lock(&c->lock);
		bool live = c->state == CS_RUNNING || c->state == CS_PAUSED || c->state == CS_RESTARTING;
		pthread_mutex_unlock(&c->lock);
		/* Watch before reading: nothing written after our read can be missed. */
		l->inotify_fd = live ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
		_cleanup_free_ char *dir = xstrdup(l->path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		if (l->inotify_fd >= 0 &&
		    inotify_add_watch(l->inotify_fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) >= 0)
			l->watch_fd = shim_watch(c->state_dir, NULL);
		l->following = l->watch_fd >= 0;
		if (!l->following && l->inotify_fd >= 0) {
			close(l->inotify_fd);
			l->inotify_fd = -1;
		}
	}
	l->files = open_files(l->path, &l->nfiles);
	if (o->tail >= 0)
		seek_tail(l);
	return l;
}

ssize_t ctr_logs_read(ctr_logs *l, char *buf, size_t n, int cancel_fd)
{
	for (;;) {
		if (l->out_pos < l->out.len) {
			size_t k = l->out.len - l->out_pos < n ? l->out.len - l->out_pos : n;
			memcpy(buf, l->out.buf + l->out_pos, k);
			l->out_pos += k;
			if (l->out_pos == l->out.len) {
				sb_reset(&l->out);
				l->out_pos = 0;
			}
			return (ssize_t)k;
		}
		if (l->done)
			return 0;
		if (l->fd < 0) {
			if (l->next < l->nfiles) {
				take_next(l);
				continue;
			}
			if (!l->following || l->stopped) {
				l->done = true;
				continue;
			}
			/* No file (yet, or mid-rotation): those newer than the last
			 * one read, when there are; else wait. */
			follow_rotation(l);
			if (l->next < l->nfiles)
				continue;
			if (wait_more(l, cancel_fd) < 0)
				return -1;
			continue;
		}
		int r = read_chunk(l);
		if (r < 0) {
			l->done = true;
			continue;
		}
		if (r > 0)
			continue;
		/* The end of this file: if it is no longer the live one, go on
		 * with its successors (found by inode: it may have been rotated
		 * again meanwhile). */
		if (!is_live(l)) {
			follow_rotation(l);
			continue;
		}
		if (!l->following || l->stopped) {
			l->done = true; /* the shim closed the log before it told us of the stop */
			continue;
		}
		if (wait_more(l, cancel_fd) < 0)
			return -1;
	}
}

void ctr_logs_free(ctr_logs *l)
{
	if (!l)
		return;
	close_current(l);
	close_files(l);
	if (l->inotify_fd >= 0)
		close(l->inotify_fd);
	if (l->watch_fd >= 0)
		close(l->watch_fd);
	sb_free(&l->line);
	sb_free(&l->out);
	free(l->path);
	container_unref(l->c);
	free(l);
}
