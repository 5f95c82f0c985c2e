/* Unit tests for libcommon/portspec: every -p form Docker accepts (the
 * cases of go-connections/nat's tests), what it rejects, hostile input,
 * --expose and the JSON the CLI sends. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "portspec.h"

typedef struct want {
	const char *ip, *host;
	unsigned ctr;
	const char *proto;
} want;

static void check_spec(const char *spec, const want *w, size_t nw)
{
	port_mapping *m = NULL;
	size_t n = 0;
	err_t *e = NULL;
	ck_assert_msg(portspec_parse(spec, &m, &n, &e) == 0, "%s: %s", spec, err_msg(e));
	ck_assert_msg(n == nw, "%s: %zu mappings", spec, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_str_eq(m[i].host_ip, w[i].ip);
		ck_assert_str_eq(m[i].host_port, w[i].host);
		ck_assert_uint_eq(m[i].ctr_port, w[i].ctr);
		ck_assert_str_eq(m[i].proto, w[i].proto);
	}
	port_mappings_free(m, n);
}

static void check_bad(const char *spec, const char *msg)
{
	port_mapping *m = NULL;
	size_t n = 0;
	err_t *e = NULL;
	ck_assert_msg(portspec_parse(spec, &m, &n, &e) < 0, "'%s' should fail", spec);
	ck_assert_int_eq(e->kind, ERR_INVALID);
	if (msg)
		ck_assert_str_eq(e->msg, msg);
	ck_assert_uint_eq(n, 0);
	err_free(&e);
	port_mappings_free(m, n);
}

START_TEST(test_forms)
{
	check_spec("80", (want[]){{"", "", 80, "tcp"}}, 1);
	check_spec("1234/tcp", (want[]){{"", "", 1234, "tcp"}}, 1);
	check_spec("2345/udp", (want[]){{"", "", 2345, "udp"}}, 1);
	check_spec("3456/sctp", (want[]){{"", "", 3456, "sctp"}}, 1);
	check_spec("8080:80", (want[]){{"", "8080", 80, "tcp"}}, 1);
	check_spec("1234:1234/UDP", (want[]){{"", "1234", 1234, "udp"}}, 1);
	check_spec("0.0.0.0:1234:1234/tcp", (want[]){{"0.0.0.0", "1234", 1234, "tcp"}}, 1);
	check_spec("192.168.1.100::80", (want[]){{"192.168.1.100", "", 80, "tcp"}}, 1);
	check_spec("192.168.1.100::6000/udp", (want[]){{"192.168.1.100", "", 6000, "udp"}}, 1);
	check_spec("127.0.0.1:8080:80", (want[]){{"127.0.0.1", "8080", 80, "tcp"}}, 1);
	check_spec("[::1]:8080:80", (want[]){{"::1", "8080", 80, "tcp"}}, 1);
	check_spec("[2001:db8::1]::80/udp", (want[]){{"2001:db8::1", "", 80, "udp"}}, 1);
	check_spec("2001:db8::1:8080:80", (want[]){{"2001:db8::1", "8080", 80, "tcp"}}, 1);
	check_spec("80/", (want[]){{"", "", 80, "tcp"}}, 1);
	check_spec("80/udp/extra", (want[]){{"", "", 80, "udp"}}, 1);
	check_spec("0", (want[]){{"", "", 0, "tcp"}}, 1);
	check_spec("65535:65535", (want[]){{"", "65535", 65535, "tcp"}}, 1);
}
END_TEST

START_TEST(test_ranges)
{
	check_spec("1234-1236/tcp", (want[]){{"", "", 1234, "tcp"}, {"", "", 1235, "tcp"}, {"", "", 1236, "tcp"}}, 3);
	check_spec("1234-1236:1234-1236/tcp",
		   (want[]){{"", "1234", 1234, "tcp"}, {"", "1235", 1235, "tcp"}, {"", "1236", 1236, "tcp"}}, 3);
	check_spec("0.0.0.0:8000-8001:80-81",
		   (want[]){{"0.0.0.0", "8000", 80, "tcp"}, {"0.0.0.0", "8001", 81, "tcp"}}, 2);
	/* A host range for one container port: pick one port in it. */
	check_spec("8000-8010:80", (want[]){{"", "8000-8010", 80, "tcp"}}, 1);
	check_spec("80-80", (want[]){{"", "", 80, "tcp"}}, 1);
}
END_TEST

START_TEST(test_rejects)
{
	check_bad("localhost:1234:1234/tcp", "invalid IP address: localhost");
	check_bad("localhost:1234-1236:1234-1236/tcp", "invalid IP address: localhost");
	check_bad("192.168.1.100", "invalid containerPort: 192.168.1.100");
	check_bad("192.168.1.100:-1:-1", "invalid containerPort: -1");
	check_bad("abc:80", "invalid hostPort: abc");
	check_bad("8080:abc", "invalid containerPort: abc");
	check_bad("65536", "invalid containerPort: 65536");
	check_bad("65536:80", "invalid hostPort: 65536");
	check_bad("8000-7000:80", "invalid hostPort: 8000-7000");
	check_bad("80-70", "invalid containerPort: 80-70");
	check_bad("8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8000-8002");
	check_bad("80/icmp", "invalid proto: icmp");
	check_bad("", "no port specified: <empty>");
	check_bad("8080:", "no port specified: 8080:<empty>");
	check_bad("/udp", "no port specified: /udp<empty>");
	check_bad("8000-", NULL);
	check_bad("-8000", NULL);
	check_bad("+80", NULL);
	check_bad(" 80", NULL);
	check_bad("1.2.3.4.5:80:80", NULL);
	check_bad("01.2.3.4:80:80", NULL);
	check_bad("[::1:80:80", NULL);
	check_bad("[::1]x:80:80", NULL);
	check_bad("[1.2.3.4]]:80:80", NULL);
	check_bad("::::", NULL);
	check_bad("99999999999999999999999", NULL);
	check_bad("80\n", NULL);
}
END_TEST

START_TEST(test_hostile)
{
	/* Long inputs, many separators, embedded NUL-free junk: no crash, no success. */
	char big[20000];
	memset(big, ':', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	check_bad(big, NULL);
	memset(big, '9', sizeof(big) - 1);
	check_bad(big, NULL);
	memset(big, '-', sizeof(big) - 1);
	check_bad(big, NULL);
	memset(big, '/', sizeof(big) - 1);
	check_bad(big, NULL);
	/* The full range expands to 65536 mappings; that is Docker's behaviour too. */
	port_mapping *m = NULL;
	size_t n = 0;
	ck_assert_int_eq(portspec_parse("0-65535", &m, &n, NULL), 0);
	ck_assert_uint_eq(n, 65536);
	ck_assert_uint_eq(m[65535].ctr_port, 65535);
	port_mappings_free(m, n);
}
END_TEST

START_TEST(test_range_and_proto)
{
	unsigned a, b;
	ck_assert_int_eq(port_range_parse("8000-8080", &a, &b), 0);
	ck_assert_uint_eq(a, 8000);
	ck_assert_uint_eq(b, 8080);
	ck_assert_int_eq(port_range_parse("8080", &a, &b), 0);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(port_range_parse("", &a, &b), -1);
	ck_assert_int_eq(port_range_parse("8000-7000", &a, &b), -1);
	char *proto = NULL, *port = NULL;
	port_split_proto("80/udp", &proto, &port);
	ck_assert_str_eq(proto, "udp");
	ck_assert_str_eq(port, "80");
	free(proto);
	free(port);
	port_split_proto("", &proto, &port);
	ck_assert_str_eq(proto, "");
	ck_assert_str_eq(port, "");
	free(proto);
	free(port);
	unsigned p;
	char pr[8];
	ck_assert_int_eq(port_key_parse("80/tcp", &p, pr), 0);
	ck_assert_str_eq(pr, "tcp");
	ck_assert_int_eq(port_key_parse("53/UDP", &p, pr), 0);
	ck_assert_str_eq(pr, "udp");
	ck_assert_int_eq(port_key_parse("80-81/tcp", &p, pr), -1);
	ck_assert_int_eq(port_key_parse("x/tcp", &p, pr), -1);
	ck_assert_int_eq(port_key_parse("80/foo", &p, pr), -1);
}
END_TEST

START_TEST(test_json)
{
	char *specs[] = {"8080:80", "127.0.0.1::80", "53:53/udp", "published=9090,target=90", NULL};
	_cleanup_json_ json_object *exposed = json_object_new_object(), *bindings = json_object_new_object();
	ck_assert_int_eq(portspec_to_json(specs, exposed, bindings, NULL), 0);
	ck_assert_str_eq(jdump(exposed), "{\"80/tcp\":{},\"53/udp\":{},\"90/tcp\":{}}");
	ck_assert_str_eq(jdump(bindings),
			 "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}],"
			 "\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"53\"}],\"90/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"9090\"}]}");
	err_t *e = NULL;
	char *bad[] = {"published=8080,target", NULL};
	ck_assert_int_eq(portspec_to_json(bad, exposed, bindings, &e), -1);
	ck_assert_str_eq(e->msg, "invalid publish opts format (should be name=value but got 'target')");
	err_free(&e);
	_cleanup_json_ json_object *ex = json_object_new_object();
	ck_assert_int_eq(portspec_expose("7000-7002/udp", ex, NULL), 0);
	ck_assert_int_eq(portspec_expose("8000", ex, NULL), 0);
	ck_assert_str_eq(jdump(ex), "{\"7000/udp\":{},\"7001/udp\":{},\"7002/udp\":{},\"8000/tcp\":{}}");
	ck_assert_int_eq(portspec_expose("80:80", ex, &e), -1);
	ck_assert_str_eq(e->msg, "invalid port format for --expose: 80:80");
	err_free(&e);
	ck_assert_int_eq(portspec_expose("x-y", ex, &e), -1);
	err_free(&e);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("portspec");
	TCase *tc = tcase_create("portspec");
	tcase_add_test(tc, test_forms);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_rejects);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_range_and_proto);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
