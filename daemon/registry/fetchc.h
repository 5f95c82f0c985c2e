/* fetchc.h: engined's side of engine-fetch (daemon/fetch/fetch.c), the
 * helper process that does the HTTP of registry operations. One helper per
 * operation (a pull, a push, a login, a search): fx_start() spawns it,
 * fx_stop() closes its stdin and reaps it, so libcurl and its TLS stack
 * never live in the daemon. Calls are synchronous (fx_do) or asynchronous
 * (fx_send, then fx_wait for progress, fx_finish for the answer), and many
 * may be in flight at once from several threads. Thread-safe. */
#ifndef ENGINE_REGISTRY_FETCHC_H
#define ENGINE_REGISTRY_FETCHC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"

typedef struct fx fx;
typedef struct fx_call fx_call;

typedef struct fx_req {
	const char *method;          /* "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;
	char **headers;              /* "Name: value", NULL-terminated; may be NULL */
	const void *body;            /* a body in memory ... */
	size_t body_len;
	bool has_body;               /* send a body (possibly empty) */
	const char *body_file;       /* ... or a byte range of a file */
	int64_t body_off, body_size;
	const char *out_file;        /* 2xx bodies go into this file at out_off */
	int64_t out_off;
	size_t max;                  /* largest body kept in memory (0: 4 MiB) */
	bool insecure;               /* no TLS verification */
	bool no_follow;              /* do not follow redirects */
	int stall;                   /* seconds without a byte before giving up (0: 30) */
	const char *cafile, *certfile, *keyfile; /* certs.d material, may be NULL */
} fx_req;

typedef struct fx_resp {
	int status;                  /* 0 when the transfer failed */
	char *error;                 /* why it failed (Go-style reason), or NULL */
	json_object *headers;        /* [[name, value], ...], names lower case */
	strbuf body;
	int64_t n;                   /* bytes in out_file, or body length */
	char *url;                   /* after redirects */
} fx_resp;

void fx_resp_free(fx_resp *r);
/* First value of a header (name in lower case), or NULL. */
const char *fx_header(const fx_resp *r, const char *name);
/* Every value of a header, NULL-terminated (free the vector only). */
const char **fx_header_all(const fx_resp *r, const char *name);

/* Spawns the helper. ERR_SYSTEM when it cannot run. */
fx *fx_start(err_t **err);
/* Cancels what is in flight, closes the pipes and reaps the helper. */
void fx_stop(fx *f);

/* Sends and waits for the answer. A transport failure is not an error
 * here: resp->status is 0 and resp->error says why. -1 only when the
 * helper itself failed. */
int fx_do(fx *f, const fx_req *r, fx_resp *resp, err_t **err);

fx_call *fx_send(fx *f, const fx_req *r, err_t **err);
/* Waits until the call's byte count passed `seen`, the call ended, or
 * timeout_ms passed (-1: no limit). Returns the byte count; *done is set
 * when it ended; *restarts counts the times the server ignored Range and
 * the file started over. */
int64_t fx_wait(fx_call *c, int64_t seen, int timeout_ms, bool *done, int *restarts);
/* Wakes fx_wait callers (e.g. on cancellation). */
void fx_poke(fx_call *c);
/* After the call ended: its answer; frees the call. */
void fx_finish(fx_call *c, fx_resp *resp);
/* Abandons a call (in flight or not) and frees it. */
void fx_cancel(fx_call *c);

#endif
