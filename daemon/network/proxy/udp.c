/* udp.c: the UDP forwarder. Datagrams from a client address go out of a
 * socket connected to the container that belongs to that client; replies
 * come back through the listening socket to the client. A client silent
 * for 90 s loses its socket (docker-proxy's UDPConnTrackTimeout). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

#define IDLE_SEC 90
#define MAX_DGRAM 65536

typedef struct uflow {
	proxy_handler h;
	struct uflow *next;
	struct sockaddr_storage client;
	socklen_t clen;
	int fd;
	time_t last;
	struct udp_ctx *ctx;
} uflow;

typedef struct udp_ctx {
	proxy_handler h;
	int epfd, lfd;
	const struct sockaddr_storage *target;
	socklen_t tlen;
	uflow *flows;
	char buf[MAX_DGRAM];
} udp_ctx;

static time_t now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void flow_reply(proxy_handler *h, uint32_t events)
{
	uflow *f = (uflow *)h;
	udp_ctx *c = f->ctx;
	(void)events;
	for (;;) {
		ssize_t n = recv(f->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		f->last = now_sec();
		sendto(c->lfd, c->buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&f->client, f->clen);
	}
}

static uflow *flow_find(udp_ctx *c, const struct sockaddr_storage *ss, socklen_t len)
{
	for (uflow *f = c->flows; f; f = f->next)
		if (f->clen == len && !memcmp(&f->client, ss, len))
			return f;
	uflow *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->fd = socket(c->target->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = f};
	if (f->fd < 0 || connect(f->fd, (const struct sockaddr *)c->target, c->tlen) < 0 ||
	    epoll_ctl(c->epfd, EPOLL_CTL_ADD, f->fd, &ev) < 0) {
		if (f->fd >= 0)
			close(f->fd);
		free(f);
		return NULL;
	}
	f->h.fn = flow_reply;
	f->ctx = c;
	f->client = *ss;
	f->clen = len;
	f->next = c->flows;
	c->flows = f;
	return f;
}

static void listener_event(proxy_handler *h, uint32_t events)
{
	udp_ctx *c = (udp_ctx *)h;
	(void)events;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		ssize_t n = recvfrom(c->lfd, c->buf, sizeof(c->buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &len);
		if (n < 0)
			return;
		uflow *f = flow_find(c, &ss, len);
		if (!f)
			continue;
		f->last = now_sec();
		send(f->fd, c->buf, (size_t)n, MSG_DONTWAIT);
	}
}

/* Runs between batches of events, so no pending event names a freed flow. */
static void expire(udp_ctx *c)
{
	time_t now = now_sec();
	for (uflow **pp = &c->flows; *pp;) {
		uflow *f = *pp;
		if (now - f->last < IDLE_SEC) {
			pp = &f->next;
			continue;
		}
		*pp = f->next;
		close(f->fd);
		free(f);
	}
}

int proxy_udp_run(int epfd, int lfd, const struct sockaddr_storage *target, socklen_t tlen)
{
	udp_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	c->h.fn = listener_event;
	c->epfd = epfd;
	c->lfd = lfd;
	c->target = target;
	c->tlen = tlen;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		return -1;
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(epfd, evs, 64, 10000);
		if (n < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < n; i++) {
			proxy_handler *h = evs[i].data.ptr;
			h->fn(h, evs[i].events);
		}
		expire(c);
	}
}
