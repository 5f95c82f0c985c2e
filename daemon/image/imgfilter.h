/* imgfilter.h: Docker's `filters` query parameter as the image endpoints
 * read it: JSON, either {"key":{"value":true}} (current clients) or the
 * legacy {"key":["value"]}; unknown keys are refused with Docker's
 * "invalid filter 'key'". A small local version until libcommon has the
 * shared one. */
#ifndef ENGINE_IMAGE_IMGFILTER_H
#define ENGINE_IMAGE_IMGFILTER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

typedef struct img_filter {
	char *key;
	char **vals; /* NULL-terminated */
} img_filter;

typedef struct img_filters {
	img_filter *f;
	size_t n;
} img_filters;

/* Parses the query value (NULL or "" is no filter) and checks every key is
 * in accepted (NULL-terminated). ERR_INVALID otherwise. */
int img_filters_parse(const char *json_text, const char *const *accepted, img_filters *out,
		      err_t **err);
void img_filters_free(img_filters *f);
/* The values of key, or NULL when the key is absent. */
char *const *img_filters_get(const img_filters *f, const char *key);
/* Docker's GetBoolOrDefault: "true"/"1" or "false"/"0", only one value. */
int img_filters_bool(const img_filters *f, const char *key, bool def, bool *out, err_t **err);
/* Docker's MatchKVList: every "k" or "k=v" value of key must be in labels
 * (a JSON object of strings, may be NULL). True when key is absent. */
bool img_filters_match_kv(const img_filters *f, const char *key, json_object *labels);

#endif
