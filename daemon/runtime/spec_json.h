/* spec_json.h: typed, bounded readers of JSON fields for the config.json and
 * seccomp profile parsers. Each checks the JSON type, the range and (for
 * strings) that no NUL hides inside, and names the field in its error. A
 * missing optional field leaves *out untouched and returns 0. */
#ifndef ENGINE_RT_SPEC_JSON_H
#define ENGINE_RT_SPEC_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "jsonutil.h"

int sj_str(json_object *o, const char *key, bool required, char **out, err_t **err);
/* A NULL-terminated vector; a missing key gives NULL. */
int sj_strv(json_object *o, const char *key, char ***out, err_t **err);
int sj_bool(json_object *o, const char *key, bool *out, err_t **err);
int sj_i64(json_object *o, const char *key, int64_t *out, err_t **err);
int sj_u64(json_object *o, const char *key, uint64_t *out, err_t **err);
int sj_u32(json_object *o, const char *key, uint32_t *out, err_t **err);
/* The same checks on a bare value; `what` names it in the error. */
int sj_u64_value(json_object *v, const char *what, uint64_t *out, err_t **err);
int sj_u32_value(json_object *v, const char *what, uint32_t *out, err_t **err);

/* The string value of v (a JSON string without NUL bytes), or NULL. */
const char *sj_string_value(json_object *v);
/* An array with at most RT_SPEC_MAX_ITEMS entries, NULL when missing; *bad is
 * set (with *err) when the key holds something else. */
json_object *sj_array(json_object *o, const char *key, bool *bad, err_t **err);
/* An object, NULL when missing; *bad when it is not an object. */
json_object *sj_object(json_object *o, const char *key, bool *bad, err_t **err);

#endif
