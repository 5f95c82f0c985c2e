/* settings.c: a container's NetworkSettings as Docker shows them: the
 * Networks map (one EndpointSettings per network, with its address, MAC,
 * gateway and DNS names while it runs), the Ports map, the legacy
 * top-level fields of the default bridge, and the Ports array of
 * GET /containers/json. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "portspec.h"
#include "xalloc.h"

bool host_ipv6(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	cached = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return cached;
}

static json_object *copy_or_null(json_object *o)
{
	return o && !json_object_is_type(o, json_type_null) ? jclone(o) : NULL;
}

const char *settings_user_mac(json_object *epcfg)
{
	const char *mac = jget_str(epcfg, "MacAddress");
	uint8_t m[6], derived[6];
	uint32_t ip;
	if (!mac || mac_parse(mac, m) < 0)
		return NULL;
	if (ipv4_parse(jget_str(epcfg, "IPAddress"), &ip) == 0) {
		ipv4_mac(ip, derived);
		if (!memcmp(m, derived, 6))
			return NULL; /* ours, from the last run's address */
	}
	return mac;
}

json_object *settings_endpoint(const network *n, json_object *epcfg)
{
	json_object *o = json_object_new_object();
	jset(o, "IPAMConfig", copy_or_null(jget(epcfg, "IPAMConfig")));
	jset(o, "Links", copy_or_null(jget(epcfg, "Links")));
	jset(o, "Aliases", copy_or_null(jget(epcfg, "Aliases")));
	jset_str(o, "MacAddress", settings_user_mac(epcfg));
	jset(o, "DriverOpts", copy_or_null(jget(epcfg, "DriverOpts")));
	jset_str(o, "NetworkID", n ? n->id : jget_str(epcfg, "NetworkID"));
	jset_str(o, "EndpointID", "");
	jset_str(o, "Gateway", "");
	jset_str(o, "IPAddress", "");
	jset_int(o, "IPPrefixLen", 0);
	jset_str(o, "IPv6Gateway", "");
	jset_str(o, "GlobalIPv6Address", "");
	jset_int(o, "GlobalIPv6PrefixLen", 0);
	jset(o, "DNSNames", NULL);
	return o;
}

static void fill_endpoint(json_object *o, const network *n, const net_endpoint *ep)
{
	char ip[IPV4_STR], gw[IPV4_STR], mac[MAC_STR];
	ipv4_format(ep->ip, ip);
	ipv4_format(n->pool.gateway, gw);
	mac_format(ep->mac, mac);
	jset_str(o, "EndpointID", ep->ep_id);
	jset_str(o, "Gateway", gw);
	jset_str(o, "IPAddress", ip);
	jset_int(o, "IPPrefixLen", n->pool.subnet.prefix);
	jset_str(o, "MacAddress", mac);
	if (n->builtin)
		return;
	json_object *names = json_object_new_array();
	json_object_array_add(names, jstr(ep->ctr_name));
	for (char **a = ep->aliases; a && *a; a++)
		json_object_array_add(names, jstr(*a));
	char sid[13];
	snprintf(sid, sizeof(sid), "%.12s", ep->ctr_id);
	json_object_array_add(names, jstr(sid));
	jset(o, "DNSNames", names);
}

static network *network_of(net_store *s, const char *name, json_object *ep)
{
	const char *id = jget_str(ep, "NetworkID");
	network *n = id && *id ? store_find_id(s, id) : NULL;
	return n ? n : store_find(s, name, NULL);
}

json_object *settings_networks(net_store *s, const net_ctr *c, bool running)
{
	json_object *out = json_object_new_object();
	json_object_object_foreach(jobj_or_empty(c->networks), name, ep) {
		network *n = network_of(s, name, ep);
		json_object *o = settings_endpoint(n, ep);
		net_endpoint *e = running && n ? endpoint_find(n, c->id) : NULL;
		if (e)
			fill_endpoint(o, n, e);
		jset(out, name, o);
	}
	return out;
}

typedef void (*port_fn)(void *ctx, const char *key, const net_port *p, const char *ip);

/* Calls fn for every binding as Docker lists it: a wildcard binding shows
 * as 0.0.0.0 and, when the forwarder also serves IPv6, as ::. */
static void each_binding(net_store *s, const net_sandbox *sb, port_fn fn, void *ctx)
{
	for (size_t i = 0; sb && i < sb->n_ports; i++) {
		const net_port *p = &sb->ports[i];
		char key[24];
		snprintf(key, sizeof(key), "%u/%s", p->ctr_port, p->proto);
		if (*p->host_ip) {
			fn(ctx, key, p, p->host_ip);
			continue;
		}
		fn(ctx, key, p, "0.0.0.0");
		if (s->cfg.userland_proxy && host_ipv6() && strcmp(p->proto, "sctp"))
			fn(ctx, key, p, "::");
	}
}

static void map_add(void *ctx, const char *key, const net_port *p, const char *ip)
{
	json_object *list = jget_arr(ctx, key);
	if (!list) {
		list = json_object_new_array();
		jset(ctx, key, list);
	}
	json_object *b = json_object_new_object();
	char hp[8];
	snprintf(hp, sizeof(hp), "%u", p->host_port);
	jset_str(b, "HostIp", ip);
	jset_str(b, "HostPort", hp);
	json_object_array_add(list, b);
}

static json_object *ports_map(net_store *s, const net_ctr *c, const net_sandbox *sb)
{
	json_object *m = json_object_new_object();
	if (!sb)
		return m;
	each_binding(s, sb, map_add, m);
	json_object_object_foreach(jobj_or_empty(jget_obj(c->config, "ExposedPorts")), k, v) {
		(void)v;
		if (!jget(m, k) && sb->nets[0])
			jset(m, k, NULL);
	}
	return m;
}

static void legacy_fields(net_store *s, const net_ctr *c, bool running, json_object *st)
{
	network *def = store_find(s, "bridge", NULL);
	net_endpoint *ep = running && def ? endpoint_find(def, c->id) : NULL;
	if (!ep)
		return;
	char ip[IPV4_STR], gw[IPV4_STR], mac[MAC_STR];
	ipv4_format(ep->ip, ip);
	ipv4_format(def->pool.gateway, gw);
	mac_format(ep->mac, mac);
	jset_str(st, "EndpointID", ep->ep_id);
	jset_str(st, "Gateway", gw);
	jset_str(st, "IPAddress", ip);
	jset_int(st, "IPPrefixLen", def->pool.subnet.prefix);
	jset_str(st, "MacAddress", mac);
}

void net_ctr_settings(net_store *s, const net_ctr *c, bool running, json_object *st)
{
	pthread_mutex_lock(&s->lock);
	net_sandbox *sb = running ? sandbox_find(s, c->id) : NULL;
	jset_str(st, "SandboxID", sb ? sb->ctr_id : "");
	jset_str(st, "SandboxKey", sb && sb->netns ? sb->netns : "");
	jset(st, "Ports", ports_map(s, c, sb));
	legacy_fields(s, c, sb != NULL, st);
	jset(st, "Networks", settings_networks(s, c, sb != NULL));
	pthread_mutex_unlock(&s->lock);
}

static void list_add(void *ctx, const char *key, const net_port *p, const char *ip)
{
	(void)key;
	json_object *o = json_object_new_object();
	jset_str(o, "IP", ip);
	jset_int(o, "PrivatePort", p->ctr_port);
	jset_int(o, "PublicPort", p->host_port);
	jset_str(o, "Type", p->proto);
	json_object_array_add(ctx, o);
}

static bool published(const net_sandbox *sb, unsigned port, const char *proto)
{
	for (size_t i = 0; sb && i < sb->n_ports; i++)
		if (sb->ports[i].ctr_port == port && !strcmp(sb->ports[i].proto, proto))
			return true;
	return false;
}

json_object *net_ctr_port_summary(net_store *s, const net_ctr *c, bool running)
{
	json_object *a = json_object_new_array();
	pthread_mutex_lock(&s->lock);
	net_sandbox *sb = running ? sandbox_find(s, c->id) : NULL;
	each_binding(s, sb, list_add, a);
	json_object_object_foreach(jobj_or_empty(jget_obj(c->config, "ExposedPorts")), k, v) {
		(void)v;
		unsigned port;
		char proto[8];
		if (port_key_parse(k, &port, proto) < 0 || published(sb, port, proto))
			continue;
		json_object *o = json_object_new_object();
		jset_int(o, "PrivatePort", port);
		jset_str(o, "Type", proto);
		json_object_array_add(a, o);
	}
	pthread_mutex_unlock(&s->lock);
	return a;
}
