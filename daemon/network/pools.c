/* pools.c: a subnet for a network created without one, as Docker's
 * default IPAM picks it: the first subnet of the default-address-pools
 * that overlaps neither another network of ours nor a route the host
 * already has (so a bridge never hides a network the machine reaches). */
#include <stdlib.h>

#include "addr.h"
#include "cleanup.h"
#include "net_internal.h"

static bool overlaps_any(ipv4_net cand, const ipv4_net *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ipv4_overlaps(cand, v[i]))
			return true;
	return false;
}

static bool used_by_network(net_store *s, ipv4_net cand)
{
	for (size_t i = 0; i < s->n_nets; i++)
		if (s->nets[i]->has_pool && ipv4_overlaps(cand, s->nets[i]->pool.subnet))
			return true;
	return false;
}

int pool_pick(net_store *s, ipv4_net *out, err_t **err)
{
	ipv4_net *routes = NULL;
	size_t n_routes = 0;
	nl_sock *nl = nl_open(-1, NULL);
	if (nl) {
		route_list(nl, &routes, &n_routes, NULL);
		nl_close(nl);
	}
	int r = -1;
	for (size_t p = 0; p < s->cfg.n_pools && r < 0; p++) {
		ipv4_net base = s->cfg.pools[p];
		int size = s->cfg.sizes[p];
		uint64_t count = 1ull << (size - base.prefix);
		for (uint64_t i = 0; i < count; i++) {
			ipv4_net cand = {base.addr + (uint32_t)(i << (32 - size)), size};
			if (used_by_network(s, cand) || overlaps_any(cand, routes, n_routes))
				continue;
			*out = cand;
			r = 0;
			break;
		}
	}
	free(routes);
	if (r < 0)
		return err_set(err, ERR_FORBIDDEN, 0,
			       "all predefined address pools have been fully subnetted");
	return 0;
}
