/* link.h: network interfaces over rtnetlink: Linux bridges, veth pairs
 * (the container's end created straight inside its namespace, with its
 * name and MAC address), enslaving to a bridge, bringing links up, finding
 * and deleting them. */
#ifndef ENGINE_NET_LINK_H
#define ENGINE_NET_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "nl.h"

/* The interface index of name, 0 when there is none. */
int link_index(nl_sock *s, const char *name, err_t **err);
int link_bridge_add(nl_sock *s, const char *name, err_t **err);
/* A veth pair: host_name stays here, peer_name goes into peer_netns_fd
 * with the given MAC (NULL: random). */
int link_veth_add(nl_sock *s, const char *host_name, const char *peer_name, int peer_netns_fd,
		  const uint8_t *peer_mac, err_t **err);
/* master > 0: enslave to that bridge; up: set IFF_UP. */
int link_set(nl_sock *s, int ifindex, int master, bool up, err_t **err);
/* Deletes the link; a missing one is not an error. */
int link_del(nl_sock *s, const char *name, err_t **err);

#endif
