/* httpc.h: the CLI's HTTP/1.1 client for the engine socket (unix://) and
 * tcp:// hosts. One request per call on a kept-alive connection; responses
 * are read whole, streamed to a callback (chunked or not), or, after a 101
 * answer, handed over as a raw socket for attach and exec.
 *
 * Why not libcurl: loading libcurl and its 30-odd shared libraries costs
 * ~12 ms per process on our machines, more than the whole `engine run --rm`
 * budget; the CLI needs only plain HTTP/1.1 over a local socket. */
#ifndef ENGINE_HTTPC_H
#define ENGINE_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "strbuf.h"

typedef struct httpc httpc;

typedef struct httpc_resp {
	int status;
	char *content_type;
	char *api_version;  /* Api-Version header, or NULL */
	strbuf body;        /* for httpc_do(); empty for streamed calls */
	bool chunked;
	long long content_length; /* -1: unknown */
} httpc_resp;

void httpc_resp_free(httpc_resp *r);

/* Parses "unix:///path", "tcp://host:port", "/path". */
httpc *httpc_new(const char *host, err_t **err);
void httpc_free(httpc *c);
const char *httpc_host(const httpc *c);

/* Called with each piece of a streamed body; return <0 to stop early. */
typedef int (*httpc_data_fn)(void *ctx, const char *data, size_t n);

typedef struct httpc_req {
	const char *method;
	const char *path;          /* with query, e.g. "/v1.44/containers/json?all=1" */
	const char *content_type;  /* for the body */
	const void *body;          /* buffered body, or NULL */
	size_t body_len;
	int body_fd;               /* >= 0: stream the body from this fd (chunked) */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated */
	bool upgrade;              /* send Connection: Upgrade / Upgrade: tcp */
} httpc_req;

/* Sends req and reads the whole answer into resp->body. */
int httpc_do(httpc *c, const httpc_req *req, httpc_resp *resp, err_t **err);
/* Sends req; passes the body to fn as it arrives (headers in resp). */
int httpc_stream(httpc *c, const httpc_req *req, httpc_resp *resp, httpc_data_fn fn, void *ctx,
		 err_t **err);
/* Sends req and reads the answer's head only; the body is read later with
 * httpc_finish() (for /wait, whose headers come at once and body at the
 * exit). Nothing else may use c in between. */
int httpc_begin(httpc *c, const httpc_req *req, httpc_resp *resp, err_t **err);
int httpc_finish(httpc *c, const httpc_req *req, httpc_resp *resp, err_t **err);
/* The same, passing the body to fn as it arrives. */
int httpc_finish_stream(httpc *c, const httpc_req *req, httpc_resp *resp, httpc_data_fn fn, void *ctx,
			err_t **err);

/* Sends req with Upgrade headers; on 101 returns the raw socket (the caller
 * owns it) and any bytes read past the headers in *extra. On any other status
 * returns -1 with the body read into resp->body. */
int httpc_hijack(httpc *c, const httpc_req *req, httpc_resp *resp, strbuf *extra, err_t **err);

/* Parses a response head (status line and headers) from buf; returns the
 * number of bytes consumed, 0 if more bytes are needed, -1 if malformed.
 * Exposed for the fuzz harness. */
ssize_t httpc_parse_head(const char *buf, size_t len, httpc_resp *resp);

#endif
