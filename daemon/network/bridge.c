/* bridge.c: a bridge network in the kernel: the Linux bridge (created when
 * missing, with a stable random MAC), its gateway address, up, its
 * nftables table, and IP forwarding for networks that reach outside
 * (net.ipv4.ip_forward is set to 1, as dockerd does, and left so). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "addr.h"
#include "cleanup.h"
#include "link.h"
#include "log.h"
#include "net_internal.h"

void sysctl_ip_forward(net_store *s)
{
	if (!s->cfg.ip_forward)
		return;
	_cleanup_close_ int fd = open("/proc/sys/net/ipv4/ip_forward", O_RDWR | O_CLOEXEC);
	char cur = 0;
	if (fd < 0 || pread(fd, &cur, 1, 0) != 1) {
		log_warn("cannot read net.ipv4.ip_forward: %s", strerror(errno));
		return;
	}
	if (cur == '1')
		return;
	if (pwrite(fd, "1\n", 2, 0) != 2)
		log_warn("cannot enable net.ipv4.ip_forward: %s", strerror(errno));
	else
		log_info("net.ipv4.ip_forward set to 1 for the containers' outbound traffic");
}

static void route_localnet(const char *bridge)
{
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "/proc/sys/net/ipv4/conf/%s/route_localnet", bridge) < 0)
		return;
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1\n", 2) != 2)
		log_warn("cannot set %s: %s", path, strerror(errno));
}

static int create_bridge(nl_sock *nl, const char *name, err_t **err)
{
	if (link_bridge_add(nl, name, err) < 0)
		return -1;
	return link_index(nl, name, err);
}

int bridge_up(net_store *s, network *n, err_t **err)
{
	if (!n->bridge || !n->has_pool)
		return 0;
	_cleanup_nl_ nl_sock *nl = nl_open(-1, err);
	if (!nl)
		return -1;
	int idx = link_index(nl, n->bridge, err);
	if (idx == 0)
		idx = create_bridge(nl, n->bridge, err);
	if (idx <= 0)
		return -1;
	if (addr_add(nl, idx, n->pool.gateway, n->pool.subnet.prefix, err) < 0 ||
	    link_set(nl, idx, 0, true, err) < 0)
		return -1;
	if (!s->cfg.userland_proxy)
		route_localnet(n->bridge);
	if (!n->internal)
		sysctl_ip_forward(s);
	_cleanup_err_ err_t *rerr = NULL;
	if (rules_apply(s, n, &rerr) < 0)
		log_warn("network %s: nftables rules (outbound NAT, DNAT of published ports) unavailable: %s",
			 n->name, rerr->msg);
	return 0;
}

void bridge_down(net_store *s, network *n)
{
	if (!n->bridge)
		return;
	rules_remove(s, n);
	_cleanup_err_ err_t *err = NULL;
	_cleanup_nl_ nl_sock *nl = nl_open(-1, &err);
	if (!nl || link_del(nl, n->bridge, &err) < 0)
		log_warn("network %s: deleting bridge %s: %s", n->name, n->bridge, err->msg);
}
