/* server.c: libmicrohttpd glue. One MHD daemon per listening socket, a thread
 * per connection (so streams such as events, logs -f and wait simply block),
 * Docker's headers on every answer, the /v1.NN/ prefix checked here.
 *
 * The request callback runs several times per request: once at the headers
 * (route lookup), once per body chunk, once at the end (run the handler,
 * queue its answer). Routes that stream their body (image load, import,
 * build) run the handler on a worker thread reading a pipe that the body
 * chunks are written into, so a 1 GB upload never sits in memory. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "internal.h"
#include "log.h"
#include "version.h"
#include "xalloc.h"

struct http_server {
	struct engine *eng;
	struct MHD_Daemon **daemons;
	size_t ndaemons;
};

/* Per-request state, owned by MHD's con_cls slot. */
typedef struct conn_state {
	http_req req;
	const http_route *route;
	int early_status;       /* non-zero: answer this error, ignore the body */
	char *early_msg;
	bool too_large;
	char path_copy[4096];
	char param_buf[8192];
	/* A 101 answer's handler: ours until the upgrade ran, so that it is
	 * freed (its ctx released) even when the client left before that. */
	http_resp *upgrade;
	/* Streamed body. */
	int pipe_w;
	pthread_t worker;
	bool worker_running;
} conn_state;

static void add_std_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Api-Version", API_VERSION);
	MHD_add_response_header(r, "Server", "Docker/" ENGINE_SERVER_VERSION " (linux)");
	MHD_add_response_header(r, "Ostype", "linux");
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	http_resp *r = cls;
	ssize_t n = r->stream(r->ctx, buf, max);
	if (n == -1)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n;
}

static void stream_free(void *cls)
{
	http_resp_free(cls);
}

static void upgrade_cb(void *cls, struct MHD_Connection *c, void *con_cls, const char *extra,
		       size_t extra_len, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	(void)c;
	(void)cls;
	conn_state *st = con_cls;
	http_resp *r = st->upgrade;
	st->upgrade = NULL;
	r->upgrade(r->ctx, sock, extra, extra_len);
	MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
	http_resp_free(r);
}

static enum MHD_Result queue_resp(struct MHD_Connection *c, conn_state *st)
{
	http_req *req = &st->req;
	http_resp *r = req->resp;
	struct MHD_Response *mr = NULL;
	if (!r) {
		http_reply_errorf(req, 500, "handler gave no answer");
		r = req->resp;
	}
	switch (r->kind) {
	case RESP_STREAM:
		mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_reader, r,
						       stream_free);
		req->resp = NULL; /* owned by the MHD response now */
		break;
	case RESP_UPGRADE:
		mr = MHD_create_response_for_upgrade(upgrade_cb, st);
		st->upgrade = r;
		req->resp = NULL;
		if (mr)
			MHD_add_response_header(mr, MHD_HTTP_HEADER_UPGRADE, "tcp");
		break;
	default:
		mr = MHD_create_response_from_buffer(r->body_len, r->body ? r->body : (char *)"",
						     r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		r->body = NULL;
		break;
	}
	if (!mr)
		return MHD_NO;
	add_std_headers(mr);
	if (r->content_type)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	for (size_t i = 0; i < r->nheaders; i++)
		MHD_add_response_header(mr, r->headers[i].name, r->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static void set_early(conn_state *st, int status, const char *fmt, const char *arg)
{
	st->early_status = status;
	st->early_msg = xasprintf(fmt, arg);
}

/* Reads the version prefix and finds the route; errors are answered after
 * the body has been read, as the client expects. */
static void route_request(conn_state *st, const char *url, const char *method)
{
	http_req *req = &st->req;
	const char *rest = api_split_version(url, req->version, sizeof(req->version));
	if (!rest) {
		set_early(st, 404, "%s", "page not found");
		return;
	}
	if (req->version[0]) {
		if (api_version_cmp(req->version, API_VERSION) > 0) {
			st->early_status = 400;
			st->early_msg = xasprintf("client version %s is too new. Maximum supported API version is %s",
						  req->version, API_VERSION);
			return;
		}
		if (api_version_cmp(req->version, API_MIN_VERSION) < 0) {
			st->early_status = 400;
			st->early_msg = xasprintf("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version",
						  req->version, API_MIN_VERSION);
			return;
		}
	} else {
		snprintf(req->version, sizeof(req->version), "%s", API_VERSION);
	}
	snprintf(st->path_copy, sizeof(st->path_copy), "%s", rest);
	req->path = st->path_copy;
	st->route = http_route_match(method, req->path, req, st->param_buf, sizeof(st->param_buf));
	if (!st->route)
		set_early(st, 404, "%s", "page not found");
}

static void *body_worker(void *arg)
{
	conn_state *st = arg;
	st->route->fn(&st->req);
	/* Drain what the handler did not read so the writer never blocks. */
	char buf[16384];
	while (read(st->req.body_fd, buf, sizeof(buf)) > 0)
		;
	close(st->req.body_fd);
	st->req.body_fd = -1;
	return NULL;
}

static int start_body_worker(conn_state *st)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	st->req.body_fd = p[0];
	st->pipe_w = p[1];
	if (pthread_create(&st->worker, NULL, body_worker, st) != 0) {
		close(p[0]);
		close(p[1]);
		st->req.body_fd = st->pipe_w = -1;
		return -1;
	}
	st->worker_running = true;
	return 0;
}

static void finish_body_worker(conn_state *st)
{
	if (st->pipe_w >= 0) {
		close(st->pipe_w);
		st->pipe_w = -1;
	}
	if (st->worker_running) {
		pthread_join(st->worker, NULL);
		st->worker_running = false;
	}
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the handler stopped reading: the rest is dropped */
		p += w;
		n -= (size_t)w;
	}
}

static conn_state *conn_state_new(http_server *srv, struct MHD_Connection *c, const char *method)
{
	conn_state *st = xcalloc(1, sizeof(*st));
	st->req.eng = srv->eng;
	st->req.conn = c;
	st->req.method = method;
	st->req.body_fd = -1;
	st->pipe_w = -1;
	return st;
}

static void take_chunk(conn_state *st, const char *data, size_t n)
{
	if (st->early_status || st->too_large)
		return;
	if (st->route->flags & HTTP_ROUTE_STREAM_BODY) {
		if (st->pipe_w >= 0)
			write_all(st->pipe_w, data, n);
		return;
	}
	if (st->req.body.len + n > HTTP_MAX_BODY) {
		st->too_large = true;
		sb_free(&st->req.body);
		return;
	}
	sb_append(&st->req.body, data, n);
}

static enum MHD_Result finish_request(struct MHD_Connection *c, conn_state *st)
{
	http_req *req = &st->req;
	if (st->early_status) {
		http_reply_errorf(req, st->early_status, "%s", st->early_msg);
	} else if (st->too_large) {
		http_reply_errorf(req, 413, "request body is larger than %u bytes", HTTP_MAX_BODY);
	} else if (st->route->flags & HTTP_ROUTE_STREAM_BODY) {
		finish_body_worker(st);
	} else {
		st->route->fn(req);
	}
	return queue_resp(c, st);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	http_server *srv = cls;
	conn_state *st = *con_cls;
	if (!st) {
		st = conn_state_new(srv, c, method);
		*con_cls = st;
		route_request(st, url, method);
		if (!st->early_status && (st->route->flags & HTTP_ROUTE_STREAM_BODY) &&
		    start_body_worker(st) < 0)
			set_early(st, 500, "%s", "cannot start request worker");
		return MHD_YES;
	}
	if (*upload_size) {
		take_chunk(st, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return finish_request(c, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	conn_state *st = *con_cls;
	if (!st)
		return;
	finish_body_worker(st);
	http_resp_free(st->upgrade); /* the upgrade never happened */
	http_resp_free(st->req.resp);
	sb_free(&st->req.body);
	free(st->early_msg);
	bool trim = st->route && (st->route->flags & HTTP_ROUTE_TRIM);
	free(st);
	*con_cls = NULL;
	if (trim)
		malloc_trim(0);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char *m = xvasprintf(fmt, ap);
	m[strcspn(m, "\n")] = '\0';
	log_debug("http: %s", m);
	free(m);
}

/* The per-connection memory pool (request headers). libmicrohttpd mmaps
 * pools above 32 KiB; under AddressSanitizer such a mapping can land where a
 * finished thread's stack was and inherit its stale poison (a false
 * "stack-buffer-underflow"), so sanitizer builds keep pools on the heap. */
#ifdef ENGINE_SANITIZED
#define CONN_POOL_SIZE ((size_t)32 * 1024)
#else
#define CONN_POOL_SIZE ((size_t)64 * 1024)
#endif

http_server *http_server_start(struct engine *eng, const int *fds, size_t nfds, err_t **err)
{
	http_server *s = xcalloc(1, sizeof(*s));
	s->eng = eng;
	s->daemons = xcalloc(nfds ? nfds : 1, sizeof(*s->daemons));
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD |
			 MHD_ALLOW_UPGRADE | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	for (size_t i = 0; i < nfds; i++) {
		struct MHD_Daemon *d = MHD_start_daemon(
			flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fds[i],
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_POOL_SIZE,
			MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
			MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_CONNECTION_TIMEOUT, 0u,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
		if (!d) {
			err_set(err, ERR_SYSTEM, 0, "cannot start the HTTP server on fd %d", fds[i]);
			http_server_stop(s);
			return NULL;
		}
		s->daemons[s->ndaemons++] = d;
	}
	return s;
}

void http_server_stop(http_server *s)
{
	if (!s)
		return;
	/* Quiesce first: the listening socket stays ours (listen.c closes it). */
	for (size_t i = 0; i < s->ndaemons; i++) {
		MHD_quiesce_daemon(s->daemons[i]);
		MHD_stop_daemon(s->daemons[i]);
	}
	free(s->daemons);
	free(s);
}
