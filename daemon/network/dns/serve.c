/* serve.c: answering a container's queries. A name (case-insensitive) is
 * looked up among the containers of the asking container's networks: a
 * container name, an alias, a short ID, or "name.network"; an address
 * under in-addr.arpa of one of them gets its "name.network" back. A known
 * name asked for AAAA gets an empty answer; an unknown name is forwarded
 * (or SERVFAIL on internal-only networks). TCP queries (2-byte length
 * prefix) get the same treatment. */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dnsd.h"
#include "xalloc.h"

#define MAX_ADDRS 32
#define TCP_IDLE_SEC 30

static dnsd_net *net_by_id(dnsd *d, const char *id)
{
	for (size_t i = 0; i < d->n_nets; i++)
		if (!strcmp(d->nets[i].id, id))
			return &d->nets[i];
	return NULL;
}

/* "web" or "web.mynet" for a record of network n. */
static bool rec_matches(const dnsd_net *n, const dnsd_rec *r, const char *name)
{
	size_t nl = strlen(n->name), l = strlen(name);
	for (char **p = r->names; *p; p++) {
		if (dns_name_eq(*p, name))
			return true;
		size_t pl = strlen(*p);
		if (pl + 1 + nl == l && name[pl] == '.' && dns_name_eq(name + pl + 1, n->name) &&
		    !strncasecmp(name, *p, pl))
			return true;
	}
	return false;
}

static size_t lookup(dnsd *d, const dnsd_ctr *c, const char *name, uint32_t *out)
{
	size_t n = 0;
	for (char **id = c->nets; *id; id++) {
		dnsd_net *net = net_by_id(d, *id);
		for (size_t i = 0; net && i < net->n_recs && n < MAX_ADDRS; i++) {
			if (!rec_matches(net, &net->recs[i], name))
				continue;
			bool dup = false;
			for (size_t k = 0; k < n; k++)
				dup |= out[k] == net->recs[i].ip;
			if (!dup)
				out[n++] = net->recs[i].ip;
		}
	}
	return n;
}

static bool reverse(dnsd *d, const dnsd_ctr *c, uint32_t ip, char *out, size_t cap)
{
	for (char **id = c->nets; *id; id++) {
		dnsd_net *net = net_by_id(d, *id);
		for (size_t i = 0; net && i < net->n_recs; i++) {
			if (net->recs[i].ip == ip && net->recs[i].names[0]) {
				snprintf(out, cap, "%s.%s", net->recs[i].names[0], net->name);
				return true;
			}
		}
	}
	return false;
}

static void answer(dnsd *d, const dnsd_reply_to *to, const dns_query *q, const uint8_t *msg, int rcode,
		   const uint32_t *addrs, size_t n, const char *ptr)
{
	uint8_t out[DNS_MAX_UDP];
	size_t len = dns_answer(q, msg, rcode, to->ctr->external, addrs, n, ptr, out, sizeof(out));
	if (len)
		dnsd_send(d, to, out, len);
}

void dnsd_query(dnsd *d, const dnsd_reply_to *to, const uint8_t *msg, size_t len)
{
	dns_query q;
	int r = dns_parse_query(msg, len, &q);
	if (r < 0)
		return;
	if (r > 0) {
		answer(d, to, &q, msg, r, NULL, 0, NULL);
		return;
	}
	uint32_t addrs[MAX_ADDRS], ip;
	char ptr[DNS_MAX_NAME + 1];
	if (q.qclass == DNS_C_IN && *q.name) {
		size_t n = lookup(d, to->ctr, q.name, addrs);
		if (n) {
			answer(d, to, &q, msg, DNS_NOERROR, q.qtype == DNS_T_A ? addrs : NULL, q.qtype == DNS_T_A ? n : 0, NULL);
			return;
		}
		if (q.qtype == DNS_T_PTR && dns_reverse_v4(q.name, &ip) == 0 && reverse(d, to->ctr, ip, ptr, sizeof(ptr))) {
			answer(d, to, &q, msg, DNS_NOERROR, NULL, 0, ptr);
			return;
		}
	}
	if (!to->ctr->external || !to->ctr->n_up) {
		answer(d, to, &q, msg, DNS_SERVFAIL, NULL, 0, NULL);
		return;
	}
	dnsd_forward(d, to, &q, msg, len);
}

void dnsd_on_udp(dnsd *d, dnsd_handler *h, uint32_t events)
{
	dnsd_ctr *c = (dnsd_ctr *)((char *)h - offsetof(dnsd_ctr, h_udp));
	(void)events;
	for (int i = 0; i < 64; i++) {
		dnsd_reply_to to = {.ctr = c, .addr_len = sizeof(to.addr)};
		ssize_t n = recvfrom(c->udp, d->buf, sizeof(d->buf), MSG_DONTWAIT, (struct sockaddr *)&to.addr,
				     &to.addr_len);
		if (n < 0)
			return;
		dnsd_query(d, &to, d->buf, (size_t)n);
	}
}

static void tcp_close(dnsd *d, dnsd_tcp *t)
{
	dnsd_cancel(d, NULL, t);
	for (dnsd_tcp **pp = &d->tcps; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	close(t->fd);
	free(t);
}

static void on_tcp(dnsd *d, dnsd_handler *h, uint32_t events)
{
	dnsd_tcp *t = (dnsd_tcp *)h;
	(void)events;
	ssize_t n = read(t->fd, t->buf + t->len, sizeof(t->buf) - t->len);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		tcp_close(d, t);
		return;
	}
	t->len += (size_t)n;
	t->last = time(NULL);
	while (t->len >= 2) {
		size_t ml = (size_t)(t->buf[0] << 8 | t->buf[1]);
		if (t->len < 2 + ml)
			return;
		uint8_t *copy = xmalloc(ml + 1);
		memcpy(copy, t->buf + 2, ml);
		memmove(t->buf, t->buf + 2 + ml, t->len - 2 - ml);
		t->len -= 2 + ml;
		dnsd_reply_to to = {.ctr = t->ctr, .tcp = t};
		dnsd_query(d, &to, copy, ml);
		free(copy);
	}
}

void dnsd_on_tcp_listen(dnsd *d, dnsd_handler *h, uint32_t events)
{
	dnsd_ctr *c = (dnsd_ctr *)((char *)h - offsetof(dnsd_ctr, h_tcp));
	(void)events;
	for (;;) {
		int fd = accept4(c->tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		dnsd_tcp *t = xcalloc(1, sizeof(*t));
		t->h.fn = on_tcp;
		t->fd = fd;
		t->ctr = c;
		t->last = time(NULL);
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = t};
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(t);
			continue;
		}
		t->next = d->tcps;
		d->tcps = t;
	}
}

void dnsd_send(dnsd *d, const dnsd_reply_to *to, const uint8_t *msg, size_t len)
{
	(void)d;
	if (!to->tcp) {
		sendto(to->ctr->udp, msg, len, MSG_DONTWAIT, (const struct sockaddr *)&to->addr, to->addr_len);
		return;
	}
	uint8_t *out = xmalloc(len + 2);
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	memcpy(out + 2, msg, len);
	if (write(to->tcp->fd, out, len + 2) < 0) {
		/* the client went away; its connection closes on its next event */
	}
	free(out);
}

void dnsd_sweep_tcp(dnsd *d)
{
	time_t now = time(NULL);
	for (dnsd_tcp *t = d->tcps, *next; t; t = next) {
		next = t->next;
		if (now - t->last > TCP_IDLE_SEC)
			tcp_close(d, t);
	}
}

void dnsd_forget_ctr(dnsd *d, dnsd_ctr *c)
{
	dnsd_cancel(d, c, NULL);
	for (dnsd_tcp *t = d->tcps, *next; t; t = next) {
		next = t->next;
		if (t->ctr == c)
			tcp_close(d, t);
	}
}
