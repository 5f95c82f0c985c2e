/* httpc.c: a small HTTP/1.1 client (see httpc.h). Reads go through a
 * buffered reader; every length and size from the server is bounds-checked
 * (header block <= 64 KiB, chunk size lines <= 64 bytes, hex sizes checked for
 * overflow) because the daemon at the other end may not be ours. */
#include "httpc.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

#define HEAD_MAX (64 * 1024)

struct httpc {
	char *host;      /* as given */
	char *unix_path; /* unix socket path, or NULL for tcp */
	char *tcp_host, *tcp_port;
	int fd;          /* kept-alive connection, or -1 */
	/* Buffered reader state for fd. */
	char buf[16384];
	size_t start, end;
};

void httpc_resp_free(httpc_resp *r)
{
	free(r->content_type);
	free(r->api_version);
	sb_free(&r->body);
	memset(r, 0, sizeof(*r));
}

static int parse_tcp(httpc *c, const char *hp, err_t **err)
{
	const char *colon = strrchr(hp, ':');
	if (!colon || colon == hp || !colon[1])
		return err_invalid(err, "invalid host tcp://%s: expected tcp://HOST:PORT", hp);
	c->tcp_host = xstrndup(hp, (size_t)(colon - hp));
	c->tcp_port = xstrdup(colon + 1);
	char *slash = strchr(c->tcp_port, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

httpc *httpc_new(const char *host, err_t **err)
{
	httpc *c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->host = xstrdup(host);
	int r = 0;
	if (!strncmp(host, "unix://", 7))
		c->unix_path = xstrdup(host + 7);
	else if (host[0] == '/')
		c->unix_path = xstrdup(host);
	else if (!strncmp(host, "tcp://", 6))
		r = parse_tcp(c, host + 6, err);
	else
		r = err_invalid(err, "unsupported protocol in host %s: use unix:// or tcp://", host);
	if (r < 0 || (c->unix_path && strlen(c->unix_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))) {
		if (r == 0)
			err_invalid(err, "socket path too long: %s", c->unix_path);
		httpc_free(c);
		return NULL;
	}
	return c;
}

void httpc_free(httpc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->host);
	free(c->unix_path);
	free(c->tcp_host);
	free(c->tcp_port);
	free(c);
}

const char *httpc_host(const httpc *c)
{
	return c->host;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int connect_tcp(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int ensure_connected(httpc *c, err_t **err)
{
	if (c->fd >= 0)
		return 0;
	c->start = c->end = 0;
	c->fd = c->unix_path ? connect_unix(c->unix_path) : connect_tcp(c->tcp_host, c->tcp_port);
	if (c->fd < 0)
		return err_set(err, ERR_UNAVAILABLE, 0,
			       "Cannot connect to the engine daemon at %s. Is engined running?", c->host);
	return 0;
}

static void drop_connection(httpc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->start = c->end = 0;
}

static int send_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Fills the read buffer; returns bytes added, 0 at EOF, -1 on error. */
static ssize_t fill(httpc *c)
{
	if (c->start == c->end)
		c->start = c->end = 0;
	if (c->end == sizeof(c->buf)) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	for (;;) {
		ssize_t r = read(c->fd, c->buf + c->end, sizeof(c->buf) - c->end);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0)
			c->end += (size_t)r;
		return r;
	}
}

static void format_head(strbuf *sb, const httpc_req *req, bool chunked_body)
{
	sb_printf(sb, "%s %s HTTP/1.1\r\nHost: engine\r\nUser-Agent: engine-cli/%s\r\n", req->method,
		  req->path, ENGINE_VERSION);
	if (req->content_type)
		sb_printf(sb, "Content-Type: %s\r\n", req->content_type);
	if (chunked_body)
		sb_puts(sb, "Transfer-Encoding: chunked\r\n");
	else if (req->body || strcmp(req->method, "GET") != 0)
		sb_printf(sb, "Content-Length: %zu\r\n", req->body ? req->body_len : 0);
	if (req->upgrade)
		sb_puts(sb, "Connection: Upgrade\r\nUpgrade: tcp\r\n");
	for (const char *const *h = req->headers; h && *h; h++)
		sb_printf(sb, "%s\r\n", *h);
	sb_puts(sb, "\r\n");
}

/* Streams fd as chunked encoding. */
static int send_fd_chunked(int sock, int fd)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		char hdr[32];
		int hl = snprintf(hdr, sizeof(hdr), "%zx\r\n", (size_t)n);
		if (send_all(sock, hdr, (size_t)hl) < 0)
			return -1;
		if (n == 0)
			return send_all(sock, "\r\n", 2);
		if (send_all(sock, buf, (size_t)n) < 0 || send_all(sock, "\r\n", 2) < 0)
			return -1;
	}
}

static int send_request(httpc *c, const httpc_req *req)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	bool chunked = req->body_fd >= 0;
	format_head(&sb, req, chunked);
	if (req->body && !chunked)
		sb_append(&sb, req->body, req->body_len);
	if (send_all(c->fd, sb.buf, sb.len) < 0)
		return -1;
	if (chunked)
		return send_fd_chunked(c->fd, req->body_fd);
	return 0;
}

static bool header_is(const char *line, size_t len, const char *name, const char **value)
{
	size_t nl = strlen(name);
	if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return false;
	const char *v = line + nl + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	*value = v;
	return true;
}

static void take_header(httpc_resp *resp, const char *line, size_t len)
{
	const char *v = NULL;
	size_t vl;
	if (header_is(line, len, "Content-Type", &v)) {
		vl = (size_t)(line + len - v);
		free(resp->content_type);
		resp->content_type = xstrndup(v, vl);
	} else if (header_is(line, len, "Api-Version", &v)) {
		free(resp->api_version);
		resp->api_version = xstrndup(v, (size_t)(line + len - v));
	} else if (header_is(line, len, "Transfer-Encoding", &v)) {
		resp->chunked = strncasecmp(v, "chunked", 7) == 0;
	} else if (header_is(line, len, "Content-Length", &v)) {
		char *end = NULL;
		_cleanup_free_ char *num = xstrndup(v, (size_t)(line + len - v));
		long long n = strtoll(num, &end, 10);
		resp->content_length = (end && end != num && n >= 0) ? n : -2;
	}
}

ssize_t httpc_parse_head(const char *buf, size_t len, httpc_resp *resp)
{
	const char *end = NULL;
	for (size_t i = 0; i + 3 < len; i++) {
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
			end = buf + i;
			break;
		}
	}
	if (!end)
		return len > HEAD_MAX ? -1 : 0;
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
		return -1;
	if (!isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) ||
	    !isdigit((unsigned char)buf[11]))
		return -1;
	resp->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	resp->content_length = -1;
	const char *line = memchr(buf, '\n', (size_t)(end - buf));
	while (line && line < end) {
		line++;
		const char *eol = memchr(line, '\r', (size_t)(end - line) + 1);
		if (!eol)
			break;
		if (eol > line)
			take_header(resp, line, (size_t)(eol - line));
		line = eol + 1;
	}
	if (resp->content_length == -2)
		return -1;
	return end - buf + 4;
}

static int read_head(httpc *c, httpc_resp *resp, err_t **err)
{
	for (;;) {
		ssize_t used = httpc_parse_head(c->buf + c->start, c->end - c->start, resp);
		if (used < 0)
			return err_invalid(err, "malformed response from the daemon");
		if (used > 0) {
			c->start += (size_t)used;
			return 0;
		}
		if (c->end - c->start == sizeof(c->buf))
			return err_invalid(err, "response headers from the daemon are too large");
		ssize_t r = fill(c);
		if (r <= 0)
			return err_set(err, ERR_UNAVAILABLE, 0, "the daemon at %s closed the connection", c->host);
	}
}

/* Passes up to `want` buffered or freshly read bytes to fn; -1 on EOF/error. */
static int pass_bytes(httpc *c, size_t want, httpc_data_fn fn, void *ctx, int *stopped)
{
	while (want) {
		if (c->start == c->end && fill(c) <= 0)
			return -1;
		size_t n = c->end - c->start < want ? c->end - c->start : want;
		if (!*stopped && fn(ctx, c->buf + c->start, n) < 0)
			*stopped = 1;
		c->start += n;
		want -= n;
	}
	return 0;
}

/* Reads one CRLF-terminated line of at most 64 bytes into line. */
static int read_line(httpc *c, char *line, size_t max)
{
	size_t n = 0;
	for (;;) {
		if (c->start == c->end && fill(c) <= 0)
			return -1;
		char ch = c->buf[c->start++];
		if (ch == '\n') {
			if (n && line[n - 1] == '\r')
				n--;
			line[n] = '\0';
			return 0;
		}
		if (n + 1 >= max)
			return -1;
		line[n++] = ch;
	}
}

static int read_chunked(httpc *c, httpc_data_fn fn, void *ctx, int *stopped)
{
	char line[64];
	for (;;) {
		if (read_line(c, line, sizeof(line)) < 0)
			return -1;
		char *end = NULL;
		errno = 0;
		unsigned long long size = strtoull(line, &end, 16);
		if (errno || end == line || (*end && *end != ';') || size > (1ull << 40))
			return -1;
		if (size == 0) {
			/* Trailers until an empty line. */
			do {
				if (read_line(c, line, sizeof(line)) < 0)
					return -1;
			} while (line[0]);
			return 0;
		}
		if (pass_bytes(c, (size_t)size, fn, ctx, stopped) < 0 || read_line(c, line, sizeof(line)) < 0)
			return -1;
	}
}

static int read_to_eof(httpc *c, httpc_data_fn fn, void *ctx, int *stopped)
{
	for (;;) {
		if (c->start < c->end) {
			if (!*stopped && fn(ctx, c->buf + c->start, c->end - c->start) < 0)
				*stopped = 1;
			c->start = c->end;
		}
		ssize_t r = fill(c);
		if (r == 0)
			return 0;
		if (r < 0)
			return -1;
	}
}

static bool has_body(const httpc_req *req, const httpc_resp *resp)
{
	if (!strcmp(req->method, "HEAD") || resp->status == 204 || resp->status == 304 ||
	    (resp->status >= 100 && resp->status < 200))
		return false;
	return true;
}

static int read_body(httpc *c, const httpc_req *req, httpc_resp *resp, httpc_data_fn fn,
		     void *ctx, err_t **err)
{
	int stopped = 0, r = 0;
	bool reuse = true;
	if (!has_body(req, resp))
		r = 0;
	else if (resp->chunked)
		r = read_chunked(c, fn, ctx, &stopped);
	else if (resp->content_length >= 0)
		r = pass_bytes(c, (size_t)resp->content_length, fn, ctx, &stopped);
	else {
		r = read_to_eof(c, fn, ctx, &stopped);
		reuse = false;
	}
	if (r < 0 || !reuse || stopped)
		drop_connection(c);
	if (r < 0 && !stopped)
		return err_set(err, ERR_UNAVAILABLE, 0, "unexpected EOF from the daemon");
	return 0;
}

static int append_body(void *ctx, const char *data, size_t n)
{
	httpc_resp *resp = ctx;
	if (resp->body.len + n > (512u << 20))
		return -1;
	sb_append(&resp->body, data, n);
	return 0;
}

/* Sends and reads the head, retrying once on a stale kept-alive connection. */
static int exchange_head(httpc *c, const httpc_req *req, httpc_resp *resp, err_t **err)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		bool reused = c->fd >= 0;
		if (ensure_connected(c, err) < 0)
			return -1;
		memset(resp, 0, sizeof(*resp));
		if (send_request(c, req) == 0 && c->start == c->end && fill(c) > 0)
			return read_head(c, resp, err);
		if (c->start < c->end)
			return read_head(c, resp, err);
		drop_connection(c);
		if (!reused || req->body_fd >= 0)
			break;
	}
	return err_set(err, ERR_UNAVAILABLE, 0, "the daemon at %s closed the connection", c->host);
}

int httpc_stream(httpc *c, const httpc_req *req, httpc_resp *resp, httpc_data_fn fn, void *ctx,
		 err_t **err)
{
	if (exchange_head(c, req, resp, err) < 0)
		return -1;
	return read_body(c, req, resp, fn, ctx, err);
}

int httpc_do(httpc *c, const httpc_req *req, httpc_resp *resp, err_t **err)
{
	if (exchange_head(c, req, resp, err) < 0)
		return -1;
	return read_body(c, req, resp, append_body, resp, err);
}

int httpc_begin(httpc *c, const httpc_req *req, httpc_resp *resp, err_t **err)
{
	return exchange_head(c, req, resp, err);
}

int httpc_finish(httpc *c, const httpc_req *req, httpc_resp *resp, err_t **err)
{
	return read_body(c, req, resp, append_body, resp, err);
}

int httpc_finish_stream(httpc *c, const httpc_req *req, httpc_resp *resp, httpc_data_fn fn, void *ctx,
			err_t **err)
{
	return read_body(c, req, resp, fn, ctx, err);
}

int httpc_hijack(httpc *c, const httpc_req *req, httpc_resp *resp, strbuf *extra, err_t **err)
{
	/* A hijacked connection never returns to the pool: use a fresh one. */
	drop_connection(c);
	httpc_req r = *req;
	r.upgrade = true;
	if (exchange_head(c, &r, resp, err) < 0)
		return -1;
	if (resp->status != 101 && resp->status != 200) {
		read_body(c, &r, resp, append_body, resp, err);
		return -1;
	}
	if (c->start < c->end)
		sb_append(extra, c->buf + c->start, c->end - c->start);
	int fd = c->fd;
	c->fd = -1;
	c->start = c->end = 0;
	return fd;
}
