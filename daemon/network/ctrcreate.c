/* ctrcreate.c: what create checks about a container's networking, with
 * Docker's messages, so that a bad --network, --ip, -p, --dns or
 * --add-host is a 400 or 404 at create rather than a failed start: the
 * network mode, every network of NetworkingConfig, static addresses,
 * aliases, port bindings and exposed ports, DNS servers and extra hosts.
 * It returns the Networks map the container keeps. */
#include <arpa/inet.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "portspec.h"
#include "xalloc.h"

static bool valid_ip(const char *ip)
{
	unsigned char b[16];
	return ip && (inet_pton(AF_INET, ip, b) == 1 || inet_pton(AF_INET6, ip, b) == 1);
}

static int check_ports(const net_ctr *c, err_t **err)
{
	json_object_object_foreach(jobj_or_empty(jget_obj(c->config, "ExposedPorts")), ek, ev) {
		(void)ev;
		unsigned p;
		char proto[8];
		if (port_key_parse(ek, &p, proto) < 0)
			return err_invalid(err, "invalid port specification: \"%s\"", ek);
	}
	json_object_object_foreach(jobj_or_empty(jget_obj(c->host_config, "PortBindings")), k, list) {
		unsigned p, lo, hi;
		char proto[8];
		if (port_key_parse(k, &p, proto) < 0)
			return err_invalid(err, "invalid port specification: \"%s\"", k);
		if (!json_object_is_type(list, json_type_array) && !json_object_is_type(list, json_type_null))
			return err_invalid(err, "invalid port bindings for %s: must be a list", k);
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			json_object *b = json_object_array_get_idx(list, i);
			const char *hp = jget_str(b, "HostPort"), *ip = jget_str(b, "HostIp");
			if (hp && *hp && port_range_parse(hp, &lo, &hi) < 0)
				return err_invalid(err, "invalid port specification: \"%s\"", hp);
			if (ip && *ip && !valid_ip(ip))
				return err_invalid(err, "invalid host IP address: %s", ip);
		}
	}
	return 0;
}

static int check_dns(const net_ctr *c, err_t **err)
{
	json_object *dns = jget_arr(c->host_config, "Dns");
	for (size_t i = 0; dns && i < json_object_array_length(dns); i++) {
		const char *ip = json_object_get_string(json_object_array_get_idx(dns, i));
		if (!valid_ip(ip))
			return err_invalid(err, "%s is not an ip address", ip ? ip : "");
	}
	json_object *eh = jget_arr(c->host_config, "ExtraHosts");
	for (size_t i = 0; eh && i < json_object_array_length(eh); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(eh, i));
		size_t k = e ? strcspn(e, ":=") : 0;
		if (!e || !e[k] || k == 0)
			return err_invalid(err, "bad format for add-host: \"%s\"", e ? e : "");
		if (strcmp(e + k + 1, "host-gateway") && !valid_ip(e + k + 1))
			return err_invalid(err, "invalid IP address in add-host: \"%s\"", e + k + 1);
	}
	return 0;
}

static bool nonempty(json_object *o)
{
	return o && ((json_object_is_type(o, json_type_array) && json_object_array_length(o)) ||
		     (json_object_is_type(o, json_type_object) && json_object_object_length(o)));
}

/* container:X shares X's stack: nothing of its own may be asked for. */
static int check_joined(const net_ctr *c, json_object *nc, err_t **err)
{
	json_object *hc = c->host_config;
	if (nonempty(jget(hc, "PortBindings")) || jget_bool(hc, "PublishAllPorts", false))
		return err_invalid(err, "conflicting options: port publishing and the container type network mode");
	if (nonempty(jget(hc, "Dns")) || nonempty(jget(hc, "DnsSearch")) || nonempty(jget(hc, "DnsOptions")))
		return err_invalid(err, "conflicting options: dns and the network mode");
	if (nonempty(jget(hc, "ExtraHosts")))
		return err_invalid(err, "conflicting options: custom host-to-IP mapping and the network mode");
	if (nonempty(jget(nc, "EndpointsConfig")))
		return err_invalid(err, "conflicting options: container type network can't be used with other networks");
	return 0;
}

static int check_endpoint(const network *n, json_object *ep, err_t **err)
{
	const char *ip = jget_str(jget_obj(ep, "IPAMConfig"), "IPv4Address");
	if (ip && *ip) {
		uint32_t a;
		if (ipv4_parse(ip, &a) < 0)
			return err_invalid(err, "invalid IPv4 address: %s", ip);
		if (!n->user_subnet)
			return err_invalid(err, n->builtin ? "user specified IP address is supported on user defined networks only"
							 : "user specified IP address is supported only when connecting to networks with user configured subnets");
		if (!ipv4_contains(n->pool.subnet, a))
			return err_invalid(err, "Invalid address %s: It does not belong to any of this network's subnets", ip);
	}
	if (nonempty(jget(ep, "Aliases")) && n->builtin)
		return err_invalid(err, "network-scoped alias is supported only for containers in user defined networks");
	return 0;
}

/* Adds network `name` (or ID) to the map under its own name. */
static int add_network(net_store *s, json_object *out, const char *ref, json_object *ep, err_t **err)
{
	network *n = store_find(s, ref, err);
	if (!n)
		return -1;
	if (jget(out, n->name))
		return 0;
	if (strcmp(n->driver, "bridge") && jget(out, "bridge"))
		return err_invalid(err, "container cannot be disconnected from host network or connected to host network");
	if (check_endpoint(n, ep, err) < 0)
		return -1;
	jset(out, n->name, settings_endpoint(n, ep));
	return 0;
}

static json_object *build_networks(net_store *s, const net_ctr *c, json_object *nc, err_t **err)
{
	const char *mode = net_mode(c), *raw = jget_str(c->host_config, "NetworkMode");
	json_object *eps = jget_obj(nc, "EndpointsConfig");
	_cleanup_json_ json_object *out = json_object_new_object();
	json_object *primary = jget_obj(eps, mode);
	if (!primary && raw)
		primary = jget_obj(eps, raw); /* "default" */
	if (add_network(s, out, mode, primary, err) < 0)
		return NULL;
	json_object_object_foreach(jobj_or_empty(eps), name, ep) {
		if (!strcmp(name, mode) || (raw && !strcmp(name, raw)))
			continue;
		network *n = store_find(s, name, err);
		if (!n)
			return NULL;
		if (strcmp(n->driver, "bridge") || strcmp(net_mode(c), "host") == 0 || !strcmp(net_mode(c), "none"))
			return err_invalid(err, "Container cannot be connected to network endpoints: %s, %s", mode, name), NULL;
		if (add_network(s, out, name, ep, err) < 0)
			return NULL;
	}
	return steal_ptr(&out);
}

json_object *net_ctr_create(net_store *s, const net_ctr *c, json_object *nc, err_t **err)
{
	if (check_ports(c, err) < 0 || check_dns(c, err) < 0)
		return NULL;
	if (!strncmp(net_mode(c), "container:", 10))
		return check_joined(c, nc, err) < 0 ? NULL : json_object_new_object();
	pthread_mutex_lock(&s->lock);
	json_object *out = build_networks(s, c, nc, err);
	pthread_mutex_unlock(&s->lock);
	return out;
}
