/* template_val.c: the values a template computes with.
 *
 * A value is what Go's reflection would hold for JSON-shaped data: nothing
 * (a missing key), a nil interface (JSON null), a bool, an int, a float64, a
 * string, or a map/array (kept as a json-c reference). `boxed` records that
 * Go would see the value through an interface{} (it was read out of a map or
 * an array), which decides a few of Go's messages and how nil behaves. */
#include "template_int.h"

#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "gonum.h"
#include "xalloc.h"

/* A copy of s[0..n), which may hold NUL bytes. */
static char *dup_bytes(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

val val_str(const char *s, size_t n)
{
	val v = {.k = V_STR};
	v.s.p = dup_bytes(s, n);
	v.s.n = n;
	return v;
}

val val_cstr(const char *s)
{
	return val_str(s, strlen(s));
}

val val_int(int64_t i)
{
	return (val){.k = V_INT, .goint = true, .i = i};
}

val val_bool(bool b)
{
	return (val){.k = V_BOOL, .b = b};
}

val val_from_json(json_object *j, bool boxed)
{
	val v = {.boxed = boxed};
	switch (json_object_get_type(j)) {
	case json_type_null: v.k = V_NIL; break;
	case json_type_boolean:
		v.k = V_BOOL;
		v.b = json_object_get_boolean(j);
		break;
	case json_type_int:
		v.k = V_INT;
		v.i = json_object_get_int64(j);
		break;
	case json_type_double:
		v.k = V_FLOAT;
		v.f = json_object_get_double(j);
		break;
	case json_type_string:
		v = val_str(json_object_get_string(j), (size_t)json_object_get_string_len(j));
		v.boxed = boxed;
		break;
	case json_type_object:
	case json_type_array:
		v.k = json_object_is_type(j, json_type_object) ? V_MAP : V_ARR;
		v.j = json_object_get(j);
		break;
	}
	return v;
}

val val_copy(const val *v)
{
	val c = *v;
	if (v->k == V_STR)
		c.s.p = dup_bytes(v->s.p, v->s.n);
	else if (v->k == V_MAP || v->k == V_ARR)
		json_object_get(v->j);
	return c;
}

void val_free(val *v)
{
	if (v->k == V_STR)
		free(v->s.p);
	else if (v->k == V_MAP || v->k == V_ARR)
		json_object_put(v->j);
	*v = VAL_MISSING;
}

void val_unbox(val *v)
{
	if (v->k == V_NIL)
		v->k = V_MISSING;
	v->boxed = false;
}

bool val_truth(const val *v)
{
	switch (v->k) {
	case V_BOOL: return v->b;
	case V_INT: return v->i != 0;
	case V_FLOAT: return v->f != 0;
	case V_STR: return v->s.n > 0;
	case V_MAP: return json_object_object_length(v->j) > 0;
	case V_ARR: return json_object_array_length(v->j) > 0;
	default: return false;
	}
}

bool val_is_string_array(const val *v)
{
	if (v->k != V_ARR)
		return false;
	for (size_t i = 0; i < json_object_array_length(v->j); i++)
		if (!json_object_is_type(json_object_array_get_idx(v->j, i), json_type_string))
			return false;
	return true;
}

const char *val_type(const val *v)
{
	switch (v->k) {
	case V_BOOL: return "bool";
	case V_INT: return v->byte ? "uint8" : v->goint ? "int" : "int64";
	case V_FLOAT: return "float64";
	case V_STR: return "string";
	case V_MAP: return "map[string]interface {}";
	case V_ARR: return "[]interface {}";
	default: return "<nil>";
	}
}

void val_print(strbuf *sb, const val *v)
{
	go_sprint(sb, v, 1);
}

int val_json(strbuf *sb, const val *v, err_t **err)
{
	switch (v->k) {
	case V_BOOL: sb_puts(sb, v->b ? "true" : "false"); return 0;
	case V_INT: sb_printf(sb, "%lld", (long long)v->i); return 0;
	case V_FLOAT: gonum_float_json(sb, v->f); return 0;
	case V_STR: gojson_string(sb, v->s.p, v->s.n, 0); return 0;
	case V_MAP:
	case V_ARR: return gojson_value(sb, v->j, 0, err);
	default: sb_puts(sb, "null"); return 0;
	}
}
