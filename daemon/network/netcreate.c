/* netcreate.c: POST /networks/create. A user-defined network is a bridge
 * network: its subnet is the one asked for (with ip-range and gateway) or
 * the next free one of the default pools; its Linux bridge, br-<id>
 * unless com.docker.network.bridge.name says otherwise, is created with
 * its rules at once, as dockerd does. Messages and statuses are Docker's. */
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "log.h"
#include "net_internal.h"
#include "xalloc.h"

#define OPT_BRIDGE_NAME "com.docker.network.bridge.name"

static bool valid_name(const char *n)
{
	if (!n || !*n || strlen(n) > 255)
		return false;
	for (const char *p = n; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
		if (!alnum && (p == n || !strchr("_.-", *p)))
			return false;
	}
	return true;
}

static int check_driver(json_object *body, err_t **err)
{
	const char *d = jget_str(body, "Driver");
	if (!d || !*d || !strcmp(d, "bridge"))
		return 0;
	if (!strcmp(d, "host") || !strcmp(d, "null"))
		return err_set(err, ERR_FORBIDDEN, 0, "only one instance of \"%s\" network is allowed", d);
	return err_notfound(err, "plugin \"%s\" not found", d);
}

static int check_scope(json_object *body, err_t **err)
{
	const char *sc = jget_str(body, "Scope");
	if (sc && *sc && strcmp(sc, "local"))
		return err_invalid(err, "scope %s is not supported by engine: networks are local", sc);
	return 0;
}

/* One IPv4 pool: IPAM.Config[0], or a subnet of the default pools. */
static int make_pool(net_store *s, network *n, json_object *ipam, err_t **err)
{
	const char *drv = jget_str(ipam, "Driver");
	if (drv && *drv && strcmp(drv, "default"))
		return err_notfound(err, "plugin \"%s\" not found", drv);
	json_object *cfgs = jget_arr(ipam, "Config");
	size_t nc = cfgs ? json_object_array_length(cfgs) : 0;
	if (nc > 1)
		return err_invalid(err, "engine supports one IPv4 subnet per network (%zu given)", nc);
	json_object *c = nc ? json_object_array_get_idx(cfgs, 0) : NULL;
	const char *subnet = jget_str(c, "Subnet"), *range = jget_str(c, "IPRange"), *gw = jget_str(c, "Gateway");
	if (subnet && strchr(subnet, ':'))
		return err_invalid(err, "IPv6 networks are not supported by engine");
	char picked[IPV4_CIDR];
	if (!subnet || !*subnet) {
		if ((range && *range) || (gw && *gw))
			return err_invalid(err, "invalid pool request: ip-range and gateway need a subnet");
		ipv4_net net;
		if (pool_pick(s, &net, err) < 0)
			return -1;
		ipv4_cidr_format(net, picked);
		subnet = picked;
	} else {
		n->user_subnet = true;
	}
	if (ipam_init(&n->pool, subnet, range, gw, err) < 0)
		return -1;
	n->has_pool = true;
	json_object *opts = jget_obj(ipam, "Options");
	n->ipam_options = opts ? json_object_get(opts) : NULL;
	return 0;
}

static int check_overlap(net_store *s, const network *n, err_t **err)
{
	for (size_t i = 0; i < s->n_nets; i++) {
		const network *o = s->nets[i];
		if (o->has_pool && ipv4_overlaps(o->pool.subnet, n->pool.subnet))
			return err_set(err, ERR_FORBIDDEN, 0, "Pool overlaps with other one on this address space");
		if (o->bridge && !strcmp(o->bridge, n->bridge))
			return err_conflict(err, "bridge name %s is used by network %s", n->bridge, o->name);
	}
	return 0;
}

static void copy_strings(json_object *dst, json_object *src)
{
	json_object_object_foreach(jobj_or_empty(src), k, v)
		if (json_object_is_type(v, json_type_string))
			jset_str(dst, k, json_object_get_string(v));
}

static network *build(net_store *s, json_object *body, const char *name, err_t **err)
{
	network *n = network_new();
	net_new_id(n->id);
	n->name = xstrdup(name);
	n->driver = xstrdup("bridge");
	n->created = net_now();
	n->internal = jget_bool(body, "Internal", false);
	n->attachable = jget_bool(body, "Attachable", false);
	copy_strings(n->labels, jget_obj(body, "Labels"));
	copy_strings(n->options, jget_obj(body, "Options"));
	const char *br = jget_str(n->options, OPT_BRIDGE_NAME);
	n->bridge = br && *br ? xstrdup(br) : xasprintf("br-%.12s", n->id);
	if (strlen(n->bridge) >= IFNAMSIZ) {
		err_invalid(err, "bridge name %s is too long (at most %d characters)", n->bridge, IFNAMSIZ - 1);
		network_free(n);
		return NULL;
	}
	if (jget_bool(body, "EnableIPv6", false)) {
		err_invalid(err, "IPv6 networks are not supported by engine");
		network_free(n);
		return NULL;
	}
	if (make_pool(s, n, jget_obj(body, "IPAM"), err) < 0 || check_overlap(s, n, err) < 0) {
		network_free(n);
		return NULL;
	}
	return n;
}

static int check_request(net_store *s, json_object *body, const char *name, err_t **err)
{
	if (!name || !*name)
		return err_invalid(err, "network name must not be empty");
	if (!valid_name(name))
		return err_invalid(err, "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	for (size_t i = 0; i < s->n_nets; i++)
		if (!strcmp(s->nets[i]->name, name))
			return err_conflict(err, "network with name %s already exists", name);
	if (check_driver(body, err) < 0 || check_scope(body, err) < 0)
		return -1;
	if (jget_bool(body, "Ingress", false) || jget_bool(body, "ConfigOnly", false))
		return err_invalid(err, "ingress and config-only networks belong to swarm, which engine does not have");
	return 0;
}

json_object *net_create(net_store *s, json_object *body, err_t **err)
{
	if (!body || !json_object_is_type(body, json_type_object)) {
		err_invalid(err, "invalid JSON: the body must be an object");
		return NULL;
	}
	const char *name = jget_str(body, "Name");
	pthread_mutex_lock(&s->lock);
	network *n = NULL;
	if (check_request(s, body, name, err) == 0)
		n = build(s, body, name, err);
	if (n && network_save(s, n, err) < 0) {
		network_free(n);
		n = NULL;
	}
	if (n && bridge_up(s, n, err) < 0) {
		bridge_down(s, n);
		network_delete_file(s, n);
		network_free(n);
		n = NULL;
	}
	json_object *o = NULL;
	if (n) {
		store_add(s, n);
		store_event(s, "create", n, NULL);
		o = json_object_new_object();
		jset_str(o, "Id", n->id);
		jset_str(o, "Warning", "");
	}
	pthread_mutex_unlock(&s->lock);
	return o;
}
