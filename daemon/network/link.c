/* link.c: see link.h. */
#include "link.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <sys/random.h>

#include "cleanup.h"

static int put_name(struct nlmsghdr *nlh, const char *name, err_t **err)
{
	if (!name || !*name || strlen(name) >= IFNAMSIZ)
		return err_invalid(err, "invalid interface name \"%s\"", name ? name : "");
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return 0;
}

int link_index(nl_sock *s, const char *name, err_t **err)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_msg(s, RTM_GETLINK, 0, sizeof(*ifm), (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	if (put_name(nlh, name, err) < 0)
		return -1;
	uint32_t seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0)
		return err_sys(err, "look up %s", name);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->mnl, s->buf, sizeof(s->buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(err, "look up %s", name);
		struct nlmsghdr *r = (struct nlmsghdr *)s->buf;
		if (!mnl_nlmsg_ok(r, (int)n) || r->nlmsg_seq != seq)
			continue;
		if (r->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = mnl_nlmsg_get_payload(r);
			if (e->error == -ENODEV)
				return 0;
			errno = -e->error;
			return err_sys(err, "look up %s", name);
		}
		if (r->nlmsg_type == RTM_NEWLINK) {
			struct ifinfomsg *got = mnl_nlmsg_get_payload(r);
			return got->ifi_index;
		}
	}
}

int link_bridge_add(nl_sock *s, const char *name, err_t **err)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifm), (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	if (put_name(nlh, name, err) < 0)
		return -1;
	/* A MAC of its own: a bridge otherwise takes its lowest port's, which
	 * changes as containers come and go. */
	uint8_t mac[6];
	if (getrandom(mac, sizeof(mac), 0) != (ssize_t)sizeof(mac))
		memset(mac, 0x5a, sizeof(mac));
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, li);
	return nl_talk(s, nlh, "create the bridge", err);
}

int link_veth_add(nl_sock *s, const char *host_name, const char *peer_name, int peer_netns_fd,
		  const uint8_t *peer_mac, err_t **err)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_msg(s, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifm), (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	if (put_name(nlh, host_name, err) < 0)
		return -1;
	struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	memset(pifm, 0, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	if (put_name(nlh, peer_name, err) < 0)
		return -1;
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	if (peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return nl_talk(s, nlh, "create the veth pair", err);
}

int link_set(nl_sock *s, int ifindex, int master, bool up, err_t **err)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_msg(s, RTM_NEWLINK, 0, sizeof(*ifm), (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (up) {
		ifm->ifi_flags = IFF_UP;
		ifm->ifi_change = IFF_UP;
	}
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return nl_talk(s, nlh, up ? "bring the link up" : "set the link's master", err);
}

int link_del(nl_sock *s, const char *name, err_t **err)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = nl_msg(s, RTM_DELLINK, 0, sizeof(*ifm), (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	if (put_name(nlh, name, err) < 0)
		return -1;
	_cleanup_err_ err_t *e = NULL;
	if (nl_talk(s, nlh, "delete the link", &e) < 0) {
		if (errno == ENODEV)
			return 0;
		if (err && !*err)
			*err = steal_ptr(&e);
		return -1;
	}
	return 0;
}
