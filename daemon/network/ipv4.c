/* ipv4.c: see ipv4.h. */
#include "ipv4.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ipv4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int ipv4_cidr_parse(const char *s, ipv4_net *out, uint32_t *written)
{
	if (!s)
		return -1;
	const char *slash = strchr(s, '/');
	if (!slash || slash - s >= IPV4_STR || !slash[1] || strlen(slash + 1) > 2)
		return -1;
	char ip[IPV4_STR];
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	uint32_t a;
	if (ipv4_parse(ip, &a) < 0)
		return -1;
	int prefix = 0;
	for (const char *p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		prefix = prefix * 10 + (*p - '0');
	}
	if (prefix > 32 || (slash[1] == '0' && slash[2]))
		return -1;
	out->prefix = prefix;
	out->addr = a & ipv4_mask(prefix);
	if (written)
		*written = a;
	return 0;
}

void ipv4_format(uint32_t a, char out[IPV4_STR])
{
	snprintf(out, IPV4_STR, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

void ipv4_cidr_format(ipv4_net n, char out[IPV4_CIDR])
{
	char ip[IPV4_STR];
	ipv4_format(n.addr, ip);
	snprintf(out, IPV4_CIDR, "%s/%d", ip, n.prefix);
}

uint32_t ipv4_mask(int prefix)
{
	return prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

bool ipv4_contains(ipv4_net n, uint32_t a)
{
	return (a & ipv4_mask(n.prefix)) == n.addr;
}

bool ipv4_overlaps(ipv4_net a, ipv4_net b)
{
	return ipv4_contains(a, b.addr) || ipv4_contains(b, a.addr);
}

uint32_t ipv4_first(ipv4_net n)
{
	return n.addr;
}

uint32_t ipv4_last(ipv4_net n)
{
	return n.addr | ~ipv4_mask(n.prefix);
}

void ipv4_mac(uint32_t a, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = (uint8_t)(a >> 24);
	mac[3] = (uint8_t)(a >> 16);
	mac[4] = (uint8_t)(a >> 8);
	mac[5] = (uint8_t)a;
}

void mac_format(const uint8_t mac[6], char out[MAC_STR])
{
	snprintf(out, MAC_STR, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

int mac_parse(const char *s, uint8_t mac[6])
{
	if (!s || strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		if (i < 5 && p[2] != ':')
			return -1;
		char hex[3] = {p[0], p[1], 0};
		char *end = NULL;
		if (!strchr("0123456789abcdefABCDEF", p[0]) || !strchr("0123456789abcdefABCDEF", p[1]))
			return -1;
		mac[i] = (uint8_t)strtoul(hex, &end, 16);
	}
	return 0;
}
