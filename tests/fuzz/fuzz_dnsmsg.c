/* fuzz_dnsmsg.c: whatever a container sends to 127.0.0.11 reaches
 * dns_parse_query; a parsed query is answered (with records, with a PTR,
 * with an error), every offset is tried as a name, and the parsed name
 * goes through the reverse-name reader. */
#include <stdint.h>
#include <string.h>

#include "dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dns_query q;
	uint8_t out[DNS_MAX_UDP];
	int r = dns_parse_query(data, size, &q);
	if (r >= 0) {
		uint32_t addrs[3] = {0x0a000002, 0x0a000003, 0x0a000004};
		dns_answer(&q, data, r, true, addrs, 3, NULL, out, sizeof(out));
		dns_answer(&q, data, DNS_NOERROR, false, NULL, 0, q.name, out, sizeof(out));
		dns_answer(&q, data, DNS_NOERROR, false, addrs, 1, "a.b", out, 40);
		uint32_t ip;
		dns_reverse_v4(q.name, &ip);
		dns_name_eq(q.name, "web.mynet");
	}
	char name[DNS_MAX_NAME + 1];
	for (size_t off = 0; off < size && off < 1024; off++) {
		size_t next = 0;
		if (dns_read_name(data, size, off, name, &next) == 0 && (next > size || strlen(name) > DNS_MAX_NAME))
			__builtin_trap();
	}
	return 0;
}
