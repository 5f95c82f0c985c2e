/* gojson.c: see gojson.h. Objects keep json-c's member order (a Go struct's
 * field order, when the object came from a Go daemon) unless asked to sort. */
#include "gojson.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gonum.h"
#include "utf8.h"
#include "xalloc.h"

#define GOJSON_MAX_DEPTH 1000

static bool ascii_safe(unsigned char c, unsigned flags)
{
	if (c < 0x20 || c == '"' || c == '\\')
		return false;
	if ((flags & GOJSON_ESCAPE_HTML) && (c == '<' || c == '>' || c == '&'))
		return false;
	return true;
}

static void put_escaped_ascii(strbuf *sb, unsigned char c)
{
	switch (c) {
	case '"': sb_puts(sb, "\\\""); break;
	case '\\': sb_puts(sb, "\\\\"); break;
	case '\b': sb_puts(sb, "\\b"); break;
	case '\f': sb_puts(sb, "\\f"); break;
	case '\n': sb_puts(sb, "\\n"); break;
	case '\r': sb_puts(sb, "\\r"); break;
	case '\t': sb_puts(sb, "\\t"); break;
	default: sb_printf(sb, "\\u%04x", c); break;
	}
}

void gojson_string(strbuf *sb, const char *s, size_t n, unsigned flags)
{
	size_t i = 0, used;
	sb_putc(sb, '"');
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if (ascii_safe(c, flags))
				sb_putc(sb, (char)c);
			else
				put_escaped_ascii(sb, c);
			i++;
			continue;
		}
		uint32_t r = utf8_decode(s + i, n - i, &used);
		if (r == UTF8_ERROR && used == 1)
			sb_puts(sb, "\\ufffd");
		else if (r == 0x2028 || r == 0x2029)
			sb_printf(sb, "\\u%04x", r);
		else
			sb_append(sb, s + i, used);
		i += used;
	}
	sb_putc(sb, '"');
}

static int put_value(strbuf *sb, json_object *v, unsigned flags, int depth, err_t **err);

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The object's keys, sorted if asked; the array is the caller's, the keys v's. */
static const char **object_keys(json_object *v, unsigned flags, size_t *n)
{
	*n = (size_t)json_object_object_length(v);
	const char **keys = xcalloc(*n + 1, sizeof(char *));
	size_t i = 0;
	json_object_object_foreach(v, k, val) {
		(void)val;
		keys[i++] = k;
	}
	if (flags & GOJSON_SORT_KEYS)
		qsort(keys, *n, sizeof(char *), cmp_keys);
	return keys;
}

static int put_object(strbuf *sb, json_object *v, unsigned flags, int depth, err_t **err)
{
	size_t n;
	const char **keys = object_keys(v, flags, &n);
	int r = 0;
	sb_putc(sb, '{');
	for (size_t i = 0; i < n && r == 0; i++) {
		if (i)
			sb_putc(sb, ',');
		gojson_string(sb, keys[i], strlen(keys[i]), flags);
		sb_putc(sb, ':');
		r = put_value(sb, json_object_object_get(v, keys[i]), flags, depth + 1, err);
	}
	sb_putc(sb, '}');
	free(keys);
	return r;
}

static int put_array(strbuf *sb, json_object *v, unsigned flags, int depth, err_t **err)
{
	size_t n = json_object_array_length(v);
	sb_putc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(sb, ',');
		if (put_value(sb, json_object_array_get_idx(v, i), flags, depth + 1, err) < 0)
			return -1;
	}
	sb_putc(sb, ']');
	return 0;
}

/* json-c keeps integers past INT64_MAX as uint64. */
static void put_int(strbuf *sb, json_object *v)
{
	int64_t i = json_object_get_int64(v);
	if (i == INT64_MAX)
		sb_printf(sb, "%" PRIu64, json_object_get_uint64(v));
	else
		sb_printf(sb, "%" PRId64, i);
}

static int put_value(strbuf *sb, json_object *v, unsigned flags, int depth, err_t **err)
{
	if (depth > GOJSON_MAX_DEPTH)
		return err_invalid(err, "json: value nested too deeply");
	switch (json_object_get_type(v)) {
	case json_type_null: sb_puts(sb, "null"); return 0;
	case json_type_boolean: sb_puts(sb, json_object_get_boolean(v) ? "true" : "false"); return 0;
	case json_type_int: put_int(sb, v); return 0;
	case json_type_double: gonum_float_json(sb, json_object_get_double(v)); return 0;
	case json_type_string:
		gojson_string(sb, json_object_get_string(v), (size_t)json_object_get_string_len(v), flags);
		return 0;
	case json_type_object: return put_object(sb, v, flags, depth, err);
	case json_type_array: return put_array(sb, v, flags, depth, err);
	}
	sb_puts(sb, "null");
	return 0;
}

int gojson_value(strbuf *sb, json_object *v, unsigned flags, err_t **err)
{
	return put_value(sb, v, flags, 0, err);
}
