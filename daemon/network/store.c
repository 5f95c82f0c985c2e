/* store.c: opening the network store: the records under
 * <data-root>/networks, the built-in networks (bridge, host, none; the
 * default bridge's subnet from bip or the first free pool), the sandboxes
 * of running containers, and the default and user-defined bridges brought
 * back up, as dockerd does at its start. Also finding networks by ID, name
 * or ID prefix, and emitting their events. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "net_internal.h"
#include "timeutil.h"
#include "xalloc.h"

void net_new_id(char out[NET_ID_LEN + 1])
{
	unsigned char b[32];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

char *net_now(void)
{
	int64_t ns = now_ns();
	return time_format_rfc3339nano(ns / NS_PER_SEC, (int32_t)(ns % NS_PER_SEC));
}

bool net_is_builtin_name(const char *name)
{
	return !strcmp(name, "bridge") || !strcmp(name, "host") || !strcmp(name, "none");
}

void store_add(net_store *s, network *n)
{
	s->nets = xgrow(s->nets, &s->cap_nets, s->n_nets + 1, sizeof(*s->nets));
	s->nets[s->n_nets++] = n;
}

void store_forget(net_store *s, network *n)
{
	for (size_t i = 0; i < s->n_nets; i++) {
		if (s->nets[i] == n) {
			memmove(s->nets + i, s->nets + i + 1, (s->n_nets - i - 1) * sizeof(*s->nets));
			s->n_nets--;
			network_free(n);
			return;
		}
	}
}

network *store_find_id(net_store *s, const char *id)
{
	for (size_t i = 0; i < s->n_nets; i++)
		if (!strcmp(s->nets[i]->id, id))
			return s->nets[i];
	return NULL;
}

network *store_find(net_store *s, const char *ref, err_t **err)
{
	if (!ref || !*ref) {
		err_notfound(err, "network %s not found", ref ? ref : "");
		return NULL;
	}
	network *n = store_find_id(s, ref);
	if (n)
		return n;
	for (size_t i = 0; i < s->n_nets; i++)
		if (!strcmp(s->nets[i]->name, ref))
			return s->nets[i];
	size_t hits = 0, l = strlen(ref);
	for (size_t i = 0; i < s->n_nets; i++) {
		if (!strncmp(s->nets[i]->id, ref, l)) {
			hits++;
			n = s->nets[i];
		}
	}
	if (hits == 1)
		return n;
	if (hits > 1)
		err_invalid(err, "network %s is ambiguous (%zu matches found based on ID prefix)", ref, hits);
	else
		err_notfound(err, "network %s not found", ref);
	return NULL;
}

void store_event(net_store *s, const char *action, const network *n, const char *ctr_id)
{
	if (!s->event)
		return;
	json_object *a = json_object_new_object();
	if (ctr_id)
		jset_str(a, "container", ctr_id);
	jset_str(a, "name", n->name);
	jset_str(a, "type", n->driver);
	s->event(s->event_ctx, action, n->id, a);
}

static void load_records(net_store *s)
{
	_cleanup_closedir_ DIR *d = opendir(s->root);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l != NET_ID_LEN + 5 || strcmp(de->d_name + NET_ID_LEN, ".json"))
			continue;
		_cleanup_free_ char *path = fs_path_join(s->root, de->d_name);
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		_cleanup_err_ err_t *err = NULL;
		_cleanup_json_ json_object *o = NULL;
		network *n = NULL;
		if (fs_read_file(path, 64 << 20, &text, &len, &err) == 0 && (o = json_parse_strict(text, len, &err)))
			n = network_from_json(o, &err);
		if (!n) {
			log_warn("network record %s: %s: skipped", de->d_name, err ? err->msg : "unreadable");
			continue;
		}
		store_add(s, n);
	}
}

static network *find_builtin(net_store *s, const char *name)
{
	for (size_t i = 0; i < s->n_nets; i++)
		if (s->nets[i]->builtin && !strcmp(s->nets[i]->name, name))
			return s->nets[i];
	return NULL;
}

static network *builtin_new(const char *name, const char *driver)
{
	network *n = network_new();
	net_new_id(n->id);
	n->name = xstrdup(name);
	n->driver = xstrdup(driver);
	n->created = net_now();
	n->builtin = true;
	return n;
}

static void bridge_options(net_store *s, network *n)
{
	json_object *o = n->options;
	jset_str(o, "com.docker.network.bridge.default_bridge", "true");
	jset_str(o, "com.docker.network.bridge.enable_icc", "true");
	jset_str(o, "com.docker.network.bridge.enable_ip_masquerade", s->cfg.ip_masq ? "true" : "false");
	jset_str(o, "com.docker.network.bridge.host_binding_ipv4", s->cfg.default_ip ? s->cfg.default_ip : "0.0.0.0");
	jset_str(o, "com.docker.network.bridge.name", s->cfg.bridge_name);
	jset_str(o, "com.docker.network.driver.mtu", "1500");
}

/* The default bridge's pool: bip (gateway/prefix) and fixed-cidr, or the
 * subnet it already has, or the first free one of the pools. */
static int default_pool(net_store *s, network *n, err_t **err)
{
	char subnet[IPV4_CIDR], gw[IPV4_STR];
	ipv4_net net;
	uint32_t gwa;
	if (s->cfg.bip) {
		ipv4_cidr_parse(s->cfg.bip, &net, &gwa);
	} else if (n->has_pool) {
		net = n->pool.subnet;
		gwa = n->pool.gateway;
	} else {
		if (pool_pick(s, &net, err) < 0)
			return -1;
		gwa = net.addr + 1;
	}
	ipv4_cidr_format(net, subnet);
	ipv4_format(gwa, gw);
	ipam fresh;
	if (ipam_init(&fresh, subnet, s->cfg.fixed_cidr, gw, err) < 0)
		return err_wrap(err, "the default bridge (bip %s, fixed-cidr %s)", subnet,
				s->cfg.fixed_cidr ? s->cfg.fixed_cidr : "none");
	if (n->has_pool) {
		/* Keep what is allocated (a live endpoint keeps its address). */
		for (size_t i = 0; i < n->n_eps; i++)
			ipam_reserve(&fresh, n->eps[i]->ip, NULL);
		fresh.cursor = n->pool.cursor;
		ipam_done(&n->pool);
	}
	n->pool = fresh;
	n->has_pool = true;
	return 0;
}

static int ensure_builtins(net_store *s, err_t **err)
{
	static const char *const names[][2] = {{"none", "null"}, {"host", "host"}, {"bridge", "bridge"}};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		network *n = find_builtin(s, names[i][0]);
		bool fresh = !n;
		if (fresh)
			n = builtin_new(names[i][0], names[i][1]);
		if (!strcmp(names[i][0], "bridge")) {
			free(n->bridge);
			n->bridge = xstrdup(s->cfg.bridge_name);
			bridge_options(s, n);
			if (default_pool(s, n, err) < 0) {
				if (fresh)
					network_free(n);
				return -1;
			}
		}
		if (fresh)
			store_add(s, n);
		if (network_save(s, n, err) < 0)
			return -1;
	}
	return 0;
}

static void bring_up_bridges(net_store *s)
{
	for (size_t i = 0; i < s->n_nets; i++) {
		network *n = s->nets[i];
		_cleanup_err_ err_t *err = NULL;
		if (strcmp(n->driver, "bridge"))
			continue;
		if (bridge_up(s, n, &err) < 0)
			log_error("network %s: bridge %s: %s", n->name, n->bridge, err->msg);
	}
}

static int make_dirs(net_store *s, err_t **err)
{
	if (fs_mkdir_p(s->root, 0700, err) < 0 || fs_mkdir_p(s->sandbox_dir, 0700, err) < 0 ||
	    fs_mkdir_p(s->netns_dir, 0700, err) < 0 || fs_mkdir_p(s->proxy_dir, 0700, err) < 0 ||
	    fs_mkdir_p(s->dns_dir, 0700, err) < 0)
		return -1;
	return 0;
}

net_store *net_open(const net_opts *o, err_t **err)
{
	net_store *s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->root = fs_path_join(o->data_root, "networks");
	s->sandbox_dir = fs_path_join(o->exec_root, "sandboxes");
	s->netns_dir = fs_path_join(o->exec_root, "netns");
	s->proxy_dir = fs_path_join(o->exec_root, "proxies");
	s->dns_dir = fs_path_join(o->exec_root, "dns");
	s->proxy_path = o->proxy_path ? xstrdup(o->proxy_path) : helper_path("engine-proxy");
	s->dns_path = o->dns_path ? xstrdup(o->dns_path) : helper_path("engine-dns");
	s->event = o->event;
	s->event_ctx = o->event_ctx;
	if (net_config_parse(&s->cfg, o->daemon_json, o->bip, err) < 0 || make_dirs(s, err) < 0) {
		net_close(s);
		return NULL;
	}
	s->reaper = reaper_start();
	load_records(s);
	if (ensure_builtins(s, err) < 0) {
		net_close(s);
		return NULL;
	}
	sandbox_load_all(s);
	bring_up_bridges(s);
	return s;
}

void net_close(net_store *s)
{
	if (!s)
		return;
	reaper_stop(s->reaper);
	for (size_t i = 0; i < s->n_nets; i++)
		network_free(s->nets[i]);
	free(s->nets);
	for (size_t i = 0; i < s->n_sbs; i++)
		sandbox_free(s->sbs[i]);
	free(s->sbs);
	net_config_done(&s->cfg);
	free(s->root);
	free(s->sandbox_dir);
	free(s->netns_dir);
	free(s->proxy_dir);
	free(s->dns_dir);
	free(s->proxy_path);
	free(s->dns_path);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
