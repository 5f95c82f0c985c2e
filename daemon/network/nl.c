/* nl.c: see nl.h. */
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "xalloc.h"

int netns_socket(int netns_fd, int domain, int type, int proto, err_t **err)
{
	if (netns_fd < 0) {
		int fd = socket(domain, type | SOCK_CLOEXEC, proto);
		return fd < 0 ? err_sys(err, "socket") : fd;
	}
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return err_sys(err, "open /proc/thread-self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return err_sys(err, "enter the network namespace");
	int fd = socket(domain, type | SOCK_CLOEXEC, proto);
	int saved = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		log_error("cannot return to our own network namespace: %s", strerror(errno));
		abort();
	}
	errno = saved;
	return fd < 0 ? err_sys(err, "socket in the network namespace") : fd;
}

nl_sock *nl_open(int netns_fd, err_t **err)
{
	int fd = netns_socket(netns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, err);
	if (fd < 0)
		return NULL;
	nl_sock *s = xcalloc(1, sizeof(*s));
	s->mnl = mnl_socket_fdopen(fd);
	if (!s->mnl) {
		close(fd);
		free(s);
		err_sys(err, "netlink socket");
		return NULL;
	}
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err_sys(err, "bind the netlink socket");
		nl_close(s);
		return NULL;
	}
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = (uint32_t)time(NULL);
	return s;
}

void nl_close(nl_sock *s)
{
	if (!s)
		return;
	if (s->mnl)
		mnl_socket_close(s->mnl);
	free(s);
}

struct nlmsghdr *nl_msg(nl_sock *s, uint16_t type, uint16_t flags, size_t hdr_len, void **hdr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++s->seq;
	void *h = mnl_nlmsg_put_extra_header(nlh, hdr_len);
	memset(h, 0, hdr_len);
	*hdr = h;
	return nlh;
}

static int run_replies(nl_sock *s, uint32_t seq, mnl_cb_t cb, void *data)
{
	char *rbuf = xmalloc(MNL_SOCKET_BUFFER_SIZE);
	int r;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->mnl, rbuf, MNL_SOCKET_BUFFER_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -1;
			break;
		}
		r = mnl_cb_run(rbuf, (size_t)n, seq, s->portid, cb, data);
		if (r <= MNL_CB_STOP)
			break;
	}
	int saved = errno;
	free(rbuf);
	errno = saved;
	return r;
}

int nl_talk(nl_sock *s, struct nlmsghdr *nlh, const char *what, err_t **err)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0)
		return err_sys(err, "%s", what);
	if (run_replies(s, nlh->nlmsg_seq, NULL, NULL) < 0)
		return err_sys(err, "%s", what);
	return 0;
}

int nl_dump(nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what, err_t **err)
{
	nlh->nlmsg_flags |= NLM_F_DUMP;
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0)
		return err_sys(err, "%s", what);
	if (run_replies(s, nlh->nlmsg_seq, cb, data) < 0)
		return err_sys(err, "%s", what);
	return 0;
}
