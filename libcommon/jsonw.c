/* jsonw.c: see jsonw.h. */
#include "jsonw.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"

void jw_init(jsonw *w, strbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->first[0] = true;
}

/* The comma and the key before a value. */
static void member(jsonw *w, const char *key)
{
	if (!w->first[w->depth])
		sb_putc(w->sb, ',');
	w->first[w->depth] = false;
	if (key) {
		gojson_string(w->sb, key, strlen(key), GOJSON_ESCAPE_HTML);
		sb_putc(w->sb, ':');
	}
}

static void open_level(jsonw *w, const char *key, char c)
{
	member(w, key);
	if (w->depth + 1 >= JSONW_MAX_DEPTH)
		abort();
	sb_putc(w->sb, c);
	w->first[++w->depth] = true;
}

void jw_obj(jsonw *w, const char *key)
{
	open_level(w, key, '{');
}

void jw_obj_end(jsonw *w)
{
	sb_putc(w->sb, '}');
	w->depth--;
}

void jw_arr(jsonw *w, const char *key)
{
	open_level(w, key, '[');
}

void jw_arr_end(jsonw *w)
{
	sb_putc(w->sb, ']');
	w->depth--;
}

void jw_str(jsonw *w, const char *key, const char *v)
{
	member(w, key);
	v = v ? v : "";
	gojson_string(w->sb, v, strlen(v), GOJSON_ESCAPE_HTML);
}

void jw_int(jsonw *w, const char *key, int64_t v)
{
	member(w, key);
	sb_printf(w->sb, "%" PRId64, v);
}

void jw_bool(jsonw *w, const char *key, bool v)
{
	member(w, key);
	sb_puts(w->sb, v ? "true" : "false");
}

void jw_null(jsonw *w, const char *key)
{
	member(w, key);
	sb_puts(w->sb, "null");
}

void jw_strv(jsonw *w, const char *key, char *const *v)
{
	jw_arr(w, key);
	for (; v && *v; v++)
		jw_str(w, NULL, *v);
	jw_arr_end(w);
}
