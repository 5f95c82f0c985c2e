/* outfmt.h: docker's --format output for listing commands (ps, images, ...).
 *
 * The flow of docker/cli's formatter.Context: the format is turned into a
 * template (tmpl_docker_source), each row is rendered and ends with a
 * newline; a "table" format then gets a header row (the same template run
 * over a json object of column titles in the header pass, whose errors are
 * ignored as docker ignores them) and everything goes through the tabwriter
 * docker uses (minwidth 10, tabwidth 1, padding 3). Errors read as docker's:
 * "template parsing error: template: :1: ...". */
#ifndef ENGINE_OUTFMT_H
#define ENGINE_OUTFMT_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"
#include "strbuf.h"

typedef struct outfmt outfmt;

int outfmt_new(const char *format, outfmt **out, err_t **err);
bool outfmt_is_table(const outfmt *f);
/* Renders one row (kept until outfmt_finish). */
int outfmt_row(outfmt *f, json_object *row, err_t **err);
/* Appends the output: for a table the header (from header, an object of
 * column titles by field name) and the aligned rows, else the rows. */
void outfmt_finish(outfmt *f, json_object *header, strbuf *out);
void outfmt_free(outfmt *f);

static inline void cleanup_outfmtp(outfmt **f)
{
	outfmt_free(*f);
}
#define _cleanup_outfmt_ __attribute__((cleanup(cleanup_outfmtp)))

#endif
