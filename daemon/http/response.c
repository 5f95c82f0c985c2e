/* response.c: how a handler records its answer (see http.h). Nothing is sent
 * here: server.c turns the recorded http_resp into a libmicrohttpd response
 * once the handler returns. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "internal.h"
#include "jsonutil.h"
#include "xalloc.h"

void http_resp_free(http_resp *r)
{
	if (!r)
		return;
	free(r->content_type);
	free(r->body);
	if (r->free_ctx && r->ctx)
		r->free_ctx(r->ctx);
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r);
}

/* Starts a fresh answer, replacing one the handler set earlier. */
static http_resp *resp_begin(http_req *req, resp_kind kind, int status, const char *ctype)
{
	http_resp_free(req->resp);
	http_resp *r = xcalloc(1, sizeof(*r));
	r->kind = kind;
	r->status = status;
	r->content_type = ctype ? xstrdup(ctype) : NULL;
	req->resp = r;
	return r;
}

int http_reply_json(http_req *req, int status, json_object *body)
{
	http_resp *r = resp_begin(req, RESP_BUFFER, status, "application/json");
	const char *s = body ? jdump(body) : "null";
	r->body = xasprintf("%s\n", s);
	r->body_len = strlen(r->body);
	if (body)
		json_object_put(body);
	return 0;
}

int http_reply_json_text(http_req *req, int status, char *text)
{
	http_resp *r = resp_begin(req, RESP_BUFFER, status, "application/json");
	r->body = text;
	r->body_len = strlen(text);
	return 0;
}

int http_reply_text(http_req *req, int status, const char *content_type, const char *text)
{
	http_resp *r = resp_begin(req, RESP_BUFFER, status, content_type);
	r->body = xstrdup(text);
	r->body_len = strlen(text);
	return 0;
}

int http_reply_empty(http_req *req, int status)
{
	resp_begin(req, RESP_BUFFER, status, NULL);
	return 0;
}

int http_reply_error(http_req *req, const err_t *err)
{
	int status = err_http_status(err);
	if (status == 304)
		return http_reply_empty(req, 304);
	json_object *o = json_object_new_object();
	jset_str(o, "message", err_msg(err));
	return http_reply_json(req, status, o);
}

int http_reply_errorf(http_req *req, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	json_object *o = json_object_new_object();
	jset_str(o, "message", m);
	free(m);
	return http_reply_json(req, status, o);
}

int http_reply_stream(http_req *req, int status, const char *content_type, http_stream_fn fn,
		      void *ctx, http_free_fn free_ctx)
{
	http_resp *r = resp_begin(req, RESP_STREAM, status, content_type);
	r->stream = fn;
	r->ctx = ctx;
	r->free_ctx = free_ctx;
	return 0;
}

int http_reply_upgrade(http_req *req, const char *content_type, http_upgrade_fn fn, void *ctx,
		       http_free_fn free_ctx)
{
	http_resp *r = resp_begin(req, RESP_UPGRADE, 101, content_type);
	r->upgrade = fn;
	r->ctx = ctx;
	r->free_ctx = free_ctx;
	return 0;
}

void http_add_header(http_req *req, const char *name, const char *value)
{
	http_resp *r = req->resp;
	if (!r || r->nheaders == ARRAY_SIZE(r->headers))
		return;
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}
