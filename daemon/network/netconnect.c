/* netconnect.c: POST /networks/{id}/connect and /disconnect. The
 * container's Networks map gains or loses the network; a running
 * container gets (or loses) the endpoint at once, a veth hot-plugged into
 * its namespace, and the embedded DNS server learns of it. */
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "xalloc.h"

static json_object *map_copy(json_object *m)
{
	json_object *o = json_object_new_object();
	json_object_object_foreach(jobj_or_empty(m), k, v)
		jset(o, k, jclone(v));
	return o;
}

static int check_mode(const net_ctr *c, const network *n, err_t **err)
{
	const char *m = net_mode(c);
	if (!strcmp(m, "host") || !strcmp(n->driver, "host") || !strcmp(n->driver, "null"))
		return err_set(err, ERR_FORBIDDEN, 0,
			       "container cannot be disconnected from host network or connected to host network");
	if (!strcmp(m, "none") || !strncmp(m, "container:", 10))
		return err_set(err, ERR_FORBIDDEN, 0,
			       "container sharing network namespace with another container or host cannot be connected to any other network");
	return 0;
}

static int check_static(const network *n, json_object *epcfg, err_t **err)
{
	const char *ip = jget_str(jget_obj(epcfg, "IPAMConfig"), "IPv4Address");
	uint32_t a;
	if (!ip || !*ip)
		return 0;
	if (ipv4_parse(ip, &a) < 0)
		return err_invalid(err, "invalid IPv4 address: %s", ip);
	if (!n->user_subnet)
		return err_set(err, ERR_FORBIDDEN, 0, "user specified IP address is supported only when connecting to networks with user configured subnets");
	if (!ipv4_contains(n->pool.subnet, a))
		return err_invalid(err, "Invalid address %s: It does not belong to any of this network's subnets", ip);
	return 0;
}

static json_object *connect_locked(net_store *s, const net_ctr *c, bool running, network *n,
				   json_object *epcfg, err_t **err)
{
	if (check_mode(c, n, err) < 0 || check_static(n, epcfg, err) < 0)
		return NULL;
	if (jget(c->networks, n->name))
		return err_set(err, ERR_FORBIDDEN, 0, "endpoint with name %s already exists in network %s", c->name, n->name), NULL;
	if (n->builtin && jget_arr(epcfg, "Aliases") && json_object_array_length(jget_arr(epcfg, "Aliases")))
		return err_invalid(err, "network-scoped alias is supported only for containers in user defined networks"), NULL;
	_cleanup_json_ json_object *map = map_copy(c->networks);
	jset(map, n->name, settings_endpoint(n, epcfg));
	net_ctr nc = *c;
	nc.networks = map;
	net_sandbox *sb = running ? sandbox_find(s, c->id) : NULL;
	if (sb) {
		bool gateway = !sb->nets[0];
		if (endpoint_attach(s, n, sb, &nc, epcfg, gateway, err) < 0)
			return NULL;
		if (!sb->upstream && sandbox_has_dns(s, sb))
			sb->upstream = dns_upstreams_for(s, c);
		sandbox_save(s, sb, NULL);
		dns_sync(s);
	}
	return settings_networks(s, &nc, sb != NULL);
}

json_object *net_ctr_connect(net_store *s, const net_ctr *c, bool running, const char *net,
			     json_object *epcfg, err_t **err)
{
	pthread_mutex_lock(&s->lock);
	network *n = store_find(s, net, err);
	json_object *o = n ? connect_locked(s, c, running, n, epcfg, err) : NULL;
	pthread_mutex_unlock(&s->lock);
	return o;
}

static const char *key_for(const net_ctr *c, const network *n, const char *ref)
{
	if (n && jget(c->networks, n->name))
		return n->name;
	json_object_object_foreach(jobj_or_empty(c->networks), k, v) {
		const char *id = jget_str(v, "NetworkID");
		if (!strcmp(k, ref) || (n && id && !strcmp(id, n->id)))
			return k;
	}
	return NULL;
}

json_object *net_ctr_disconnect(net_store *s, const net_ctr *c, bool running, const char *net, bool force,
				err_t **err)
{
	pthread_mutex_lock(&s->lock);
	json_object *o = NULL;
	_cleanup_json_ json_object *map = NULL;
	network *n = store_find(s, net, force ? NULL : err);
	const char *key = key_for(c, n, net);
	if (!n && !force)
		goto out;
	if (n && (!strcmp(n->driver, "host") || !strcmp(net_mode(c), "host"))) {
		err_set(err, ERR_FORBIDDEN, 0, "container cannot be disconnected from host network or connected to host network");
		goto out;
	}
	if (!key) {
		err_set(err, ERR_FORBIDDEN, 0, "container %s is not connected to network %s", c->id, net);
		goto out;
	}
	map = map_copy(c->networks);
	json_object_object_del(map, key);
	net_sandbox *sb = running && n ? sandbox_find(s, c->id) : NULL;
	if (sb && endpoint_find(n, c->id)) {
		ports_unpublish_net(s, sb, n);
		endpoint_detach(s, n, sb, c->id);
		dns_sync(s);
	}
	net_ctr nc = *c;
	nc.networks = map;
	o = settings_networks(s, &nc, running);
out:
	pthread_mutex_unlock(&s->lock);
	return o;
}
