/* ipam.h: address management for one IPv4 pool, as Docker's default IPAM
 * does it: a subnet, an optional ip-range dynamic addresses come from, a
 * reserved gateway, static addresses anywhere in the subnet, and serial
 * allocation (the next free address after the last one handed out, so a
 * released address is not reused at once). The state round-trips through
 * JSON: the network record that holds it is written crash-safely before an
 * address is used, so a restart never hands the same address out twice. */
#ifndef ENGINE_NET_IPAM_H
#define ENGINE_NET_IPAM_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ipv4.h"

typedef struct ipam {
	ipv4_net subnet;
	ipv4_net range;   /* where dynamic addresses come from (the subnet by default) */
	uint32_t gateway; /* 0: none */
	uint32_t cursor;  /* the last dynamic allocation */
	uint32_t *used;   /* sorted */
	size_t n_used, cap;
} ipam;

/* Checks and sets up a pool. subnet is required; range and gateway may be
 * NULL or "" (gateway then defaults to the first host address). Messages
 * are Docker's ("no matching subnet for gateway 10.6.0.1"). */
int ipam_init(ipam *p, const char *subnet, const char *range, const char *gateway, err_t **err);
void ipam_done(ipam *p);

/* The next free address in the range; ERR_UNAVAILABLE-ish ERR_SYSTEM when
 * none is left (message filled in by the caller, which knows the name). */
int ipam_alloc(ipam *p, uint32_t *out);
/* A static address: inside the subnet, not the network, broadcast or
 * gateway address, not in use. */
int ipam_reserve(ipam *p, uint32_t a, err_t **err);
void ipam_release(ipam *p, uint32_t a);
bool ipam_in_use(const ipam *p, uint32_t a);

/* {"Subnet","IPRange","Gateway","Cursor","Used":[...]} */
json_object *ipam_to_json(const ipam *p);
int ipam_from_json(ipam *p, json_object *o, err_t **err);

#endif
