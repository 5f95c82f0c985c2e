/* network.h: engine's networking, as plain C calls (no HTTP in here).
 *
 * The store owns the networks (built in: bridge, host, none; user-defined
 * bridge networks), their address pools and endpoints, and the network
 * side of every running container (its "sandbox": a network namespace
 * bind-mounted under <exec-root>/netns, the veth pairs, published ports
 * with their DNAT rules and engine-proxy forwarders, the names the
 * embedded DNS server answers). Everything that must survive a crash is in
 * <data-root>/networks; what lives in the kernel and in our helper
 * processes keeps working while engined is down and is adopted again when
 * it comes back.
 *
 * The container core calls the net_ctr_* hooks at create, start, exit,
 * remove, rename and daemon start; the HTTP handlers call the rest. A
 * function returning JSON returns a new object the caller owns. */
#ifndef ENGINE_NETWORK_H
#define ENGINE_NETWORK_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"

typedef struct net_store net_store;

/* Network events (create, connect, disconnect, destroy); attrs is taken. */
typedef void (*net_event_fn)(void *ctx, const char *action, const char *net_id, json_object *attrs);

typedef struct net_opts {
	const char *data_root, *exec_root;
	json_object *daemon_json; /* the parsed daemon.json (bridge, bip, default-address-pools, ...) */
	const char *bip;          /* engined's bip setting (NULL: from daemon_json or Docker's default) */
	const char *proxy_path;   /* engine-proxy */
	const char *dns_path;     /* engine-dns */
	net_event_fn event;
	void *event_ctx;
} net_opts;

net_store *net_open(const net_opts *o, err_t **err);
/* Forgets the in-memory state; bridges, rules, namespaces and helpers stay. */
void net_close(net_store *s);

/* ---- networks (the /networks endpoints) ---- */

/* POST /networks/create: {Id, Warning}. */
json_object *net_create(net_store *s, json_object *body, err_t **err);
/* GET /networks: filters name, id, driver, label, type (custom|builtin), scope, dangling. */
json_object *net_list(net_store *s, const char *filters, err_t **err);
/* GET /networks/{id}: by full ID, name, or unique ID prefix. */
json_object *net_inspect(net_store *s, const char *ref, err_t **err);
/* DELETE /networks/{id}. */
int net_remove(net_store *s, const char *ref, err_t **err);
/* POST /networks/prune: {NetworksDeleted}. */
json_object *net_prune(net_store *s, const char *filters, err_t **err);
/* The network's full ID and name (for the core's connect/disconnect). */
int net_resolve(net_store *s, const char *ref, char id[65], char **name, err_t **err);

/* ---- containers ---- */

/* What the library is told about a container. The JSON is read only. */
typedef struct net_ctr {
	const char *id;
	const char *name;         /* without the leading '/' */
	json_object *config;      /* Config: Hostname, Domainname, ExposedPorts */
	json_object *host_config; /* HostConfig: NetworkMode, PortBindings, PublishAllPorts, Dns... */
	json_object *networks;    /* NetworkSettings.Networks as stored (may be NULL) */
	const char *dir;          /* where its hostname, hosts and resolv.conf files live */
	const char *join_netns;   /* container:X mode: X's namespace path (from the core), or NULL */
} net_ctr;

/* Create: checks the network mode, networks, ports, DNS settings and
 * addresses, and returns the Networks map to store (one EndpointSettings
 * per network, without addresses yet). networking_config is the create
 * body's NetworkingConfig (may be NULL). */
json_object *net_ctr_create(net_store *s, const net_ctr *c, json_object *networking_config, err_t **err);
/* Start: the namespace, endpoints, published ports, DNS and the hosts and
 * resolv.conf files. *netns_path: what the runtime joins (NULL with the
 * host's network). Returns the new Networks map (addresses filled in). */
json_object *net_ctr_start(net_store *s, const net_ctr *c, char **netns_path, err_t **err);
/* Exit or stop: everything start made goes away. Returns the Networks map
 * with the addresses cleared. Safe to call twice. */
json_object *net_ctr_stop(net_store *s, const net_ctr *c);
/* Remove: forgets whatever is left of the container. */
void net_ctr_remove(net_store *s, const char *id);
/* Daemon start, for a container whose process still runs: checks its
 * forwarders and DNS entries and brings back any that died. */
void net_ctr_adopt(net_store *s, const net_ctr *c);
/* Daemon start, after every running container was adopted: tears down
 * sandboxes no container claimed (left by a crash). */
void net_gc(net_store *s);
/* Rename: DNS answers the new name. */
void net_ctr_rename(net_store *s, const char *id, const char *new_name);
/* The namespace path of a running container (for container:X), or NULL. */
char *net_ctr_netns(net_store *s, const char *id);

/* POST /networks/{id}/connect and /disconnect. endpoint_config: the
 * EndpointConfig (Aliases, IPAMConfig.IPv4Address); running: hot-plug into
 * the running container. Returns the new Networks map. */
json_object *net_ctr_connect(net_store *s, const net_ctr *c, bool running, const char *net,
			     json_object *endpoint_config, err_t **err);
json_object *net_ctr_disconnect(net_store *s, const net_ctr *c, bool running, const char *net,
				bool force, err_t **err);

/* Inspect: fills NetworkSettings (Bridge, SandboxID, SandboxKey, Ports,
 * the legacy top-level fields, Networks). */
void net_ctr_settings(net_store *s, const net_ctr *c, bool running, json_object *settings);
/* GET /containers/json: the Ports array. */
json_object *net_ctr_port_summary(net_store *s, const net_ctr *c, bool running);

#endif
