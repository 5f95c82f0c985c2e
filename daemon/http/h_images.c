/* h_images.c: the /images endpoints. Each handler reads the query, calls
 * the image store (daemon/image/image.h, which already builds the JSON of
 * Docker 25's answers) and replies; the API version picks the older shapes.
 * Load and import read the request body from req->body_fd on their worker
 * thread; save streams a tar that img_save writes into a pipe from a thread
 * of its own, so neither direction holds a whole archive in memory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "engine.h"
#include "filters.h"
#include "image.h"
#include "internal.h"
#include "jsonutil.h"
#include "log.h"
#include "progress.h"
#include "xalloc.h"

/* The minor of the request's API version: 44 for "1.44". */
static int api_minor(const http_req *req)
{
	const char *dot = strchr(req->version, '.');
	return dot ? atoi(dot + 1) : 44;
}

static const char *name_param(const http_req *req)
{
	return req->nparams ? req->params[0] : "";
}

/* ---- list, inspect, history ---- */

/* The filters of GET /images/json; before API 1.41 the `filter` parameter
 * (a glob on the repository name) is one more reference filter. */
static char *list_filters(http_req *req, err_t **err)
{
	const char *text = http_query(req, "filters");
	const char *legacy = api_minor(req) < 41 ? http_query(req, "filter") : NULL;
	if (!legacy || !*legacy)
		return text ? xstrdup(text) : NULL;
	_cleanup_filters_ filters *f = NULL;
	if (filters_parse(text, &f, err) < 0)
		return NULL;
	filters_add(f, "reference", legacy);
	return filters_to_json(f);
}

int h_images_list(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	int minor = api_minor(req);
	_cleanup_free_ char *f = list_filters(req, &err);
	if (err)
		return http_reply_error(req, err);
	img_list_opts o = {
		.all = http_query_bool(req, "all", false),
		.shared_size = minor >= 42 && http_query_bool(req, "shared-size", false),
		.api_minor = minor,
		.filters = f,
	};
	json_object *list = img_list(req->eng->images, &o, &err);
	if (!list)
		return http_reply_error(req, err);
	return http_reply_json(req, 200, list);
}

int h_images_inspect(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = img_inspect(req->eng->images, name_param(req), api_minor(req), &err);
	if (!o)
		return http_reply_error(req, err);
	return http_reply_json(req, 200, o);
}

int h_images_history(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = img_history(req->eng->images, name_param(req), &err);
	if (!o)
		return http_reply_error(req, err);
	return http_reply_json(req, 200, o);
}

/* ---- tag, delete, prune ---- */

int h_images_tag(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	const char *repo = http_query(req, "repo"), *tag = http_query(req, "tag");
	if (img_tag(req->eng->images, name_param(req), repo ? repo : "", tag ? tag : "", &err) < 0)
		return http_reply_error(req, err);
	return http_reply_empty(req, 201);
}

int h_images_delete(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = img_delete(req->eng->images, name_param(req), http_query_bool(req, "force", false),
				    !http_query_bool(req, "noprune", false), &err);
	if (!o)
		return http_reply_error(req, err);
	return http_reply_json(req, 200, o);
}

int h_images_prune(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = img_prune(req->eng->images, http_query(req, "filters"), &err);
	if (!o)
		return http_reply_error(req, err);
	return http_reply_json(req, 200, o);
}

/* ---- load and import: the body comes through req->body_fd ---- */

/* The messages of a load, kept until the load ends: nothing can be sent
 * before the whole request body has arrived (see server.c). */
typedef struct msgs {
	strbuf sb;
	size_t n;
} msgs;

static void on_status(void *ctx, const char *id, const char *status, int64_t current, int64_t total)
{
	msgs *m = ctx;
	api_msg_progress(&m->sb, id, status, current, total);
	m->n++;
}

/* Docker writes each line of the load's output as a message of its own. */
static void on_stream(void *ctx, const char *text)
{
	msgs *m = ctx;
	while (*text) {
		size_t len = strcspn(text, "\n");
		if (text[len] == '\n')
			len++;
		_cleanup_free_ char *line = xstrndup(text, len);
		api_msg_stream(&m->sb, line);
		m->n++;
		text += len;
	}
}

/* A failure before any message is a real status; after one, it can only
 * be the stream's last message (the 200 is out as far as the client sees). */
static int reply_msgs(http_req *req, msgs *m, const err_t *err)
{
	if (err && !m->n)
		return http_reply_error(req, err);
	if (err)
		api_msg_error(&m->sb, err_msg(err));
	return http_reply_text(req, 200, "application/json", sb_str(&m->sb));
}

int h_images_load(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	msgs m = {STRBUF_INIT, 0};
	img_progress p = {on_status, on_stream, &m};
	img_reader in = img_reader_fd(req->body_fd);
	/* Docker's default is quiet; every client says which it wants. */
	bool quiet = http_query_bool(req, "quiet", true);
	img_load(req->eng->images, &in, quiet, &p, &err);
	reply_msgs(req, &m, err);
	sb_free(&m.sb);
	return 0;
}

static int images_import(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	const char **changes = http_query_all(req, "changes");
	img_import_opts o = {
		.repo = http_query(req, "repo"),
		.tag = http_query(req, "tag"),
		.message = http_query(req, "message"),
		.changes = (char *const *)changes,
		.platform = http_query(req, "platform"),
	};
	img_reader in = img_reader_fd(req->body_fd);
	char id[DIGEST_STR_LEN + 1];
	int rc = img_import(req->eng->images, &in, &o, NULL, id, &err);
	free(changes);
	if (rc < 0)
		return http_reply_error(req, err);
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	api_msg_status(&sb, NULL, id);
	return http_reply_text(req, 200, "application/json", sb_str(&sb));
}

/* POST /images/create: fromSrc=- imports the body; a pull (fromImage) needs
 * the registry client, which engine does not have yet: say so plainly. */
int h_images_create(http_req *req)
{
	const char *image = http_query(req, "fromImage"), *src = http_query(req, "fromSrc");
	if (image && *image) {
		const char *tag = http_query(req, "tag");
		return http_reply_errorf(req, 501,
			"engine cannot pull %s%s%s yet: it has no registry client; load the image with "
			"`docker load` (or `engine load`) instead", image, tag && *tag ? ":" : "",
			tag && *tag ? tag : "");
	}
	if (!src || strcmp(src, "-") != 0)
		return http_reply_errorf(req, 501,
			"engine imports only from the request body (fromSrc=-), not from %s",
			src && *src ? src : "an empty source");
	return images_import(req);
}

/* ---- save: img_save writes into a pipe on a thread of its own ---- */

typedef struct save_job {
	img_store *store;
	char **names;
	size_t n;
	int rfd, wfd;
	pthread_t thread;
	bool running;
	int rc;
	err_t *err;
} save_job;

static void *save_main(void *arg)
{
	save_job *j = arg;
	img_writer w = img_writer_fd(j->wfd);
	j->rc = img_save(j->store, j->names, j->n, &w, &j->err);
	close(j->wfd);
	j->wfd = -1;
	return NULL;
}

static void save_join(save_job *j)
{
	if (j->running) {
		pthread_join(j->thread, NULL);
		j->running = false;
	}
}

static void save_free(void *ctx)
{
	save_job *j = ctx;
	/* A client that left: the writer's next write fails with EPIPE. */
	if (j->rfd >= 0)
		close(j->rfd);
	save_join(j);
	if (j->wfd >= 0)
		close(j->wfd);
	strv_free(j->names);
	err_free(&j->err);
	free(j);
}

static ssize_t save_read(void *ctx, char *buf, size_t n)
{
	save_job *j = ctx;
	for (;;) {
		ssize_t r = read(j->rfd, buf, n);
		if (r > 0)
			return r;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -2;
		save_join(j);
		if (j->rc < 0) {
			/* Bytes are out: cut the chunked stream short so the client
			 * sees a broken transfer rather than a complete bad tar. */
			log_warn("image save failed after the first byte: %s", err_msg(j->err));
			return -2;
		}
		return -1;
	}
}

/* Waits until the first byte is ready or the save ended; true when bytes
 * are ready. */
static bool save_started(save_job *j)
{
	struct pollfd p = {.fd = j->rfd, .events = POLLIN};
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	return (p.revents & POLLIN) != 0;
}

static int images_save(http_req *req, char **names)
{
	save_job *j = xcalloc(1, sizeof(*j));
	j->store = req->eng->images;
	j->names = names;
	while (j->names[j->n])
		j->n++;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		j->rfd = j->wfd = -1;
		save_free(j);
		return http_reply_errorf(req, 500, "cannot create a pipe: %s", strerror(errno));
	}
	j->rfd = p[0];
	j->wfd = p[1];
	(void)fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	if (pthread_create(&j->thread, NULL, save_main, j) != 0) {
		save_free(j);
		return http_reply_errorf(req, 500, "cannot start the save");
	}
	j->running = true;
	if (!save_started(j)) {
		save_join(j);
		if (j->rc < 0) {
			int r = http_reply_error(req, j->err);
			save_free(j);
			return r;
		}
	}
	return http_reply_stream(req, 200, "application/x-tar", save_read, j, save_free);
}

/* GET /images/get?names=a&names=b */
int h_images_get(http_req *req)
{
	const char **q = http_query_all(req, "names");
	size_t n = 0;
	while (q[n])
		n++;
	char **names = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		names[i] = xstrdup(q[i]);
	free(q);
	return images_save(req, names);
}

/* GET /images/{name}/get */
int h_images_get_one(http_req *req)
{
	char **names = xcalloc(2, sizeof(char *));
	names[0] = xstrdup(name_param(req));
	return images_save(req, names);
}
