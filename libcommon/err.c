/* err.c: the error object (see err.h). Messages are formatted once, at the
 * point of failure; system errors carry strerror() of the errno they saw. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

int err_setv(err_t **err, err_kind kind, int errnum, const char *fmt, va_list ap)
{
	if (!err || *err)
		return -1;
	err_t *e = xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->errnum = errnum;
	char *m = xvasprintf(fmt, ap);
	if (errnum) {
		e->msg = xasprintf("%s: %s", m, strerror(errnum));
		free(m);
	} else {
		e->msg = m;
	}
	*err = e;
	return -1;
}

int err_set(err_t **err, err_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_setv(err, kind, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrap(err_t **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	char *m = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = m;
	return -1;
}

void err_free(err_t **err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

int err_http_status(const err_t *e)
{
	if (!e)
		return 500;
	switch (e->kind) {
	case ERR_INVALID: return 400;
	case ERR_UNAUTHORIZED: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_NOT_FOUND: return 404;
	case ERR_CONFLICT: return 409;
	case ERR_NOT_MODIFIED: return 304;
	case ERR_TOO_LARGE: return 413;
	case ERR_UNAVAILABLE: return 503;
	case ERR_NOT_IMPLEMENTED: return 501;
	case ERR_SYSTEM: break;
	}
	return 500;
}

const char *err_msg(const err_t *e)
{
	return e && e->msg ? e->msg : "unknown error";
}
