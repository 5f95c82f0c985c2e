/* rules.c: a bridge network's nftables table, "ip engine_<bridge>": the
 * masquerade of its subnet for outbound traffic (not for --internal
 * networks, which instead get forward-drops), and the DNAT of the ports
 * published on it, for traffic arriving from outside and for the host's
 * own traffic to its non-loopback addresses; loopback goes through
 * engine-proxy. The table is always rewritten whole in one transaction
 * (add, delete, define), through libnftables (nftlib.c, which maps it only
 * while a script runs), so the kernel never holds half of it, and deleting
 * it removes every rule we made for the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "log.h"
#include "net_internal.h"
#include "nftlib.h"
#include "strbuf.h"
#include "xalloc.h"

char *rules_table_name(const network *n)
{
	char *t = xasprintf("engine_%s", n->bridge);
	for (char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	return t;
}

/* Where a port's DNAT applies. ANY: every local address; ONE: its host
 * address; LOOP: a loopback address (only without engine-proxy, which
 * otherwise serves loopback); NONE: IPv6, which engine-proxy serves. */
typedef enum { DNAT_NONE, DNAT_ANY, DNAT_ONE, DNAT_LOOP } dnat_kind;

static dnat_kind dnat_of(const net_port *p)
{
	if (!*p->host_ip || !strcmp(p->host_ip, "0.0.0.0"))
		return DNAT_ANY;
	uint32_t a;
	if (ipv4_parse(p->host_ip, &a) < 0)
		return DNAT_NONE;
	return (a >> 24) == 127 ? DNAT_LOOP : DNAT_ONE;
}

static void port_rules(strbuf *pre, strbuf *out, const net_config *cfg, const network *n, const net_port *p)
{
	dnat_kind k = dnat_of(p);
	bool proxy = cfg->userland_proxy;
	if (k == DNAT_NONE || (k == DNAT_LOOP && proxy))
		return;
	char cip[IPV4_STR];
	ipv4_format(p->ctr_ip, cip);
	_cleanup_free_ char *match = k == DNAT_ANY ? xstrdup("fib daddr type local") : xasprintf("ip daddr %s", p->host_ip);
	_cleanup_free_ char *to = xasprintf("%s dport %u dnat to %s:%u", p->proto, p->host_port, cip, p->ctr_port);
	/* From the bridge itself, engine-proxy answers (no hairpin NAT needed). */
	_cleanup_free_ char *iif = proxy ? xasprintf("iifname != \"%s\" ", n->bridge) : xstrdup("");
	if (k != DNAT_LOOP)
		sb_printf(pre, "\t\t%s%s %s\n", iif, match, to);
	sb_printf(out, "\t\t%s%s %s\n", proxy && k == DNAT_ANY ? "ip daddr != 127.0.0.0/8 " : "", match, to);
}

char *rules_text(const net_config *cfg, const network *n, const net_port *const *ports, size_t n_ports)
{
	_cleanup_free_ char *t = rules_table_name(n);
	char sub[IPV4_CIDR];
	ipv4_cidr_format(n->pool.subnet, sub);
	_cleanup_sb_ strbuf pre = STRBUF_INIT, out = STRBUF_INIT;
	for (size_t i = 0; i < n_ports; i++)
		port_rules(&pre, &out, cfg, n, ports[i]);
	strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "add table ip %s\ndelete table ip %s\ntable ip %s {\n", t, t, t);
	sb_puts(&sb, "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
	const char *masq = jget_str(n->options, "com.docker.network.bridge.enable_ip_masquerade");
	if (!n->internal && cfg->ip_masq && !(masq && !strcmp(masq, "false")))
		sb_printf(&sb, "\t\toifname != \"%s\" ip saddr %s masquerade\n", n->bridge, sub);
	if (!cfg->userland_proxy) {
		sb_printf(&sb, "\t\toifname \"%s\" ip saddr 127.0.0.0/8 masquerade\n", n->bridge);
		sb_printf(&sb, "\t\toifname \"%s\" ip saddr %s ip daddr %s masquerade\n", n->bridge, sub, sub);
	}
	sb_puts(&sb, "\t}\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
	sb_puts(&sb, sb_str(&pre));
	sb_puts(&sb, "\t}\n\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n");
	sb_puts(&sb, sb_str(&out));
	sb_puts(&sb, "\t}\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
	if (n->internal) {
		sb_printf(&sb, "\t\tiifname \"%s\" oifname != \"%s\" drop\n", n->bridge, n->bridge);
		sb_printf(&sb, "\t\toifname \"%s\" iifname != \"%s\" drop\n", n->bridge, n->bridge);
	}
	sb_puts(&sb, "\t}\n}\n");
	return sb_steal(&sb);
}

int rules_apply(net_store *s, const network *n, err_t **err)
{
	if (!s->cfg.nft || !n->has_pool || !n->bridge)
		return 0;
	const net_port **ports = NULL;
	size_t np = 0, cap = 0;
	for (size_t i = 0; i < s->n_sbs; i++) {
		net_sandbox *sb = s->sbs[i];
		for (size_t k = 0; k < sb->n_ports; k++) {
			if (strcmp(sb->ports[k].net_id, n->id))
				continue;
			ports = xgrow(ports, &cap, np + 1, sizeof(*ports));
			ports[np++] = &sb->ports[k];
		}
	}
	_cleanup_free_ char *text = rules_text(&s->cfg, n, ports, np);
	free(ports);
	return nftlib_run(text, err);
}

void rules_remove(net_store *s, const network *n)
{
	if (!s->cfg.nft || !n->bridge)
		return;
	_cleanup_free_ char *t = rules_table_name(n);
	_cleanup_free_ char *script = xasprintf("add table ip %s\ndelete table ip %s\n", t, t);
	_cleanup_err_ err_t *err = NULL;
	if (nftlib_run(script, &err) < 0)
		log_warn("network %s: removing its nftables table: %s", n->name, err->msg);
}
