/* engine-fetch: engined's HTTP client for registries, in a process of its
 * own. libcurl maps its TLS library, and libcrypto and libssl are marked
 * NODELETE (libcurl-gnutls still maps libcrypto through libssh2): loaded
 * into engined they would stay resident after the first pull. So engined
 * starts this helper for the length of a registry operation, and the
 * memory goes when it exits.
 *
 * The helper knows HTTP, not registries: engined sends one JSON request
 * per line on stdin and reads one JSON event per line on stdout. Every
 * request runs at once in one curl multi handle (engined bounds how many
 * blob downloads it asks for). A download may go straight into a file
 * (resuming at an offset with Range), so the bytes of a layer never pass
 * through engined's memory: engined reads the file as it grows.
 *
 *   request  {"id":1,"method":"GET","url":"...","headers":["Accept: ..."],
 *             "body":{"data":"<base64>"} | {"file":"/p","offset":0,"length":n},
 *             "out":{"file":"/p","offset":n}, "max":bytes, "insecure":true,
 *             "stall":seconds, "follow":true}
 *            {"cancel":1}
 *   events   {"id":1,"ev":"progress","n":bytes}
 *            {"id":1,"ev":"restart"}              (Range ignored: file truncated)
 *            {"id":1,"ev":"done","status":200,"headers":[["name","value"],..],
 *             "body":"<base64>","n":bytes,"url":"effective url"}
 *            {"id":1,"ev":"error","msg":"dial tcp ...: connection refused"}
 *
 * It exits when stdin reaches its end: engined closed it, or died. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

#define DEFAULT_MAX (4u << 20)      /* inline answer bodies */
#define ERROR_BODY_MAX (64u << 10)  /* an error's body kept for its message */
#define PROGRESS_BYTES (256 << 10)
#define PROGRESS_NS (100 * 1000000LL)

typedef struct xfer {
	int64_t id;
	CURL *h;
	struct curl_slist *hdrs;
	char *url;
	char errbuf[CURL_ERROR_SIZE];
	/* request body */
	unsigned char *data;
	size_t data_len, data_pos;
	int in_fd;
	int64_t in_off, in_len, in_pos;
	/* answer */
	int out_fd;             /* -1: inline */
	int64_t out_base;       /* offset the file was asked to start at */
	int64_t written;        /* bytes put into the file by this request */
	strbuf body;
	size_t max;
	bool to_file;           /* decided at the final status line */
	long status;
	json_object *headers;   /* [[name, value], ...] of the final answer */
	char *fail;             /* our own reason to abort */
	int64_t last_n, last_ns;
	bool upload;
	struct xfer *next;
} xfer;

static CURLM *multi;
static xfer *xfers;
static strbuf inbuf = STRBUF_INIT;
static int still_running;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- events ---- */

static void emit(json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);
	_cleanup_free_ char *line = xmalloc(n + 2);
	memcpy(line, s, n);
	line[n] = '\n';
	for (size_t off = 0; off < n + 1;) {
		ssize_t w = write(STDOUT_FILENO, line + off, n + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(0); /* engined is gone */
		off += (size_t)w;
	}
	json_object_put(o);
}

static void emit_simple(int64_t id, const char *ev, const char *key, json_object *val)
{
	json_object *o = json_object_new_object();
	jset_int(o, "id", id);
	jset_str(o, "ev", ev);
	if (key)
		jset(o, key, val);
	emit(o);
}

static void emit_error(int64_t id, const char *msg)
{
	emit_simple(id, "error", "msg", json_object_new_string(msg));
}

/* ---- callbacks ---- */

static bool status_ok(long s)
{
	return s >= 200 && s < 300;
}

static void progress(xfer *x, bool force)
{
	int64_t n = x->upload ? x->in_pos : x->out_base + x->written;
	int64_t now = mono_ns();
	if (!force && (n - x->last_n < PROGRESS_BYTES && now - x->last_ns < PROGRESS_NS))
		return;
	if (n == x->last_n)
		return;
	x->last_n = n;
	x->last_ns = now;
	emit_simple(x->id, "progress", "n", json_object_new_int64(n));
}

/* Decides where the body goes once the final status is known. */
static void final_status(xfer *x)
{
	x->to_file = x->out_fd >= 0 && status_ok(x->status);
	if (!x->to_file || !x->out_base)
		return;
	if (x->status == 200) {
		/* the server ignored Range: start the file over */
		if (ftruncate(x->out_fd, 0) < 0 || lseek(x->out_fd, 0, SEEK_SET) < 0) {
			x->fail = xasprintf("restart the download: %s", strerror(errno));
			return;
		}
		x->out_base = 0;
		emit_simple(x->id, "restart", NULL, NULL);
	}
}

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {
		/* a new answer (after a redirect or a 100): forget the last one's headers */
		json_object_put(x->headers);
		x->headers = json_object_new_array();
		x->status = 0;
		const char *sp = memchr(buf, ' ', len);
		if (sp)
			x->status = strtol(sp + 1, NULL, 10);
		return len;
	}
	if (len <= 2) { /* the blank line: the headers are complete */
		if (x->status >= 200 && !(x->status >= 300 && x->status < 400))
			final_status(x);
		return len;
	}
	const char *colon = memchr(buf, ':', len);
	if (!colon)
		return len;
	_cleanup_free_ char *name = xstrndup(buf, (size_t)(colon - buf));
	for (char *p = name; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	const char *v = colon + 1, *end = buf + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	json_object *pair = json_object_new_array();
	json_object_array_add(pair, json_object_new_string(name));
	json_object_array_add(pair, json_object_new_string_len(v, (int)(end - v)));
	json_object_array_add(x->headers, pair);
	return len;
}

static size_t on_write(char *buf, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	if (x->fail)
		return 0;
	if (x->to_file) {
		for (size_t off = 0; off < len;) {
			ssize_t w = write(x->out_fd, buf + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				x->fail = xasprintf("write %s", strerror(errno));
				return 0;
			}
			off += (size_t)w;
		}
		x->written += (int64_t)len;
		progress(x, false);
		return len;
	}
	size_t max = status_ok(x->status) ? x->max : ERROR_BODY_MAX;
	if (x->body.len + len > max) {
		if (!status_ok(x->status))
			return len; /* an error's message: the start is enough */
		x->fail = xasprintf("the answer is larger than %zu bytes", max);
		return 0;
	}
	sb_append(&x->body, buf, len);
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	xfer *x = ud;
	size_t len = size * n;
	if (x->in_fd >= 0) {
		int64_t left = x->in_len - x->in_pos;
		if (left <= 0)
			return 0;
		if ((int64_t)len > left)
			len = (size_t)left;
		ssize_t r;
		do
			r = pread(x->in_fd, buf, len, x->in_off + x->in_pos);
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			x->fail = xasprintf("read the upload: %s", r < 0 ? strerror(errno) : "file shrank");
			return CURL_READFUNC_ABORT;
		}
		x->in_pos += r;
		progress(x, false);
		return (size_t)r;
	}
	size_t left = x->data_len - x->data_pos;
	if (len > left)
		len = left;
	memcpy(buf, x->data + x->data_pos, len);
	x->data_pos += len;
	x->in_pos = (int64_t)x->data_pos;
	return len;
}

/* ---- requests ---- */

static void xfer_free(xfer *x)
{
	if (!x)
		return;
	if (x->h) {
		curl_multi_remove_handle(multi, x->h);
		curl_easy_cleanup(x->h);
	}
	curl_slist_free_all(x->hdrs);
	if (x->in_fd >= 0)
		close(x->in_fd);
	if (x->out_fd >= 0)
		close(x->out_fd);
	free(x->data);
	free(x->url);
	sb_free(&x->body);
	json_object_put(x->headers);
	free(x->fail);
	free(x);
}

static void unlink_xfer(xfer *x)
{
	for (xfer **p = &xfers; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			return;
		}
}

static int setup_body(xfer *x, json_object *body, const char *method)
{
	json_object *data = jget(body, "data");
	const char *file = jget_str(body, "file");
	if (data) {
		const char *s = json_object_get_string(data);
		x->data = base64_decode(s, strlen(s), &x->data_len);
		if (!x->data)
			return -1;
		x->in_len = (int64_t)x->data_len;
	} else if (file) {
		x->in_fd = open(file, O_RDONLY | O_CLOEXEC);
		if (x->in_fd < 0)
			return -1;
		x->in_off = jget_int(body, "offset", 0);
		x->in_len = jget_int(body, "length", 0);
	}
	x->upload = true;
	curl_easy_setopt(x->h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(x->h, CURLOPT_READDATA, x);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(x->h, CURLOPT_POST, 1L);
		curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->in_len);
	} else {
		curl_easy_setopt(x->h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(x->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->in_len);
		if (strcmp(method, "PUT"))
			curl_easy_setopt(x->h, CURLOPT_CUSTOMREQUEST, method);
	}
	return 0;
}

static void start(json_object *req)
{
	int64_t id = jget_int(req, "id", 0);
	const char *method = jget_str(req, "method"), *url = jget_str(req, "url");
	if (!method || !url) {
		emit_error(id, "bad request: method and url are required");
		return;
	}
	xfer *x = xcalloc(1, sizeof(*x));
	x->id = id;
	x->in_fd = x->out_fd = -1;
	x->url = xstrdup(url);
	x->max = (size_t)jget_int(req, "max", DEFAULT_MAX);
	x->headers = json_object_new_array();
	x->h = curl_easy_init();
	CURL *h = x->h;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "engine/" ENGINE_VERSION " (linux)");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	int64_t stall = jget_int(req, "stall", 30);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)(stall > 0 ? stall : 30));
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, jget_bool(req, "follow", true) ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	/* Authorization goes to the registry only, never to a CDN it redirects to */
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	if (jget_bool(req, "insecure", false)) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	const char *ca = jget_str(req, "cafile");
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	const char *cert = jget_str(req, "certfile"), *key = jget_str(req, "keyfile");
	if (cert && key) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, key);
	}
	json_object *hs = jget_arr(req, "headers");
	for (size_t i = 0; hs && i < json_object_array_length(hs); i++)
		x->hdrs = curl_slist_append(x->hdrs, json_object_get_string(json_object_array_get_idx(hs, i)));
	x->hdrs = curl_slist_append(x->hdrs, "Expect:"); /* no 100-continue round trip */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	json_object *out = jget_obj(req, "out");
	const char *outfile = jget_str(out, "file");
	if (outfile) {
		x->out_base = jget_int(out, "offset", 0);
		x->out_fd = open(outfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (x->out_fd < 0 || ftruncate(x->out_fd, x->out_base) < 0 ||
		    lseek(x->out_fd, x->out_base, SEEK_SET) < 0) {
			_cleanup_free_ char *m = xasprintf("open %s: %s", outfile, strerror(errno));
			emit_error(id, m);
			xfer_free(x);
			return;
		}
	}
	if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (jget(req, "body")) {
		if (setup_body(x, jget_obj(req, "body"), method) < 0) {
			emit_error(id, "bad request body");
			xfer_free(x);
			return;
		}
	} else if (!strcmp(method, "POST")) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	x->next = xfers;
	xfers = x;
	curl_multi_add_handle(multi, h);
}

static void cancel(int64_t id)
{
	for (xfer *x = xfers; x; x = x->next) {
		if (x->id != id)
			continue;
		unlink_xfer(x);
		emit_error(id, "canceled");
		xfer_free(x);
		return;
	}
}

/* ---- finishing ---- */

/* The reason of a failed transfer, worded as Go's net/http words it where
 * Docker's messages show it ("dial tcp 127.0.0.1:5000: connect: connection
 * refused"). */
static char *reason(xfer *x, CURLcode rc)
{
	if (x->fail)
		return xstrdup(x->fail);
	long oserr = 0;
	curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oserr);
	_cleanup_free_ char *scheme = NULL, *host = NULL, *port = NULL;
	CURLU *u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, x->url, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	}
	curl_url_cleanup(u);
	char *r;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		r = xasprintf("dial tcp %s:%s: connect: %s", host ? host : "?", port ? port : "?",
			      oserr ? strerror((int)oserr) : x->errbuf);
		for (char *p = r; *p; p++) /* Go's errno texts are lower case */
			if (p > r && p[-1] == ' ' && *p >= 'A' && *p <= 'Z' && p[1] >= 'a')
				*p = (char)(*p - 'A' + 'a');
		return r;
	case CURLE_COULDNT_RESOLVE_HOST:
		return xasprintf("dial tcp: lookup %s: no such host", host ? host : "?");
	case CURLE_OPERATION_TIMEDOUT:
		return xasprintf("timeout: %s", *x->errbuf ? x->errbuf : "the registry stopped answering");
	case CURLE_PARTIAL_FILE:
		return xstrdup("unexpected EOF");
	case CURLE_PEER_FAILED_VERIFICATION:
		return xasprintf("tls: failed to verify certificate: %s", x->errbuf);
	case CURLE_SSL_CONNECT_ERROR:
		return xasprintf("tls: handshake failed: %s", x->errbuf);
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return xasprintf("malformed HTTP response (%s)", *x->errbuf ? x->errbuf : curl_easy_strerror(rc));
	default:
		return xstrdup(*x->errbuf ? x->errbuf : curl_easy_strerror(rc));
	}
}

static void finish(xfer *x, CURLcode rc)
{
	unlink_xfer(x);
	if (rc != CURLE_OK || x->fail) {
		_cleanup_free_ char *r = reason(x, rc);
		emit_error(x->id, r);
		xfer_free(x);
		return;
	}
	if (x->to_file && x->out_fd >= 0 && fdatasync(x->out_fd) < 0 && errno != EINVAL) {
		_cleanup_free_ char *m = xasprintf("sync the download: %s", strerror(errno));
		emit_error(x->id, m);
		xfer_free(x);
		return;
	}
	progress(x, true);
	long status = 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	char *eff = NULL;
	curl_easy_getinfo(x->h, CURLINFO_EFFECTIVE_URL, &eff);
	json_object *o = json_object_new_object();
	jset_int(o, "id", x->id);
	jset_str(o, "ev", "done");
	jset_int(o, "status", status);
	jset(o, "headers", x->headers);
	x->headers = NULL;
	_cleanup_free_ char *b64 = base64_encode(x->body.buf ? x->body.buf : "", x->body.len, false);
	jset_str(o, "body", b64);
	jset_int(o, "n", x->to_file ? x->out_base + x->written : (int64_t)x->body.len);
	jset_str(o, "url", eff ? eff : x->url);
	emit(o);
	xfer_free(x);
}

static void drain_done(void)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x)
			finish(x, m->data.result);
	}
}

/* ---- stdin ---- */

static void handle_line(const char *line, size_t len)
{
	if (!len)
		return;
	json_object *o = json_tokener_parse(line);
	if (!o || !json_object_is_type(o, json_type_object)) {
		fprintf(stderr, "engine-fetch: ignoring a malformed request\n");
		json_object_put(o);
		return;
	}
	if (jget(o, "cancel"))
		cancel(jget_int(o, "cancel", 0));
	else
		start(o);
	json_object_put(o);
}

/* Reads what stdin has; false at its end. */
static bool read_stdin(void)
{
	char buf[65536];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	sb_append(&inbuf, buf, (size_t)n);
	size_t start = 0;
	for (size_t i = 0; i < inbuf.len; i++) {
		if (inbuf.buf[i] != '\n')
			continue;
		inbuf.buf[i] = '\0';
		handle_line(inbuf.buf + start, i - start);
		start = i + 1;
	}
	memmove(inbuf.buf, inbuf.buf + start, inbuf.len - start);
	inbuf.len -= start;
	inbuf.buf[inbuf.len] = '\0';
	return true;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	multi = curl_multi_init();
	curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	bool open = true;
	while (open) {
		struct curl_waitfd wfd = {STDIN_FILENO, CURL_WAIT_POLLIN, 0};
		int nfds = 0;
		curl_multi_poll(multi, &wfd, 1, 500, &nfds);
		/* curl reports POLLIN only, not the POLLHUP of a closed pipe:
		 * stdin is non-blocking, so just try it every time */
		open = read_stdin();
		if (!open) /* engined is gone or done: abandon what is left */
			break;
		curl_multi_perform(multi, &still_running);
		drain_done();
	}
	while (xfers) {
		xfer *x = xfers;
		xfers = x->next;
		xfer_free(x);
	}
	curl_multi_cleanup(multi);
	curl_global_cleanup();
	sb_free(&inbuf);
	return 0;
}
