/* Unit tests for what the network library writes as text: a container's
 * /etc/hosts and /etc/resolv.conf (Docker's layout, the embedded DNS
 * server on user-defined networks, --dns overrides, loopback resolvers
 * dropped on bridges) and a network's nftables table. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "etcfiles.h"
#include "jsonutil.h"
#include "net_internal.h"

static const char host_resolv[] =
	"# a comment\nnameserver 127.0.0.53\nnameserver 192.0.2.53 ; trailing\nsearch corp.example lab.example\n"
	"options edns0 trust-ad\n";

START_TEST(test_hosts)
{
	char *extra[] = {"db:10.0.0.5", "gw:host-gateway", "v6:2001:db8::1", "new=10.0.0.6", NULL};
	etc_info i = {.ip = "172.17.0.2", .hostname = "abc123", .extra_hosts = extra, .host_gateway = "172.17.0.1"};
	_cleanup_free_ char *t = etc_hosts_text(&i, NULL);
	ck_assert_str_eq(t, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
			    "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
			    "10.0.0.5\tdb\n172.17.0.1\tgw\n2001:db8::1\tv6\n10.0.0.6\tnew\n172.17.0.2\tabc123\n");
	i.domainname = "example.org";
	i.extra_hosts = NULL;
	_cleanup_free_ char *t2 = etc_hosts_text(&i, NULL);
	ck_assert(strstr(t2, "172.17.0.2\tabc123.example.org abc123\n"));
	char *bad[] = {"nocolon", NULL};
	i.extra_hosts = bad;
	err_t *e = NULL;
	ck_assert_ptr_null(etc_hosts_text(&i, &e));
	ck_assert_int_eq(e->kind, ERR_INVALID);
	err_free(&e);
}
END_TEST

START_TEST(test_resolv_bridge)
{
	etc_info i = {0};
	_cleanup_free_ char *t = etc_resolv_text(&i, host_resolv);
	ck_assert_str_eq(t, "nameserver 192.0.2.53\nsearch corp.example lab.example\noptions edns0 trust-ad\n");
	_cleanup_free_ char *only_lo = etc_resolv_text(&i, "nameserver 127.0.0.53\n");
	ck_assert_str_eq(only_lo, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	char *dns[] = {"10.1.1.1", NULL}, *search[] = {"x.example", NULL}, *opts[] = {"ndots:2", NULL};
	i.dns = dns;
	i.dns_search = search;
	i.dns_options = opts;
	_cleanup_free_ char *over = etc_resolv_text(&i, host_resolv);
	ck_assert_str_eq(over, "nameserver 10.1.1.1\nsearch x.example\noptions ndots:2\n");
	etc_info h = {.host_network = true};
	_cleanup_free_ char *host = etc_resolv_text(&h, host_resolv);
	ck_assert(strstr(host, "nameserver 127.0.0.53\nnameserver 192.0.2.53\n"));
}
END_TEST

START_TEST(test_resolv_embedded)
{
	etc_info i = {.embedded_dns = true};
	_cleanup_free_ char *t = etc_resolv_text(&i, host_resolv);
	ck_assert(strstr(t, "\nnameserver 127.0.0.11\nsearch corp.example lab.example\noptions edns0 trust-ad ndots:0\n"));
	ck_assert(!strstr(t, "192.0.2.53"));
	char *opts[] = {"ndots:3", NULL};
	i.dns_options = opts;
	_cleanup_free_ char *t2 = etc_resolv_text(&i, "");
	ck_assert(strstr(t2, "options ndots:3\n"));
	ck_assert(!strstr(t2, "ndots:0"));
	/* Upstreams: --dns first, else every host resolver (loopback too). */
	_cleanup_strv_ char **up = etc_upstreams(NULL, host_resolv);
	ck_assert_str_eq(up[0], "127.0.0.53");
	ck_assert_str_eq(up[1], "192.0.2.53");
	ck_assert_ptr_null(up[2]);
	char *dns[] = {"10.9.9.9", NULL};
	_cleanup_strv_ char **up2 = etc_upstreams(dns, host_resolv);
	ck_assert_str_eq(up2[0], "10.9.9.9");
	ck_assert_ptr_null(up2[1]);
}
END_TEST

static network *test_network(bool internal)
{
	network *n = network_new();
	n->bridge = strdup("br-0123456789a");
	n->name = strdup("t");
	n->internal = internal;
	ck_assert_int_eq(ipam_init(&n->pool, "10.77.0.0/24", NULL, NULL, NULL), 0);
	n->has_pool = true;
	return n;
}

START_TEST(test_rules)
{
	net_config cfg = {.ip_masq = true, .nft = true, .userland_proxy = true};
	network *n = test_network(false);
	net_port p1 = {.proto = "tcp", .ctr_port = 80, .host_ip = "", .host_port = 8080, .ctr_ip = 0x0a4d0002};
	net_port p2 = {.proto = "udp", .ctr_port = 53, .host_ip = "192.0.2.2", .host_port = 5353, .ctr_ip = 0x0a4d0002};
	net_port p3 = {.proto = "tcp", .ctr_port = 22, .host_ip = "127.0.0.1", .host_port = 2222, .ctr_ip = 0x0a4d0002};
	const net_port *ports[] = {&p1, &p2, &p3};
	_cleanup_free_ char *t = rules_text(&cfg, n, ports, 3);
	ck_assert(strstr(t, "add table ip engine_br_0123456789a\ndelete table ip engine_br_0123456789a\n"));
	ck_assert(strstr(t, "oifname != \"br-0123456789a\" ip saddr 10.77.0.0/24 masquerade\n"));
	ck_assert(strstr(t, "iifname != \"br-0123456789a\" fib daddr type local tcp dport 8080 dnat to 10.77.0.2:80\n"));
	ck_assert(strstr(t, "ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 8080 dnat to 10.77.0.2:80\n"));
	ck_assert(strstr(t, "iifname != \"br-0123456789a\" ip daddr 192.0.2.2 udp dport 5353 dnat to 10.77.0.2:53\n"));
	ck_assert(!strstr(t, "2222")); /* loopback goes through engine-proxy */
	ck_assert(!strstr(t, "drop"));
	network_free(n);
	n = test_network(true);
	_cleanup_free_ char *ti = rules_text(&cfg, n, NULL, 0);
	ck_assert(!strstr(ti, "masquerade"));
	ck_assert(strstr(ti, "iifname \"br-0123456789a\" oifname != \"br-0123456789a\" drop\n"));
	network_free(n);
	cfg.ip_masq = false;
	n = test_network(false);
	_cleanup_free_ char *tm = rules_text(&cfg, n, NULL, 0);
	ck_assert(!strstr(tm, "masquerade"));
	network_free(n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_files");
	TCase *tc = tcase_create("net_files");
	tcase_add_test(tc, test_hosts);
	tcase_add_test(tc, test_resolv_bridge);
	tcase_add_test(tc, test_resolv_embedded);
	tcase_add_test(tc, test_rules);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
