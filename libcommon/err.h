/* err.h: the one error object passed down through every fallible call.
 *
 * A fallible function takes `err_t **err` last and returns a negative int (or
 * NULL) on failure after filling *err with err_set(); on success it leaves
 * *err untouched. The kind says what the caller did wrong (or that we failed),
 * which daemon/http maps to Docker's status codes; the message is what the user
 * reads. Callers add context with err_wrap() and release with err_free(). */
#ifndef ENGINE_ERR_H
#define ENGINE_ERR_H

#include <stdarg.h>

typedef enum err_kind {
	ERR_SYSTEM = 0,     /* our own fault or the host's: 500 */
	ERR_INVALID,        /* bad parameter from the caller: 400 */
	ERR_UNAUTHORIZED,   /* 401 */
	ERR_FORBIDDEN,      /* 403 */
	ERR_NOT_FOUND,      /* 404 */
	ERR_CONFLICT,       /* 409 */
	ERR_NOT_MODIFIED,   /* 304 */
	ERR_TOO_LARGE,      /* 413 */
	ERR_UNAVAILABLE,    /* 503 */
	ERR_NOT_IMPLEMENTED /* 501 */
} err_kind;

typedef struct err {
	err_kind kind;
	int errnum; /* errno when a system call failed, else 0 */
	char *msg;
} err_t;

/* Sets *err (if err is non-NULL and *err is still empty) and returns -1. */
int err_set(err_t **err, err_kind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int err_setv(err_t **err, err_kind kind, int errnum, const char *fmt, va_list ap);

/* Shorthands: err_sys() appends ": strerror(errno)" to the message. */
#define err_sys(err, ...) err_set((err), ERR_SYSTEM, errno, __VA_ARGS__)
#define err_invalid(err, ...) err_set((err), ERR_INVALID, 0, __VA_ARGS__)
#define err_notfound(err, ...) err_set((err), ERR_NOT_FOUND, 0, __VA_ARGS__)
#define err_conflict(err, ...) err_set((err), ERR_CONFLICT, 0, __VA_ARGS__)

/* Prefixes the existing message with "context: "; returns -1. */
int err_wrap(err_t **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void err_free(err_t **err);
int err_http_status(const err_t *e);
const char *err_msg(const err_t *e);

static inline void cleanup_errp(err_t **e)
{
	err_free(e);
}
#define _cleanup_err_ __attribute__((cleanup(cleanup_errp)))

#endif
