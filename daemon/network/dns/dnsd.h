/* dnsd.h: engine-dns, the embedded DNS server of one engined. It lives in
 * the host's network namespace and holds, inside each container's
 * namespace that has a user-defined network, a UDP and a TCP socket on
 * 127.0.0.11:53 (created there with setns, which a socket remembers). A
 * query is answered from the names of the containers on the asking
 * container's networks, or forwarded to its upstream servers from the
 * host's namespace. State comes from engined's state file, re-read on
 * "reload" over the control socket; the server needs engined for nothing
 * else, so it keeps answering while engined is down. Single-threaded. */
#ifndef ENGINE_DNSD_H
#define ENGINE_DNSD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "dnsmsg.h"

struct dnsd;

/* Every epoll entry's data.ptr points at one of these (first member). */
typedef struct dnsd_handler {
	void (*fn)(struct dnsd *d, struct dnsd_handler *h, uint32_t events);
} dnsd_handler;

typedef struct dnsd_rec {
	uint32_t ip;
	char **names;
} dnsd_rec;

typedef struct dnsd_net {
	char *id, *name;
	dnsd_rec *recs;
	size_t n_recs;
} dnsd_net;

typedef struct dnsd_ctr {
	dnsd_handler h_udp, h_tcp;
	char *id, *netns;
	char **nets;           /* network IDs */
	struct sockaddr_storage *up; /* upstream servers, port 53 */
	socklen_t *up_len;
	size_t n_up;
	bool external;         /* may forward names we do not know */
	int udp, tcp;
	bool wanted;           /* seen in the latest state */
} dnsd_ctr;

/* Where an answer goes: a UDP client of a container, or a TCP connection. */
typedef struct dnsd_reply_to {
	dnsd_ctr *ctr;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct dnsd_tcp *tcp;
} dnsd_reply_to;

typedef struct dnsd_tcp {
	dnsd_handler h;
	int fd;
	dnsd_ctr *ctr;
	uint8_t buf[2 + 65535];
	size_t len;
	time_t last;
	struct dnsd_tcp *next;
} dnsd_tcp;

#define DNSD_PENDING 1024

typedef struct dnsd_pending {
	bool used;
	uint16_t orig_id, new_id;
	size_t attempt;         /* index into ctr->up */
	int64_t deadline_ms;
	dnsd_reply_to to;
	uint8_t *query;         /* the client's message, for retries */
	size_t query_len;
} dnsd_pending;

typedef struct dnsd {
	int epfd, self_ns;
	const char *state_path;
	dnsd_ctr **ctrs;
	size_t n_ctrs;
	dnsd_net *nets;
	size_t n_nets;
	int up4, up6;           /* sockets to upstream servers */
	dnsd_handler h_up4, h_up6;
	dnsd_pending pending[DNSD_PENDING];
	dnsd_tcp *tcps;
	uint8_t buf[65536];
} dnsd;

/* state.c */
int dnsd_reload(dnsd *d, char **msg);

/* serve.c */
void dnsd_on_udp(dnsd *d, dnsd_handler *h, uint32_t events);
void dnsd_on_tcp_listen(dnsd *d, dnsd_handler *h, uint32_t events);
void dnsd_send(dnsd *d, const dnsd_reply_to *to, const uint8_t *msg, size_t len);
void dnsd_sweep_tcp(dnsd *d);
void dnsd_forget_ctr(dnsd *d, dnsd_ctr *c);
/* Answers a query from a container (resolving or forwarding). */
void dnsd_query(dnsd *d, const dnsd_reply_to *to, const uint8_t *msg, size_t len);

/* forward.c */
int dnsd_forward_init(dnsd *d);
void dnsd_forward(dnsd *d, const dnsd_reply_to *to, const dns_query *q, const uint8_t *msg, size_t len);
void dnsd_sweep_pending(dnsd *d);
void dnsd_cancel(dnsd *d, const dnsd_ctr *c, const dnsd_tcp *t);

int64_t dnsd_now_ms(void);

#endif
