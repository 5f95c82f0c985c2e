/* networks.c: see networks.h. The container's JSON (Config, HostConfig)
 * does not change after create, so it is read without the container's
 * lock; its Networks map is replaced whole under the lock, never edited in
 * place, so readers holding a reference see a consistent map. */
#include "networks.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "jsonutil.h"
#include "log.h"
#include "network.h"
#include "xalloc.h"

static void on_network_event(void *ctx, const char *action, const char *id, json_object *attrs)
{
	engine *e = ctx;
	events_publish(e->events, "network", action, id, attrs);
}

struct net_store *engine_networks_open(engine *e, err_t **err)
{
	engine_config *cfg = engine_config_get(e);
	net_opts o = {
		.data_root = e->data_root,
		.exec_root = e->exec_root,
		.daemon_json = cfg->file,
		.bip = cfg->bip,
		.event = on_network_event,
		.event_ctx = e,
	};
	struct net_store *s = net_open(&o, err);
	config_free(cfg);
	return s;
}

static bool running(const container *c)
{
	return c->state == CS_RUNNING || c->state == CS_PAUSED || c->state == CS_RESTARTING;
}

/* The library's view of c; networks is referenced (drop with json_object_put). */
static void view(const container *c, net_ctr *v)
{
	memset(v, 0, sizeof(*v));
	v->id = c->id;
	v->name = c->name ? container_short_name(c) : "";
	v->config = c->config;
	v->host_config = c->host_config;
	v->networks = c->networks ? jclone(c->networks) : NULL;
	v->dir = c->dir;
}

static void set_networks(container *c, json_object *nets, bool save)
{
	pthread_mutex_lock(&c->lock);
	json_object *old = c->networks;
	c->networks = nets;
	if (save)
		ctr_save_or_log(c);
	pthread_mutex_unlock(&c->lock);
	if (old)
		json_object_put(old);
}

/* container:NAME -> container:<full id>, as Docker stores it. */
static int resolve_joined(ctr_table *t, container *c, err_t **err)
{
	const char *m = jget_str(c->host_config, "NetworkMode");
	if (!m || strncmp(m, "container:", 10))
		return 0;
	container *other = ctr_find(t, m + 10, err);
	if (!other)
		return -1;
	_cleanup_free_ char *mode = xasprintf("container:%s", other->id);
	bool self = other == c || !strcmp(other->id, c->id);
	container_unref(other);
	if (self)
		return err_invalid(err, "cannot join own network");
	jset_str(c->host_config, "NetworkMode", mode);
	return 0;
}

int ctr_net_create(ctr_table *t, container *c, json_object *nc, err_t **err)
{
	if (resolve_joined(t, c, err) < 0)
		return -1;
	net_ctr v;
	view(c, &v);
	json_object *nets = net_ctr_create(t->eng->networks, &v, nc, err);
	json_object_put(v.networks);
	if (!nets)
		return -1;
	set_networks(c, nets, false);
	return 0;
}

/* container:<id>: that container's namespace, if it runs. */
static char *joined_netns(ctr_table *t, const container *c)
{
	const char *m = jget_str(c->host_config, "NetworkMode");
	if (!m || strncmp(m, "container:", 10))
		return NULL;
	return net_ctr_netns(t->eng->networks, m + 10);
}

int ctr_net_start(ctr_table *t, container *c, char **netns_path, err_t **err)
{
	net_ctr v;
	pthread_mutex_lock(&c->lock);
	view(c, &v);
	pthread_mutex_unlock(&c->lock);
	_cleanup_free_ char *join = joined_netns(t, c);
	v.join_netns = join;
	json_object *nets = net_ctr_start(t->eng->networks, &v, netns_path, err);
	json_object_put(v.networks);
	if (!nets)
		return -1;
	set_networks(c, nets, true);
	return 0;
}

void ctr_net_stop(ctr_table *t, container *c)
{
	net_ctr v;
	pthread_mutex_lock(&c->lock);
	view(c, &v);
	pthread_mutex_unlock(&c->lock);
	json_object *nets = net_ctr_stop(t->eng->networks, &v);
	json_object_put(v.networks);
	set_networks(c, nets, true);
}

void ctr_net_remove(ctr_table *t, container *c)
{
	net_ctr_remove(t->eng->networks, c->id);
}

void ctr_net_adopt(ctr_table *t, container *c)
{
	net_ctr v;
	pthread_mutex_lock(&c->lock);
	view(c, &v);
	pthread_mutex_unlock(&c->lock);
	net_ctr_adopt(t->eng->networks, &v);
	json_object_put(v.networks);
}

void ctr_net_settings(ctr_table *t, const container *c, json_object *settings)
{
	net_ctr v;
	view(c, &v);
	net_ctr_settings(t->eng->networks, &v, running(c), settings);
	json_object_put(v.networks);
}

json_object *ctr_net_ports(ctr_table *t, const container *c)
{
	net_ctr v;
	view(c, &v);
	json_object *a = net_ctr_port_summary(t->eng->networks, &v, running(c));
	json_object_put(v.networks);
	return a;
}

typedef json_object *(*change_fn)(struct net_store *s, const net_ctr *c, bool running, const char *net,
				  json_object *epcfg, bool force, err_t **err);

static json_object *do_connect(struct net_store *s, const net_ctr *c, bool run, const char *net,
			       json_object *epcfg, bool force, err_t **err)
{
	(void)force;
	return net_ctr_connect(s, c, run, net, epcfg, err);
}

static json_object *do_disconnect(struct net_store *s, const net_ctr *c, bool run, const char *net,
				  json_object *epcfg, bool force, err_t **err)
{
	(void)epcfg;
	return net_ctr_disconnect(s, c, run, net, force, err);
}

static int change(ctr_table *t, const char *net, const char *ref, json_object *epcfg, bool force,
		  change_fn fn, err_t **err)
{
	container *c = ctr_find(t, ref, err);
	if (!c)
		return -1;
	net_ctr v;
	pthread_mutex_lock(&c->lock);
	view(c, &v);
	bool run = c->state == CS_RUNNING || c->state == CS_PAUSED;
	pthread_mutex_unlock(&c->lock);
	json_object *nets = fn(t->eng->networks, &v, run, net, epcfg, force, err);
	json_object_put(v.networks);
	if (nets)
		set_networks(c, nets, true);
	container_unref(c);
	return nets ? 0 : -1;
}

int ctr_net_connect(ctr_table *t, const char *net, const char *ctr, json_object *epcfg, err_t **err)
{
	return change(t, net, ctr, epcfg, false, do_connect, err);
}

int ctr_net_disconnect(ctr_table *t, const char *net, const char *ctr, bool force, err_t **err)
{
	return change(t, net, ctr, NULL, force, do_disconnect, err);
}
