/* event_filter.c: GET /events selection, following moby's events filter:
 * `type`, `scope` and `event` match exactly (event fuzzily for exec_* and
 * health_status, whose actions carry a suffix); `container`, `daemon`,
 * `network`, `volume`, `plugin`... match the actor's ID or name by prefix;
 * `image` matches the ID or the image name with or without its tag; every
 * `label` given must be present (with its value when one is given). */
#include "event_filter.h"

#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "timeutil.h"
#include "xalloc.h"

static const char *const accepted_keys[] = {
	"config", "container", "daemon", "event", "image", "label", "network", "node",
	"plugin", "scope", "secret", "service", "type", "volume", NULL,
};

/* Accepts what the API carries and what a user would type (curl). */
static int parse_time(const char *key, const char *v, int64_t *out, err_t **err)
{
	time_ref now = time_ref_now();
	_cleanup_free_ char *ts = NULL;
	_cleanup_err_ err_t *perr = NULL;
	int64_t sec = 0, nsec = 0;
	if (time_get_timestamp(v, &now, &ts, &perr) < 0 ||
	    time_parse_timestamps(ts, 0, &sec, &nsec, &perr) < 0)
		return err_invalid(err, "invalid value for %s: %s", key, perr ? perr->msg : v);
	if (sec > INT64_MAX / NS_PER_SEC - 1 || sec < INT64_MIN / NS_PER_SEC + 1)
		return err_invalid(err, "invalid value for %s: %s: out of range", key, v);
	*out = sec * NS_PER_SEC + nsec;
	return 0;
}

int event_query_parse(event_query *q, const char *since, const char *until, const char *filt,
		      err_t **err)
{
	memset(q, 0, sizeof(*q));
	if (since && *since) {
		if (parse_time("since", since, &q->since_nano, err) < 0)
			return -1;
		q->has_since = true;
	}
	if (until && *until) {
		if (parse_time("until", until, &q->until_nano, err) < 0)
			return -1;
		q->has_until = true;
	}
	if (filters_parse(filt, &q->filters, err) < 0)
		return -1;
	return filters_validate(q->filters, accepted_keys, err);
}

void event_query_free(event_query *q)
{
	filters_free(q->filters);
	q->filters = NULL;
}

static bool fuzzy_name(const filters *f, const char *key, const event *e)
{
	if (!filters_contains(f, key))
		return true;
	const char *name = jget_str(e->attrs, "name");
	return filters_match_prefix(f, key, e->actor_id) || (name && filters_match_prefix(f, key, name));
}

static bool match_event(const filters *f, const event *e)
{
	static const char *const suffixed[] = {"health_status", "exec_create", "exec_start"};
	for (size_t i = 0; i < ARRAY_SIZE(suffixed); i++) {
		_cleanup_strv_ char **vals = filters_get(f, "event");
		for (char **v = vals; *v; v++)
			if (!strcmp(*v, suffixed[i]))
				return filters_match_prefix(f, "event", e->action);
	}
	return filters_match(f, "event", e->action);
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

static bool match_image(const filters *f, const event *e)
{
	if (!filters_contains(f, "image"))
		return true;
	const char *name = jget_str(e->attrs, strcmp(e->type, "image") ? "image" : "name");
	_cleanup_free_ char *id_nt = strip_tag(e->actor_id);
	_cleanup_free_ char *name_nt = strip_tag(name ? name : "");
	return filters_match(f, "image", e->actor_id) || (name && filters_match(f, "image", name)) ||
	       filters_match(f, "image", id_nt) || (name && filters_match(f, "image", name_nt));
}

bool event_query_match(const event_query *q, const event *e)
{
	if (q->has_since && e->time_nano < q->since_nano)
		return false;
	const filters *f = q->filters;
	if (!f || filters_len(f) == 0)
		return true;
	static const char *const by_name[] = {"container", "daemon", "network", "volume", "plugin",
					      "node", "service", "secret", "config"};
	for (size_t i = 0; i < ARRAY_SIZE(by_name); i++)
		if (!fuzzy_name(f, by_name[i], e))
			return false;
	return filters_match(f, "type", e->type) && filters_match(f, "scope", e->scope) &&
	       match_event(f, e) && match_image(f, e) && filters_match_kv(f, "label", e->attrs);
}
