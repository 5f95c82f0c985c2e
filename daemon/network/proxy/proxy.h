/* proxy.h: engine-proxy, the userland forwarder behind one published port
 * (docker-proxy's role): it holds the host port, so nothing else can take
 * it while the container runs, and carries the traffic DNAT rules cannot
 * (to 127.0.0.1, or on hosts without nftables) to the container's address.
 * One process, one epoll loop; TCP is spliced through pipes, UDP keeps a
 * connected socket per client for 90 s of silence, as docker-proxy does. */
#ifndef ENGINE_PROXY_H
#define ENGINE_PROXY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct proxy_opts {
	const char *proto;        /* tcp | udp */
	const char *host_ip;      /* "" or 0.0.0.0: every address; "::": IPv6 only */
	int host_port;
	const char *ctr_ip;
	int ctr_port;
	const char *pidfile;
	int sync_fd;              /* "0\n" once listening, "1\n<message>" on failure */
	bool detach;
} proxy_opts;

/* The listening (tcp) or bound (udp) socket; -1 with *msg set. */
int proxy_bind(const proxy_opts *o, const char **msg);
/* The container's address as a sockaddr. */
int proxy_target(const proxy_opts *o, struct sockaddr_storage *ss, socklen_t *len);

/* Event loops; they return only on a fatal error. Every epoll entry's
 * data.ptr points at a struct whose first member is a handler. */
typedef struct proxy_handler {
	void (*fn)(struct proxy_handler *h, uint32_t events);
} proxy_handler;

int proxy_tcp_run(int epfd, int lfd, const struct sockaddr_storage *target, socklen_t tlen);
int proxy_udp_run(int epfd, int lfd, const struct sockaddr_storage *target, socklen_t tlen);

#endif
