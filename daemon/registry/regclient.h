/* regclient.h: one registry, for one operation: its endpoints (mirrors,
 * HTTPS, plain HTTP for insecure registries), the /v2/ probe and the
 * authentication it asks for (Bearer tokens for scopes, cached until they
 * expire, or Basic), requests with the right Authorization header and one
 * retry after a 401, and Docker's texts for registry and transport errors.
 * Internal to daemon/registry. */
#ifndef ENGINE_REGISTRY_REGCLIENT_H
#define ENGINE_REGISTRY_REGCLIENT_H

#include <pthread.h>
#include <stdbool.h>

#include "fetchc.h"
#include "registry.h"

#define HUB_DOMAIN "docker.io"
#define HUB_HOST "registry-1.docker.io"
#define HUB_INDEX "https://index.docker.io/v1/"

typedef struct reg_endpoint {
	char *base;       /* "https://127.0.0.1:5000" (no trailing slash) */
	bool insecure;    /* skip TLS verification */
	bool mirror;
	char *cafile, *certfile, *keyfile;
} reg_endpoint;

typedef struct reg_client {
	fx *f;
	const reg_config *cfg;
	reg_creds creds;       /* a copy */
	char *domain;          /* "docker.io", "127.0.0.1:5000" */
	reg_endpoint *eps;
	size_t neps, cur;
	bool connected;
	/* the challenge of the current endpoint */
	char *scheme;          /* "bearer", "basic", or NULL: no authentication */
	char *realm, *service;
	pthread_mutex_t mu;
} reg_client;

/* Endpoints for domain (mirrors first when `mirrors` and the domain is
 * docker.io). */
reg_client *regc_new(fx *f, const reg_config *cfg, const char *domain, const reg_creds *creds,
		     bool mirrors);
void regc_free(reg_client *c);
/* Probes /v2/ on the endpoints from the current one on, keeps the first
 * that answers as a v2 registry. The error is the last endpoint's. */
int regc_connect(reg_client *c, err_t **err);
/* Moves past the current endpoint (after a mirror failed); false when it
 * was the last. */
bool regc_next(reg_client *c);
bool regc_on_mirror(const reg_client *c);
const reg_endpoint *regc_endpoint(const reg_client *c);

/* Sends r to path (relative to the endpoint, or an absolute URL) with the
 * authorization for scopes (NULL-terminated, "repository:x:pull"); after a
 * 401 it fetches a fresh token once and retries. Transport failures become
 * errors ("Get \"url\": dial tcp ..."); HTTP statuses are left to the
 * caller (resp->status). */
int regc_do(reg_client *c, const char *const *scopes, fx_req *r, const char *path,
	    fx_resp *resp, err_t **err);
/* The Authorization header line for scopes ("Authorization: Bearer ..."),
 * NULL when none is needed; refresh forgets a cached token first. */
char *regc_auth_line(reg_client *c, const char *const *scopes, bool refresh, err_t **err);
/* A login's token request (no scope, offline_token=true): checks the
 * credentials and returns the refresh token if the server gave one. */
int regc_login_token(reg_client *c, char **identity, err_t **err);
/* Reads a 401's challenge into the client (a registry may first answer
 * /v2/ without one). */
void regc_take_challenge(reg_client *c, const fx_resp *resp);

/* Docker's text for an error answer: the registry's {"errors":[...]} as
 * "code: message", a bearer challenge's error, {"details"}, or
 * "received unexpected HTTP status: 500 Internal Server Error". */
char *regc_error_text(const fx_resp *resp);
/* The first error code of the answer ("MANIFEST_UNKNOWN"), or "". */
const char *regc_error_code(const fx_resp *resp, char buf[64]);
/* "Get \"url\": reason" as Go's http.Client words its errors. */
int regc_transport_error(err_t **err, const char *method, const char *url, const char *reason);
/* Go's http.StatusText. */
const char *regc_status_text(int status);
/* Builds a URL on the current endpoint. */
char *regc_url(const reg_client *c, const char *path);
/* Fills r's TLS fields for the current endpoint. */
void regc_tls(const reg_client *c, fx_req *r);

/* True when a registry host is insecure: listed, in a listed CIDR, or on
 * loopback (127.0.0.0/8 and ::1, as Docker treats them). */
bool reg_host_insecure(const reg_config *cfg, const char *host);

#endif
