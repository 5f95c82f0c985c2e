/* imgfilter.c: see imgfilter.h. */
#include "imgfilter.h"

#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

void img_filters_free(img_filters *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->f[i].key);
		strv_free(f->f[i].vals);
	}
	free(f->f);
	f->f = NULL;
	f->n = 0;
}

static char **values_of(json_object *v, const char *key, err_t **err)
{
	if (json_object_is_type(v, json_type_array))
		return jarr_to_strv(v, "filter values", err);
	if (!json_object_is_type(v, json_type_object)) {
		err_invalid(err, "invalid filter '%s'", key);
		return NULL;
	}
	size_t n = 0;
	char **out = xcalloc((size_t)json_object_object_length(v) + 1, sizeof(char *));
	json_object_object_foreach(v, k, b)
	{
		if (json_object_get_boolean(b))
			out[n++] = xstrdup(k);
	}
	return out;
}

static bool accepted_key(const char *key, const char *const *accepted)
{
	for (; accepted && *accepted; accepted++)
		if (!strcmp(key, *accepted))
			return true;
	return false;
}

int img_filters_parse(const char *text, const char *const *accepted, img_filters *out,
		      err_t **err)
{
	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return 0;
	_cleanup_err_ err_t *perr = NULL;
	_cleanup_json_ json_object *o = json_parse_strict(text, strlen(text), &perr);
	if (!o || !json_object_is_type(o, json_type_object))
		return err_invalid(err, "invalid filter: %s", perr ? perr->msg : "not a JSON object");
	out->f = xcalloc((size_t)json_object_object_length(o) + 1, sizeof(img_filter));
	json_object_object_foreach(o, k, v)
	{
		if (!accepted_key(k, accepted)) {
			img_filters_free(out);
			return err_invalid(err, "invalid filter '%s'", k);
		}
		char **vals = values_of(v, k, err);
		if (!vals) {
			img_filters_free(out);
			return -1;
		}
		out->f[out->n].key = xstrdup(k);
		out->f[out->n++].vals = vals;
	}
	return 0;
}

char *const *img_filters_get(const img_filters *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->f[i].key, key))
			return f->f[i].vals;
	return NULL;
}

static int invalid_value(const char *key, char *const *vals, err_t **err)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; vals[i]; i++)
		sb_printf(&sb, "%s%s", i ? "," : "", vals[i]);
	return err_invalid(err, "invalid filter '%s=%s'", key, sb_str(&sb));
}

int img_filters_bool(const img_filters *f, const char *key, bool def, bool *out, err_t **err)
{
	char *const *v = img_filters_get(f, key);
	*out = def;
	if (!v || !v[0])
		return 0;
	if (v[1])
		return invalid_value(key, v, err);
	if (!strcasecmp(v[0], "true") || !strcmp(v[0], "1"))
		*out = true;
	else if (!strcasecmp(v[0], "false") || !strcmp(v[0], "0"))
		*out = false;
	else
		return invalid_value(key, v, err);
	return 0;
}

bool img_filters_match_kv(const img_filters *f, const char *key, json_object *labels)
{
	char *const *v = img_filters_get(f, key);
	if (!v)
		return true;
	for (; *v; v++) {
		const char *eq = strchr(*v, '=');
		_cleanup_free_ char *k = eq ? xstrndup(*v, (size_t)(eq - *v)) : xstrdup(*v);
		json_object *have = jget(labels, k);
		if (!have)
			return false;
		if (eq && strcmp(json_object_get_string(have), eq + 1))
			return false;
	}
	return true;
}
