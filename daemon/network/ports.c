/* ports.c: published ports. The wanted bindings are HostConfig.PortBindings
 * plus, with -P, every exposed port on a random host port. Each gets a
 * host port (given, the first free one of a range, or the next free one
 * of the kernel's ephemeral range), checked against every other binding
 * of ours ("Bind for 0.0.0.0:8080 failed: port is already allocated"),
 * recorded in the sandbox, then served: an engine-proxy that binds it (so
 * a port some other program holds fails the start too) and the DNAT rules
 * of the container's first network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "net_internal.h"
#include "portspec.h"
#include "xalloc.h"

static unsigned port_cursor;

json_object *ports_wanted(const net_ctr *c)
{
	json_object *out = json_object_new_object();
	json_object_object_foreach(jobj_or_empty(jget_obj(c->host_config, "PortBindings")), k, v) {
		if (json_object_is_type(v, json_type_array))
			jset(out, k, jclone(v));
	}
	if (!jget_bool(c->host_config, "PublishAllPorts", false))
		return out;
	json_object_object_foreach(jobj_or_empty(jget_obj(c->config, "ExposedPorts")), ek, ev) {
		(void)ev;
		json_object *have = jget_arr(out, ek);
		if (have && json_object_array_length(have))
			continue;
		json_object *list = json_object_new_array();
		json_object *b = json_object_new_object();
		jset_str(b, "HostIp", "");
		jset_str(b, "HostPort", "");
		json_object_array_add(list, b);
		jset(out, ek, list);
	}
	return out;
}

static bool wildcard(const char *ip)
{
	return !*ip || !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::");
}

static bool taken(net_store *s, const char *proto, const char *ip, unsigned port)
{
	for (size_t i = 0; i < s->n_sbs; i++) {
		const net_sandbox *sb = s->sbs[i];
		for (size_t k = 0; k < sb->n_ports; k++) {
			const net_port *p = &sb->ports[k];
			if (p->host_port == port && !strcmp(p->proto, proto) &&
			    (wildcard(ip) || wildcard(p->host_ip) || !strcmp(ip, p->host_ip)))
				return true;
		}
	}
	return false;
}

static void ephemeral_range(unsigned *lo, unsigned *hi)
{
	*lo = 49153;
	*hi = 60999;
	_cleanup_free_ char *t = NULL;
	unsigned a, b;
	if (fs_read_file("/proc/sys/net/ipv4/ip_local_port_range", 64, &t, NULL, NULL) == 0 &&
	    sscanf(t, "%u %u", &a, &b) == 2 && a > 0 && a <= b && b <= 65535) {
		*lo = a;
		*hi = b;
	}
}

typedef struct want {
	char proto[8];
	unsigned ctr_port;
	const char *host_ip;
	unsigned lo, hi;   /* candidate host ports */
	bool fixed;        /* one port asked for */
} want;

static int parse_want(net_store *s, const char *key, json_object *b, want *w, err_t **err)
{
	memset(w, 0, sizeof(*w));
	if (port_key_parse(key, &w->ctr_port, w->proto) < 0)
		return err_invalid(err, "invalid port specification: \"%s\"", key);
	w->host_ip = jget_str(b, "HostIp") ? jget_str(b, "HostIp") : "";
	if (!*w->host_ip && s->cfg.default_ip)
		w->host_ip = s->cfg.default_ip;
	const char *hp = jget_str(b, "HostPort");
	if (!hp || !*hp) {
		ephemeral_range(&w->lo, &w->hi);
		return 0;
	}
	if (port_range_parse(hp, &w->lo, &w->hi) < 0)
		return err_invalid(err, "invalid port specification: \"%s\"", hp);
	w->fixed = w->lo == w->hi;
	if (w->lo == 0) /* "0": any port, as Docker takes it */
		ephemeral_range(&w->lo, &w->hi), w->fixed = false;
	return 0;
}

static const char *shown_ip(const char *ip)
{
	return *ip ? ip : "0.0.0.0";
}

static int fail(const net_ctr *c, const net_endpoint *ep, err_t **err, const char *fmt, const char *ip,
		unsigned port, const char *why)
{
	_cleanup_free_ char *inner = why ? xstrdup(why) : xasprintf(fmt, shown_ip(ip), port);
	return err_set(err, ERR_SYSTEM, 0, "driver failed programming external connectivity on endpoint %s (%s): %s",
		       c->name, ep ? ep->ep_id : "", inner);
}

/* Tries one host port; 1 when it was taken (try another), 0 done, -1 fatal. */
static int try_port(net_store *s, net_sandbox *sb, const want *w, unsigned port, network *n,
		    const net_endpoint *ep, err_t **err)
{
	if (taken(s, w->proto, w->host_ip, port))
		return 1;
	sb->ports = xrealloc(sb->ports, (sb->n_ports + 1) * sizeof(net_port));
	net_port *p = &sb->ports[sb->n_ports++];
	memset(p, 0, sizeof(*p));
	snprintf(p->proto, sizeof(p->proto), "%s", w->proto);
	p->ctr_port = w->ctr_port;
	p->host_ip = xstrdup(w->host_ip);
	p->host_port = port;
	p->ctr_ip = ep->ip;
	memcpy(p->net_id, n->id, NET_ID_LEN + 1);
	if (sandbox_save(s, sb, err) < 0)
		return -1;
	if (!s->cfg.userland_proxy || !strcmp(w->proto, "sctp"))
		return 0;
	_cleanup_err_ err_t *perr = NULL;
	if (proxy_start(s, sb, p, &perr) == 0)
		return 0;
	free(p->host_ip);
	sb->n_ports--;
	if (!w->fixed)
		return 1;
	*err = steal_ptr(&perr);
	return -1;
}

static int publish_one(net_store *s, net_sandbox *sb, const net_ctr *c, const want *w, network *n,
		       const net_endpoint *ep, err_t **err)
{
	unsigned span = w->hi - w->lo + 1;
	unsigned start = w->fixed ? 0 : (port_cursor >= w->lo && port_cursor <= w->hi ? port_cursor - w->lo + 1 : 0);
	for (unsigned i = 0; i < span; i++) {
		unsigned port = w->lo + (start + i) % span;
		_cleanup_err_ err_t *e = NULL;
		int r = try_port(s, sb, w, port, n, ep, &e);
		if (r == 0) {
			if (!w->fixed)
				port_cursor = port;
			return 0;
		}
		if (r < 0)
			return fail(c, ep, err, NULL, NULL, 0, e ? e->msg : "cannot publish the port");
		if (w->fixed)
			return fail(c, ep, err, "Bind for %s:%u failed: port is already allocated", w->host_ip, port, NULL);
	}
	if (span == 1)
		return fail(c, ep, err, "Bind for %s:%u failed: port is already allocated", w->host_ip, w->lo, NULL);
	return fail(c, ep, err, NULL, NULL, 0, "all ports are allocated");
}

int ports_publish(net_store *s, net_sandbox *sb, const net_ctr *c, err_t **err)
{
	if (!sb->nets[0])
		return 0; /* host, none, container:X: nothing to publish (Docker discards them) */
	network *n = store_find_id(s, sb->nets[0]);
	net_endpoint *ep = n ? endpoint_find(n, c->id) : NULL;
	if (!ep)
		return 0;
	_cleanup_json_ json_object *wanted = ports_wanted(c);
	json_object_object_foreach(wanted, key, list) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			want w;
			if (parse_want(s, key, json_object_array_get_idx(list, i), &w, err) < 0 ||
			    publish_one(s, sb, c, &w, n, ep, err) < 0)
				return -1;
		}
	}
	if (!sb->n_ports)
		return 0;
	_cleanup_err_ err_t *rerr = NULL;
	if (rules_apply(s, n, &rerr) < 0)
		log_warn("container %s: DNAT rules for its ports: %s (engine-proxy still forwards)", c->id, rerr->msg);
	return 0;
}

static void reapply(net_store *s, const net_sandbox *sb)
{
	for (char **id = sb->nets; *id; id++) {
		network *n = store_find_id(s, *id);
		_cleanup_err_ err_t *err = NULL;
		if (n && rules_apply(s, n, &err) < 0)
			log_warn("network %s: %s", n->name, err->msg);
	}
}

void ports_unpublish(net_store *s, net_sandbox *sb)
{
	if (!sb->n_ports)
		return;
	for (size_t i = 0; i < sb->n_ports; i++) {
		proxy_stop(s, sb, &sb->ports[i]);
		free(sb->ports[i].host_ip);
	}
	_cleanup_strv_ char **nets = xcalloc(sb->n_ports + 1, sizeof(char *));
	for (size_t i = 0; i < sb->n_ports; i++)
		nets[i] = xstrdup(sb->ports[i].net_id);
	sb->n_ports = 0;
	_cleanup_err_ err_t *err = NULL;
	if (sandbox_save(s, sb, &err) < 0)
		log_warn("container %s: %s", sb->ctr_id, err->msg);
	for (char **id = nets; *id; id++) {
		network *n = store_find_id(s, *id);
		err_free(&err);
		if (n && rules_apply(s, n, &err) < 0)
			log_warn("network %s: %s", n->name, err->msg);
	}
}

void ports_unpublish_net(net_store *s, net_sandbox *sb, const network *n)
{
	size_t k = 0;
	for (size_t i = 0; i < sb->n_ports; i++) {
		net_port *p = &sb->ports[i];
		if (strcmp(p->net_id, n->id)) {
			sb->ports[k++] = *p;
			continue;
		}
		proxy_stop(s, sb, p);
		free(p->host_ip);
	}
	if (k == sb->n_ports)
		return;
	sb->n_ports = k;
	_cleanup_err_ err_t *err = NULL;
	if (sandbox_save(s, sb, &err) < 0 || rules_apply(s, n, &err) < 0)
		log_warn("container %s: %s", sb->ctr_id, err->msg);
}

void ports_adopt(net_store *s, net_sandbox *sb)
{
	for (size_t i = 0; i < sb->n_ports; i++) {
		net_port *p = &sb->ports[i];
		if (!s->cfg.userland_proxy || !strcmp(p->proto, "sctp") || proxy_alive(s, sb, p))
			continue;
		_cleanup_err_ err_t *err = NULL;
		log_warn("container %s: the forwarder of %s/%u died; starting it again", sb->ctr_id, p->proto, p->host_port);
		if (proxy_start(s, sb, p, &err) < 0)
			log_error("container %s: port %u: %s", sb->ctr_id, p->host_port, err->msg);
	}
	reapply(s, sb);
}
