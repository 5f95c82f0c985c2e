/* tabwriter.h: aligned text columns, as Go's text/tabwriter makes them.
 *
 * Text is fed in any pieces; a '\t' terminates a cell and a '\n' a line.
 * Tab-terminated cells in adjacent lines form a column ("elastic tabstops"):
 * each column is as wide as its widest cell plus `padding`, at least
 * `minwidth`. The text after a line's last tab is not part of any column and
 * is never padded. Widths count terminal columns (CJK and emoji count two),
 * as docker/cli's fork of tabwriter does.
 *
 * Docker's CLI tables (ps, images, ...) use tw_new(10, 1, 3, ' ', 0);
 * tw_new_docker() is that writer. */
#ifndef ENGINE_TABWRITER_H
#define ENGINE_TABWRITER_H

#include <stddef.h>

#include "strbuf.h"

enum {
	TW_ALIGN_RIGHT = 1 << 0, /* pad on the left of each cell */
	TW_DEBUG = 1 << 1,       /* print '|' between columns */
};

typedef struct tabwriter tabwriter;

tabwriter *tw_new(int minwidth, int tabwidth, int padding, char padchar, unsigned flags);
/* The writer docker/cli's formatter uses for `table` formats. */
tabwriter *tw_new_docker(void);
void tw_write(tabwriter *tw, const char *s, size_t n);
void tw_puts(tabwriter *tw, const char *s);
/* Formats everything written so far onto out and empties the writer. */
void tw_flush(tabwriter *tw, strbuf *out);
void tw_free(tabwriter *tw);

static inline void cleanup_twp(tabwriter **tw)
{
	tw_free(*tw);
}
#define _cleanup_tw_ __attribute__((cleanup(cleanup_twp)))

#endif
