/* filters.h: Docker's `filters` query parameter (moby's api/types/filters).
 *
 * A filter set maps names to sets of values: `{"label":{"a=b":true}}` on the
 * wire since API 1.22, `{"label":["a=b"]}` before (both are accepted; "" and
 * "{}" mean no filters). Values under one name are ORed, names are ANDed by
 * the caller. The CLI builds one from repeated `--filter name=value` and sends
 * it as map-of-bools JSON. Messages are docker's: "invalid filter 'foo'",
 * "invalid filter 'dangling=[xyz]'". */
#ifndef ENGINE_FILTERS_H
#define ENGINE_FILTERS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"

typedef struct filters filters;

filters *filters_new(void);
void filters_free(filters *f);
/* Reads the query parameter (NULL or "" = empty set). Anything but an object
 * of objects of booleans or an object of arrays of strings is ERR_INVALID. */
int filters_parse(const char *json, filters **out, err_t **err);
/* Serialises as the CLI sends it: keys sorted, "" for an empty set. */
char *filters_to_json(const filters *f);

void filters_add(filters *f, const char *name, const char *value);
/* One `--filter name=value` argument: name lower-cased, both trimmed. */
int filters_add_arg(filters *f, const char *arg, err_t **err);

/* Number of names. */
int filters_len(const filters *f);
bool filters_contains(const filters *f, const char *name);
/* The values given for name, sorted (empty vector if none); free with strv_free. */
char **filters_get(const filters *f, const char *name);
/* Fails with "invalid filter 'name'" for the first name (in sorted order)
 * not in the NULL-terminated list accepted. */
int filters_validate(const filters *f, const char *const *accepted, err_t **err);

/* docker's ExactMatch: true if name has no values, or value is one of them. */
bool filters_match(const filters *f, const char *name, const char *value);
/* docker's Args.Match: true if name has no values, or value equals one of
 * them or one of them, as a POSIX extended regular expression, matches it
 * (a value that does not compile only matches by equality). */
bool filters_match_re(const filters *f, const char *name, const char *value);
/* docker's FuzzyMatch: also true when value starts with one of them. */
bool filters_match_prefix(const filters *f, const char *name, const char *value);
/* docker's MatchKVList (label filters): for every value "k" or "k=v" of name,
 * labels (an object of strings, or NULL) must have k, and with value v; true
 * if name has no values. */
bool filters_match_kv(const filters *f, const char *name, json_object *labels);
/* Go's path.Match glob: '*', '?', '[a-z]', '[^x]', '\' escapes; '*' and '?'
 * never cross '/'. A malformed pattern fails with "syntax error in pattern". */
int filters_glob(const char *pattern, const char *s, bool *matched, err_t **err);
/* 1 if name has no values or one of them (a glob) matches s, else 0; -1 on a
 * malformed pattern. */
int filters_match_glob(const filters *f, const char *name, const char *s, err_t **err);
/* docker's GetBoolOrDefault: def if name is absent; true for "true"/"1",
 * false for "false"/"0"; both or anything else is "invalid filter 'name=[v]'". */
int filters_get_bool(const filters *f, const char *name, bool def, bool *out, err_t **err);

static inline void cleanup_filtersp(filters **f)
{
	filters_free(*f);
}
#define _cleanup_filters_ __attribute__((cleanup(cleanup_filtersp)))

#endif
