/* http.h: the request object every handler receives, and the ways a handler
 * answers: a JSON value, an error, an empty status, a stream produced by a
 * callback, or a hijacked (101) connection. libmicrohttpd stays behind this
 * header; handlers never include microhttpd.h. */
#ifndef ENGINE_HTTP_H
#define ENGINE_HTTP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "strbuf.h"

struct engine;
struct http_req;

/* Largest buffered body (JSON endpoints); streaming endpoints have none. */
#define HTTP_MAX_BODY (8u << 20)

typedef int (*http_handler_fn)(struct http_req *req);

/* A streaming body producer. Writes up to n bytes into buf and returns the
 * count, 0 when it has nothing yet (it should block instead where it can),
 * -1 at the end of the stream, -2 to abort the connection. It may block:
 * each connection has its own thread. */
typedef ssize_t (*http_stream_fn)(void *ctx, char *buf, size_t n);
typedef void (*http_free_fn)(void *ctx);

/* A hijacked connection: fd is the raw client socket (never close it; return
 * and the server closes it). extra holds bytes the client sent past the
 * headers. Runs on the connection's thread. */
typedef void (*http_upgrade_fn)(void *ctx, int fd, const char *extra, size_t extra_len);

typedef struct http_req {
	struct engine *eng;
	const char *method;
	const char *path;        /* without the /v1.NN prefix */
	char version[16];        /* negotiated API version ("1.44" when unprefixed) */
	const char *params[4];   /* path parameters in route order: {id}, {name*} */
	size_t nparams;
	void *conn;              /* struct MHD_Connection * */
	/* Buffered body (routes without HTTP_ROUTE_STREAM_BODY). */
	strbuf body;
	/* Streamed body (HTTP_ROUTE_STREAM_BODY): read it from here, EOF at its end. */
	int body_fd;
	/* What the handler answered (set by the http_reply_* calls). */
	struct http_resp *resp;
} http_req;

/* Query parameters. */
const char *http_query(http_req *req, const char *key);
/* All values of a repeated key, NULL-terminated (free the vector, not the strings). */
const char **http_query_all(http_req *req, const char *key);
/* Docker's boolean rule: absent -> def; "", "0", "no", "false", "none" -> false; else true. */
bool http_query_bool(http_req *req, const char *key, bool def);
/* Integer parameter; absent -> def; garbage -> ERR_INVALID naming the key. */
int http_query_int(http_req *req, const char *key, int64_t def, int64_t *out, err_t **err);
const char *http_header(http_req *req, const char *name);
/* The body parsed as JSON (buffered routes); an empty body gives NULL with no error. */
json_object *http_body_json(http_req *req, err_t **err);
/* SO_PEERCRED of the client: uid, or -1. */
int http_peer_uid(http_req *req);
/* The client's socket, for noticing that it went away in long waits. */
int http_conn_fd(http_req *req);
/* True when the client hung up (non-blocking check). */
bool http_client_gone(http_req *req);

/* Answers. Each returns 0 so a handler can `return http_reply_json(...)`. */
int http_reply_json(http_req *req, int status, json_object *body); /* takes body */
int http_reply_text(http_req *req, int status, const char *content_type, const char *text);
/* A JSON answer already written as text; takes text. */
int http_reply_json_text(http_req *req, int status, char *text);
int http_reply_empty(http_req *req, int status);
int http_reply_error(http_req *req, const err_t *err);
int http_reply_errorf(http_req *req, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int http_reply_stream(http_req *req, int status, const char *content_type, http_stream_fn fn,
		      void *ctx, http_free_fn free_ctx);
int http_reply_upgrade(http_req *req, const char *content_type, http_upgrade_fn fn, void *ctx,
		       http_free_fn free_ctx);
/* Adds a header to the answer already chosen (call after http_reply_*). */
void http_add_header(http_req *req, const char *name, const char *value);

/* Server lifecycle (server.c). */
typedef struct http_server http_server;
http_server *http_server_start(struct engine *eng, const int *fds, size_t nfds, err_t **err);
void http_server_stop(http_server *s);

#endif
