/* Unit tests for daemon/network/dnsmsg: queries as resolvers send them,
 * hostile packets (truncated, pointer loops, forward pointers, oversized
 * names, responses, odd counts), answers, and reverse names. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

/* A query for name (dotted) of type t, id 0x1234, RD set. */
static size_t make_query(uint8_t *out, const char *name, uint16_t t)
{
	static const uint8_t hdr[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	memcpy(out, hdr, sizeof(hdr));
	size_t o = sizeof(hdr);
	const char *p = name;
	while (*p) {
		size_t l = strcspn(p, ".");
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p)
			p++;
	}
	out[o++] = 0;
	out[o++] = (uint8_t)(t >> 8);
	out[o++] = (uint8_t)t;
	out[o++] = 0;
	out[o++] = 1;
	return o;
}

START_TEST(test_parse_ok)
{
	uint8_t m[512];
	size_t n = make_query(m, "Web.MyNet", DNS_T_A);
	dns_query q;
	ck_assert_int_eq(dns_parse_query(m, n, &q), 0);
	ck_assert_uint_eq(q.id, 0x1234);
	ck_assert(q.rd);
	ck_assert_str_eq(q.name, "web.mynet");
	ck_assert_uint_eq(q.qtype, DNS_T_A);
	ck_assert_uint_eq(q.qclass, DNS_C_IN);
	ck_assert_uint_eq(q.qend, n);
	/* An EDNS OPT record in the additional section is fine. */
	m[11] = 1;
	ck_assert_int_eq(dns_parse_query(m, n, &q), 0);
	/* The root. */
	n = make_query(m, "", DNS_T_A);
	ck_assert_int_eq(dns_parse_query(m, n, &q), 0);
	ck_assert_str_eq(q.name, "");
}
END_TEST

START_TEST(test_parse_bad)
{
	uint8_t m[600];
	dns_query q;
	size_t n = make_query(m, "web", DNS_T_A);
	for (size_t cut = 0; cut < n; cut++)
		ck_assert_msg(dns_parse_query(m, cut, &q) != 0, "cut at %zu", cut);
	ck_assert_int_eq(dns_parse_query(m, 5, &q), -1);
	m[2] |= 0x80; /* a response */
	ck_assert_int_eq(dns_parse_query(m, n, &q), -1);
	m[2] = 0x01 | (2 << 3); /* opcode STATUS */
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_NOTIMP);
	m[2] = 0x01;
	m[5] = 2; /* two questions */
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_FORMERR);
	m[5] = 1;
	m[7] = 1; /* an answer in a query */
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_FORMERR);
	m[7] = 0;
	/* A pointer to itself, and a forward pointer. */
	m[12] = 0xc0;
	m[13] = 12;
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_FORMERR);
	m[13] = 14;
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_FORMERR);
	/* Extended label types. */
	m[12] = 0x40;
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_FORMERR);
	/* A label running past the end. */
	m[12] = 60;
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_FORMERR);
	/* A name over 255 characters: 5 labels of 63. */
	size_t o = 12;
	for (int i = 0; i < 5; i++) {
		m[o++] = 63;
		memset(m + o, 'a', 63);
		o += 63;
	}
	m[o++] = 0;
	memset(m + o, 0, 4);
	ck_assert_int_eq(dns_parse_query(m, o + 4, &q), DNS_FORMERR);
	/* A dot inside a label cannot be written dotted: refused. */
	n = make_query(m, "ab", DNS_T_A);
	m[13] = '.';
	ck_assert_int_eq(dns_parse_query(m, n, &q), DNS_FORMERR);
}
END_TEST

START_TEST(test_pointers)
{
	/* Name at 20: "x" + pointer back to 12 ("abc"): "x.abc". */
	uint8_t m[64] = {0};
	m[12] = 3;
	memcpy(m + 13, "abc", 3);
	m[16] = 0;
	m[20] = 1;
	m[21] = 'x';
	m[22] = 0xc0;
	m[23] = 12;
	char out[DNS_MAX_NAME + 1];
	size_t next = 0;
	ck_assert_int_eq(dns_read_name(m, sizeof(m), 20, out, &next), 0);
	ck_assert_str_eq(out, "x.abc");
	ck_assert_uint_eq(next, 24);
	/* Two pointers that point at each other. */
	m[30] = 0xc0;
	m[31] = 32;
	m[32] = 0xc0;
	m[33] = 30;
	ck_assert_int_eq(dns_read_name(m, sizeof(m), 32, out, &next), -1);
	ck_assert_int_eq(dns_read_name(m, sizeof(m), 30, out, &next), -1);
	/* A pointer's second byte missing. */
	m[63] = 0xc0;
	ck_assert_int_eq(dns_read_name(m, sizeof(m), 63, out, &next), -1);
	ck_assert_int_eq(dns_read_name(m, sizeof(m), 64, out, &next), -1);
}
END_TEST

START_TEST(test_answer)
{
	uint8_t m[512], out[512];
	size_t n = make_query(m, "web", DNS_T_A);
	dns_query q;
	ck_assert_int_eq(dns_parse_query(m, n, &q), 0);
	uint32_t addrs[] = {0x0ae80002, 0x0ae80003};
	size_t len = dns_answer(&q, m, DNS_NOERROR, true, addrs, 2, NULL, out, sizeof(out));
	ck_assert_uint_eq(len, n + 2 * 16);
	ck_assert_uint_eq(out[0], 0x12);
	ck_assert_uint_eq(out[2] & 0x80, 0x80); /* QR */
	ck_assert_uint_eq(out[3] & 0x80, 0x80); /* RA */
	ck_assert_uint_eq(out[3] & 0x0f, 0);
	ck_assert_uint_eq(out[7], 2); /* ANCOUNT */
	ck_assert_uint_eq(out[n + 12], 10);
	ck_assert_uint_eq(out[n + 15], 2);
	/* A cap too small for the question: nothing. */
	ck_assert_uint_eq(dns_answer(&q, m, DNS_NOERROR, true, addrs, 2, NULL, out, 14), 0);
	/* A cap with room for one record only: one. */
	len = dns_answer(&q, m, DNS_NOERROR, true, addrs, 2, NULL, out, n + 16);
	ck_assert_uint_eq(out[7], 1);
	/* PTR. */
	n = make_query(m, "2.0.232.10.in-addr.arpa", DNS_T_PTR);
	ck_assert_int_eq(dns_parse_query(m, n, &q), 0);
	len = dns_answer(&q, m, DNS_NOERROR, false, NULL, 0, "web.mynet", out, sizeof(out));
	ck_assert_uint_eq(out[7], 1);
	ck_assert_uint_eq(len, n + 12 + 11);
	/* FORMERR for a packet whose question could not be read: header only. */
	memset(&q, 0, sizeof(q));
	q.id = 7;
	len = dns_answer(&q, m, DNS_FORMERR, false, NULL, 0, NULL, out, sizeof(out));
	ck_assert_uint_eq(len, 12);
	ck_assert_uint_eq(out[3] & 0x0f, DNS_FORMERR);
	ck_assert_uint_eq(out[5], 0);
}
END_TEST

START_TEST(test_reverse)
{
	uint32_t a;
	ck_assert_int_eq(dns_reverse_v4("4.3.2.1.in-addr.arpa", &a), 0);
	ck_assert_uint_eq(a, 0x01020304);
	ck_assert_int_eq(dns_reverse_v4("4.3.2.1.IN-ADDR.ARPA", &a), 0);
	ck_assert_int_eq(dns_reverse_v4("3.2.1.in-addr.arpa", &a), -1);
	ck_assert_int_eq(dns_reverse_v4("5.4.3.2.1.in-addr.arpa", &a), -1);
	ck_assert_int_eq(dns_reverse_v4("256.3.2.1.in-addr.arpa", &a), -1);
	ck_assert_int_eq(dns_reverse_v4("-1.3.2.1.in-addr.arpa", &a), -1);
	ck_assert_int_eq(dns_reverse_v4(" 4.3.2.1.in-addr.arpa", &a), -1);
	ck_assert_int_eq(dns_reverse_v4("0004.3.2.1.in-addr.arpa", &a), -1);
	ck_assert_int_eq(dns_reverse_v4("in-addr.arpa", &a), -1);
	ck_assert_int_eq(dns_reverse_v4(".in-addr.arpa", &a), -1);
	ck_assert(dns_name_eq("Web", "wEB"));
	ck_assert(!dns_name_eq("web", "web1"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dnsmsg");
	TCase *tc = tcase_create("dnsmsg");
	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_pointers);
	tcase_add_test(tc, test_answer);
	tcase_add_test(tc, test_reverse);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
