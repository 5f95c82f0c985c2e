/* ports.c: the PORTS column of `ps`, as docker/cli's DisplayablePorts
 * writes it: ports sorted by private port, IP, public port and type;
 * bindings whose public port equals the private one, and unpublished ports,
 * folded into ranges per IP and type ("0.0.0.0:8000-8002->8000-8002/tcp",
 * "7000-7001/tcp"); other bindings listed one by one at the end
 * ("0.0.0.0:8080->80/tcp"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "containers_cli.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

typedef struct port {
	const char *ip, *type;
	long priv, pub;
} port;

typedef struct group {
	char *key; /* "type" or "ip/type" */
	long first, last;
} group;

/* docker's comparePorts. */
static int cmp_port(const void *a, const void *b)
{
	const port *x = a, *y = b;
	if (x->priv != y->priv)
		return x->priv < y->priv ? -1 : 1;
	int c = strcmp(x->ip, y->ip);
	if (c)
		return c;
	if (x->pub != y->pub)
		return x->pub < y->pub ? -1 : 1;
	return strcmp(x->type, y->type);
}

static void join_host_port(strbuf *sb, const char *ip, const char *port)
{
	if (strchr(ip, ':'))
		sb_printf(sb, "[%s]:%s", ip, port);
	else
		sb_printf(sb, "%s:%s", ip, port);
}

/* docker's formGroup. */
static void form_group(strbuf *out, const group *g)
{
	const char *slash = strrchr(g->key, '/');
	_cleanup_free_ char *ip = slash ? xstrndup(g->key, (size_t)(slash - g->key)) : NULL;
	const char *type = slash ? slash + 1 : g->key;
	_cleanup_free_ char *range = g->first == g->last ? xasprintf("%ld", g->first)
							  : xasprintf("%ld-%ld", g->first, g->last);
	if (out->len)
		sb_puts(out, ", ");
	if (ip && *ip) {
		join_host_port(out, ip, range);
		sb_printf(out, "->%s", range);
	} else {
		sb_puts(out, range);
	}
	sb_printf(out, "/%s", type);
}

static group *find_group(group *gs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(gs[i].key, key))
			return &gs[i];
	return NULL;
}

char *cli_ports_text(json_object *ports)
{
	size_t n = ports ? json_object_array_length(ports) : 0;
	_cleanup_free_ port *ps = xcalloc(n + 1, sizeof(port));
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		ps[i].ip = jget_str(p, "IP") ? jget_str(p, "IP") : "";
		ps[i].type = jget_str(p, "Type") ? jget_str(p, "Type") : "tcp";
		ps[i].priv = (long)jget_int(p, "PrivatePort", 0);
		ps[i].pub = (long)jget_int(p, "PublicPort", 0);
	}
	qsort(ps, n, sizeof(port), cmp_port);
	_cleanup_sb_ strbuf out = STRBUF_INIT, mappings = STRBUF_INIT;
	group *gs = xcalloc(n + 1, sizeof(group));
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		const port *p = &ps[i];
		_cleanup_free_ char *key = NULL;
		if (*p->ip) {
			if (p->pub != p->priv) {
				char pub[24];
				snprintf(pub, sizeof(pub), "%ld", p->pub);
				if (mappings.len)
					sb_puts(&mappings, ", ");
				join_host_port(&mappings, p->ip, pub);
				sb_printf(&mappings, "->%ld/%s", p->priv, p->type);
				continue;
			}
			key = xasprintf("%s/%s", p->ip, p->type);
		} else {
			key = xstrdup(p->type);
		}
		group *g = find_group(gs, ng, key);
		if (!g) {
			gs[ng++] = (group){steal_ptr(&key), p->priv, p->priv};
			continue;
		}
		if (p->priv == g->last + 1) {
			g->last = p->priv;
			continue;
		}
		form_group(&out, g);
		g->first = g->last = p->priv;
	}
	for (size_t i = 0; i < ng; i++) {
		form_group(&out, &gs[i]);
		free(gs[i].key);
	}
	free(gs);
	if (mappings.len) {
		if (out.len)
			sb_puts(&out, ", ");
		sb_puts(&out, sb_str(&mappings));
	}
	return sb_steal(&out);
}
