/* spec_json.c: typed JSON field readers for outside input (see spec_json.h).
 * json-c keeps integers as int64 or uint64; both are range-checked here so a
 * hostile "-1" never becomes a huge unsigned limit by accident. */
#include "spec_json.h"

#include <string.h>

#include "cleanup.h"
#include "spec.h"
#include "xalloc.h"

const char *sj_string_value(json_object *v)
{
	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	const char *s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return NULL;
	return s;
}

int sj_str(json_object *o, const char *key, bool required, char **out, err_t **err)
{
	json_object *v = jget(o, key);
	if (!v || json_object_is_type(v, json_type_null)) {
		if (required)
			return err_invalid(err, "%s is required", key);
		return 0;
	}
	const char *s = sj_string_value(v);
	if (!s)
		return err_invalid(err, "%s must be a string without NUL bytes", key);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

json_object *sj_array(json_object *o, const char *key, bool *bad, err_t **err)
{
	json_object *v = jget(o, key);
	*bad = false;
	if (!v || json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, json_type_array)) {
		*bad = true;
		err_invalid(err, "%s must be an array", key);
		return NULL;
	}
	if (json_object_array_length(v) > RT_SPEC_MAX_ITEMS) {
		*bad = true;
		err_invalid(err, "%s has more than %u entries", key, RT_SPEC_MAX_ITEMS);
		return NULL;
	}
	return v;
}

json_object *sj_object(json_object *o, const char *key, bool *bad, err_t **err)
{
	json_object *v = jget(o, key);
	*bad = false;
	if (!v || json_object_is_type(v, json_type_null))
		return NULL;
	if (!json_object_is_type(v, json_type_object)) {
		*bad = true;
		err_invalid(err, "%s must be an object", key);
		return NULL;
	}
	return v;
}

int sj_strv(json_object *o, const char *key, char ***out, err_t **err)
{
	bool bad;
	json_object *a = sj_array(o, key, &bad, err);
	if (bad)
		return -1;
	if (!a)
		return 0;
	size_t n = json_object_array_length(a);
	_cleanup_strv_ char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *s = sj_string_value(json_object_array_get_idx(a, i));
		if (!s)
			return err_invalid(err, "%s[%zu] must be a string without NUL bytes", key, i);
		v[i] = xstrdup(s);
	}
	strv_free(*out);
	*out = steal_ptr(&v);
	return 0;
}

int sj_bool(json_object *o, const char *key, bool *out, err_t **err)
{
	json_object *v = jget(o, key);
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return err_invalid(err, "%s must be a boolean", key);
	*out = json_object_get_boolean(v);
	return 0;
}

/* Reads an integer as int64 when it fits, telling whether it is a uint64 beyond. */
static int int_value(json_object *v, const char *key, int64_t *i, uint64_t *u, bool *big, err_t **err)
{
	if (!json_object_is_type(v, json_type_int))
		return err_invalid(err, "%s must be an integer", key);
	*i = json_object_get_int64(v);
	*u = json_object_get_uint64(v);
	*big = *i == INT64_MAX && *u > (uint64_t)INT64_MAX;
	return 0;
}

int sj_i64(json_object *o, const char *key, int64_t *out, err_t **err)
{
	json_object *v = jget(o, key);
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	int64_t i;
	uint64_t u;
	bool big;
	if (int_value(v, key, &i, &u, &big, err) < 0)
		return -1;
	if (big)
		return err_invalid(err, "%s is out of range", key);
	*out = i;
	return 0;
}

int sj_u64_value(json_object *v, const char *what, uint64_t *out, err_t **err)
{
	int64_t i;
	uint64_t u;
	bool big;
	if (int_value(v, what, &i, &u, &big, err) < 0)
		return -1;
	if (!big && i < 0)
		return err_invalid(err, "%s must not be negative", what);
	*out = big ? u : (uint64_t)i;
	return 0;
}

int sj_u32_value(json_object *v, const char *what, uint32_t *out, err_t **err)
{
	uint64_t u;
	if (sj_u64_value(v, what, &u, err) < 0)
		return -1;
	if (u > UINT32_MAX - 1) /* (uint32_t)-1 means "no id" to the kernel */
		return err_invalid(err, "%s is out of range", what);
	*out = (uint32_t)u;
	return 0;
}

int sj_u64(json_object *o, const char *key, uint64_t *out, err_t **err)
{
	json_object *v = jget(o, key);
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	return sj_u64_value(v, key, out, err);
}

int sj_u32(json_object *o, const char *key, uint32_t *out, err_t **err)
{
	json_object *v = jget(o, key);
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	return sj_u32_value(v, key, out, err);
}
