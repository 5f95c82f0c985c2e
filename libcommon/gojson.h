/* gojson.h: compact JSON text exactly as Go's encoding/json writes it.
 *
 * json-c's own writer differs from Go in ways users see: Go escapes U+2028,
 * U+2029 and (unless told not to) <, > and &, writes \b, \f and \u001f for
 * control bytes, replaces invalid UTF-8 with \ufffd, prints doubles in their
 * shortest form and sorts map keys. docker's `{{json .}}` is Go's encoder
 * with HTML escaping off; the CLI's filters JSON is json.Marshal (on, sorted). */
#ifndef ENGINE_GOJSON_H
#define ENGINE_GOJSON_H

#include <json-c/json.h>
#include <stddef.h>

#include "err.h"
#include "strbuf.h"

enum {
	GOJSON_ESCAPE_HTML = 1 << 0, /* <, >, & as \u003c, \u003e, \u0026 */
	GOJSON_SORT_KEYS = 1 << 1,   /* object members by key, as for a Go map */
};

/* Appends s[0..n) as a JSON string literal. */
void gojson_string(strbuf *sb, const char *s, size_t n, unsigned flags);
/* Appends v (NULL is null). Fails with ERR_INVALID past 1000 levels of nesting. */
int gojson_value(strbuf *sb, json_object *v, unsigned flags, err_t **err);

#endif
