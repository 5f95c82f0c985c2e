/* template.h: the Go text/template language behind `docker ... --format`,
 * evaluated against json-c data.
 *
 * The data is what Go would see as map[string]interface{} built from JSON,
 * except that JSON integers stay integers (as the typed fields of docker's Go
 * structs do): {{.Size}} prints 1234567, not 1.234567e+06. So:
 * - {{.Field}} / {{.A.B}} / {{$x.A}} / {{(pipe).A}} look up object members; a
 *   missing member is Go's "no value" (printed <no value>, false, empty);
 *   JSON null prints <no value> too when printed directly, <nil> in print.
 * - strings print raw, integers in decimal, other numbers as Go's %v (1.5,
 *   1e+06), booleans true/false, objects map[k:v ...] with sorted keys,
 *   arrays [a b c].
 * - Actions: text, {{pipeline}}, comments, {{- trim -}}, {{if}},
 *   {{else if}}, {{else with}}, {{else}}, {{range}} (arrays, objects in key
 *   order, integers; {{break}}, {{continue}}), {{with}}, {{$x := ...}},
 *   {{$x = ...}}, pipelines with |, parentheses.
 * - Functions: Go's and, or, not, len, index, slice, eq, ne, lt, le, gt, ge,
 *   print, printf, println, html, js, urlquery; docker's json, split, join,
 *   title, lower, upper, pad, truncate.
 * - Method-like fields: {{.Label "com.x"}} reads the "Labels" object of the
 *   data ("" when the label is absent), as docker's Label methods do; any
 *   {{.Name "arg"}} on an object without "Name" indexes its "Names" object.
 * Not supported: {{define}}, {{template}}, {{block}}, complex numbers.
 *
 * Errors read as Go's ("template: :1: function \"foo\" not defined",
 * "template: :1:2: executing \"\" at <.X>: ..."). Nesting is bounded, so no
 * input can exhaust the stack; output size is not bounded. */
#ifndef ENGINE_TEMPLATE_H
#define ENGINE_TEMPLATE_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"
#include "strbuf.h"

typedef struct tmpl tmpl_t;

enum {
	/* Go's missingkey=error: a missing member is an error, not <no value>. */
	TMPL_MISSINGKEY_ERROR = 1 << 0,
	/* docker's table header pass: json, split, join, title, lower, upper and
	 * truncate return their first argument unchanged, so that executing the
	 * template on {"ID":"CONTAINER ID",...} prints the column titles. */
	TMPL_HEADER = 1 << 1,
	/* For untrusted templates (and fuzzing): stop with an error after a
	 * million steps or 1 MiB of output, and cap strings at 1 MiB. Strings
	 * are always capped at 64 MiB, so no template can exhaust memory by
	 * doubling a value. */
	TMPL_LIMITED = 1 << 2,
};

/* Parses src; ERR_INVALID with Go's message on a bad template. */
int tmpl_parse(const char *src, tmpl_t **out, err_t **err);
/* Appends the output for data to out. On an error out keeps what was
 * written before it, as Go's Execute leaves it. */
int tmpl_exec(const tmpl_t *t, json_object *data, strbuf *out, err_t **err);
int tmpl_exec_flags(const tmpl_t *t, json_object *data, unsigned flags, strbuf *out, err_t **err);
void tmpl_free(tmpl_t *t);

static inline void cleanup_tmplp(tmpl_t **t)
{
	tmpl_free(*t);
}
#define _cleanup_tmpl_ __attribute__((cleanup(cleanup_tmplp)))

/* ---- docker's --format conventions (cli/command/formatter) ---- */

/* True for "table ..." formats (docker: the format starts with "table"). */
bool tmpl_is_table(const char *format);
/* The template text docker runs for a --format value: "table" dropped,
 * "json" as {{json .}}, surrounding spaces trimmed, the two-character
 * sequences \t and \n as a tab and a newline. Caller frees. */
char *tmpl_docker_source(const char *format);

#endif
