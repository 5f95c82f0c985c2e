/* h_exec.c: the exec endpoints: create, start (hijacked like attach: the
 * socket goes to the container's shim, which runs the process), resize,
 * inspect. Conflicts (already started, container stopped) are answered
 * with their status before the upgrade, where moby would write them into
 * the stream. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "containers.h"
#include "engine.h"
#include "internal.h"
#include "jsonutil.h"
#include "log.h"
#include "xalloc.h"

static void unref_exec(ctr_exec **e)
{
	ctr_exec_unref(*e);
}
#define _cleanup_exec_ __attribute__((cleanup(unref_exec)))

static ctr_exec *find_exec(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	ctr_exec *e = ctr_exec_find(req->eng->containers, req->params[0], &err);
	if (!e)
		http_reply_error(req, err);
	return e;
}

int h_exec_create(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *body = http_body_json(req, &err);
	if (err)
		return http_reply_error(req, err);
	container *c = ctr_find(req->eng->containers, req->params[0], &err);
	if (!c)
		return http_reply_error(req, err);
	_cleanup_free_ char *id = ctr_exec_create(req->eng->containers, c, body, &err);
	container_unref(c);
	if (!id)
		return http_reply_error(req, err);
	json_object *o = json_object_new_object();
	jset_str(o, "Id", id);
	return http_reply_json(req, 201, o);
}

typedef struct exec_start_ctx {
	ctr_table *t;
	ctr_exec *e;
	json_object *console_size;
	bool tty;
} exec_start_ctx;

static void start_free(void *p)
{
	exec_start_ctx *x = p;
	ctr_exec_unref(x->e);
	if (x->console_size)
		json_object_put(x->console_size);
	free(x);
}

/* On the hijacked connection: the shim takes the socket and runs the exec. */
static void start_upgraded(void *p, int fd, const char *extra, size_t extra_len)
{
	exec_start_ctx *x = p;
	(void)extra;
	if (extra_len)
		log_debug("exec %s: %zu stdin bytes came with the request and are dropped", x->e->id, extra_len);
	int mine = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	_cleanup_err_ err_t *err = NULL;
	if (mine < 0 || ctr_exec_start(x->t, x->e, mine, false, x->console_size, &err) < 0) {
		if (!err)
			return;
		/* As moby: the error is written into the stream. */
		_cleanup_free_ char *msg = xasprintf("%s\r\n", err_msg(err));
		size_t n = strlen(msg);
		if (!x->tty) {
			unsigned char hdr[8] = {1, 0, 0, 0, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
						(unsigned char)(n >> 8), (unsigned char)n};
			stdio_send_all(fd, (const char *)hdr, sizeof(hdr));
		}
		stdio_send_all(fd, msg, n);
	}
}

int h_exec_start(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *body = http_body_json(req, &err);
	if (err)
		return http_reply_error(req, err);
	_cleanup_exec_ ctr_exec *e = find_exec(req);
	if (!e)
		return 0;
	bool detach = jget_bool(body, "Detach", false);
	json_object *cs = jget_arr(body, "ConsoleSize");
	if (cs && json_object_array_length(cs) != 2)
		cs = NULL;
	if (detach) {
		if (ctr_exec_start(req->eng->containers, e, -1, true, cs, &err) < 0)
			return http_reply_error(req, err);
		return http_reply_empty(req, 200);
	}
	/* The conflicts get their status now, before the stream starts. */
	pthread_mutex_lock(&e->c->lock);
	cstate s = e->c->state;
	pthread_mutex_unlock(&e->c->lock);
	if (ctr_exec_started(req->eng->containers, e))
		return http_reply_errorf(req, 409, "Error: Exec command %s is already running", e->id);
	if (s != CS_RUNNING)
		return http_reply_errorf(req, 409, "Container %s is not running", e->c->id);
	exec_start_ctx *x = xcalloc(1, sizeof(*x));
	x->t = req->eng->containers;
	x->e = steal_ptr(&e);
	x->console_size = cs ? json_object_get(cs) : NULL;
	x->tty = ctr_exec_tty(x->e);
	const char *ctype = stdio_content_type(req, x->tty);
	if (stdio_wants_upgrade(req))
		return http_reply_upgrade(req, ctype, start_upgraded, x, start_free);
	/* No upgrade: 200 and its output as a one-way stream. */
	int shim_end = -1;
	stdio_reply_pair(req, "application/vnd.docker.raw-stream", NULL, &shim_end);
	if (shim_end >= 0 && ctr_exec_start(x->t, x->e, shim_end, false, x->console_size, &err) < 0)
		http_reply_error(req, err);
	start_free(x);
	return 0;
}

int h_exec_resize(http_req *req)
{
	unsigned h, w;
	if (stdio_size_params(req, &h, &w) < 0)
		return 0;
	_cleanup_exec_ ctr_exec *e = find_exec(req);
	if (!e)
		return 0;
	_cleanup_err_ err_t *err = NULL;
	if (ctr_exec_resize(req->eng->containers, e, h, w, &err) < 0)
		return http_reply_error(req, err);
	return http_reply_empty(req, 200);
}

int h_exec_inspect(http_req *req)
{
	_cleanup_exec_ ctr_exec *e = find_exec(req);
	if (!e)
		return 0;
	return http_reply_json(req, 200, ctr_exec_inspect(req->eng->containers, e));
}
