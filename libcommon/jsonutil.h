/* jsonutil.h: small, NULL-safe accessors over json-c and a strict parser for
 * outside input (bounded depth, no trailing bytes, clear messages). */
#ifndef ENGINE_JSONUTIL_H
#define ENGINE_JSONUTIL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

static inline void cleanup_jsonp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(cleanup_jsonp)))

/* Parses exactly one JSON value from buf[0..len); ERR_INVALID on any defect. */
json_object *json_parse_strict(const char *buf, size_t len, err_t **err);

/* Accessors: NULL/default when the key is missing or of another type. */
json_object *jget(json_object *o, const char *key);
const char *jget_str(json_object *o, const char *key);
int64_t jget_int(json_object *o, const char *key, int64_t def);
bool jget_bool(json_object *o, const char *key, bool def);
json_object *jget_obj(json_object *o, const char *key);
json_object *jget_arr(json_object *o, const char *key);
/* o when it is an object, else a shared empty object: safe to iterate with
 * json_object_object_foreach, never to modify. */
json_object *jobj_or_empty(json_object *o);
/* Follows a dotted path of object keys: jget_path(o, "State.Running"). */
json_object *jget_path(json_object *o, const char *path);

/* Builders that never fail (json-c aborts only on OOM in our xalloc world). */
void jset_str(json_object *o, const char *key, const char *v); /* NULL -> "" */
void jset_strn(json_object *o, const char *key, const char *v); /* NULL -> null */
void jset_int(json_object *o, const char *key, int64_t v);
void jset_bool(json_object *o, const char *key, bool v);
void jset(json_object *o, const char *key, json_object *v); /* takes v */
json_object *jstr(const char *s);
/* A JSON array of strings from a NULL-terminated vector (NULL -> empty array). */
json_object *jstrv(char *const *v);
/* NULL-terminated copy of an array of strings; non-strings fail with ERR_INVALID. */
char **jarr_to_strv(json_object *arr, const char *what, err_t **err);

/* A deep copy (NULL -> NULL). json-c's reference counts are not atomic
 * (Debian builds it without ENABLE_THREADING): an object other threads may
 * hold (records, the daemon's config, events) is never shared with
 * json_object_get, whose later json_object_put would race; it is copied. */
json_object *jclone(json_object *o);

/* Compact serialisation, no escaping of '/'. Owned by o. */
const char *jdump(json_object *o);

#endif
