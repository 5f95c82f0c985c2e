/* ctrfiles.c: writing a starting container's hosts and resolv.conf into
 * its directory (the bundle binds them over /etc/hosts and
 * /etc/resolv.conf), and choosing the embedded DNS server's upstreams for
 * it: --dns, else the daemon's "dns", else the host's resolvers. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "etcfiles.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "xalloc.h"

static char **strv_of(json_object *arr, char **fallback)
{
	char **v = arr && json_object_array_length(arr) ? jarr_to_strv(arr, "", NULL) : NULL;
	if (v)
		return v;
	size_t n = 0;
	while (fallback && fallback[n])
		n++;
	v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(fallback[i]);
	return v;
}

/* The user-defined networks give the container the embedded DNS server. */
bool sandbox_has_dns(net_store *s, const net_sandbox *sb)
{
	for (char **id = sb->nets; id && *id; id++) {
		network *n = store_find_id(s, *id);
		if (n && !n->builtin)
			return true;
	}
	return false;
}

static int write_file(const char *dir, const char *name, const char *text, err_t **err)
{
	_cleanup_free_ char *p = fs_path_join(dir, name);
	/* written again at every start: no fsync */
	return fs_write_atomic_ex(p, text, strlen(text), 0644, FS_ATOMIC_VOLATILE, err);
}

int etc_write(net_store *s, const net_ctr *c, const net_sandbox *sb, err_t **err)
{
	json_object *hc = c->host_config;
	_cleanup_strv_ char **dns = strv_of(jget_arr(hc, "Dns"), s->cfg.dns);
	_cleanup_strv_ char **search = strv_of(jget_arr(hc, "DnsSearch"), s->cfg.dns_search);
	_cleanup_strv_ char **opts = strv_of(jget_arr(hc, "DnsOptions"), s->cfg.dns_opts);
	_cleanup_strv_ char **extra = strv_of(jget_arr(hc, "ExtraHosts"), NULL);
	_cleanup_free_ char *host_resolv = etc_host_resolv();
	char ip[IPV4_STR] = "", gw[IPV4_STR] = "";
	network *first = sb->nets[0] ? store_find_id(s, sb->nets[0]) : NULL;
	net_endpoint *ep = first ? endpoint_find(first, c->id) : NULL;
	if (ep)
		ipv4_format(ep->ip, ip);
	network *def = store_find(s, "bridge", NULL);
	if (def && def->has_pool)
		ipv4_format(def->pool.gateway, gw);
	etc_info i = {
		.host_network = !strcmp(sb->mode, "host"),
		.embedded_dns = sandbox_has_dns(s, sb),
		.ip = ip,
		.hostname = jget_str(c->config, "Hostname") ? jget_str(c->config, "Hostname") : "",
		.domainname = jget_str(c->config, "Domainname"),
		.extra_hosts = extra,
		.host_gateway = gw,
		.dns = dns,
		.dns_search = search,
		.dns_options = opts,
	};
	_cleanup_free_ char *hosts = etc_hosts_text(&i, err);
	if (!hosts)
		return -1;
	_cleanup_free_ char *resolv = etc_resolv_text(&i, host_resolv);
	return write_file(c->dir, "hosts", hosts, err) < 0 || write_file(c->dir, "resolv.conf", resolv, err) < 0 ? -1 : 0;
}

char **dns_upstreams_for(net_store *s, const net_ctr *c)
{
	_cleanup_strv_ char **dns = strv_of(jget_arr(c->host_config, "Dns"), s->cfg.dns);
	_cleanup_free_ char *host_resolv = etc_host_resolv();
	return etc_upstreams(dns, host_resolv);
}
