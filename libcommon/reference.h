/* reference.h: Docker image references (the distribution/reference grammar):
 * `[domain/]path[:tag][@digest]`, normalisation of familiar names
 * (`busybox` -> `docker.io/library/busybox:latest`) and back, with Docker's
 * error messages. Pure string work: no I/O, no daemon state. */
#ifndef ENGINE_REFERENCE_H
#define ENGINE_REFERENCE_H

#include <stdbool.h>

#include "err.h"

#define REF_DEFAULT_DOMAIN "docker.io"
#define REF_LEGACY_DOMAIN "index.docker.io"
#define REF_OFFICIAL_PREFIX "library/"
#define REF_DEFAULT_TAG "latest"
#define REF_NAME_MAX 255 /* longest repository name, domain included */

typedef struct reference {
	char *domain; /* "docker.io", "localhost:5000"; "" only from ref_parse() */
	char *path;   /* "library/busybox": the repository path on the registry */
	char *tag;    /* NULL when absent */
	char *digest; /* "sha256:<hex>" or NULL */
} reference;

/* Docker's ParseNormalizedNamed: accepts familiar names, adds docker.io and
 * library/, rewrites index.docker.io, rejects 64-hex names and uppercase
 * paths. Does NOT add a default tag (see ref_default_tag). ERR_INVALID on
 * failure with Docker's message. */
reference *ref_parse_normalized(const char *s, err_t **err);
/* Docker's Parse: the raw grammar, no normalisation (domain may be ""). */
reference *ref_parse(const char *s, err_t **err);
/* Docker's ParseNamed: like ref_parse_normalized but the input must already
 * be canonical ("repository name must be canonical" otherwise). */
reference *ref_parse_named(const char *s, err_t **err);
/* TagNameOnly: adds "latest" when there is neither tag nor digest. */
void ref_default_tag(reference *r);
/* ParseDockerRef: normalised; tag dropped when a digest is present; default tag. */
reference *ref_parse_docker(const char *s, err_t **err);
void ref_free(reference *r);
reference *ref_dup(const reference *r);

static inline void cleanup_refp(reference **r)
{
	ref_free(*r);
}
#define _cleanup_ref_ __attribute__((cleanup(cleanup_refp)))

/* "docker.io/library/busybox" */
char *ref_name(const reference *r);
/* "docker.io/library/busybox:latest[@sha256:...]" */
char *ref_string(const reference *r);
/* "busybox" / "user/app" / "example.com/app" */
char *ref_familiar_name(const reference *r);
/* "busybox:latest", "busybox@sha256:..." */
char *ref_familiar_string(const reference *r);

/* Grammar checks usable on their own. */
bool ref_tag_valid(const char *tag);
/* Validates a digest like go-digest (sha256/sha384/sha512, lowercase hex of
 * the right length); ERR_INVALID with go-digest's messages. */
int ref_digest_check(const char *dgst, err_t **err);
/* True for exactly 64 lowercase hex characters (an image ID without "sha256:"). */
bool ref_is_identifier(const char *s);

/* FamiliarMatch: shell glob (path.Match semantics) against the familiar
 * string, then the familiar name. */
bool ref_familiar_match(const char *pattern, const reference *r);

#endif
