/* tcp.c: the TCP forwarder. Each accepted connection gets a non-blocking
 * connection to the container and two flows (client to container and
 * back), each moving bytes with splice() through a pipe of its own, so the
 * data never enters user space. Edge-triggered epoll: every event pumps
 * both flows until the kernel says EAGAIN. A flow that reads EOF half-closes
 * its destination; the pair closes when both are done or on any error. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"

#define CHUNK (1 << 20)

typedef struct flow {
	int from, to;
	int pipe[2];
	size_t pending;
	bool eof; /* read EOF from `from`, shut down `to` once drained */
	bool done;
} flow;

typedef struct pair {
	proxy_handler h;
	struct pair *next_dead; /* freed after the current batch of events */
	bool dead;
	int epfd;
	int client, backend;
	bool connected;
	flow up, down;
} pair;

typedef struct listener {
	proxy_handler h;
	int epfd, fd;
	const struct sockaddr_storage *target;
	socklen_t tlen;
} listener;

static void flow_close(flow *f)
{
	if (f->pipe[0] >= 0)
		close(f->pipe[0]);
	if (f->pipe[1] >= 0)
		close(f->pipe[1]);
	f->pipe[0] = f->pipe[1] = -1;
}

static pair *graveyard;

/* Closing removes the sockets from the epoll set; the memory waits until
 * the batch of events that may still name it is handled. */
static void pair_free(pair *p)
{
	if (p->dead)
		return;
	p->dead = true;
	close(p->client);
	close(p->backend);
	flow_close(&p->up);
	flow_close(&p->down);
	p->next_dead = graveyard;
	graveyard = p;
}

static void bury(void)
{
	while (graveyard) {
		pair *p = graveyard;
		graveyard = p->next_dead;
		free(p);
	}
}

/* Moves what it can; -1 on an error that ends the connection. */
static int flow_pump(flow *f)
{
	while (!f->done) {
		if (f->pending > 0) {
			ssize_t n = splice(f->pipe[0], NULL, f->to, NULL, f->pending, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n < 0)
				return errno == EAGAIN ? 0 : -1;
			f->pending -= (size_t)n;
			continue;
		}
		if (f->eof) {
			shutdown(f->to, SHUT_WR);
			f->done = true;
			break;
		}
		ssize_t n = splice(f->from, NULL, f->pipe[1], NULL, CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (n == 0)
			f->eof = true;
		f->pending += (size_t)n;
	}
	return 0;
}

static bool connect_done(pair *p)
{
	int e = 0;
	socklen_t l = sizeof(e);
	if (getsockopt(p->backend, SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e == EINPROGRESS)
		return false;
	p->connected = e == 0;
	return true;
}

static void pair_event(proxy_handler *h, uint32_t events)
{
	pair *p = (pair *)h;
	(void)events;
	if (p->dead)
		return;
	if (!p->connected) {
		if (!connect_done(p))
			return;
		if (!p->connected) {
			pair_free(p);
			return;
		}
	}
	if (flow_pump(&p->up) < 0 || flow_pump(&p->down) < 0 || (p->up.done && p->down.done))
		pair_free(p);
}

static int flow_init(flow *f, int from, int to)
{
	memset(f, 0, sizeof(*f));
	f->from = from;
	f->to = to;
	if (pipe2(f->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		f->pipe[0] = f->pipe[1] = -1;
		return -1;
	}
	fcntl(f->pipe[1], F_SETPIPE_SZ, CHUNK);
	return 0;
}

static int watch(int epfd, int fd, void *ptr)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = ptr};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void start_pair(listener *l, int client)
{
	int one = 1;
	setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int b = socket(l->target->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b < 0) {
		close(client);
		return;
	}
	setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pair *p = calloc(1, sizeof(*p));
	if (!p) {
		close(client);
		close(b);
		return;
	}
	p->h.fn = pair_event;
	p->epfd = l->epfd;
	p->client = client;
	p->backend = b;
	p->up.pipe[0] = p->up.pipe[1] = p->down.pipe[0] = p->down.pipe[1] = -1;
	if (flow_init(&p->up, client, b) < 0 || flow_init(&p->down, b, client) < 0) {
		pair_free(p);
		return;
	}
	if (connect(b, (const struct sockaddr *)l->target, l->tlen) < 0 && errno != EINPROGRESS) {
		pair_free(p);
		return;
	}
	if (watch(l->epfd, client, p) < 0 || watch(l->epfd, b, p) < 0)
		pair_free(p);
}

static void listener_event(proxy_handler *h, uint32_t events)
{
	listener *l = (listener *)h;
	(void)events;
	for (;;) {
		int c = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return; /* EAGAIN, or EMFILE and friends: try again at the next event */
		start_pair(l, c);
	}
}

int proxy_tcp_run(int epfd, int lfd, const struct sockaddr_storage *target, socklen_t tlen)
{
	listener l = {.h.fn = listener_event, .epfd = epfd, .fd = lfd, .target = target, .tlen = tlen};
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &l};
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0)
		return -1;
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(epfd, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++) {
			proxy_handler *h = evs[i].data.ptr;
			h->fn(h, evs[i].events);
		}
		bury();
	}
}
