/* dnsmsg.h: the DNS wire format, as much as the embedded server needs:
 * reading a query (header, one question; names with compression pointers,
 * bounded and loop-proof), writing an answer with A or PTR records or an
 * error code, and reading the in-addr.arpa form of an address. Every
 * input is hostile: a container can send anything to 127.0.0.11. */
#ifndef ENGINE_NET_DNSMSG_H
#define ENGINE_NET_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR 12
#define DNS_MAX_NAME 255 /* presentation form without the final dot */
#define DNS_MAX_UDP 512

enum { DNS_T_A = 1, DNS_T_PTR = 12, DNS_T_AAAA = 28, DNS_C_IN = 1 };
enum { DNS_NOERROR = 0, DNS_FORMERR = 1, DNS_SERVFAIL = 2, DNS_NXDOMAIN = 3, DNS_NOTIMP = 4, DNS_REFUSED = 5 };

typedef struct dns_query {
	uint16_t id;
	bool rd;                        /* recursion desired */
	char name[DNS_MAX_NAME + 1];    /* lower case, no final dot; "" is the root */
	uint16_t qtype, qclass;
	size_t qend;                    /* offset just past the question */
} dns_query;

/* Reads a name at off (following pointers); *next is the offset after the
 * name where it started. -1 on any defect. */
int dns_read_name(const uint8_t *msg, size_t len, size_t off, char out[DNS_MAX_NAME + 1], size_t *next);
/* 0: a well-formed standard query. -1: not worth an answer (too short, a
 * response). A positive RCODE: answer with it (FORMERR, NOTIMP); q->id and,
 * when the question could be read, q->qend are set. */
int dns_parse_query(const uint8_t *msg, size_t len, dns_query *q);

/* An answer to q (whose message is msg): the question copied, then the A
 * records (addrs, host order) or one PTR record (ptr, a name), TTL 600.
 * ra: recursion available. Returns the length, 0 if cap is too small. */
size_t dns_answer(const dns_query *q, const uint8_t *msg, int rcode, bool ra, const uint32_t *addrs,
		  size_t n_addrs, const char *ptr, uint8_t *out, size_t cap);
/* "4.3.2.1.in-addr.arpa" -> 1.2.3.4; -1 if it is not that form. */
int dns_reverse_v4(const char *name, uint32_t *ip);
/* Case-insensitive name equality (ASCII). */
bool dns_name_eq(const char *a, const char *b);

#endif
