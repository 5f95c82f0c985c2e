/* jsonw.h: a JSON text writer straight into a strbuf, for hot answers
 * (GET /info) where building a json-c tree only to print and free it costs
 * more than the rest of the request. Members come out in call order;
 * strings are escaped as Go's encoding/json does (gojson_string). */
#ifndef ENGINE_JSONW_H
#define ENGINE_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define JSONW_MAX_DEPTH 16

typedef struct jsonw {
	strbuf *sb;
	int depth;
	bool first[JSONW_MAX_DEPTH]; /* nothing written yet at this level */
} jsonw;

/* key is the member name inside an object, NULL inside an array or at the
 * top. Nesting deeper than JSONW_MAX_DEPTH aborts (a programming error). */
void jw_init(jsonw *w, strbuf *sb);
void jw_obj(jsonw *w, const char *key);
void jw_obj_end(jsonw *w);
void jw_arr(jsonw *w, const char *key);
void jw_arr_end(jsonw *w);
void jw_str(jsonw *w, const char *key, const char *v); /* NULL -> "" */
void jw_int(jsonw *w, const char *key, int64_t v);
void jw_bool(jsonw *w, const char *key, bool v);
void jw_null(jsonw *w, const char *key);
/* An array of strings from a NULL-terminated vector (NULL -> []). */
void jw_strv(jsonw *w, const char *key, char *const *v);

#endif
