/* ipv4.h: IPv4 addresses and subnets as host-order integers: parsing
 * "10.1.0.0/16" and "10.1.0.5", printing, containment and overlap, and the
 * MAC address Docker derives from a container's address (02:42 + the four
 * bytes). Pure functions, no system state. */
#ifndef ENGINE_NET_IPV4_H
#define ENGINE_NET_IPV4_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ipv4_net {
	uint32_t addr; /* the network address (host bits cleared) */
	int prefix;    /* 0..32 */
} ipv4_net;

#define IPV4_STR 16  /* "255.255.255.255" + NUL */
#define IPV4_CIDR 19 /* + "/32" */
#define MAC_STR 18   /* "02:42:ac:11:00:02" + NUL */

/* Dotted quad, strictly (no leading zeros, no trailing bytes). */
int ipv4_parse(const char *s, uint32_t *out);
/* "a.b.c.d/n": the subnet with its host bits cleared; *written (may be
 * NULL) gets the address as written ("172.17.0.1/16" as a bip). */
int ipv4_cidr_parse(const char *s, ipv4_net *out, uint32_t *written);
void ipv4_format(uint32_t a, char out[IPV4_STR]);
void ipv4_cidr_format(ipv4_net n, char out[IPV4_CIDR]);
uint32_t ipv4_mask(int prefix);
bool ipv4_contains(ipv4_net n, uint32_t a);
bool ipv4_overlaps(ipv4_net a, ipv4_net b);
/* First and last address of the subnet. */
uint32_t ipv4_first(ipv4_net n);
uint32_t ipv4_last(ipv4_net n);
/* Docker's generateMacAddr: 02:42:a:b:c:d. */
void ipv4_mac(uint32_t a, uint8_t mac[6]);
void mac_format(const uint8_t mac[6], char out[MAC_STR]);
int mac_parse(const char *s, uint8_t mac[6]);

#endif
