/* addr.h: IPv4 addresses on links and routes over rtnetlink: adding an
 * address (an existing one is fine), the default route of a container,
 * and reading the host's routes to keep new subnets off networks the
 * machine already reaches. */
#ifndef ENGINE_NET_ADDR_H
#define ENGINE_NET_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ipv4.h"
#include "nl.h"

int addr_add(nl_sock *s, int ifindex, uint32_t addr, int prefix, err_t **err);
int route_default_add(nl_sock *s, int ifindex, uint32_t gateway, err_t **err);
/* The destinations of the main table's IPv4 routes (default route left out). */
int route_list(nl_sock *s, ipv4_net **out, size_t *n, err_t **err);

#endif
