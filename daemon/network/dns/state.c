/* state.c: engine-dns reading engined's state file: the user-defined
 * networks with their names and addresses, and the containers to serve.
 * A container new to us gets its two sockets on 127.0.0.11:53, made inside
 * its namespace; one that left loses them (and with them the last
 * reference we held on its namespace). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cleanup.h"
#include "dnsd.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "xalloc.h"

static void nets_free(dnsd_net *nets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(nets[i].id);
		free(nets[i].name);
		for (size_t k = 0; k < nets[i].n_recs; k++)
			strv_free(nets[i].recs[k].names);
		free(nets[i].recs);
	}
	free(nets);
}

static dnsd_net *parse_nets(json_object *arr, size_t *n)
{
	size_t cnt = arr ? json_object_array_length(arr) : 0;
	dnsd_net *v = xcalloc(cnt + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < cnt; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		json_object *recs = jget_arr(o, "records");
		if (!jget_str(o, "id") || !jget_str(o, "name"))
			continue;
		dnsd_net *nt = &v[(*n)++];
		nt->id = xstrdup(jget_str(o, "id"));
		nt->name = xstrdup(jget_str(o, "name"));
		size_t nr = recs ? json_object_array_length(recs) : 0;
		nt->recs = xcalloc(nr + 1, sizeof(dnsd_rec));
		for (size_t k = 0; k < nr; k++) {
			json_object *r = json_object_array_get_idx(recs, k);
			struct in_addr a;
			json_object *names = jget_arr(r, "names");
			if (!jget_str(r, "ip") || inet_pton(AF_INET, jget_str(r, "ip"), &a) != 1 || !names)
				continue;
			char **nv = jarr_to_strv(names, "names", NULL);
			if (!nv)
				continue;
			nt->recs[nt->n_recs].ip = ntohl(a.s_addr);
			nt->recs[nt->n_recs].names = nv;
			nt->n_recs++;
		}
	}
	return v;
}

static int bind_in_netns(dnsd *d, const char *netns, int type, char **msg)
{
	_cleanup_close_ int nsfd = open(netns, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
		*msg = xasprintf("enter %s: %s", netns, strerror(errno));
		return -1;
	}
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53), .sin_addr.s_addr = htonl(0x7f00000b)};
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		*msg = xasprintf("bind 127.0.0.11:53 in %s: %s", netns, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (setns(d->self_ns, CLONE_NEWNET) < 0)
		abort(); /* never serve from a container's namespace by mistake */
	return fd;
}

static void ctr_free(dnsd *d, dnsd_ctr *c)
{
	dnsd_forget_ctr(d, c);
	if (c->udp >= 0)
		close(c->udp);
	if (c->tcp >= 0)
		close(c->tcp);
	free(c->id);
	free(c->netns);
	strv_free(c->nets);
	free(c->up);
	free(c->up_len);
	free(c);
}

static int watch(dnsd *d, int fd, dnsd_handler *h)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = h};
	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static dnsd_ctr *ctr_open(dnsd *d, const char *id, const char *netns, char **msg)
{
	dnsd_ctr *c = xcalloc(1, sizeof(*c));
	c->id = xstrdup(id);
	c->netns = xstrdup(netns);
	c->h_udp.fn = dnsd_on_udp;
	c->h_tcp.fn = dnsd_on_tcp_listen;
	c->udp = bind_in_netns(d, netns, SOCK_DGRAM, msg);
	c->tcp = c->udp >= 0 ? bind_in_netns(d, netns, SOCK_STREAM, msg) : -1;
	if (c->tcp < 0 || watch(d, c->udp, &c->h_udp) < 0 || watch(d, c->tcp, &c->h_tcp) < 0) {
		ctr_free(d, c);
		return NULL;
	}
	return c;
}

static void set_upstreams(dnsd_ctr *c, json_object *arr)
{
	free(c->up);
	free(c->up_len);
	size_t n = arr ? json_object_array_length(arr) : 0;
	c->up = xcalloc(n + 1, sizeof(*c->up));
	c->up_len = xcalloc(n + 1, sizeof(*c->up_len));
	c->n_up = 0;
	for (size_t i = 0; i < n; i++) {
		const char *ip = json_object_get_string(json_object_array_get_idx(arr, i));
		struct sockaddr_in *s4 = (struct sockaddr_in *)&c->up[c->n_up];
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->up[c->n_up];
		if (ip && inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons(53);
			c->up_len[c->n_up++] = sizeof(*s4);
		} else if (ip && inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(53);
			c->up_len[c->n_up++] = sizeof(*s6);
		}
	}
}

static dnsd_ctr *find_ctr(dnsd *d, const char *id, const char *netns)
{
	for (size_t i = 0; i < d->n_ctrs; i++)
		if (!strcmp(d->ctrs[i]->id, id) && !strcmp(d->ctrs[i]->netns, netns))
			return d->ctrs[i];
	return NULL;
}

static void apply_ctr(dnsd *d, json_object *o, size_t *cap)
{
	const char *id = jget_str(o, "id"), *netns = jget_str(o, "netns");
	if (!id || !netns)
		return;
	dnsd_ctr *c = find_ctr(d, id, netns);
	if (!c) {
		_cleanup_free_ char *msg = NULL;
		c = ctr_open(d, id, netns, &msg);
		if (!c) {
			fprintf(stderr, "engine-dns: container %s: %s\n", id, msg ? msg : "cannot serve it");
			return;
		}
		d->ctrs = xgrow(d->ctrs, cap, d->n_ctrs + 1, sizeof(*d->ctrs));
		d->ctrs[d->n_ctrs++] = c;
	}
	c->wanted = true;
	strv_free(c->nets);
	json_object *nets = jget_arr(o, "networks");
	c->nets = nets ? jarr_to_strv(nets, "networks", NULL) : NULL;
	if (!c->nets)
		c->nets = xcalloc(1, sizeof(char *));
	set_upstreams(c, jget_arr(o, "upstream"));
	c->external = jget_bool(o, "external", false);
}

int dnsd_reload(dnsd *d, char **msg)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *st = NULL;
	if (fs_read_file(d->state_path, 64 << 20, &text, &len, &err) < 0 || !(st = json_parse_strict(text, len, &err))) {
		*msg = xstrdup(err->msg);
		return -1;
	}
	size_t nn = 0;
	dnsd_net *nets = parse_nets(jget_arr(st, "networks"), &nn);
	nets_free(d->nets, d->n_nets);
	d->nets = nets;
	d->n_nets = nn;
	for (size_t i = 0; i < d->n_ctrs; i++)
		d->ctrs[i]->wanted = false;
	size_t cap = d->n_ctrs;
	json_object *ctrs = jget_arr(st, "containers");
	for (size_t i = 0; ctrs && i < json_object_array_length(ctrs); i++)
		apply_ctr(d, json_object_array_get_idx(ctrs, i), &cap);
	for (size_t i = 0; i < d->n_ctrs;) {
		if (d->ctrs[i]->wanted) {
			i++;
			continue;
		}
		ctr_free(d, d->ctrs[i]);
		d->ctrs[i] = d->ctrs[--d->n_ctrs];
	}
	return 0;
}
