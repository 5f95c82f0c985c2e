/* dnsmsg.c: see dnsmsg.h. Names are read label by label with every length
 * checked against the message and the 255-byte limit; a compression
 * pointer must point backwards, before the name's own start, which makes
 * loops impossible. */
#include "dnsmsg.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int dns_read_name(const uint8_t *msg, size_t len, size_t off, char out[DNS_MAX_NAME + 1], size_t *next)
{
	size_t o = 0, pos = off, limit = off; /* pointers must go below limit */
	bool jumped = false;
	for (int steps = 0; steps < 256; steps++) {
		if (pos >= len)
			return -1;
		uint8_t l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return -1;
			size_t target = (size_t)((l & 0x3f) << 8 | msg[pos + 1]);
			if (target >= limit)
				return -1;
			if (!jumped)
				*next = pos + 2;
			jumped = true;
			limit = target;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -1; /* 0x40/0x80: extended label types, not in queries */
		if (l == 0) {
			if (!jumped)
				*next = pos + 1;
			out[o] = '\0';
			return 0;
		}
		if (pos + 1 + l > len || o + (o ? 1 : 0) + l > DNS_MAX_NAME)
			return -1;
		if (o)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			char c = (char)msg[pos + 1 + i];
			if (c == '.' || c == '\0')
				return -1; /* unrepresentable in the dotted form: refuse */
			out[o++] = lower(c);
		}
		pos += 1 + l;
	}
	return -1;
}

int dns_parse_query(const uint8_t *msg, size_t len, dns_query *q)
{
	memset(q, 0, sizeof(*q));
	if (len < DNS_HDR)
		return -1;
	q->id = get16(msg);
	uint16_t flags = get16(msg + 2);
	if (flags & 0x8000)
		return -1; /* a response: never answer those */
	q->rd = (flags & 0x0100) != 0;
	if (((flags >> 11) & 0xf) != 0)
		return DNS_NOTIMP;
	if (get16(msg + 4) != 1 || get16(msg + 6) != 0 || get16(msg + 8) != 0)
		return DNS_FORMERR;
	size_t next = 0;
	if (dns_read_name(msg, len, DNS_HDR, q->name, &next) < 0 || next + 4 > len)
		return DNS_FORMERR;
	q->qtype = get16(msg + next);
	q->qclass = get16(msg + next + 2);
	q->qend = next + 4;
	return 0;
}

/* Writes name as labels; returns the length or 0. */
static size_t put_name(const char *name, uint8_t *out, size_t cap)
{
	size_t o = 0;
	const char *p = name;
	while (*p) {
		size_t l = strcspn(p, ".");
		if (l == 0 || l > 63 || o + 1 + l + 1 > cap)
			return 0;
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (o + 1 > cap)
		return 0;
	out[o++] = 0;
	return o;
}

static size_t put_rr_head(uint8_t *out, uint16_t type, uint16_t rdlen)
{
	put16(out, 0xc00c); /* the question's name */
	put16(out + 2, type);
	put16(out + 4, DNS_C_IN);
	put16(out + 6, 0);
	put16(out + 8, 600);
	put16(out + 10, rdlen);
	return 12;
}

size_t dns_answer(const dns_query *q, const uint8_t *msg, int rcode, bool ra, const uint32_t *addrs,
		  size_t n_addrs, const char *ptr, uint8_t *out, size_t cap)
{
	size_t qlen = q->qend > DNS_HDR ? q->qend - DNS_HDR : 0;
	if (cap < DNS_HDR + qlen)
		return 0;
	uint16_t flags = 0x8000 | 0x0400 | (q->rd ? 0x0100 : 0) | (ra ? 0x0080 : 0) | (uint16_t)(rcode & 0xf);
	put16(out, q->id);
	put16(out + 2, flags);
	put16(out + 4, qlen ? 1 : 0);
	put16(out + 6, 0);
	put16(out + 8, 0);
	put16(out + 10, 0);
	memcpy(out + DNS_HDR, msg + DNS_HDR, qlen);
	size_t o = DNS_HDR + qlen;
	uint16_t an = 0;
	for (size_t i = 0; qlen && i < n_addrs && o + 16 <= cap; i++, an++) {
		o += put_rr_head(out + o, DNS_T_A, 4);
		out[o++] = (uint8_t)(addrs[i] >> 24);
		out[o++] = (uint8_t)(addrs[i] >> 16);
		out[o++] = (uint8_t)(addrs[i] >> 8);
		out[o++] = (uint8_t)addrs[i];
	}
	if (qlen && ptr && o + 12 < cap) {
		size_t l = put_name(ptr, out + o + 12, cap - o - 12);
		if (l) {
			put_rr_head(out + o, DNS_T_PTR, (uint16_t)l);
			o += 12 + l;
			an++;
		}
	}
	put16(out + 6, an);
	return o;
}

int dns_reverse_v4(const char *name, uint32_t *ip)
{
	static const char suffix[] = ".in-addr.arpa";
	size_t l = strlen(name), sl = sizeof(suffix) - 1;
	if (l <= sl || !dns_name_eq(name + l - sl, suffix))
		return -1;
	uint32_t v = 0;
	const char *p = name, *end = name + l - sl;
	for (int i = 0; i < 4; i++) {
		unsigned b = 0;
		int digits = 0;
		while (p < end && *p >= '0' && *p <= '9' && digits < 4) {
			b = b * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || b > 255)
			return -1;
		v |= b << (8 * i);
		if (i < 3 && (p >= end || *p++ != '.'))
			return -1;
	}
	if (p != end)
		return -1;
	*ip = v;
	return 0;
}

bool dns_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}
