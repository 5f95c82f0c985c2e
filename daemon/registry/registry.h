/* registry.h: the registry client (Distribution API v2), the one header
 * the HTTP handlers include. Each call is one registry operation of the
 * API: it starts an engine-fetch helper (fetchc.h), talks to the registry
 * through it and stops it, so libcurl lives only as long as the operation.
 *
 *   POST /images/create?fromImage  reg_pull(store, opts, progress)
 *   POST /images/{name}/push       reg_push(store, opts, progress)
 *   GET  /images/search            reg_search(opts)
 *   POST /auth                     reg_login(server, creds)
 *
 * Errors come back as err_t with Docker's wording and status (404 for an
 * unknown manifest or repository, 401 for bad credentials, 500 for an
 * unreachable registry); progress goes out as Docker's JSON messages. */
#ifndef ENGINE_REGISTRY_H
#define ENGINE_REGISTRY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "image.h"

/* The daemon.json keys and tunables a registry operation reads. */
typedef struct reg_config {
	char **insecure;       /* insecure-registries: "host[:port]" or a CIDR */
	char **mirrors;        /* registry-mirrors: URLs tried first for docker.io pulls */
	const char *certs_dir; /* <certs_dir>/<host>/{ca.crt,client.cert,client.key}; may be NULL */
	int stall;             /* seconds a transfer may go without a byte (0: 30) */
	int max_downloads;     /* concurrent layer downloads (0: 3, as Docker) */
	int max_uploads;       /* concurrent layer uploads (0: 5, as Docker) */
	int64_t chunk;         /* upload chunk size (0: 32 MiB); smaller blobs go in one PUT */
} reg_config;

/* Credentials from X-Registry-Auth (or the body of POST /auth). */
typedef struct reg_creds {
	char *username, *password;
	char *identity_token;  /* an OAuth2 refresh token from an earlier login */
	char *registry_token;  /* a bearer token to send as is */
	char *server;          /* serveraddress */
} reg_creds;

/* Decodes X-Registry-Auth: base64url (padding optional) of
 * {"username","password","auth","serveraddress","identitytoken","registrytoken"};
 * empty or "{}" is anonymous. ERR_INVALID for garbage. */
int reg_creds_parse(const char *header, reg_creds *c, err_t **err);
/* The JSON of POST /auth. */
int reg_creds_from_json(json_object *o, reg_creds *c, err_t **err);
void reg_creds_free(reg_creds *c);

/* Where the messages go: Docker's JSON message stream. */
typedef struct reg_progress {
	/* {"status":status,"id":id} ("progressDetail":{} when detail is set) */
	void (*status)(void *ctx, const char *id, const char *status, bool detail);
	/* {"status","progressDetail":{"current","total"},"progress","id"} */
	void (*progress)(void *ctx, const char *id, const char *status, int64_t cur, int64_t total);
	/* {"progressDetail":{},"aux":aux} (push's {Tag,Digest,Size}); takes aux */
	void (*aux)(void *ctx, json_object *aux);
	/* true once the client went away: the operation stops */
	bool (*canceled)(void *ctx);
	void *ctx;
} reg_progress;

typedef struct reg_pull_opts {
	const char *image;      /* fromImage: a reference, maybe with a tag or digest */
	const char *tag;        /* tag or digest; "" with a bare name pulls every tag */
	const char *platform;   /* "os/arch[/variant]", "" for this host's */
	const reg_creds *creds;
	const reg_config *cfg;
} reg_pull_opts;

/* Pulls an image (every tag with a bare name and an empty tag). */
int reg_pull(img_store *s, const reg_pull_opts *o, const reg_progress *p, err_t **err);

typedef struct reg_push_opts {
	const char *name;       /* the repository (or name:tag) of the path */
	const char *tag;        /* ?tag=; "" pushes every tag of the repository */
	const reg_creds *creds;
	const reg_config *cfg;
} reg_push_opts;

int reg_push(img_store *s, const reg_push_opts *o, const reg_progress *p, err_t **err);

/* GET /images/search: [{star_count,is_official,name,is_automated,description}]. */
json_object *reg_search(const char *term, int64_t limit, const char *filters,
			const reg_creds *creds, const reg_config *cfg, err_t **err);

/* POST /auth: checks the credentials against the registry; *identity_token
 * is set (malloc'd) when the token server handed out a refresh token. */
int reg_login(const reg_creds *creds, const reg_config *cfg, char **identity_token, err_t **err);

/* Forgets cached bearer tokens (tests). */
void reg_token_cache_clear(void);

#endif
