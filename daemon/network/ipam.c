/* ipam.c: see ipam.h. The used set is a sorted array: networks hold tens
 * or hundreds of endpoints, and a binary search over it is all we need. */
#include "ipam.h"

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "xalloc.h"

static size_t find_pos(const ipam *p, uint32_t a)
{
	size_t lo = 0, hi = p->n_used;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->used[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool ipam_in_use(const ipam *p, uint32_t a)
{
	size_t i = find_pos(p, a);
	return i < p->n_used && p->used[i] == a;
}

static void mark(ipam *p, uint32_t a)
{
	size_t i = find_pos(p, a);
	if (i < p->n_used && p->used[i] == a)
		return;
	p->used = xgrow(p->used, &p->cap, p->n_used + 1, sizeof(uint32_t));
	memmove(p->used + i + 1, p->used + i, (p->n_used - i) * sizeof(uint32_t));
	p->used[i] = a;
	p->n_used++;
}

void ipam_release(ipam *p, uint32_t a)
{
	size_t i = find_pos(p, a);
	if (i < p->n_used && p->used[i] == a) {
		memmove(p->used + i, p->used + i + 1, (p->n_used - i - 1) * sizeof(uint32_t));
		p->n_used--;
	}
}

/* Addresses no endpoint may have: network, broadcast, gateway. */
static bool reserved(const ipam *p, uint32_t a)
{
	if (p->subnet.prefix <= 30 && (a == ipv4_first(p->subnet) || a == ipv4_last(p->subnet)))
		return true;
	return p->gateway && a == p->gateway;
}

int ipam_init(ipam *p, const char *subnet, const char *range, const char *gateway, err_t **err)
{
	memset(p, 0, sizeof(*p));
	if (!subnet || ipv4_cidr_parse(subnet, &p->subnet, NULL) < 0)
		return err_invalid(err, "invalid subnet %s : invalid CIDR address: %s", subnet ? subnet : "",
				   subnet ? subnet : "");
	if (p->subnet.prefix > 30)
		return err_invalid(err, "subnet %s is too small: a bridge network needs at least a /30", subnet);
	p->range = p->subnet;
	if (range && *range) {
		if (ipv4_cidr_parse(range, &p->range, NULL) < 0)
			return err_invalid(err, "invalid ip-range %s : invalid CIDR address: %s", range, range);
		if (!ipv4_contains(p->subnet, p->range.addr) || p->range.prefix < p->subnet.prefix)
			return err_invalid(err, "no matching subnet for range %s", range);
	}
	if (gateway && *gateway) {
		if (ipv4_parse(gateway, &p->gateway) < 0)
			return err_invalid(err, "invalid gateway address %s", gateway);
		if (!ipv4_contains(p->subnet, p->gateway))
			return err_invalid(err, "no matching subnet for gateway %s", gateway);
		if (p->gateway == ipv4_first(p->subnet) || p->gateway == ipv4_last(p->subnet))
			return err_invalid(err, "invalid gateway address %s: it is the subnet's network or broadcast address", gateway);
	} else {
		p->gateway = ipv4_first(p->subnet) + 1;
	}
	p->cursor = 0;
	return 0;
}

void ipam_done(ipam *p)
{
	free(p->used);
	p->used = NULL;
	p->n_used = p->cap = 0;
}

int ipam_alloc(ipam *p, uint32_t *out)
{
	uint32_t first = ipv4_first(p->range), last = ipv4_last(p->range);
	uint64_t size = (uint64_t)last - first + 1;
	uint32_t start = p->cursor >= first && p->cursor <= last ? p->cursor : last;
	for (uint64_t i = 1; i <= size; i++) {
		uint32_t a = (uint32_t)(first + ((uint64_t)(start - first) + i) % size);
		if (reserved(p, a) || ipam_in_use(p, a))
			continue;
		mark(p, a);
		p->cursor = a;
		*out = a;
		return 0;
	}
	return -1;
}

int ipam_reserve(ipam *p, uint32_t a, err_t **err)
{
	char s[IPV4_STR];
	ipv4_format(a, s);
	if (!ipv4_contains(p->subnet, a))
		return err_invalid(err, "Invalid address %s: It does not belong to any of this network's subnets", s);
	if (reserved(p, a) || ipam_in_use(p, a))
		return err_conflict(err, "Address already in use");
	mark(p, a);
	return 0;
}

json_object *ipam_to_json(const ipam *p)
{
	json_object *o = json_object_new_object();
	char s[IPV4_CIDR];
	ipv4_cidr_format(p->subnet, s);
	jset_str(o, "Subnet", s);
	ipv4_cidr_format(p->range, s);
	jset_str(o, "IPRange", s);
	ipv4_format(p->gateway, s);
	jset_str(o, "Gateway", p->gateway ? s : "");
	ipv4_format(p->cursor, s);
	jset_str(o, "Cursor", s);
	json_object *used = json_object_new_array();
	for (size_t i = 0; i < p->n_used; i++) {
		ipv4_format(p->used[i], s);
		json_object_array_add(used, jstr(s));
	}
	jset(o, "Used", used);
	return o;
}

int ipam_from_json(ipam *p, json_object *o, err_t **err)
{
	if (ipam_init(p, jget_str(o, "Subnet"), jget_str(o, "IPRange"), jget_str(o, "Gateway"), err) < 0)
		return -1;
	uint32_t c = 0;
	if (ipv4_parse(jget_str(o, "Cursor"), &c) == 0)
		p->cursor = c;
	json_object *used = jget_arr(o, "Used");
	for (size_t i = 0; used && i < json_object_array_length(used); i++) {
		uint32_t a;
		if (ipv4_parse(json_object_get_string(json_object_array_get_idx(used, i)), &a) < 0 ||
		    !ipv4_contains(p->subnet, a)) {
			ipam_done(p);
			return err_invalid(err, "bad address in the IPAM state");
		}
		mark(p, a);
	}
	return 0;
}
