/* strbuf.h: a growable, always NUL-terminated byte buffer. The workhorse for
 * building output (JSON text, table rows, HTTP requests) without fixed-size
 * char arrays. */
#ifndef ENGINE_STRBUF_H
#define ENGINE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
	char *buf; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
} strbuf;

#define STRBUF_INIT {NULL, 0, 0}

void sb_append(strbuf *sb, const void *data, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_putc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
void sb_reset(strbuf *sb);
void sb_free(strbuf *sb);
/* Returns the string (never NULL) and leaves the buffer empty. */
char *sb_steal(strbuf *sb);
/* The current string, "" when empty. */
const char *sb_str(const strbuf *sb);

static inline void cleanup_sbp(strbuf *sb)
{
	sb_free(sb);
}
#define _cleanup_sb_ __attribute__((cleanup(cleanup_sbp)))

#endif
