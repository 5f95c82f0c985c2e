/* endpoint.c: one container on one bridge network. Attaching takes an
 * address (static or the pool's next), records the endpoint in the
 * network's file, and only then builds it in the kernel: a veth pair whose
 * inner end is created inside the container's namespace as eth<N> with
 * Docker's MAC address, the outer end enslaved to the bridge, the address
 * and (on the network that is the container's way out) the default route.
 * Detaching deletes the veth (its peer goes with it) and frees the address. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "addr.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "link.h"
#include "log.h"
#include "net_internal.h"
#include "netns.h"
#include "xalloc.h"

static void veth_name(char out[IFNAMSIZ])
{
	unsigned char b[4];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		memset(b, 0, sizeof(b));
	snprintf(out, IFNAMSIZ, "veth%02x%02x%02x%x", b[0], b[1], b[2], b[3] & 15);
}

static size_t strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static int take_address(network *n, json_object *epcfg, net_endpoint *ep, err_t **err)
{
	const char *want = jget_str(jget_obj(epcfg, "IPAMConfig"), "IPv4Address");
	if (want && *want) {
		if (!n->user_subnet)
			return err_invalid(err, n->builtin ? "user specified IP address is supported on user defined networks only"
							 : "user specified IP address is supported only when connecting to networks with user configured subnets");
		if (ipv4_parse(want, &ep->ip) < 0)
			return err_invalid(err, "invalid IPv4 address: %s", want);
		if (ipam_reserve(&n->pool, ep->ip, err) < 0)
			return -1;
		ep->static_ip = true;
		return 0;
	}
	if (ipam_alloc(&n->pool, &ep->ip) < 0)
		return err_set(err, ERR_SYSTEM, 0, "no available IPv4 addresses on this network's address pools: %s (%s)",
			       n->name, n->id);
	return 0;
}

static net_endpoint *endpoint_make(network *n, net_sandbox *sb, const net_ctr *c, json_object *epcfg,
				   err_t **err)
{
	net_endpoint *ep = xcalloc(1, sizeof(*ep));
	snprintf(ep->ctr_id, sizeof(ep->ctr_id), "%s", c->id);
	net_new_id(ep->ep_id);
	ep->ctr_name = xstrdup(c->name);
	json_object *al = jget_arr(epcfg, "Aliases");
	ep->aliases = al && json_object_array_length(al) ? jarr_to_strv(al, "Aliases", NULL) : NULL;
	if (take_address(n, epcfg, ep, err) < 0) {
		endpoint_free(ep);
		return NULL;
	}
	const char *mac = settings_user_mac(epcfg);
	if (!mac || mac_parse(mac, ep->mac) < 0)
		ipv4_mac(ep->ip, ep->mac);
	veth_name(ep->veth);
	snprintf(ep->ifname, IFNAMSIZ, "eth%u", (unsigned)(strv_len(sb->nets) % 1000));
	return ep;
}

/* The kernel side; on failure the caller deletes the veth. A bridge that
 * someone deleted under us is made again first. */
static int plumb(net_store *s, network *n, const net_sandbox *sb, const net_endpoint *ep, bool gateway,
		 err_t **err)
{
	_cleanup_close_ int nsfd = netns_open(sb->netns, err);
	if (nsfd < 0)
		return -1;
	_cleanup_nl_ nl_sock *host = nl_open(-1, err);
	if (!host)
		return -1;
	int br = link_index(host, n->bridge, err);
	if (br == 0 && bridge_up(s, n, err) == 0)
		br = link_index(host, n->bridge, err);
	if (br <= 0)
		return br == 0 ? err_set(err, ERR_SYSTEM, 0, "bridge %s of network %s is missing", n->bridge, n->name) : -1;
	if (link_veth_add(host, ep->veth, ep->ifname, nsfd, ep->mac, err) < 0)
		return -1;
	int vi = link_index(host, ep->veth, err);
	if (vi <= 0 || link_set(host, vi, br, false, err) < 0 || link_set(host, vi, 0, true, err) < 0)
		return -1;
	_cleanup_nl_ nl_sock *in = nl_open(nsfd, err);
	if (!in)
		return -1;
	int ei = link_index(in, ep->ifname, err);
	if (ei <= 0 || addr_add(in, ei, ep->ip, n->pool.subnet.prefix, err) < 0 || link_set(in, ei, 0, true, err) < 0)
		return -1;
	if (gateway && !n->internal && route_default_add(in, ei, n->pool.gateway, err) < 0)
		return -1;
	return 0;
}

static void strv_add(char ***v, const char *s)
{
	size_t n = strv_len(*v);
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

static void strv_del(char **v, const char *s)
{
	size_t n = strv_len(v);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i], s))
			continue;
		free(v[i]);
		memmove(v + i, v + i + 1, (n - i) * sizeof(char *));
		return;
	}
}

int endpoint_attach(net_store *s, network *n, net_sandbox *sb, const net_ctr *c, json_object *epcfg,
		    bool gateway, err_t **err)
{
	if (endpoint_find(n, c->id))
		return err_set(err, ERR_FORBIDDEN, 0, "endpoint with name %s already exists in network %s", c->name, n->name);
	net_endpoint *ep = endpoint_make(n, sb, c, epcfg, err);
	if (!ep)
		return -1;
	n->eps = xgrow(n->eps, &n->cap_eps, n->n_eps + 1, sizeof(*n->eps));
	n->eps[n->n_eps++] = ep;
	strv_add(&sb->nets, n->id);
	if (network_save(s, n, err) < 0 || sandbox_save(s, sb, err) < 0 || plumb(s, n, sb, ep, gateway, err) < 0) {
		endpoint_drop(s, n, sb, c->id, false);
		return -1;
	}
	store_event(s, "connect", n, c->id);
	return 0;
}

void endpoint_drop(net_store *s, network *n, net_sandbox *sb, const char *ctr_id, bool event)
{
	net_endpoint *ep = endpoint_find(n, ctr_id);
	strv_del(sb->nets, n->id);
	_cleanup_err_ err_t *err = NULL;
	if (sandbox_save(s, sb, &err) < 0)
		log_warn("container %s: saving its network state: %s", ctr_id, err->msg);
	if (!ep)
		return;
	reaper_delete(s->reaper, ep->veth);
	ipam_release(&n->pool, ep->ip);
	network_drop_endpoint(n, ep);
	err_free(&err);
	if (network_save(s, n, &err) < 0)
		log_warn("network %s: %s", n->name, err->msg);
	if (event)
		store_event(s, "disconnect", n, ctr_id);
}

void endpoint_detach(net_store *s, network *n, net_sandbox *sb, const char *ctr_id)
{
	endpoint_drop(s, n, sb, ctr_id, true);
}
