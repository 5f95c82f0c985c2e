/* nl.h: rtnetlink through libmnl: a socket bound in a chosen network
 * namespace, one request answered by its ack (the kernel's errno becomes
 * the error), and dumps walked with a callback. Everything the network
 * library does to links, addresses and routes goes through here; nothing
 * shells out to `ip`. */
#ifndef ENGINE_NET_NL_H
#define ENGINE_NET_NL_H

#include <libmnl/libmnl.h>
#include <stdint.h>

#include "err.h"

typedef struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	char buf[32768];
} nl_sock;

/* A NETLINK_ROUTE socket in the namespace netns_fd refers to (-1: ours). */
nl_sock *nl_open(int netns_fd, err_t **err);
void nl_close(nl_sock *s);

/* A new request in s->buf: type, flags (NLM_F_REQUEST|NLM_F_ACK added),
 * and the family header of hdr_len bytes, zeroed, returned in *hdr. */
struct nlmsghdr *nl_msg(nl_sock *s, uint16_t type, uint16_t flags, size_t hdr_len, void **hdr);
/* Sends nlh and waits for the ack. On failure errno is the kernel's and
 * *err says "what: strerror". */
int nl_talk(nl_sock *s, struct nlmsghdr *nlh, const char *what, err_t **err);
/* Sends a dump request and runs cb on every message until NLMSG_DONE. */
int nl_dump(nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what, err_t **err);

/* socket(domain, type, proto) created inside the namespace netns_fd: the
 * calling thread enters it and comes back (aborting if it cannot, since a
 * thread left in a container's namespace would be a silent disaster). */
int netns_socket(int netns_fd, int domain, int type, int proto, err_t **err);

static inline void cleanup_nlp(nl_sock **s)
{
	nl_close(*s);
}
#define _cleanup_nl_ __attribute__((cleanup(cleanup_nlp)))

#endif
