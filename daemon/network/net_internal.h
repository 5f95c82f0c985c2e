/* net_internal.h: what the files of daemon/network share: the store, a
 * network record with its endpoints, a container's sandbox with its
 * published ports, and the functions that move them between memory, disk
 * and the kernel. One mutex (store.lock) guards all of it. */
#ifndef ENGINE_NET_INTERNAL_H
#define ENGINE_NET_INTERNAL_H

#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ipam.h"
#include "ipv4.h"
#include "network.h"

#define NET_ID_LEN 64

/* One container on one network. */
typedef struct net_endpoint {
	char ctr_id[NET_ID_LEN + 1];
	char ep_id[NET_ID_LEN + 1];
	char *ctr_name;     /* without '/' */
	char **aliases;     /* EndpointConfig.Aliases */
	uint32_t ip;
	bool static_ip;     /* asked for with --ip */
	uint8_t mac[6];
	char veth[IFNAMSIZ];   /* the host's end */
	char ifname[IFNAMSIZ]; /* inside the container: eth0, eth1, ... */
} net_endpoint;

typedef struct network {
	char id[NET_ID_LEN + 1];
	char *name;
	char *driver;       /* bridge, host, null */
	char *created;      /* RFC 3339 nano */
	char *bridge;       /* the Linux bridge (driver bridge) */
	bool internal, attachable, builtin, user_subnet, enable_ipv6;
	json_object *labels, *options; /* objects of strings */
	json_object *ipam_options;     /* IPAM.Options */
	bool has_pool;
	ipam pool;
	net_endpoint **eps;
	size_t n_eps, cap_eps;
} network;

/* One published port, resolved to a host port. */
typedef struct net_port {
	char proto[8];
	unsigned ctr_port;
	char *host_ip;      /* as asked ("" = every address) */
	unsigned host_port;
	uint32_t ctr_ip;    /* the endpoint it goes to */
	char net_id[NET_ID_LEN + 1];
	int proxy_pid;      /* 0: none running */
} net_port;

/* The network side of one running container. */
typedef struct net_sandbox {
	char ctr_id[NET_ID_LEN + 1];
	char *mode;         /* bridge, none, host, container */
	char *netns;        /* <exec-root>/netns/<id>, or NULL */
	bool owns_netns;    /* we made it (not container:X, not host) */
	char **nets;        /* IDs of the networks it has endpoints on, in order */
	net_port *ports;
	size_t n_ports;
	char **upstream;    /* where the embedded DNS forwards other names */
	bool adopted;       /* claimed at this daemon start */
} net_sandbox;

typedef struct net_config {
	char *bridge_name;  /* the default bridge's Linux name: engine0 */
	char *bip;          /* gateway/prefix of the default bridge, NULL: from pools */
	char *fixed_cidr;   /* its ip-range */
	ipv4_net *pools;    /* default-address-pools, split into subnets of `sizes` */
	int *sizes;
	size_t n_pools;
	char **dns, **dns_search, **dns_opts;
	char *default_ip;   /* "ip": the host address -p binds to by default */
	bool ip_forward, ip_masq, nft, userland_proxy;
} net_config;

typedef struct net_reaper net_reaper;

struct net_store {
	pthread_mutex_t lock;
	net_reaper *reaper;  /* deletes veths off the exit path (reaper.c) */
	char *root;          /* <data-root>/networks */
	char *sandbox_dir;   /* <exec-root>/sandboxes */
	char *netns_dir;     /* <exec-root>/netns */
	char *proxy_dir;     /* <exec-root>/proxies */
	char *dns_dir;       /* <exec-root>/dns */
	char *proxy_path, *dns_path;
	network **nets;
	size_t n_nets, cap_nets;
	net_sandbox **sbs;
	size_t n_sbs, cap_sbs;
	net_config cfg;
	net_event_fn event;
	void *event_ctx;
};

/* netconfig.c */
int net_config_parse(net_config *c, json_object *daemon_json, const char *bip, err_t **err);
void net_config_done(net_config *c);

/* netrec.c: records on disk (<root>/<id>.json) */
network *network_new(void);
void network_free(network *n);
json_object *network_to_json(const network *n);
network *network_from_json(json_object *o, err_t **err);
int network_save(net_store *s, const network *n, err_t **err);
void network_delete_file(net_store *s, const network *n);
net_endpoint *endpoint_find(const network *n, const char *ctr_id);
void endpoint_free(net_endpoint *ep);
void network_drop_endpoint(network *n, net_endpoint *ep);

/* store.c */
network *store_find(net_store *s, const char *ref, err_t **err);
network *store_find_id(net_store *s, const char *id);
void store_add(net_store *s, network *n);
void store_forget(net_store *s, network *n);
void net_new_id(char out[NET_ID_LEN + 1]);
char *net_now(void);
void store_event(net_store *s, const char *action, const network *n, const char *ctr_id);
bool net_is_builtin_name(const char *name);

/* pools.c: subnets for networks created without one */
int pool_pick(net_store *s, ipv4_net *out, err_t **err);

/* bridge.c: the Linux bridge of a network and its rules */
int bridge_up(net_store *s, network *n, err_t **err);
void bridge_down(net_store *s, network *n);
void sysctl_ip_forward(net_store *s);

/* rules.c: the network's nftables table (masquerade, DNAT of its ports) */
char *rules_text(const net_config *cfg, const network *n, const net_port *const *ports, size_t n_ports);
char *rules_table_name(const network *n);
int rules_apply(net_store *s, const network *n, err_t **err);
void rules_remove(net_store *s, const network *n);

/* reaper.c: veth deletion by a worker thread (NULL reaper: at once) */
net_reaper *reaper_start(void);
void reaper_delete(net_reaper *r, const char *veth);
void reaper_stop(net_reaper *r);

/* sandbox.c */
net_sandbox *sandbox_find(net_store *s, const char *ctr_id);
net_sandbox *sandbox_new(net_store *s, const char *ctr_id, const char *mode);
void sandbox_free(net_sandbox *sb);
int sandbox_save(net_store *s, const net_sandbox *sb, err_t **err);
void sandbox_forget(net_store *s, net_sandbox *sb);
void sandbox_load_all(net_store *s);

/* endpoint.c: one container on one network */
int endpoint_attach(net_store *s, network *n, net_sandbox *sb, const net_ctr *c, json_object *epcfg,
		    bool gateway, err_t **err);
void endpoint_detach(net_store *s, network *n, net_sandbox *sb, const char *ctr_id);
/* endpoint_detach without the disconnect event (undoing, cleaning up). */
void endpoint_drop(net_store *s, network *n, net_sandbox *sb, const char *ctr_id, bool event);

/* ports.c: published ports */
int ports_publish(net_store *s, net_sandbox *sb, const net_ctr *c, err_t **err);
void ports_unpublish(net_store *s, net_sandbox *sb);
/* Only the ports that go to network n (before it is disconnected). */
void ports_unpublish_net(net_store *s, net_sandbox *sb, const network *n);
void ports_adopt(net_store *s, net_sandbox *sb);
/* The resolved bindings wanted by a container: PortBindings plus -P. */
json_object *ports_wanted(const net_ctr *c);

/* proxies.c: engine-proxy processes */
int proxy_start(net_store *s, const net_sandbox *sb, net_port *p, err_t **err);
void proxy_stop(net_store *s, const net_sandbox *sb, net_port *p);
bool proxy_alive(net_store *s, const net_sandbox *sb, const net_port *p);
void proxies_kill_orphans(net_store *s);

/* spawn.c: a detached helper with a sync pipe */
int helper_spawn(const char *path, char *const *argv, char **reply, err_t **err);
/* Our helper binary: next to engined (build tree: daemon/network), else libexec. */
char *helper_path(const char *name);
/* pid from a pid file if it names a live process whose cmdline has `name`. */
int pidfile_alive(const char *path, const char *name);

/* ctrfiles.c: the container's /etc/hosts and /etc/resolv.conf */
int etc_write(net_store *s, const net_ctr *c, const net_sandbox *sb, err_t **err);
bool sandbox_has_dns(net_store *s, const net_sandbox *sb);
char **dns_upstreams_for(net_store *s, const net_ctr *c);

/* dnsreg.c: the embedded DNS server's view of the world */
void dns_sync(net_store *s);

/* settings.c */
json_object *settings_networks(net_store *s, const net_ctr *c, bool running);
/* The MAC address the user asked for in an EndpointSettings (not one we
 * derived from an address at the last start), or NULL. */
const char *settings_user_mac(json_object *epcfg);
/* One EndpointSettings as Docker shows it, without addresses. */
json_object *settings_endpoint(const network *n, json_object *epcfg);
/* Does the host have IPv6 (then a wildcard binding also serves ::)? */
bool host_ipv6(void);

/* Names of a container's networks in its stored Networks map, as keys. */
bool net_mode_is(const net_ctr *c, const char *mode);
const char *net_mode(const net_ctr *c);

#endif
