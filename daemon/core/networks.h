/* networks.h: the network store (daemon/network) as the engine uses it:
 * opened with the engine (network events become Docker's), and the
 * container hooks the lifecycle calls, one line each: they hand the
 * library what it needs of a container and store the Networks map it
 * returns. POST /networks/{id}/connect and /disconnect live here too,
 * since they touch both a container and a network. */
#ifndef ENGINE_CORE_NETWORKS_H
#define ENGINE_CORE_NETWORKS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "container.h"
#include "err.h"

struct engine;
struct ctr_table;
struct net_store;

struct net_store *engine_networks_open(struct engine *e, err_t **err);

/* create: checks networking settings, sets c->networks (container:NAME
 * becomes container:<id>). */
int ctr_net_create(struct ctr_table *t, container *c, json_object *networking_config, err_t **err);
/* start: *netns_path for the bundle (NULL: the host's network). */
int ctr_net_start(struct ctr_table *t, container *c, char **netns_path, err_t **err);
/* exit, failed start: tears the network side down, clears the addresses. */
void ctr_net_stop(struct ctr_table *t, container *c);
void ctr_net_remove(struct ctr_table *t, container *c);
/* daemon start: for a container still running. */
void ctr_net_adopt(struct ctr_table *t, container *c);
/* inspect and list (lock held). */
void ctr_net_settings(struct ctr_table *t, const container *c, json_object *settings);
json_object *ctr_net_ports(struct ctr_table *t, const container *c);

int ctr_net_connect(struct ctr_table *t, const char *net, const char *ctr, json_object *endpoint_config,
		    err_t **err);
int ctr_net_disconnect(struct ctr_table *t, const char *net, const char *ctr, bool force, err_t **err);

#endif
