/* netremove.c: DELETE /networks/{id} and POST /networks/prune. Built-in
 * networks stay; a network with running containers on it stays (Docker's
 * "has active endpoints"); removing one deletes its bridge, its nftables
 * table and its record, and emits "destroy". */
#include <string.h>

#include "cleanup.h"
#include "filters.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "timeutil.h"
#include "xalloc.h"

static int remove_locked(net_store *s, network *n, err_t **err)
{
	if (n->builtin)
		return err_set(err, ERR_FORBIDDEN, 0, "%s is a pre-defined network and cannot be removed", n->name);
	if (n->n_eps)
		return err_set(err, ERR_FORBIDDEN, 0, "error while removing network: network %s id %s has active endpoints",
			       n->name, n->id);
	bridge_down(s, n);
	network_delete_file(s, n);
	store_event(s, "destroy", n, NULL);
	store_forget(s, n);
	return 0;
}

int net_remove(net_store *s, const char *ref, err_t **err)
{
	pthread_mutex_lock(&s->lock);
	network *n = store_find(s, ref, err);
	int r = n ? remove_locked(s, n, err) : -1;
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int parse_until(const filters *f, int64_t *until, err_t **err)
{
	_cleanup_strv_ char **u = filters_get(f, "until");
	*until = 0;
	if (!*u)
		return 0;
	time_ref now = time_ref_now();
	_cleanup_free_ char *ts = NULL;
	int64_t sec = 0, nsec = 0;
	if (time_get_timestamp(u[0], &now, &ts, err) < 0 || time_parse_timestamps(ts, 0, &sec, &nsec, err) < 0)
		return -1;
	*until = sec * NS_PER_SEC + nsec;
	return 0;
}

static bool prunable(const filters *f, const network *n, int64_t until)
{
	if (n->builtin || n->n_eps)
		return false;
	if (until) {
		int64_t sec = 0;
		int32_t nsec = 0;
		if (time_parse_rfc3339(n->created, &sec, &nsec, NULL) == 0 && sec * NS_PER_SEC + nsec >= until)
			return false;
	}
	if (!filters_match_kv(f, "label", n->labels))
		return false;
	return !filters_contains(f, "label!") || !filters_match_kv(f, "label!", n->labels);
}

json_object *net_prune(net_store *s, const char *filt, err_t **err)
{
	static const char *const accepted[] = {"label", "label!", "until", NULL};
	_cleanup_filters_ filters *f = NULL;
	int64_t until = 0;
	if (filters_parse(filt, &f, err) < 0 || filters_validate(f, accepted, err) < 0 ||
	    parse_until(f, &until, err) < 0)
		return NULL;
	json_object *deleted = json_object_new_array();
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_nets;) {
		network *n = s->nets[i];
		_cleanup_free_ char *name = xstrdup(n->name);
		if (prunable(f, n, until) && remove_locked(s, n, NULL) == 0) {
			json_object_array_add(deleted, jstr(name));
			continue; /* the array moved down */
		}
		i++;
	}
	pthread_mutex_unlock(&s->lock);
	json_object *o = json_object_new_object();
	if (json_object_array_length(deleted)) {
		jset(o, "NetworksDeleted", deleted);
	} else {
		json_object_put(deleted);
		jset(o, "NetworksDeleted", NULL);
	}
	if (s->event)
		s->event(s->event_ctx, "prune", "", json_object_new_object());
	return o;
}
