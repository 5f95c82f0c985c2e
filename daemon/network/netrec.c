/* netrec.c: a network's record and its file, <data-root>/networks/<id>.json:
 * the Docker-visible fields (Name, Id, Created, Driver, IPAM, Internal,
 * Labels, Options, ...), the address pool's state and the endpoints. It is
 * rewritten crash-safely (fs_write_atomic) before an address or endpoint
 * it records is put to use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "xalloc.h"

network *network_new(void)
{
	network *n = xcalloc(1, sizeof(*n));
	n->labels = json_object_new_object();
	n->options = json_object_new_object();
	return n;
}

void endpoint_free(net_endpoint *ep)
{
	if (!ep)
		return;
	free(ep->ctr_name);
	strv_free(ep->aliases);
	free(ep);
}

void network_free(network *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->driver);
	free(n->created);
	free(n->bridge);
	json_object_put(n->labels);
	json_object_put(n->options);
	json_object_put(n->ipam_options);
	if (n->has_pool)
		ipam_done(&n->pool);
	for (size_t i = 0; i < n->n_eps; i++)
		endpoint_free(n->eps[i]);
	free(n->eps);
	free(n);
}

net_endpoint *endpoint_find(const network *n, const char *ctr_id)
{
	for (size_t i = 0; i < n->n_eps; i++)
		if (!strcmp(n->eps[i]->ctr_id, ctr_id))
			return n->eps[i];
	return NULL;
}

void network_drop_endpoint(network *n, net_endpoint *ep)
{
	for (size_t i = 0; i < n->n_eps; i++) {
		if (n->eps[i] != ep)
			continue;
		memmove(n->eps + i, n->eps + i + 1, (n->n_eps - i - 1) * sizeof(*n->eps));
		n->n_eps--;
		endpoint_free(ep);
		return;
	}
}

static json_object *endpoint_to_json(const net_endpoint *ep)
{
	json_object *o = json_object_new_object();
	char ip[IPV4_STR], mac[MAC_STR];
	ipv4_format(ep->ip, ip);
	mac_format(ep->mac, mac);
	jset_str(o, "Container", ep->ctr_id);
	jset_str(o, "EndpointID", ep->ep_id);
	jset_str(o, "Name", ep->ctr_name);
	jset(o, "Aliases", ep->aliases ? jstrv(ep->aliases) : NULL);
	jset_str(o, "IPv4Address", ip);
	jset_bool(o, "Static", ep->static_ip);
	jset_str(o, "MacAddress", mac);
	jset_str(o, "Veth", ep->veth);
	jset_str(o, "Interface", ep->ifname);
	return o;
}

static net_endpoint *endpoint_from_json(json_object *o, err_t **err)
{
	net_endpoint *ep = xcalloc(1, sizeof(*ep));
	const char *cid = jget_str(o, "Container"), *eid = jget_str(o, "EndpointID");
	const char *veth = jget_str(o, "Veth"), *ifn = jget_str(o, "Interface");
	if (!cid || strlen(cid) != NET_ID_LEN || !eid || strlen(eid) != NET_ID_LEN ||
	    ipv4_parse(jget_str(o, "IPv4Address"), &ep->ip) < 0 || mac_parse(jget_str(o, "MacAddress"), ep->mac) < 0 ||
	    !veth || strlen(veth) >= IFNAMSIZ || !ifn || strlen(ifn) >= IFNAMSIZ) {
		free(ep);
		err_invalid(err, "bad endpoint record");
		return NULL;
	}
	memcpy(ep->ctr_id, cid, NET_ID_LEN + 1);
	memcpy(ep->ep_id, eid, NET_ID_LEN + 1);
	strcpy(ep->veth, veth);
	strcpy(ep->ifname, ifn);
	ep->ctr_name = xstrdup(jget_str(o, "Name") ? jget_str(o, "Name") : "");
	ep->static_ip = jget_bool(o, "Static", false);
	json_object *al = jget_arr(o, "Aliases");
	ep->aliases = al ? jarr_to_strv(al, "Aliases", NULL) : NULL;
	return ep;
}

static json_object *ipam_json(const network *n)
{
	json_object *ipam = json_object_new_object();
	jset_str(ipam, "Driver", "default");
	jset(ipam, "Options", n->ipam_options ? jclone(n->ipam_options) : NULL);
	json_object *cfgs = json_object_new_array();
	if (n->has_pool) {
		json_object *c = json_object_new_object();
		char s[IPV4_CIDR];
		ipv4_cidr_format(n->pool.subnet, s);
		jset_str(c, "Subnet", s);
		if (n->pool.range.prefix != n->pool.subnet.prefix) {
			ipv4_cidr_format(n->pool.range, s);
			jset_str(c, "IPRange", s);
		}
		ipv4_format(n->pool.gateway, s);
		jset_str(c, "Gateway", s);
		json_object_array_add(cfgs, c);
	}
	jset(ipam, "Config", cfgs);
	return ipam;
}

/* The Docker-visible part, as GET /networks shows it (without Containers). */
static json_object *public_json(const network *n)
{
	json_object *o = json_object_new_object();
	jset_str(o, "Name", n->name);
	jset_str(o, "Id", n->id);
	jset_str(o, "Created", n->created);
	jset_str(o, "Scope", "local");
	jset_str(o, "Driver", n->driver);
	jset_bool(o, "EnableIPv6", n->enable_ipv6);
	jset(o, "IPAM", ipam_json(n));
	jset_bool(o, "Internal", n->internal);
	jset_bool(o, "Attachable", n->attachable);
	jset_bool(o, "Ingress", false);
	json_object *cf = json_object_new_object();
	jset_str(cf, "Network", "");
	jset(o, "ConfigFrom", cf);
	jset_bool(o, "ConfigOnly", false);
	jset(o, "Options", jclone(n->options));
	jset(o, "Labels", jclone(n->labels));
	return o;
}

json_object *network_to_json(const network *n)
{
	json_object *o = public_json(n);
	json_object *priv = json_object_new_object();
	jset_str(priv, "Bridge", n->bridge);
	jset_bool(priv, "Builtin", n->builtin);
	jset_bool(priv, "UserSubnet", n->user_subnet);
	if (n->has_pool)
		jset(priv, "Pool", ipam_to_json(&n->pool));
	json_object *eps = json_object_new_array();
	for (size_t i = 0; i < n->n_eps; i++)
		json_object_array_add(eps, endpoint_to_json(n->eps[i]));
	jset(priv, "Endpoints", eps);
	jset(o, "Engine", priv);
	return o;
}

static json_object *obj_or_new(json_object *o)
{
	return o && json_object_is_type(o, json_type_object) ? json_object_get(o) : json_object_new_object();
}

network *network_from_json(json_object *o, err_t **err)
{
	const char *id = jget_str(o, "Id"), *name = jget_str(o, "Name"), *driver = jget_str(o, "Driver");
	json_object *priv = jget_obj(o, "Engine");
	if (!id || strlen(id) != NET_ID_LEN || !name || !*name || !driver || !priv) {
		err_invalid(err, "bad network record");
		return NULL;
	}
	network *n = network_new();
	memcpy(n->id, id, NET_ID_LEN + 1);
	n->name = xstrdup(name);
	n->driver = xstrdup(driver);
	n->created = xstrdup(jget_str(o, "Created") ? jget_str(o, "Created") : "");
	n->internal = jget_bool(o, "Internal", false);
	n->attachable = jget_bool(o, "Attachable", false);
	n->enable_ipv6 = jget_bool(o, "EnableIPv6", false);
	json_object_put(n->labels);
	json_object_put(n->options);
	n->labels = obj_or_new(jget(o, "Labels"));
	n->options = obj_or_new(jget(o, "Options"));
	json_object *io = jget_obj(jget_obj(o, "IPAM"), "Options");
	n->ipam_options = io ? json_object_get(io) : NULL;
	n->bridge = jget_str(priv, "Bridge") && *jget_str(priv, "Bridge") ? xstrdup(jget_str(priv, "Bridge")) : NULL;
	n->builtin = jget_bool(priv, "Builtin", false);
	n->user_subnet = jget_bool(priv, "UserSubnet", false);
	json_object *pool = jget_obj(priv, "Pool");
	if (pool) {
		if (ipam_from_json(&n->pool, pool, err) < 0) {
			network_free(n);
			return NULL;
		}
		n->has_pool = true;
	}
	json_object *eps = jget_arr(priv, "Endpoints");
	for (size_t i = 0; eps && i < json_object_array_length(eps); i++) {
		net_endpoint *ep = endpoint_from_json(json_object_array_get_idx(eps, i), err);
		if (!ep) {
			network_free(n);
			return NULL;
		}
		n->eps = xgrow(n->eps, &n->cap_eps, n->n_eps + 1, sizeof(*n->eps));
		n->eps[n->n_eps++] = ep;
	}
	return n;
}

static char *record_path(net_store *s, const network *n)
{
	_cleanup_free_ char *file = xasprintf("%s.json", n->id);
	return fs_path_join(s->root, file);
}

int network_save(net_store *s, const network *n, err_t **err)
{
	_cleanup_json_ json_object *o = network_to_json(n);
	_cleanup_free_ char *path = record_path(s, n);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return fs_write_atomic(path, text, strlen(text), 0600, err);
}

void network_delete_file(net_store *s, const network *n)
{
	_cleanup_free_ char *path = record_path(s, n);
	unlink(path);
	fs_fsync_dir(s->root);
}
