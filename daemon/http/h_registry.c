/* h_registry.c: the endpoints that talk to registries: pull (POST
 * /images/create?fromImage=), push (POST /images/{name}/push), search
 * (GET /images/search) and login (POST /auth). Pull and push run on a
 * thread of their own that writes Docker's JSON messages into a pipe; the
 * answer streams that pipe as the messages come. As Docker does, a failure
 * before the first message is answered with its HTTP status; after it, it
 * is the stream's last message. A client that goes away cancels the
 * operation (a pull keeps what it downloaded, to resume). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "engine.h"
#include "image.h"
#include "internal.h"
#include "jsonutil.h"
#include "log.h"
#include "progress.h"
#include "registry.h"
#include "xalloc.h"

/* ---- the configuration a registry operation reads ---- */

typedef struct reg_env {
	engine_config *ec;
	reg_config cfg;
	char *certs_dir;
} reg_env;

static int64_t env_int(const char *name, int64_t def)
{
	const char *v = getenv(name);
	return v && *v ? strtoll(v, NULL, 10) : def;
}

static void reg_env_init(reg_env *e, engine *eng)
{
	memset(e, 0, sizeof(*e));
	e->ec = engine_config_get(eng);
	e->cfg.insecure = e->ec->insecure_registries;
	e->cfg.mirrors = e->ec->registry_mirrors;
	_cleanup_free_ char *copy = xstrdup(e->ec->config_file ? e->ec->config_file : "/etc/engine/daemon.json");
	e->certs_dir = xasprintf("%s/certs.d", dirname(copy));
	e->cfg.certs_dir = e->certs_dir;
	e->cfg.max_downloads = (int)jget_int(e->ec->file, "max-concurrent-downloads", 3);
	e->cfg.max_uploads = (int)jget_int(e->ec->file, "max-concurrent-uploads", 5);
	/* tunables for tests and slow links */
	e->cfg.stall = (int)env_int("ENGINE_REGISTRY_STALL", 30);
	e->cfg.chunk = env_int("ENGINE_PUSH_CHUNK", 0);
}

static void reg_env_free(reg_env *e)
{
	config_free(e->ec);
	free(e->certs_dir);
}

/* ---- a streamed operation ---- */

typedef struct op_stream op_stream;
typedef int (*op_fn)(op_stream *op, err_t **err);

struct op_stream {
	engine *eng;
	int rfd, wfd;
	int conn_fd;
	pthread_mutex_t mu;
	size_t nmsgs;
	atomic_bool canceled;
	pthread_t thread;
	bool running;
	op_fn fn;
	int rc;
	err_t *err;
	reg_env env;
	reg_creds creds;
	const char *what;     /* "pull" or "push", for the log */
	char *name, *tag, *platform;
};

static void op_write(op_stream *op, const strbuf *sb)
{
	pthread_mutex_lock(&op->mu);
	op->nmsgs++;
	for (size_t off = 0; off < sb->len && !atomic_load(&op->canceled);) {
		ssize_t w = write(op->wfd, sb->buf + off, sb->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) { /* the answer is gone: the client left */
			atomic_store(&op->canceled, true);
			break;
		}
		off += (size_t)w;
	}
	pthread_mutex_unlock(&op->mu);
}

static void on_status(void *ctx, const char *id, const char *status, bool detail)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	if (detail)
		api_msg_status_detail(&sb, id, status);
	else
		api_msg_status(&sb, id, status);
	op_write(ctx, &sb);
}

static void on_progress(void *ctx, const char *id, const char *status, int64_t cur, int64_t total)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	api_msg_progress(&sb, id, status, cur, total);
	op_write(ctx, &sb);
}

static void on_aux(void *ctx, json_object *aux)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	api_msg_aux(&sb, aux);
	json_object_put(aux);
	op_write(ctx, &sb);
}

static bool on_canceled(void *ctx)
{
	op_stream *op = ctx;
	return atomic_load(&op->canceled);
}

static reg_progress progress_of(op_stream *op)
{
	return (reg_progress){on_status, on_progress, on_aux, on_canceled, op};
}

static void *op_main(void *arg)
{
	op_stream *op = arg;
	op->rc = op->fn(op, &op->err);
	pthread_mutex_lock(&op->mu);
	bool after_first = op->nmsgs > 0;
	pthread_mutex_unlock(&op->mu);
	if (op->rc < 0 && after_first && !atomic_load(&op->canceled)) {
		_cleanup_sb_ strbuf sb = STRBUF_INIT;
		api_msg_error(&sb, err_msg(op->err));
		op_write(op, &sb);
	}
	if (op->rc < 0)
		log_info("%s %s: %s", op->what, op->name, err_msg(op->err));
	close(op->wfd);
	op->wfd = -1;
	return NULL;
}

static void op_join(op_stream *op)
{
	if (op->running) {
		pthread_join(op->thread, NULL);
		op->running = false;
	}
}

static void op_free(void *ctx)
{
	op_stream *op = ctx;
	atomic_store(&op->canceled, true);
	if (op->rfd >= 0)
		close(op->rfd); /* the operation's next write fails: it stops */
	op->rfd = -1;
	op_join(op);
	if (op->wfd >= 0)
		close(op->wfd);
	pthread_mutex_destroy(&op->mu);
	reg_env_free(&op->env);
	reg_creds_free(&op->creds);
	err_free(&op->err);
	free(op->name);
	free(op->tag);
	free(op->platform);
	free(op);
}

static ssize_t op_read(void *ctx, char *buf, size_t n)
{
	op_stream *op = ctx;
	for (;;) {
		struct pollfd p[2] = {{.fd = op->rfd, .events = POLLIN}, {.fd = op->conn_fd, .events = POLLRDHUP}};
		int r = poll(p, op->conn_fd >= 0 ? 2 : 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (op->conn_fd >= 0 && (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			atomic_store(&op->canceled, true); /* the client left */
			return -2;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t k = read(op->rfd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k > 0)
			return k;
		op_join(op);
		return k < 0 ? -2 : -1;
	}
}

/* Runs fn on its own thread and answers with its messages, or with the
 * HTTP status of a failure that came before any. Takes op. */
static int op_run(http_req *req, op_stream *op, op_fn fn)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		op_free(op);
		return http_reply_errorf(req, 500, "cannot create a pipe: %s", strerror(errno));
	}
	op->rfd = p[0];
	op->wfd = p[1];
	op->fn = fn;
	op->conn_fd = http_conn_fd(req);
	(void)fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	if (pthread_create(&op->thread, NULL, op_main, op) != 0) {
		op_free(op);
		return http_reply_errorf(req, 500, "cannot start the operation");
	}
	op->running = true;
	/* wait for the first message, or the end */
	struct pollfd pf = {.fd = op->rfd, .events = POLLIN};
	while (poll(&pf, 1, -1) < 0 && errno == EINTR)
		;
	pthread_mutex_lock(&op->mu);
	size_t n = op->nmsgs;
	pthread_mutex_unlock(&op->mu);
	if (!n) {
		op_join(op);
		if (op->rc < 0) {
			int r = http_reply_error(req, op->err);
			op_free(op);
			return r;
		}
	}
	return http_reply_stream(req, 200, "application/json", op_read, op, op_free);
}

static op_stream *op_new(http_req *req)
{
	op_stream *op = xcalloc(1, sizeof(*op));
	op->eng = req->eng;
	op->rfd = op->wfd = op->conn_fd = -1;
	pthread_mutex_init(&op->mu, NULL);
	reg_env_init(&op->env, req->eng);
	return op;
}

/* X-Registry-Auth (absent or undecodable: anonymous, as Docker 20.10). */
static int take_creds(http_req *req, reg_creds *c, err_t **err)
{
	return reg_creds_parse(http_header(req, "X-Registry-Auth"), c, err);
}

/* ---- pull ---- */

static int do_pull(op_stream *op, err_t **err)
{
	reg_progress p = progress_of(op);
	reg_pull_opts o = {.image = op->name, .tag = op->tag, .platform = op->platform,
			   .creds = &op->creds, .cfg = &op->env.cfg};
	return reg_pull(op->eng->images, &o, &p, err);
}

int h_images_pull(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	op_stream *op = op_new(req);
	const char *tag = http_query(req, "tag"), *platform = http_query(req, "platform");
	op->what = "pull";
	op->name = xstrdup(http_query(req, "fromImage") ? http_query(req, "fromImage") : "");
	op->tag = xstrdup(tag ? tag : "");
	op->platform = xstrdup(platform ? platform : "");
	if (take_creds(req, &op->creds, &err) < 0) {
		op_free(op);
		return http_reply_error(req, err);
	}
	return op_run(req, op, do_pull);
}

/* ---- push ---- */

static int do_push(op_stream *op, err_t **err)
{
	reg_progress p = progress_of(op);
	reg_push_opts o = {.name = op->name, .tag = op->tag, .creds = &op->creds,
			   .cfg = &op->env.cfg};
	return reg_push(op->eng->images, &o, &p, err);
}

int h_images_push(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	op_stream *op = op_new(req);
	const char *tag = http_query(req, "tag");
	op->what = "push";
	op->name = xstrdup(req->nparams ? req->params[0] : "");
	op->tag = xstrdup(tag ? tag : "");
	const char *hdr = http_header(req, "X-Registry-Auth");
	int rc = hdr && *hdr ? take_creds(req, &op->creds, &err) : 0;
	if (rc == 0 && (!hdr || !*hdr) && req->body.len) {
		/* the old form: the auth config in the body */
		_cleanup_json_ json_object *o = http_body_json(req, NULL);
		rc = reg_creds_from_json(o, &op->creds, &err);
	}
	if (rc < 0) {
		op_free(op);
		return http_reply_error(req, err);
	}
	return op_run(req, op, do_push);
}

/* ---- search and login ---- */

int h_images_search(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	int64_t limit = 0;
	if (http_query_int(req, "limit", 25, &limit, &err) < 0)
		return http_reply_error(req, err);
	reg_env env;
	reg_env_init(&env, req->eng);
	reg_creds c;
	json_object *out = NULL;
	if (take_creds(req, &c, &err) == 0)
		out = reg_search(http_query(req, "term"), limit, http_query(req, "filters"), &c, &env.cfg, &err);
	reg_creds_free(&c);
	reg_env_free(&env);
	if (!out)
		return http_reply_error(req, err);
	return http_reply_json(req, 200, out);
}

int h_auth(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *body = http_body_json(req, &err);
	if (err)
		return http_reply_error(req, err);
	reg_creds c;
	if (reg_creds_from_json(body, &c, &err) < 0)
		return http_reply_error(req, err);
	reg_env env;
	reg_env_init(&env, req->eng);
	_cleanup_free_ char *identity = NULL;
	int rc = reg_login(&c, &env.cfg, &identity, &err);
	reg_creds_free(&c);
	reg_env_free(&env);
	if (rc < 0)
		return http_reply_error(req, err);
	json_object *o = json_object_new_object();
	jset_str(o, "Status", "Login Succeeded");
	jset_str(o, "IdentityToken", identity ? identity : "");
	return http_reply_json(req, 200, o);
}
