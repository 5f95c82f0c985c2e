/* api/schema.h: table-driven checking of the JSON objects clients send.
 *
 * A schema is a list of fields with the type Docker's Go struct gives them and
 * the value Docker reports when the client left the field out. Normalising an
 * input object checks every field the schema knows (a wrong type is a 400
 * naming the field, as Go's decoder does), ignores unknown keys (as Go does),
 * and returns a new object with every field present, in Docker's order, so
 * inspect answers have the shape clients expect. */
#ifndef ENGINE_API_SCHEMA_H
#define ENGINE_API_SCHEMA_H

#include <json-c/json.h>

#include "err.h"

typedef enum schema_type {
	S_STR,        /* string, default "" */
	S_BOOL,       /* bool, default false */
	S_INT,        /* integer, default 0 */
	S_INT_NULL,   /* integer or null, default null */
	S_BOOL_NULL,  /* bool or null, default null */
	S_STRV,       /* array of strings or null, default null */
	S_STRV_EMPTY, /* array of strings, default [] (null becomes []) */
	S_MAP_STR,    /* object of strings or null, default null */
	S_MAP_STR_EMPTY, /* object of strings, default {} */
	S_SET,        /* object whose values are {} (ExposedPorts, Volumes), default null */
	S_OBJ,        /* any object or null, default null */
	S_OBJ_EMPTY,  /* any object, default {} */
	S_ARR,        /* any array or null, default null */
	S_ARR_EMPTY,  /* any array, default [] */
	S_SUB,        /* nested schema, always present */
	S_INT_PAIR,   /* [int, int] or null, default [0, 0] */
	S_STR_OMIT,   /* string, left out when empty (omitempty) */
	S_INT_OMIT,   /* integer, left out when absent */
	S_ANY_OMIT,   /* any value, left out when absent */
} schema_type;

typedef struct schema_field {
	const char *name;
	schema_type type;
	const struct schema_field *sub; /* for S_SUB; NULL-name terminated */
} schema_field;

/* Returns a new normalised object, or NULL with ERR_INVALID naming
 * "<what>.<field>". `in` may be NULL (all defaults). */
json_object *schema_normalize(const schema_field *schema, json_object *in, const char *what,
			      err_t **err);

extern const schema_field schema_container_config[];
extern const schema_field schema_host_config[];

#endif
