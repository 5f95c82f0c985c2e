/* netconfig.c: the daemon.json keys networking reads, with dockerd's
 * defaults: bridge (the default bridge's name; engine0 here), bip,
 * fixed-cidr, default-address-pools (172.17-31.0.0/16, then
 * 192.168.0.0/16 in /20s), dns, dns-search, dns-opts, ip, ip-forward,
 * ip-masq, iptables (our nftables rules) and userland-proxy. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "net_internal.h"
#include "xalloc.h"

static void add_pool(net_config *c, ipv4_net base, int size)
{
	c->pools = xrealloc(c->pools, (c->n_pools + 1) * sizeof(ipv4_net));
	c->sizes = xrealloc(c->sizes, (c->n_pools + 1) * sizeof(int));
	c->pools[c->n_pools] = base;
	c->sizes[c->n_pools] = size;
	c->n_pools++;
}

static void default_pools(net_config *c)
{
	for (uint32_t b = 17; b <= 31; b++)
		add_pool(c, (ipv4_net){(172u << 24) | (b << 16), 16}, 16);
	add_pool(c, (ipv4_net){(192u << 24) | (168u << 16), 16}, 20);
}

static int parse_pools(net_config *c, json_object *arr, err_t **err)
{
	if (!json_object_is_type(arr, json_type_array))
		return err_invalid(err, "invalid default-address-pools: must be a list of {\"base\",\"size\"}");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *p = json_object_array_get_idx(arr, i);
		ipv4_net base;
		int64_t size = jget_int(p, "size", -1);
		if (ipv4_cidr_parse(jget_str(p, "base"), &base, NULL) < 0)
			return err_invalid(err, "invalid default-address-pools: invalid base pool \"%s\"",
					   jget_str(p, "base") ? jget_str(p, "base") : "");
		if (size < base.prefix || size > 30)
			return err_invalid(err, "invalid default-address-pools: invalid pools size: %lld",
					   (long long)size);
		add_pool(c, base, (int)size);
	}
	return 0;
}

static bool bool_key(json_object *f, const char *key, bool def)
{
	json_object *v = jget(f, key);
	return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : def;
}

static char **strv_key(json_object *f, const char *key)
{
	json_object *v = jget_arr(f, key);
	char **out = v ? jarr_to_strv(v, key, NULL) : NULL;
	return out ? out : xcalloc(1, sizeof(char *));
}

static char *str_key(json_object *f, const char *key)
{
	const char *v = jget_str(f, key);
	return v && *v ? xstrdup(v) : NULL;
}

int net_config_parse(net_config *c, json_object *f, const char *bip, err_t **err)
{
	memset(c, 0, sizeof(*c));
	c->bridge_name = str_key(f, "bridge");
	if (!c->bridge_name)
		c->bridge_name = xstrdup("engine0");
	if (strlen(c->bridge_name) >= IFNAMSIZ)
		return err_invalid(err, "invalid bridge name %s: too long", c->bridge_name);
	c->bip = bip && *bip ? xstrdup(bip) : str_key(f, "bip");
	ipv4_net n;
	if (c->bip && ipv4_cidr_parse(c->bip, &n, NULL) < 0)
		return err_invalid(err, "invalid bip %s: it must be an address with a prefix (172.17.0.1/16)", c->bip);
	c->fixed_cidr = str_key(f, "fixed-cidr");
	json_object *pools = jget(f, "default-address-pools");
	if (pools) {
		if (parse_pools(c, pools, err) < 0)
			return -1;
	} else {
		default_pools(c);
	}
	c->dns = strv_key(f, "dns");
	c->dns_search = strv_key(f, "dns-search");
	c->dns_opts = strv_key(f, "dns-opts");
	c->default_ip = str_key(f, "ip");
	c->ip_forward = bool_key(f, "ip-forward", true);
	c->ip_masq = bool_key(f, "ip-masq", true);
	c->nft = bool_key(f, "iptables", true);
	c->userland_proxy = bool_key(f, "userland-proxy", true);
	return 0;
}

void net_config_done(net_config *c)
{
	free(c->bridge_name);
	free(c->bip);
	free(c->fixed_cidr);
	free(c->pools);
	free(c->sizes);
	strv_free(c->dns);
	strv_free(c->dns_search);
	strv_free(c->dns_opts);
	free(c->default_ip);
	memset(c, 0, sizeof(*c));
}
