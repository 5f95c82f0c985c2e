/* jsonmsg.h: showing a daemon's JSON message stream (load, import, and
 * later pull, push, build) the way docker's jsonmessage package does:
 * "stream" text as is, "id: status" lines, progress bars only on a
 * terminal (rewritten in place), and the first errorDetail ends the
 * stream as the command's error. */
#ifndef ENGINE_JSONMSG_H
#define ENGINE_JSONMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "strbuf.h"

typedef struct jsonmsg {
	FILE *out;
	bool tty;          /* out is a terminal: draw progress bars */
	strbuf line;       /* a message not yet ended by its newline */
	bool progress_open; /* a bar is on the current terminal line */
	err_t *err;        /* the stream's error (errorDetail), once seen */
	char *last_status; /* the last "status" text (import's image ID) */
} jsonmsg;

void jsonmsg_init(jsonmsg *m, FILE *out);
/* An httpc_data_fn: feed it the response body as it arrives. */
int jsonmsg_feed(void *ctx, const char *data, size_t n);
/* Handles a last line without newline; returns -1 with *err set (moved
 * out of m) when the stream carried an error. */
int jsonmsg_finish(jsonmsg *m, err_t **err);
void jsonmsg_free(jsonmsg *m);

#endif
