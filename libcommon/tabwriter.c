/* tabwriter.c: elastic tabstops (see tabwriter.h).
 *
 * Go's writer finds column blocks recursively; that recursion is as deep as a
 * line has cells, which outside text could make very deep. The same result
 * comes from one pass: the block of column c that holds a line is the longest
 * run of adjacent lines that all have a tab-terminated cell c, so each column
 * keeps an open run (its first line and widest cell) that closes at the first
 * line without that cell, and the run's width is then stored in its cells. */
#include "tabwriter.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

typedef struct cell {
	size_t off, size; /* bytes in tw->text */
	size_t width;     /* display columns of the text */
	size_t colw;      /* padded width of its column block; 0 for a line's last cell */
} cell;

typedef struct line {
	size_t first, n; /* cells[first .. first+n) */
} line;

struct tabwriter {
	size_t minwidth, tabwidth, padding;
	char padchar;
	unsigned flags;
	strbuf text;      /* cell contents, without the tabs and newlines */
	size_t cell_off;  /* where the cell being written starts in text */
	cell *cells;
	size_t ncells, cells_cap;
	line *lines;      /* lines[nlines - 1] is the line being written */
	size_t nlines, lines_cap;
	struct run {
		size_t start, width; /* first line of a column's open run, its width so far */
	} *runs;
	size_t runs_cap;
};

static void add_line(tabwriter *tw)
{
	tw->lines = xgrow(tw->lines, &tw->lines_cap, tw->nlines + 1, sizeof(line));
	tw->lines[tw->nlines++] = (line){.first = tw->ncells, .n = 0};
}

static void reset(tabwriter *tw)
{
	sb_reset(&tw->text);
	tw->cell_off = 0;
	tw->ncells = 0;
	tw->nlines = 0;
	add_line(tw);
}

tabwriter *tw_new(int minwidth, int tabwidth, int padding, char padchar, unsigned flags)
{
	tabwriter *tw = xcalloc(1, sizeof(*tw));
	tw->minwidth = minwidth > 0 ? (size_t)minwidth : 0;
	tw->tabwidth = tabwidth > 0 ? (size_t)tabwidth : 0;
	tw->padding = padding > 0 ? (size_t)padding : 0;
	tw->padchar = padchar;
	tw->flags = padchar == '\t' ? flags & ~(unsigned)TW_ALIGN_RIGHT : flags;
	reset(tw);
	return tw;
}

tabwriter *tw_new_docker(void)
{
	return tw_new(10, 1, 3, ' ', 0);
}

void tw_free(tabwriter *tw)
{
	if (!tw)
		return;
	sb_free(&tw->text);
	free(tw->cells);
	free(tw->lines);
	free(tw->runs);
	free(tw);
}

static void end_cell(tabwriter *tw)
{
	size_t size = tw->text.len - tw->cell_off;
	tw->cells = xgrow(tw->cells, &tw->cells_cap, tw->ncells + 1, sizeof(cell));
	tw->cells[tw->ncells++] = (cell){
		.off = tw->cell_off,
		.size = size,
		.width = utf8_width(sb_str(&tw->text) + tw->cell_off, size),
	};
	tw->lines[tw->nlines - 1].n++;
	tw->cell_off = tw->text.len;
}

void tw_write(tabwriter *tw, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\t' && s[i] != '\n')
			continue;
		sb_append(&tw->text, s + start, i - start);
		start = i + 1;
		end_cell(tw);
		if (s[i] == '\n')
			add_line(tw);
	}
	sb_append(&tw->text, s + start, n - start);
}

void tw_puts(tabwriter *tw, const char *s)
{
	tw_write(tw, s, strlen(s));
}

/* Columns of line l that belong to a column block: all cells but the last. */
static size_t line_cols(const line *l)
{
	return l->n ? l->n - 1 : 0;
}

static void close_run(tabwriter *tw, size_t col, size_t end)
{
	for (size_t i = tw->runs[col].start; i < end; i++)
		tw->cells[tw->lines[i].first + col].colw = tw->runs[col].width;
}

/* Gives every column cell the width of its block (see the comment on top). */
static void measure(tabwriter *tw)
{
	size_t open = 0; /* columns with an open run: 0 .. open-1 */
	for (size_t i = 0; i <= tw->nlines; i++) {
		size_t cols = i < tw->nlines ? line_cols(&tw->lines[i]) : 0;
		for (; open > cols; open--)
			close_run(tw, open - 1, i);
		tw->runs = xgrow(tw->runs, &tw->runs_cap, cols, sizeof(*tw->runs));
		for (; open < cols; open++)
			tw->runs[open] = (struct run){.start = i, .width = tw->minwidth};
		for (size_t c = 0; c < cols; c++) {
			size_t w = tw->cells[tw->lines[i].first + c].width + tw->padding;
			if (w > tw->runs[c].width)
				tw->runs[c].width = w;
		}
	}
}

static void put_padding(const tabwriter *tw, strbuf *out, size_t textw, size_t cellw)
{
	if (tw->padchar == '\t') {
		if (tw->tabwidth == 0)
			return;
		cellw = (cellw + tw->tabwidth - 1) / tw->tabwidth * tw->tabwidth;
		for (size_t n = (cellw - textw + tw->tabwidth - 1) / tw->tabwidth; n; n--)
			sb_putc(out, '\t');
		return;
	}
	for (size_t n = cellw > textw ? cellw - textw : 0; n; n--)
		sb_putc(out, tw->padchar);
}

static void put_line(const tabwriter *tw, strbuf *out, const line *l)
{
	for (size_t j = 0; j < l->n; j++) {
		const cell *c = &tw->cells[l->first + j];
		const char *text = sb_str(&tw->text) + c->off;
		bool padded = j + 1 < l->n;
		if (j > 0 && (tw->flags & TW_DEBUG))
			sb_putc(out, '|');
		if (padded && (tw->flags & TW_ALIGN_RIGHT))
			put_padding(tw, out, c->width, c->colw);
		sb_append(out, text, c->size);
		if (padded && !(tw->flags & TW_ALIGN_RIGHT))
			put_padding(tw, out, c->width, c->colw);
	}
}

void tw_flush(tabwriter *tw, strbuf *out)
{
	if (tw->text.len > tw->cell_off)
		end_cell(tw);
	measure(tw);
	for (size_t i = 0; i < tw->nlines; i++) {
		put_line(tw, out, &tw->lines[i]);
		if (i + 1 < tw->nlines)
			sb_putc(out, '\n');
	}
	reset(tw);
}
