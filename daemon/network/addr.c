/* addr.c: see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

int addr_add(nl_sock *s, int ifindex, uint32_t addr, int prefix, err_t **err)
{
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = nl_msg(s, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa), (void **)&ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	uint32_t a = htonl(addr);
	uint32_t brd = htonl(addr | ~ipv4_mask(prefix));
	mnl_attr_put_u32(nlh, IFA_LOCAL, a);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
	if (prefix < 31)
		mnl_attr_put_u32(nlh, IFA_BROADCAST, brd);
	_cleanup_err_ err_t *e = NULL;
	if (nl_talk(s, nlh, "add the address", &e) < 0) {
		if (errno == EEXIST)
			return 0;
		if (err && !*err)
			*err = steal_ptr(&e);
		return -1;
	}
	return 0;
}

int route_default_add(nl_sock *s, int ifindex, uint32_t gateway, err_t **err)
{
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = nl_msg(s, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm), (void **)&rtm);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gateway));
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return nl_talk(s, nlh, "add the default route", err);
}

typedef struct route_acc {
	ipv4_net *v;
	size_t n, cap;
} route_acc;

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	route_acc *acc = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET || rtm->rtm_table != RT_TABLE_MAIN || rtm->rtm_dst_len == 0)
		return MNL_CB_OK;
	struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		if (mnl_attr_get_type(a) != RTA_DST || mnl_attr_get_payload_len(a) != 4)
			continue;
		uint32_t dst;
		memcpy(&dst, mnl_attr_get_payload(a), 4);
		acc->v = xgrow(acc->v, &acc->cap, acc->n + 1, sizeof(ipv4_net));
		acc->v[acc->n].prefix = rtm->rtm_dst_len;
		acc->v[acc->n].addr = ntohl(dst) & ipv4_mask(rtm->rtm_dst_len);
		acc->n++;
	}
	return MNL_CB_OK;
}

int route_list(nl_sock *s, ipv4_net **out, size_t *n, err_t **err)
{
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = nl_msg(s, RTM_GETROUTE, 0, sizeof(*rtm), (void **)&rtm);
	rtm->rtm_family = AF_INET;
	route_acc acc = {0};
	if (nl_dump(s, nlh, route_cb, &acc, "list the routes", err) < 0) {
		free(acc.v);
		return -1;
	}
	*out = acc.v;
	*n = acc.n;
	return 0;
}
