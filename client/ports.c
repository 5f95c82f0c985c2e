/* ports.c: the PORTS column of `ps`, as docker's DisplayablePorts writes
 * it: "0.0.0.0:8080->80/tcp, 443/tcp", consecutive ports folded into
 * ranges ("8000-8002->8000-8002/tcp"). */
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

static int cmp_port(const void *a, const void *b)
{
	const port *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	if (c)
		return c;
	c = strcmp(x->ip, y->ip);
	if (c)
		return c;
	if (x->pub != y->pub)
		return x->pub < y->pub ? -1 : 1;
	return x->priv < y->priv ? -1 : x->priv > y->priv;
}

static void emit(strbuf *sb, const port *first, const port *last)
{
	if (sb->len)
		sb_puts(sb, ", ");
	if (first->pub) {
		bool v6 = strchr(first->ip, ':') != NULL;
		const char *ip = first->ip;
		if (first == last)
			sb_printf(sb, "%s%s%s:%ld->%ld/%s", v6 ? "[" : "", ip, v6 ? "]" : "", first->pub,
				  first->priv, first->type);
		else
			sb_printf(sb, "%s%s%s:%ld-%ld->%ld-%ld/%s", v6 ? "[" : "", ip, v6 ? "]" : "", first->pub,
				  last->pub, first->priv, last->priv, first->type);
	} else if (first == last) {
		sb_printf(sb, "%ld/%s", first->priv, first->type);
	} else {
		sb_printf(sb, "%ld-%ld/%s", first->priv, last->priv, first->type);
	}
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
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && !strcmp(ps[j + 1].type, ps[i].type) && !strcmp(ps[j + 1].ip, ps[i].ip) &&
		       ps[j + 1].priv == ps[j].priv + 1 && (ps[i].pub == 0) == (ps[j + 1].pub == 0) &&
		       (!ps[i].pub || ps[j + 1].pub == ps[j].pub + 1))
			j++;
		emit(&sb, &ps[i], &ps[j]);
		i = j + 1;
	}
	return sb_steal(&sb);
}
