/* netquery.c: reading networks for the API: GET /networks (Docker's
 * filters: dangling, driver, id, label, name, scope, type) and
 * GET /networks/{id} with its Containers map. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "filters.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "xalloc.h"

static const char *const list_filters[] = {"dangling", "driver", "id", "label", "name", "scope", "type", NULL};

static json_object *containers_json(const network *n)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < n->n_eps; i++) {
		const net_endpoint *ep = n->eps[i];
		json_object *e = json_object_new_object();
		char ip[IPV4_STR], mac[MAC_STR];
		ipv4_format(ep->ip, ip);
		mac_format(ep->mac, mac);
		_cleanup_free_ char *cidr = xasprintf("%s/%d", ip, n->pool.subnet.prefix);
		jset_str(e, "Name", ep->ctr_name);
		jset_str(e, "EndpointID", ep->ep_id);
		jset_str(e, "MacAddress", mac);
		jset_str(e, "IPv4Address", cidr);
		jset_str(e, "IPv6Address", "");
		jset(o, ep->ctr_id, e);
	}
	return o;
}

/* The API shape: the record's public fields, Containers, no private ones. */
static json_object *network_api_json(const network *n, bool with_containers)
{
	json_object *o = network_to_json(n);
	json_object_object_del(o, "Engine");
	/* taken before the deletes, which would free them */
	json_object *opts = json_object_get(jget(o, "Options"));
	json_object *labels = json_object_get(jget(o, "Labels"));
	json_object_object_del(o, "Options");
	json_object_object_del(o, "Labels");
	jset(o, "Containers", with_containers ? containers_json(n) : json_object_new_object());
	jset(o, "Options", opts);
	jset(o, "Labels", labels);
	return o;
}

int net_resolve(net_store *s, const char *ref, char id[65], char **name, err_t **err)
{
	pthread_mutex_lock(&s->lock);
	network *n = store_find(s, ref, err);
	if (n) {
		memcpy(id, n->id, NET_ID_LEN + 1);
		if (name)
			*name = xstrdup(n->name);
	}
	pthread_mutex_unlock(&s->lock);
	return n ? 0 : -1;
}

json_object *net_inspect(net_store *s, const char *ref, err_t **err)
{
	pthread_mutex_lock(&s->lock);
	network *n = store_find(s, ref, err);
	json_object *o = n ? network_api_json(n, true) : NULL;
	pthread_mutex_unlock(&s->lock);
	return o;
}


static int check_values(const filters *f, bool *dangling, bool *dangling_set, err_t **err)
{
	_cleanup_strv_ char **types = filters_get(f, "type");
	for (char **t = types; *t; t++)
		if (strcmp(*t, "custom") && strcmp(*t, "builtin"))
			return err_invalid(err, "invalid filter: 'type'='%s'", *t);
	*dangling_set = filters_contains(f, "dangling");
	return filters_get_bool(f, "dangling", false, dangling, err);
}

static bool match(const filters *f, const network *n, bool dangling, bool dangling_set)
{
	if (!filters_match_re(f, "name", n->name) || !filters_match_re(f, "id", n->id) ||
	    !filters_match(f, "driver", n->driver) || !filters_match(f, "scope", "local") ||
	    !filters_match_kv(f, "label", n->labels) ||
	    !filters_match(f, "type", n->builtin ? "builtin" : "custom"))
		return false;
	if (dangling_set && (dangling != (n->n_eps == 0 && !n->builtin)))
		return false;
	return true;
}

static int by_name(const void *a, const void *b)
{
	const network *x = *(network *const *)a, *y = *(network *const *)b;
	return strcmp(x->name, y->name);
}

json_object *net_list(net_store *s, const char *filt, err_t **err)
{
	_cleanup_filters_ filters *f = NULL;
	bool dangling = false, dangling_set = false;
	if (filters_parse(filt, &f, err) < 0 || filters_validate(f, list_filters, err) < 0 ||
	    check_values(f, &dangling, &dangling_set, err) < 0)
		return NULL;
	pthread_mutex_lock(&s->lock);
	_cleanup_free_ network **v = xcalloc(s->n_nets + 1, sizeof(*v));
	memcpy(v, s->nets, s->n_nets * sizeof(*v));
	qsort(v, s->n_nets, sizeof(*v), by_name);
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < s->n_nets; i++)
		if (match(f, v[i], dangling, dangling_set))
			json_object_array_add(a, network_api_json(v[i], false));
	pthread_mutex_unlock(&s->lock);
	return a;
}
