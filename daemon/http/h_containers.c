/* h_containers.c: the container endpoints. Each handler reads the query and
 * body, calls one core function and renders its answer; /wait sends its
 * headers at once and its body when the container reaches the condition,
 * which `docker run` depends on. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "containers.h"
#include "engine.h"
#include "internal.h"
#include "jsonutil.h"
#include "xalloc.h"

/* The container named by the first path parameter, or a 404 answered. */
static container *find(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	container *c = ctr_find(req->eng->containers, req->params[0], &err);
	if (!c)
		http_reply_error(req, err);
	return c;
}

static void cleanup_ctrp(container **c)
{
	container_unref(*c);
}
#define _cleanup_ctr_ __attribute__((cleanup(cleanup_ctrp)))

int h_ctr_create(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *body = http_body_json(req, &err);
	if (err)
		return http_reply_error(req, err);
	if (!body)
		return http_reply_errorf(req, 400, "config cannot be empty in order to create a container");
	const char *platform = http_query(req, "platform");
	if (platform && *platform && strcmp(platform, "linux") && strcmp(platform, "linux/amd64"))
		return http_reply_errorf(req, 400, "platform %s is not supported: this engine runs linux/amd64", platform);
	char **warnings = NULL;
	_cleanup_ctr_ container *c = ctr_create(req->eng->containers, http_query(req, "name"), body,
						 &warnings, &err);
	if (!c)
		return http_reply_error(req, err);
	json_object *o = json_object_new_object();
	jset_str(o, "Id", c->id);
	jset(o, "Warnings", jstrv(warnings));
	strv_free(warnings);
	return http_reply_json(req, 201, o);
}

int h_ctr_list(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	int64_t limit = 0;
	if (http_query_int(req, "limit", 0, &limit, &err) < 0)
		return http_reply_error(req, err);
	json_object *o = ctr_list(req->eng->containers, http_query_bool(req, "all", false), limit,
				  http_query_bool(req, "size", false), http_query(req, "filters"), &err);
	return o ? http_reply_json(req, 200, o) : http_reply_error(req, err);
}

int h_ctr_inspect(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	json_object *o = ctr_inspect(req->eng->containers, c, http_query_bool(req, "size", false), &err);
	return o ? http_reply_json(req, 200, o) : http_reply_error(req, err);
}

/* 204 on success, the error otherwise (304 from the core is "not modified").
 * Callers evaluate the core call first: the order of a function's arguments
 * is unspecified in C, so `done(req, f(&err), err)` could read err early. */
static int done(http_req *req, int r, err_t *err)
{
	return r < 0 ? http_reply_error(req, err) : http_reply_empty(req, 204);
}

int h_ctr_start(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_start(req->eng->containers, c, &err);
	return done(req, r, err);
}

static int query_timeout(http_req *req, int *out)
{
	_cleanup_err_ err_t *err = NULL;
	int64_t t = -1;
	if (http_query_int(req, "t", -1, &t, &err) < 0) {
		http_reply_error(req, err);
		return -1;
	}
	*out = t > 86400 * 365 ? 86400 * 365 : (int)t;
	return 0;
}

int h_ctr_stop(http_req *req)
{
	int t;
	if (query_timeout(req, &t) < 0)
		return 0;
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_stop(req->eng->containers, c, t, http_query(req, "signal"), &err);
	return done(req, r, err);
}

int h_ctr_restart(http_req *req)
{
	int t;
	if (query_timeout(req, &t) < 0)
		return 0;
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_restart(req->eng->containers, c, t, http_query(req, "signal"), &err);
	return done(req, r, err);
}

int h_ctr_kill(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_kill(req->eng->containers, c, http_query(req, "signal"), &err);
	return done(req, r, err);
}

int h_ctr_pause(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_pause(req->eng->containers, c, true, &err);
	return done(req, r, err);
}

int h_ctr_unpause(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_pause(req->eng->containers, c, false, &err);
	return done(req, r, err);
}

int h_ctr_rename(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	int r = ctr_rename(req->eng->containers, c, http_query(req, "name"), &err);
	return done(req, r, err);
}

int h_ctr_delete(http_req *req)
{
	_cleanup_ctr_ container *c = find(req);
	if (!c)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	if (http_query_bool(req, "link", false))
		return http_reply_errorf(req, 400, "legacy links are not supported by engine");
	int r = ctr_remove(req->eng->containers, c, http_query_bool(req, "force", false),
				    http_query_bool(req, "v", false), &err);
	return done(req, r, err);
}

int h_ctr_prune(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	json_object *o = ctr_prune(req->eng->containers, http_query(req, "filters"), &err);
	return o ? http_reply_json(req, 200, o) : http_reply_error(req, err);
}

/* ---- /wait: headers now, the body at the exit ---- */

typedef struct wait_stream {
	ctr_table *t;
	container *c;
	wait_cond cond;
	int conn_fd;
	bool sent;
} wait_stream;

static void wait_free(void *ctx)
{
	wait_stream *w = ctx;
	container_unref(w->c);
	free(w);
}

static ssize_t wait_read(void *ctx, char *buf, size_t n)
{
	wait_stream *w = ctx;
	if (w->sent)
		return -1;
	int code = 0;
	_cleanup_free_ char *error = NULL;
	_cleanup_err_ err_t *err = NULL;
	if (ctr_wait(w->t, w->c, w->cond, w->conn_fd, &code, &error, &err) < 0)
		return -2;
	_cleanup_json_ json_object *o = json_object_new_object();
	if (error) {
		json_object *e = json_object_new_object();
		jset_str(e, "Message", error);
		jset(o, "Error", e);
	} else {
		jset(o, "Error", NULL);
	}
	jset_int(o, "StatusCode", code);
	_cleanup_free_ char *line = xasprintf("%s\n", jdump(o));
	size_t len = strlen(line);
	if (len > n)
		return -2;
	memcpy(buf, line, len);
	w->sent = true;
	return (ssize_t)len;
}

int h_ctr_wait(http_req *req)
{
	const char *cond = http_query(req, "condition");
	wait_cond wc = WAIT_NOT_RUNNING;
	if (cond && !strcmp(cond, "next-exit"))
		wc = WAIT_NEXT_EXIT;
	else if (cond && !strcmp(cond, "removed"))
		wc = WAIT_REMOVED;
	else if (cond && *cond && strcmp(cond, "not-running"))
		return http_reply_errorf(req, 400, "invalid condition: \"%s\"", cond);
	container *c = find(req);
	if (!c)
		return 0;
	wait_stream *w = xcalloc(1, sizeof(*w));
	w->t = req->eng->containers;
	w->c = c;
	w->cond = wc;
	w->conn_fd = http_conn_fd(req);
	return http_reply_stream(req, 200, "application/json", wait_read, w, wait_free);
}
