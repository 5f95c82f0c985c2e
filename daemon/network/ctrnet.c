/* ctrnet.c: the container hooks: what a start builds (namespace, the
 * endpoints in the order of the container's networks, published ports,
 * hosts and resolv.conf, its entry in the embedded DNS server) and what an
 * exit tears down, plus adoption after an engined restart. Each step is
 * recorded before it is taken (sandbox.c), so a failed start undoes
 * exactly what it did, and a crash leaves nothing net_gc cannot find. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "link.h"
#include "log.h"
#include "net_internal.h"
#include "netns.h"
#include "xalloc.h"

const char *net_mode(const net_ctr *c)
{
	const char *m = jget_str(c->host_config, "NetworkMode");
	return !m || !*m || !strcmp(m, "default") ? "bridge" : m;
}

bool net_mode_is(const net_ctr *c, const char *mode)
{
	return !strcmp(net_mode(c), mode);
}

static void teardown(net_store *s, net_sandbox *sb)
{
	ports_unpublish(s, sb);
	size_t n = 0;
	while (sb->nets[n])
		n++;
	while (n-- > 0) {
		network *net = store_find_id(s, sb->nets[n]);
		if (net) {
			endpoint_detach(s, net, sb, sb->ctr_id);
		} else {
			free(sb->nets[n]);
			sb->nets[n] = NULL;
		}
	}
	_cleanup_err_ err_t *err = NULL;
	if (sb->owns_netns && sb->netns && netns_remove(sb->netns, &err) < 0)
		log_warn("container %s: %s", sb->ctr_id, err->msg);
	sandbox_forget(s, sb);
}

static int lo_up(const char *netns, err_t **err)
{
	_cleanup_close_ int fd = netns_open(netns, err);
	if (fd < 0)
		return -1;
	_cleanup_nl_ nl_sock *nl = nl_open(fd, err);
	if (!nl)
		return -1;
	int lo = link_index(nl, "lo", err);
	return lo <= 0 ? -1 : link_set(nl, lo, 0, true, err);
}

static int own_netns(net_store *s, net_sandbox *sb, err_t **err)
{
	sb->netns = fs_path_join(s->netns_dir, sb->ctr_id);
	sb->owns_netns = true;
	if (sandbox_save(s, sb, err) < 0)
		return -1;
	netns_remove(sb->netns, NULL); /* a stale one from a crash */
	if (netns_create(sb->netns, err) < 0)
		return -1;
	return lo_up(sb->netns, err);
}

/* The container's networks, primary first, as stored at create/connect. */
static int attach_all(net_store *s, net_sandbox *sb, const net_ctr *c, err_t **err)
{
	bool first = true;
	json_object_object_foreach(jobj_or_empty(c->networks), name, ep) {
		const char *id = jget_str(ep, "NetworkID");
		network *n = id && *id ? store_find_id(s, id) : NULL;
		if (!n)
			n = store_find(s, name, err);
		if (!n)
			return -1;
		if (strcmp(n->driver, "bridge"))
			continue;
		if (endpoint_attach(s, n, sb, c, ep, first, err) < 0)
			return -1;
		first = false;
	}
	return 0;
}

static int start_bridged(net_store *s, net_sandbox *sb, const net_ctr *c, err_t **err)
{
	if (own_netns(s, sb, err) < 0)
		return -1;
	if (!strcmp(sb->mode, "none"))
		return 0;
	if (attach_all(s, sb, c, err) < 0 || ports_publish(s, sb, c, err) < 0)
		return -1;
	if (sandbox_has_dns(s, sb)) {
		sb->upstream = dns_upstreams_for(s, c);
		if (sandbox_save(s, sb, err) < 0)
			return -1;
	}
	return 0;
}

static int start_joined(net_sandbox *sb, const net_ctr *c, err_t **err)
{
	if (!c->join_netns)
		return err_conflict(err, "cannot join network namespace of a non running container: %s",
				    net_mode(c) + strlen("container:"));
	sb->netns = xstrdup(c->join_netns);
	return 0;
}

static const char *sandbox_mode(const net_ctr *c)
{
	const char *m = net_mode(c);
	if (!strcmp(m, "host") || !strcmp(m, "none"))
		return m;
	return !strncmp(m, "container:", 10) ? "container" : "bridge";
}

json_object *net_ctr_start(net_store *s, const net_ctr *c, char **netns_path, err_t **err)
{
	*netns_path = NULL;
	pthread_mutex_lock(&s->lock);
	net_sandbox *old = sandbox_find(s, c->id);
	if (old)
		teardown(s, old);
	net_sandbox *sb = sandbox_new(s, c->id, sandbox_mode(c));
	int r = 0;
	if (!strcmp(sb->mode, "container"))
		r = start_joined(sb, c, err);
	else if (strcmp(sb->mode, "host"))
		r = start_bridged(s, sb, c, err);
	if (r == 0)
		r = sandbox_save(s, sb, err);
	if (r == 0)
		r = etc_write(s, c, sb, err);
	json_object *nets = NULL;
	if (r == 0) {
		sb->adopted = true;
		if (sandbox_has_dns(s, sb))
			dns_sync(s);
		*netns_path = sb->netns ? xstrdup(sb->netns) : NULL;
		nets = settings_networks(s, c, true);
	} else {
		teardown(s, sb);
	}
	pthread_mutex_unlock(&s->lock);
	return nets;
}

json_object *net_ctr_stop(net_store *s, const net_ctr *c)
{
	pthread_mutex_lock(&s->lock);
	net_sandbox *sb = sandbox_find(s, c->id);
	if (sb) {
		bool dns = sandbox_has_dns(s, sb);
		teardown(s, sb);
		if (dns)
			dns_sync(s);
	}
	json_object *nets = settings_networks(s, c, false);
	pthread_mutex_unlock(&s->lock);
	return nets;
}

void net_ctr_remove(net_store *s, const char *id)
{
	pthread_mutex_lock(&s->lock);
	net_sandbox *sb = sandbox_find(s, id);
	if (sb) {
		teardown(s, sb);
		dns_sync(s);
	}
	pthread_mutex_unlock(&s->lock);
}

void net_ctr_adopt(net_store *s, const net_ctr *c)
{
	pthread_mutex_lock(&s->lock);
	net_sandbox *sb = sandbox_find(s, c->id);
	if (sb) {
		sb->adopted = true;
		ports_adopt(s, sb);
	}
	pthread_mutex_unlock(&s->lock);
}

void net_gc(net_store *s)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_sbs;) {
		net_sandbox *sb = s->sbs[i];
		if (sb->adopted) {
			i++;
			continue;
		}
		log_info("container %s: removing its network state, left from a previous run", sb->ctr_id);
		teardown(s, sb); /* moves another sandbox into slot i */
	}
	/* Endpoints whose sandbox is gone (a crash between the two records). */
	for (size_t i = 0; i < s->n_nets; i++) {
		network *n = s->nets[i];
		for (size_t k = 0; k < n->n_eps;) {
			net_endpoint *ep = n->eps[k];
			if (sandbox_find(s, ep->ctr_id)) {
				k++;
				continue;
			}
			net_sandbox tmp = {.nets = xcalloc(2, sizeof(char *))};
			memcpy(tmp.ctr_id, ep->ctr_id, sizeof(tmp.ctr_id));
			tmp.nets[0] = xstrdup(n->id);
			endpoint_drop(s, n, &tmp, ep->ctr_id, false);
			strv_free(tmp.nets);
		}
	}
	proxies_kill_orphans(s);
	dns_sync(s);
	pthread_mutex_unlock(&s->lock);
}

void net_ctr_rename(net_store *s, const char *id, const char *new_name)
{
	pthread_mutex_lock(&s->lock);
	bool changed = false;
	for (size_t i = 0; i < s->n_nets; i++) {
		net_endpoint *ep = endpoint_find(s->nets[i], id);
		if (!ep)
			continue;
		free(ep->ctr_name);
		ep->ctr_name = xstrdup(new_name);
		_cleanup_err_ err_t *err = NULL;
		if (network_save(s, s->nets[i], &err) < 0)
			log_warn("network %s: %s", s->nets[i]->name, err->msg);
		changed = true;
	}
	if (changed)
		dns_sync(s);
	pthread_mutex_unlock(&s->lock);
}

char *net_ctr_netns(net_store *s, const char *id)
{
	pthread_mutex_lock(&s->lock);
	net_sandbox *sb = sandbox_find(s, id);
	char *p = sb && sb->netns ? xstrdup(sb->netns) : NULL;
	pthread_mutex_unlock(&s->lock);
	return p;
}
