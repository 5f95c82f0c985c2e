/* bind.c: the host side and the container side of a proxy: the socket it
 * listens on ("" is every address: dual-stack [::] when the host has IPv6,
 * so one process serves 0.0.0.0 and ::, as Docker's two proxies do;
 * "0.0.0.0" and "::" are one family each) and
 * the container's address. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"

static bool host_has_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	bool ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static int fill_addr(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len, bool *v6only)
{
	memset(ss, 0, sizeof(*ss));
	*v6only = false;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	bool any = !*ip || !strcmp(ip, "0.0.0.0");
	if (!*ip && host_has_ipv6()) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	if (any || inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		if (any)
			s4->sin_addr.s_addr = htonl(INADDR_ANY);
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		*v6only = true;
		return 0;
	}
	return -1;
}

int proxy_target(const proxy_opts *o, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, o->ctr_ip, &s4->sin_addr) != 1)
		return -1;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)o->ctr_port);
	*len = sizeof(*s4);
	return 0;
}

int proxy_bind(const proxy_opts *o, const char **msg)
{
	static char buf[256];
	struct sockaddr_storage ss;
	socklen_t len;
	bool v6only;
	if (fill_addr(o->host_ip, o->host_port, &ss, &len, &v6only) < 0) {
		*msg = "invalid host address";
		return -1;
	}
	bool tcp = !strcmp(o->proto, "tcp");
	int fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*msg = strerror(errno);
		return -1;
	}
	int one = 1, v6 = v6only ? 1 : 0;
	if (tcp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (tcp && listen(fd, 4096) < 0)) {
		int e = errno;
		snprintf(buf, sizeof(buf), "listen %s%s %s:%d: bind: %s", o->proto,
			 ss.ss_family == AF_INET6 && v6only ? "6" : "4", *o->host_ip ? o->host_ip : "0.0.0.0",
			 o->host_port, e == EADDRINUSE ? "address already in use" : strerror(e));
		*msg = buf;
		close(fd);
		return -1;
	}
	return fd;
}
