/* output.h: how commands print, as the docker CLI prints: list commands
 * through a `--format` (default: their table) with docker's header row and
 * column alignment; inspect commands as an indented JSON array or, with
 * --format, one template result per object. */
#ifndef ENGINE_OUTPUT_H
#define ENGINE_OUTPUT_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"
#include "strbuf.h"

/* Prints rows (a JSON array of row objects, each a formatting context with
 * string fields) with format, or default_format when format is NULL/"".
 * "table" alone means the default table. header maps field names to column
 * titles. Returns 0, or -1 after printing a template error. */
int out_print_rows(const char *format, const char *default_format, json_object *rows,
		   json_object *header);

/* docker's inspect output: the array indented with 4 spaces, or format
 * applied to each element (each result followed by a newline). */
int out_print_inspect(json_object *items, const char *format);

/* Go's json.MarshalIndent(v, "", "    ") of v, with a trailing newline. */
void out_json_indent(strbuf *sb, json_object *v);

/* docker's formatter.Ellipsis: s cut to max display columns, ending in "…". */
char *out_ellipsis(const char *s, int max);
/* The first 12 hex digits of an ID, without "sha256:". */
char *out_short_id(const char *id);

#endif
