/* jsonutil.c: see jsonutil.h. */
#include "jsonutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define JSON_MAX_DEPTH 64

json_object *json_parse_strict(const char *buf, size_t len, err_t **err)
{
	if (!buf || len == 0) {
		err_invalid(err, "empty JSON body");
		return NULL;
	}
	if (len > INT32_MAX) {
		err_set(err, ERR_TOO_LARGE, 0, "JSON body too large");
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		err_invalid(err, "invalid JSON: NUL byte in input");
		return NULL;
	}
	json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *o = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		if (o)
			json_object_put(o);
		if (jerr == json_tokener_continue)
			err_invalid(err, "invalid JSON: unexpected end of input");
		else
			err_invalid(err, "invalid JSON: %s", json_tokener_error_desc(jerr));
		return NULL;
	}
	while (used < len && strchr(" \t\r\n", buf[used]))
		used++;
	if (used != len) {
		json_object_put(o);
		err_invalid(err, "invalid JSON: trailing data after the value");
		return NULL;
	}
	return o;
}

json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *jget_str(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t jget_int(json_object *o, const char *key, int64_t def)
{
	json_object *v = jget(o, key);
	if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return def;
	return json_object_get_int64(v);
}

bool jget_bool(json_object *o, const char *key, bool def)
{
	json_object *v = jget(o, key);
	if (!v || !json_object_is_type(v, json_type_boolean))
		return def;
	return json_object_get_boolean(v);
}

json_object *jget_obj(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

json_object *jget_arr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);
	return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

static json_object *shared_empty;
static pthread_once_t shared_empty_once = PTHREAD_ONCE_INIT;

static void make_shared_empty(void)
{
	shared_empty = json_object_new_object();
}

json_object *jobj_or_empty(json_object *o)
{
	if (o && json_object_is_type(o, json_type_object))
		return o;
	pthread_once(&shared_empty_once, make_shared_empty);
	return shared_empty;
}

json_object *jget_path(json_object *o, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	json_object *cur = o;
	for (char *k = strtok_r(copy, ".", &save); k && cur; k = strtok_r(NULL, ".", &save))
		cur = jget(cur, k);
	free(copy);
	return cur;
}

void jset(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

void jset_str(json_object *o, const char *key, const char *v)
{
	jset(o, key, jstr(v));
}

void jset_strn(json_object *o, const char *key, const char *v)
{
	jset(o, key, v ? json_object_new_string(v) : NULL);
}

void jset_int(json_object *o, const char *key, int64_t v)
{
	jset(o, key, json_object_new_int64(v));
}

void jset_bool(json_object *o, const char *key, bool v)
{
	jset(o, key, json_object_new_boolean(v));
}

json_object *jstrv(char *const *v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

char **jarr_to_strv(json_object *arr, const char *what, err_t **err)
{
	if (!arr || json_object_is_type(arr, json_type_null))
		return xcalloc(1, sizeof(char *));
	if (!json_object_is_type(arr, json_type_array)) {
		err_invalid(err, "%s must be an array of strings", what);
		return NULL;
	}
	size_t n = json_object_array_length(arr);
	char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (!e || !json_object_is_type(e, json_type_string)) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			err_invalid(err, "%s must be an array of strings", what);
			return NULL;
		}
		v[i] = xstrdup(json_object_get_string(e));
	}
	return v;
}

const char *jdump(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

json_object *jclone(json_object *o)
{
	json_object *copy = NULL;
	if (o && json_object_deep_copy(o, &copy, NULL) != 0)
		abort(); /* only on allocation failure */
	return copy;
}
