/* event_filter.c: GET /events selection, following moby's events filter:
 * `type`, `scope` and `event` match exactly (event fuzzily for exec_* and
 * health_status, whose actions carry a suffix); `container`, `daemon`,
 * `network`, `volume`, `plugin`... match the actor's ID or name by prefix;
 * `image` matches the ID or the image name with or without its tag; every
 * `label` given must be present (with its value when one is given). */
#include "event_filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "xalloc.h"

static const char *const accepted_keys[] = {
	"container", "daemon", "event", "image", "label", "network", "node", "plugin",
	"scope", "secret", "service", "type", "volume", "config",
};

/* "sec[.frac]" as the API sends times; frac is scaled to nanoseconds. */
static int parse_api_time(const char *key, const char *v, int64_t *out, err_t **err)
{
	char *end = NULL;
	errno = 0;
	long long sec = strtoll(v, &end, 10);
	if (errno || end == v || (*end && *end != '.'))
		return err_invalid(err, "invalid value for %s: %s: expected seconds since the epoch", key, v);
	long long nano = 0;
	if (*end == '.') {
		const char *f = end + 1;
		size_t digits = strspn(f, "0123456789");
		if (digits == 0 || f[digits] || digits > 9)
			return err_invalid(err, "invalid value for %s: %s: bad fraction", key, v);
		nano = strtoll(f, NULL, 10);
		for (size_t i = digits; i < 9; i++)
			nano *= 10;
	}
	if (sec > INT64_MAX / 1000000000LL - 1 || sec < INT64_MIN / 1000000000LL + 1)
		return err_invalid(err, "invalid value for %s: %s: out of range", key, v);
	*out = sec * 1000000000LL + nano;
	return 0;
}

static bool key_accepted(const char *k)
{
	for (size_t i = 0; i < ARRAY_SIZE(accepted_keys); i++)
		if (!strcmp(accepted_keys[i], k))
			return true;
	return false;
}

/* Both wire forms: {"k":{"v":true}} and the legacy {"k":["v"]}. */
static int parse_filters(const char *s, json_object **out, err_t **err)
{
	*out = NULL;
	if (!s || !*s)
		return 0;
	_cleanup_json_ json_object *in = json_parse_strict(s, strlen(s), err);
	if (!in)
		return err_wrap(err, "invalid filters");
	if (!json_object_is_type(in, json_type_object))
		return err_invalid(err, "invalid filters: expected a JSON object");
	_cleanup_json_ json_object *f = json_object_new_object();
	json_object_object_foreach(in, k, v) {
		if (!key_accepted(k))
			return err_invalid(err, "invalid filter '%s'", k);
		json_object *vals = json_object_new_array();
		jset(f, k, vals);
		if (json_object_is_type(v, json_type_object)) {
			json_object_object_foreach(v, vk, vv) {
				if (!json_object_is_type(vv, json_type_boolean))
					return err_invalid(err, "invalid filters: value of %s must be a boolean", vk);
				if (json_object_get_boolean(vv))
					json_object_array_add(vals, jstr(vk));
			}
		} else if (json_object_is_type(v, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				json_object *e = json_object_array_get_idx(v, i);
				if (!json_object_is_type(e, json_type_string))
					return err_invalid(err, "invalid filters: values of %s must be strings", k);
				json_object_array_add(vals, json_object_get(e));
			}
		} else {
			return err_invalid(err, "invalid filters: values of %s must be an object or array", k);
		}
	}
	*out = steal_ptr(&f);
	return 0;
}

int event_query_parse(event_query *q, const char *since, const char *until, const char *filters,
		      int64_t now_nano, err_t **err)
{
	(void)now_nano;
	memset(q, 0, sizeof(*q));
	if (since && *since) {
		if (parse_api_time("since", since, &q->since_nano, err) < 0)
			return -1;
		q->has_since = true;
	}
	if (until && *until) {
		if (parse_api_time("until", until, &q->until_nano, err) < 0)
			return -1;
		q->has_until = true;
	}
	return parse_filters(filters, &q->filters, err);
}

void event_query_free(event_query *q)
{
	if (q->filters)
		json_object_put(q->filters);
	q->filters = NULL;
}

static json_object *values(const event_query *q, const char *key)
{
	json_object *v = jget_arr(q->filters, key);
	return v && json_object_array_length(v) ? v : NULL;
}

static bool exact(const event_query *q, const char *key, const char *s)
{
	json_object *v = values(q, key);
	if (!v)
		return true;
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(v, i)), s ? s : ""))
			return true;
	return false;
}

static bool fuzzy(const event_query *q, const char *key, const char *s)
{
	json_object *v = values(q, key);
	if (!v)
		return true;
	if (!s)
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *want = json_object_get_string(json_object_array_get_idx(v, i));
		if (!strncmp(s, want, strlen(want)))
			return true;
	}
	return false;
}

static bool fuzzy_name(const event_query *q, const char *key, const event *e)
{
	return fuzzy(q, key, e->actor_id) || fuzzy(q, key, jget_str(e->attrs, "name"));
}

static bool match_event(const event_query *q, const event *e)
{
	json_object *v = values(q, "event");
	if (!v)
		return true;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *w = json_object_get_string(json_object_array_get_idx(v, i));
		if (!strcmp(w, "health_status") || !strcmp(w, "exec_create") || !strcmp(w, "exec_start"))
			return fuzzy(q, "event", e->action);
	}
	return exact(q, "event", e->action);
}

/* "busybox:latest" -> "busybox"; a port colon before the last slash stays. */
static char *strip_tag(const char *s)
{
	const char *colon = strrchr(s, ':');
	const char *slash = strrchr(s, '/');
	if (!colon || (slash && slash > colon))
		return xstrdup(s);
	return xstrndup(s, (size_t)(colon - s));
}

static bool match_image(const event_query *q, const event *e)
{
	if (!values(q, "image"))
		return true;
	const char *name = jget_str(e->attrs, strcmp(e->type, "image") ? "image" : "name");
	_cleanup_free_ char *id_nt = strip_tag(e->actor_id);
	_cleanup_free_ char *name_nt = strip_tag(name ? name : "");
	return exact(q, "image", e->actor_id) || (name && exact(q, "image", name)) ||
	       exact(q, "image", id_nt) || (name && exact(q, "image", name_nt));
}

static bool match_labels(const event_query *q, const event *e)
{
	json_object *v = values(q, "label");
	if (!v)
		return true;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(v, i));
		const char *eq = strchr(kv, '=');
		_cleanup_free_ char *k = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
		const char *have = jget_str(e->attrs, k);
		if (!have || (eq && strcmp(have, eq + 1) != 0))
			return false;
	}
	return true;
}

bool event_query_match(const event_query *q, const event *e)
{
	if (q->has_since && e->time_nano < q->since_nano)
		return false;
	if (!q->filters)
		return true;
	static const char *const by_name[] = {"container", "daemon", "network", "volume", "plugin",
					      "node", "service", "secret", "config"};
	for (size_t i = 0; i < ARRAY_SIZE(by_name); i++)
		if (!fuzzy_name(q, by_name[i], e))
			return false;
	return exact(q, "type", e->type) && exact(q, "scope", e->scope) && match_event(q, e) &&
	       match_image(q, e) && match_labels(q, e);
}
