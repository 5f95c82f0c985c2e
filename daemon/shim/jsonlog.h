/* jsonlog.h: Docker's json-file log driver, byte for byte: one
 * {"log":"...","stream":"stdout","time":"RFC3339Nano"} line per output line,
 * lines longer than 16 KiB split into partial entries (no trailing "\n" in
 * "log", all sharing the first part's time), size-based rotation to
 * <path>.1 ... <path>.<max-file - 1>. */
#ifndef ENGINE_SHIM_JSONLOG_H
#define ENGINE_SHIM_JSONLOG_H

#include <stddef.h>
#include <time.h>

#include "err.h"
#include "strbuf.h"

#define JSONLOG_BUF 16384 /* Docker's copier buffer: the partial-line limit */

enum { JSONLOG_STDOUT = 0, JSONLOG_STDERR = 1 };

typedef struct jsonlog jsonlog;

/* max_size <= 0: no rotation; max_files >= 1 (Docker's max-file). */
jsonlog *jsonlog_open(const char *path, long long max_size, int max_files, err_t **err);
/* Output read from a stream; complete lines are queued for the file. */
void jsonlog_feed(jsonlog *l, int stream, const char *data, size_t n, const struct timespec *now);
/* The stream ended: what is left becomes a final partial entry. */
void jsonlog_eof(jsonlog *l, int stream, const struct timespec *now);
/* Writes the queued entries (one write per batch, rotating as needed). */
int jsonlog_flush(jsonlog *l, err_t **err);
void jsonlog_close(jsonlog *l);

/* The JSON string encoding of Docker's writer (Go's, with <>& escaped and
 * invalid UTF-8 as \ufffd), appended to sb with the quotes. */
void jsonlog_escape(strbuf *sb, const char *s, size_t n);

#endif
