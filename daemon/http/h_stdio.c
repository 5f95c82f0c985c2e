/* h_stdio.c: a container's stdio and processes as clients see them:
 * attach (101 and the raw socket, which goes to the container's shim; 200
 * and a stream for clients that do not ask to upgrade), resize, logs and
 * top. The stream framing: Docker's 8-byte frames without a tty
 * (application/vnd.docker.multiplexed-stream from API 1.42 on,
 * raw-stream before, with the same frames), raw bytes with one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "containers.h"
#include "detachkeys.h"
#include "engine.h"
#include "internal.h"
#include "jsonutil.h"
#include "log.h"
#include "timeutil.h"
#include "version.h"
#include "xalloc.h"

#define RAW_STREAM "application/vnd.docker.raw-stream"
#define MUX_STREAM "application/vnd.docker.multiplexed-stream"

const char *stdio_content_type(http_req *req, bool tty)
{
	return !tty && api_version_cmp(req->version, "1.42") >= 0 ? MUX_STREAM : RAW_STREAM;
}

bool stdio_wants_upgrade(http_req *req)
{
	return http_header(req, "Upgrade") != NULL;
}

int stdio_send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			if (poll(&pf, 1, 30000) <= 0)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The container named by the first path parameter, or a 404 answered. */
static container *find(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	container *c = ctr_find(req->eng->containers, req->params[0], &err);
	if (!c)
		http_reply_error(req, err);
	return c;
}

static void unref_ctr(container **c)
{
	container_unref(*c);
}
#define _cleanup_ctr_ __attribute__((cleanup(unref_ctr)))

/* ---- attach ---- */

typedef struct attach_ctx {
	ctr_table *t;
	container *c;
	bool in, out, err, logs, stream, tty;
	bool reserved; /* a place among the container's waiting clients, until the upgrade */
	unsigned char keys[DETACH_KEYS_MAX];
	size_t nkeys;
} attach_ctx;

static void attach_free(void *p)
{
	attach_ctx *a = p;
	if (a->reserved) /* the client left before the upgrade */
		ctr_attach_unreserve(a->c);
	container_unref(a->c);
	free(a);
}

static ctr_logs *replay_open(attach_ctx *a)
{
	ctr_logs_opts o = {.out = a->out, .err = a->err, .tail = -1};
	bool tty;
	_cleanup_err_ err_t *err = NULL;
	ctr_logs *l = ctr_logs_open(a->t, a->c, &o, &tty, &err);
	if (!l)
		log_debug("attach %s: no log replay: %s", a->c->id, err_msg(err));
	return l;
}

/* logs=1: what the container wrote so far, then (stream=1) the live output. */
static void attach_upgraded(void *p, int fd, const char *extra, size_t extra_len)
{
	attach_ctx *a = p;
	if (a->logs && (a->out || a->err)) {
		ctr_logs *l = replay_open(a);
		char buf[32768];
		ssize_t n;
		while (l && (n = ctr_logs_read(l, buf, sizeof(buf), fd)) > 0)
			if (stdio_send_all(fd, buf, (size_t)n) < 0)
				break;
		ctr_logs_free(l);
	}
	int mine = a->stream ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	if (mine < 0) {
		if (a->reserved)
			ctr_attach_unreserve(a->c);
		a->reserved = false;
		return;
	}
	ctr_attach_opts o = {.in = a->in, .out = a->out, .err = a->err, .keys = a->keys, .nkeys = a->nkeys,
			     .data = extra, .ndata = a->in ? extra_len : 0};
	_cleanup_err_ err_t *err = NULL;
	bool reserved = a->reserved;
	a->reserved = false;
	if (ctr_attach(a->t, a->c, mine, &o, reserved, &err) < 0)
		log_warn("attach %s: %s", a->c->id, err_msg(err));
}

/* The 200 path: a log replay, then what the shim writes into the pair. */
typedef struct pair_stream {
	int pair;      /* our end of the socketpair the shim writes to, -1 */
	int conn;      /* the client's socket, for its hang-up */
	ctr_logs *log; /* the replay still to send, or NULL */
} pair_stream;

static void pair_free(void *p)
{
	pair_stream *x = p;
	if (x->pair >= 0)
		close(x->pair);
	ctr_logs_free(x->log);
	free(x);
}

static ssize_t pair_read(void *p, char *buf, size_t n)
{
	pair_stream *x = p;
	if (x->log) {
		ssize_t r = ctr_logs_read(x->log, buf, n, x->conn);
		if (r > 0)
			return r;
		ctr_logs_free(x->log);
		x->log = NULL;
		if (r < 0)
			return -2;
	}
	if (x->pair < 0)
		return -1;
	for (;;) {
		struct pollfd pf[2] = {{.fd = x->pair, .events = POLLIN}, {.fd = x->conn, .events = POLLRDHUP}};
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			return -2;
		if (pf[1].revents)
			return -2; /* the client left: closing the pair tells the shim */
		if (!pf[0].revents)
			continue;
		ssize_t r = read(x->pair, buf, n);
		if (r > 0)
			return r;
		if (r == 0)
			return -1;
		if (errno != EINTR && errno != EAGAIN)
			return -2;
	}
}

int stdio_reply_pair(http_req *req, const char *ctype, ctr_logs *log, int *shim_end)
{
	pair_stream *x = xcalloc(1, sizeof(*x));
	x->pair = -1;
	x->conn = http_conn_fd(req);
	x->log = log;
	int sv[2];
	if (shim_end) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
			pair_free(x);
			return http_reply_errorf(req, 500, "socketpair: %s", strerror(errno));
		}
		x->pair = sv[0];
		*shim_end = sv[1];
	}
	return http_reply_stream(req, 200, ctype, pair_read, x, pair_free);
}

static size_t detach_keys_for(http_req *req, const char *param, unsigned char out[DETACH_KEYS_MAX], err_t **err)
{
	if (param && *param) {
		int n = detach_keys_parse(param, out, NULL);
		if (n < 0)
			return (size_t)err_invalid(err, "Invalid detach keys (%s) provided", param);
		return (size_t)n;
	}
	engine_config *cfg = engine_config_get(req->eng);
	int n = detach_keys_parse(cfg->detach_keys && *cfg->detach_keys ? cfg->detach_keys : DETACH_KEYS_DEFAULT, out,
				  NULL);
	config_free(cfg);
	return n < 0 ? (size_t)detach_keys_parse(DETACH_KEYS_DEFAULT, out, NULL) : (size_t)n;
}

int h_ctr_attach(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	unsigned char keys[DETACH_KEYS_MAX];
	ssize_t nkeys = (ssize_t)detach_keys_for(req, http_query(req, "detachKeys"), keys, &err);
	if (err)
		return http_reply_error(req, err);
	if (ctr_attach_check(c, &err) < 0)
		return http_reply_error(req, err);
	attach_ctx *a = xcalloc(1, sizeof(*a));
	a->t = req->eng->containers;
	a->c = steal_ptr(&c);
	a->in = http_query_bool(req, "stdin", false);
	a->out = http_query_bool(req, "stdout", false);
	a->err = http_query_bool(req, "stderr", false);
	a->logs = http_query_bool(req, "logs", false);
	a->stream = http_query_bool(req, "stream", false);
	a->tty = jget_bool(a->c->config, "Tty", false);
	memcpy(a->keys, keys, sizeof(keys));
	a->nkeys = (size_t)nkeys;
	const char *ctype = stdio_content_type(req, a->tty);
	if (stdio_wants_upgrade(req)) {
		a->reserved = a->stream && ctr_attach_reserve(a->c);
		return http_reply_upgrade(req, ctype, attach_upgraded, a, attach_free);
	}
	/* No upgrade asked: 200 and a one-way stream (no stdin). */
	ctr_logs *log = a->logs && (a->out || a->err) ? replay_open(a) : NULL;
	int shim_end = -1;
	stdio_reply_pair(req, RAW_STREAM, log, a->stream ? &shim_end : NULL);
	ctr_attach_opts o = {.out = a->out, .err = a->err};
	if (shim_end >= 0 && ctr_attach(a->t, a->c, shim_end, &o, false, &err) < 0)
		http_reply_error(req, err);
	attach_free(a);
	return 0;
}

/* ---- resize ---- */

/* h and w as moby reads them (strconv.Atoi, then uint). */
int stdio_size_params(http_req *req, unsigned *h, unsigned *w)
{
	const char *hs = http_query(req, "h"), *ws = http_query(req, "w");
	const char *vals[2] = {hs ? hs : "", ws ? ws : ""};
	unsigned *outs[2] = {h, w};
	for (int i = 0; i < 2; i++) {
		char *end = NULL;
		errno = 0;
		long v = strtol(vals[i], &end, 10);
		if (!*vals[i] || errno || *end || v < 0 || v > 65535) {
			http_reply_errorf(req, 400, "strconv.Atoi: parsing \"%s\": invalid syntax", vals[i]);
			return -1;
		}
		*outs[i] = (unsigned)v;
	}
	return 0;
}

int h_ctr_resize(http_req *req)
{
	unsigned h, w;
	if (stdio_size_params(req, &h, &w) < 0)
		return 0;
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	if (ctr_resize(req->eng->containers, c, NULL, h, w, &err) < 0)
		return http_reply_error(req, err);
	return http_reply_empty(req, 200);
}

/* ---- logs ---- */

typedef struct logs_ctx {
	ctr_logs *l;
	int conn;
} logs_ctx;

static ssize_t logs_read(void *p, char *buf, size_t n)
{
	logs_ctx *x = p;
	ssize_t r = ctr_logs_read(x->l, buf, n, x->conn);
	return r > 0 ? r : r == 0 ? -1 : -2;
}

static void logs_free(void *p)
{
	logs_ctx *x = p;
	ctr_logs_free(x->l);
	free(x);
}

static int time_param(http_req *req, const char *key, int64_t *out)
{
	const char *v = http_query(req, key);
	int64_t sec = 0, nsec = 0;
	_cleanup_err_ err_t *err = NULL;
	*out = 0;
	if (!v || !*v)
		return 0;
	if (time_parse_timestamps(v, 0, &sec, &nsec, &err) < 0) {
		http_reply_error(req, err);
		return -1;
	}
	*out = sec * NS_PER_SEC + nsec;
	return 0;
}

int h_ctr_logs(http_req *req)
{
	ctr_logs_opts o = {
		.out = http_query_bool(req, "stdout", false),
		.err = http_query_bool(req, "stderr", false),
		.follow = http_query_bool(req, "follow", false),
		.timestamps = http_query_bool(req, "timestamps", false),
		.details = http_query_bool(req, "details", false),
		.tail = -1,
	};
	if (!o.out && !o.err)
		return http_reply_errorf(req, 400, "Bad parameters: you must choose at least one stream");
	const char *tail = http_query(req, "tail");
	if (tail && *tail && strcmp(tail, "all")) {
		char *end = NULL;
		long long n = strtoll(tail, &end, 10);
		if (end && !*end)
			o.tail = n < 0 ? -1 : n;
	}
	if (time_param(req, "since", &o.since_ns) < 0 || time_param(req, "until", &o.until_ns) < 0)
		return 0;
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	bool tty = false;
	ctr_logs *l = ctr_logs_open(req->eng->containers, c, &o, &tty, &err);
	if (!l)
		return http_reply_error(req, err);
	logs_ctx *x = xcalloc(1, sizeof(*x));
	x->l = l;
	x->conn = http_conn_fd(req);
	return http_reply_stream(req, 200, stdio_content_type(req, tty), logs_read, x, logs_free);
}

/* ---- top ---- */

int h_ctr_top(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	json_object *o = ctr_top(req->eng->containers, c, http_query(req, "ps_args"), &err);
	return o ? http_reply_json(req, 200, o) : http_reply_error(req, err);
}
