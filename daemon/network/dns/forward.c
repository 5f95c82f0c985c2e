/* forward.c: names we do not know go to the container's upstream servers,
 * from the host's namespace (so a resolver on the host's loopback, such as
 * systemd-resolved's 127.0.0.53, works). Each forwarded query gets a fresh
 * random ID; a reply is accepted only from the server it was sent to, with
 * that ID. No answer within 2 s: the next server; none left: SERVFAIL. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "dnsd.h"
#include "xalloc.h"

#define TRY_MS 2000

int64_t dnsd_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_upstream(dnsd *d, dnsd_handler *h, uint32_t events);

static int open_up(dnsd *d, int family, dnsd_handler *h)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	h->fn = on_upstream;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = h};
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int dnsd_forward_init(dnsd *d)
{
	d->up4 = open_up(d, AF_INET, &d->h_up4);
	d->up6 = open_up(d, AF_INET6, &d->h_up6);
	return d->up4 < 0 ? -1 : 0;
}

static void release(dnsd_pending *p)
{
	free(p->query);
	memset(p, 0, sizeof(*p));
}

static bool send_attempt(dnsd *d, dnsd_pending *p)
{
	const dnsd_ctr *c = p->to.ctr;
	while (p->attempt < c->n_up) {
		const struct sockaddr_storage *ss = &c->up[p->attempt];
		int fd = ss->ss_family == AF_INET6 ? d->up6 : d->up4;
		p->query[0] = (uint8_t)(p->new_id >> 8);
		p->query[1] = (uint8_t)p->new_id;
		p->deadline_ms = dnsd_now_ms() + TRY_MS;
		if (fd >= 0 && sendto(fd, p->query, p->query_len, MSG_DONTWAIT, (const struct sockaddr *)ss,
				      c->up_len[p->attempt]) >= 0)
			return true;
		p->attempt++;
	}
	return false;
}

static void servfail(dnsd *d, dnsd_pending *p)
{
	dns_query q;
	p->query[0] = (uint8_t)(p->orig_id >> 8);
	p->query[1] = (uint8_t)p->orig_id;
	if (dns_parse_query(p->query, p->query_len, &q) == 0) {
		uint8_t out[DNS_MAX_UDP];
		size_t len = dns_answer(&q, p->query, DNS_SERVFAIL, true, NULL, 0, NULL, out, sizeof(out));
		if (len)
			dnsd_send(d, &p->to, out, len);
	}
	release(p);
}

static uint16_t fresh_id(dnsd *d)
{
	for (;;) {
		uint16_t id = 0;
		if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
			id = (uint16_t)rand();
		bool clash = false;
		for (size_t i = 0; i < DNSD_PENDING && !clash; i++)
			clash = d->pending[i].used && d->pending[i].new_id == id;
		if (!clash)
			return id;
	}
}

void dnsd_forward(dnsd *d, const dnsd_reply_to *to, const dns_query *q, const uint8_t *msg, size_t len)
{
	dnsd_pending *p = NULL;
	for (size_t i = 0; i < DNSD_PENDING && !p; i++)
		if (!d->pending[i].used)
			p = &d->pending[i];
	if (!p)
		return; /* overloaded: the client retries */
	p->used = true;
	p->orig_id = q->id;
	p->new_id = fresh_id(d);
	p->to = *to;
	p->query = xmalloc(len);
	memcpy(p->query, msg, len);
	p->query_len = len;
	if (!send_attempt(d, p))
		servfail(d, p);
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
}

static void on_upstream(dnsd *d, dnsd_handler *h, uint32_t events)
{
	int fd = h == &d->h_up4 ? d->up4 : d->up6;
	(void)events;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, d->buf, sizeof(d->buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (n < DNS_HDR || !(d->buf[2] & 0x80))
			continue;
		uint16_t id = (uint16_t)(d->buf[0] << 8 | d->buf[1]);
		for (size_t k = 0; k < DNSD_PENDING; k++) {
			dnsd_pending *p = &d->pending[k];
			if (!p->used || p->new_id != id || p->attempt >= p->to.ctr->n_up ||
			    !same_addr(&from, &p->to.ctr->up[p->attempt]))
				continue;
			d->buf[0] = (uint8_t)(p->orig_id >> 8);
			d->buf[1] = (uint8_t)p->orig_id;
			dnsd_send(d, &p->to, d->buf, (size_t)n);
			release(p);
			break;
		}
	}
}

void dnsd_sweep_pending(dnsd *d)
{
	int64_t now = dnsd_now_ms();
	for (size_t i = 0; i < DNSD_PENDING; i++) {
		dnsd_pending *p = &d->pending[i];
		if (!p->used || p->deadline_ms > now)
			continue;
		p->attempt++;
		if (!send_attempt(d, p))
			servfail(d, p);
	}
}

void dnsd_cancel(dnsd *d, const dnsd_ctr *c, const dnsd_tcp *t)
{
	for (size_t i = 0; i < DNSD_PENDING; i++) {
		dnsd_pending *p = &d->pending[i];
		if (p->used && ((c && p->to.ctr == c) || (t && p->to.tcp == t)))
			release(p);
	}
}
