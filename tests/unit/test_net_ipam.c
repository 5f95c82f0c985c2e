/* Unit tests for daemon/network's address handling: IPv4 parsing and
 * subnets, Docker's MAC derivation, and the IPAM pool (gateway defaults,
 * ranges, serial allocation, static addresses, exhaustion, and the JSON
 * round trip that makes allocations survive a restart). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ipam.h"
#include "ipv4.h"
#include "jsonutil.h"

static uint32_t ip(const char *s)
{
	uint32_t a = 0;
	ck_assert_msg(ipv4_parse(s, &a) == 0, "%s", s);
	return a;
}

static void ck_ip(uint32_t a, const char *want)
{
	char s[IPV4_STR];
	ipv4_format(a, s);
	ck_assert_str_eq(s, want);
}

START_TEST(test_ipv4)
{
	uint32_t a;
	ck_assert_int_eq(ipv4_parse("172.17.0.1", &a), 0);
	ck_assert_uint_eq(a, 0xac110001u);
	ck_assert_int_eq(ipv4_parse("01.2.3.4", &a), -1);
	ck_assert_int_eq(ipv4_parse("1.2.3", &a), -1);
	ck_assert_int_eq(ipv4_parse("1.2.3.4 ", &a), -1);
	ck_assert_int_eq(ipv4_parse("256.1.1.1", &a), -1);
	ck_assert_int_eq(ipv4_parse(NULL, &a), -1);
	ipv4_net n;
	uint32_t w;
	ck_assert_int_eq(ipv4_cidr_parse("172.17.0.1/16", &n, &w), 0);
	ck_ip(n.addr, "172.17.0.0");
	ck_ip(w, "172.17.0.1");
	ck_assert_int_eq(n.prefix, 16);
	char s[IPV4_CIDR];
	ipv4_cidr_format(n, s);
	ck_assert_str_eq(s, "172.17.0.0/16");
	ck_assert_int_eq(ipv4_cidr_parse("10.0.0.0/33", &n, NULL), -1);
	ck_assert_int_eq(ipv4_cidr_parse("10.0.0.0/", &n, NULL), -1);
	ck_assert_int_eq(ipv4_cidr_parse("10.0.0.0/08", &n, NULL), -1);
	ck_assert_int_eq(ipv4_cidr_parse("10.0.0.0/8x", &n, NULL), -1);
	ck_assert_int_eq(ipv4_cidr_parse("10.0.0.0", &n, NULL), -1);
	ck_assert_int_eq(ipv4_cidr_parse("10.0.0.0/0", &n, NULL), 0);
	ck_assert_uint_eq(ipv4_mask(0), 0);
	ck_assert_uint_eq(ipv4_mask(32), 0xffffffffu);
	ipv4_net a16, b24, c24;
	ipv4_cidr_parse("10.1.0.0/16", &a16, NULL);
	ipv4_cidr_parse("10.1.5.0/24", &b24, NULL);
	ipv4_cidr_parse("10.2.5.0/24", &c24, NULL);
	ck_assert(ipv4_overlaps(a16, b24));
	ck_assert(ipv4_overlaps(b24, a16));
	ck_assert(!ipv4_overlaps(a16, c24));
	ck_ip(ipv4_last(b24), "10.1.5.255");
}
END_TEST

START_TEST(test_mac)
{
	uint8_t m[6];
	char s[MAC_STR];
	ipv4_mac(ip("172.17.0.2"), m);
	mac_format(m, s);
	ck_assert_str_eq(s, "02:42:ac:11:00:02");
	ck_assert_int_eq(mac_parse("92:d0:c6:0a:29:33", m), 0);
	ck_assert_uint_eq(m[0], 0x92);
	ck_assert_uint_eq(m[5], 0x33);
	ck_assert_int_eq(mac_parse("92:d0:c6:0a:29", m), -1);
	ck_assert_int_eq(mac_parse("92-d0-c6-0a-29-33", m), -1);
	ck_assert_int_eq(mac_parse("zz:d0:c6:0a:29:33", m), -1);
}
END_TEST

START_TEST(test_init_checks)
{
	ipam p;
	err_t *e = NULL;
	ck_assert_int_eq(ipam_init(&p, "172.18.0.0/16", NULL, NULL, &e), 0);
	ck_ip(p.gateway, "172.18.0.1");
	ipam_done(&p);
	ck_assert_int_eq(ipam_init(&p, "172.18.0.5/16", NULL, NULL, NULL), 0);
	ck_ip(p.subnet.addr, "172.18.0.0");
	ipam_done(&p);
	ck_assert_int_eq(ipam_init(&p, "10.5.0.0/24", NULL, "10.6.0.1", &e), -1);
	ck_assert_str_eq(e->msg, "no matching subnet for gateway 10.6.0.1");
	err_free(&e);
	ck_assert_int_eq(ipam_init(&p, "10.5.0.0/24", "10.6.0.0/28", NULL, &e), -1);
	ck_assert_str_eq(e->msg, "no matching subnet for range 10.6.0.0/28");
	err_free(&e);
	ck_assert_int_eq(ipam_init(&p, "10.5.0.0/24", "10.5.0.0/16", NULL, &e), -1);
	err_free(&e);
	ck_assert_int_eq(ipam_init(&p, "10.5.0.0/24", NULL, "10.5.0.0", &e), -1);
	err_free(&e);
	ck_assert_int_eq(ipam_init(&p, "10.5.0.0/24", NULL, "10.5.0.255", &e), -1);
	err_free(&e);
	ck_assert_int_eq(ipam_init(&p, "bogus", NULL, NULL, &e), -1);
	ck_assert_int_eq(e->kind, ERR_INVALID);
	err_free(&e);
	ck_assert_int_eq(ipam_init(&p, "10.5.0.0/31", NULL, NULL, &e), -1);
	err_free(&e);
}
END_TEST

START_TEST(test_alloc_serial)
{
	ipam p;
	ck_assert_int_eq(ipam_init(&p, "10.9.0.0/29", NULL, NULL, NULL), 0);
	/* .0 network, .1 gateway, .7 broadcast: .2 to .6 are ours. */
	uint32_t a[6];
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ipam_alloc(&p, &a[i]), 0);
	ck_ip(a[0], "10.9.0.2");
	ck_ip(a[4], "10.9.0.6");
	ck_assert_int_eq(ipam_alloc(&p, &a[5]), -1);
	/* Released addresses come back only after the others (serial). */
	ipam_release(&p, a[1]);
	ipam_release(&p, a[3]);
	ck_assert_int_eq(ipam_alloc(&p, &a[5]), 0);
	ck_ip(a[5], "10.9.0.3");
	ck_assert_int_eq(ipam_alloc(&p, &a[5]), 0);
	ck_ip(a[5], "10.9.0.5");
	ipam_done(&p);
}
END_TEST

START_TEST(test_range_and_static)
{
	ipam p;
	err_t *e = NULL;
	ck_assert_int_eq(ipam_init(&p, "10.8.0.0/24", "10.8.0.128/25", "10.8.0.254", NULL), 0);
	uint32_t a;
	ck_assert_int_eq(ipam_alloc(&p, &a), 0);
	ck_ip(a, "10.8.0.128");
	/* Static: anywhere in the subnet, outside the range too. */
	ck_assert_int_eq(ipam_reserve(&p, ip("10.8.0.10"), NULL), 0);
	ck_assert_int_eq(ipam_reserve(&p, ip("10.8.0.10"), &e), -1);
	ck_assert_str_eq(e->msg, "Address already in use");
	ck_assert_int_eq(e->kind, ERR_CONFLICT);
	err_free(&e);
	ck_assert_int_eq(ipam_reserve(&p, ip("10.8.0.254"), &e), -1);
	err_free(&e);
	ck_assert_int_eq(ipam_reserve(&p, ip("10.8.0.255"), &e), -1);
	err_free(&e);
	ck_assert_int_eq(ipam_reserve(&p, ip("10.8.1.3"), &e), -1);
	ck_assert_str_eq(e->msg, "Invalid address 10.8.1.3: It does not belong to any of this network's subnets");
	err_free(&e);
	/* A static address inside the range is skipped by dynamic allocation. */
	ck_assert_int_eq(ipam_reserve(&p, ip("10.8.0.129"), NULL), 0);
	ck_assert_int_eq(ipam_alloc(&p, &a), 0);
	ck_ip(a, "10.8.0.130");
	ipam_done(&p);
}
END_TEST

START_TEST(test_exhaust_range)
{
	ipam p;
	ck_assert_int_eq(ipam_init(&p, "10.7.0.0/16", "10.7.3.0/30", NULL, NULL), 0);
	uint32_t a;
	int got = 0;
	while (ipam_alloc(&p, &a) == 0)
		got++;
	ck_assert_int_eq(got, 4); /* a range's own first and last are usable */
	ipam_done(&p);
}
END_TEST

START_TEST(test_json_roundtrip)
{
	ipam p, q;
	ck_assert_int_eq(ipam_init(&p, "10.6.0.0/24", "10.6.0.0/25", "10.6.0.1", NULL), 0);
	uint32_t a;
	ipam_alloc(&p, &a);
	ipam_alloc(&p, &a);
	ipam_reserve(&p, ip("10.6.0.200"), NULL);
	_cleanup_json_ json_object *o = ipam_to_json(&p);
	ck_assert_int_eq(ipam_from_json(&q, o, NULL), 0);
	ck_assert_uint_eq(q.n_used, 3);
	ck_assert(ipam_in_use(&q, ip("10.6.0.200")));
	ck_assert_uint_eq(q.cursor, p.cursor);
	/* After a restart the next address is the next one, not a duplicate. */
	uint32_t b;
	ck_assert_int_eq(ipam_alloc(&q, &b), 0);
	ck_ip(b, "10.6.0.4");
	ipam_done(&p);
	ipam_done(&q);
	/* A corrupt record is refused, not half-loaded. */
	_cleanup_json_ json_object *bad = json_tokener_parse("{\"Subnet\":\"10.6.0.0/24\",\"Used\":[\"10.7.0.1\"]}");
	err_t *e = NULL;
	ck_assert_int_eq(ipam_from_json(&q, bad, &e), -1);
	err_free(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_ipam");
	TCase *tc = tcase_create("net_ipam");
	tcase_add_test(tc, test_ipv4);
	tcase_add_test(tc, test_mac);
	tcase_add_test(tc, test_init_checks);
	tcase_add_test(tc, test_alloc_serial);
	tcase_add_test(tc, test_range_and_static);
	tcase_add_test(tc, test_exhaust_range);
	tcase_add_test(tc, test_json_roundtrip);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
