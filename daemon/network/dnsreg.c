/* dnsreg.c: engined's side of the embedded DNS server. engine-dns is one
 * detached process per engined (exec root) that holds a socket on
 * 127.0.0.11:53 inside each container's namespace that has a user-defined
 * network, so it keeps answering while engined is down or restarting. It
 * reads <exec-root>/dns/state.json: every such container (its namespace,
 * networks and upstream servers) and every user-defined network's names.
 * After each change we rewrite the file and tell the server to reload on
 * its control socket; it answers once every socket exists, so a container
 * never starts before its resolver does. We start it when the first
 * container needs it and stop it when the last one is gone. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "net_internal.h"
#include "xalloc.h"

#define CTL_TIMEOUT_MS 5000

static json_object *records(const network *n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n->n_eps; i++) {
		const net_endpoint *ep = n->eps[i];
		json_object *r = json_object_new_object();
		char ip[IPV4_STR], sid[13];
		ipv4_format(ep->ip, ip);
		snprintf(sid, sizeof(sid), "%.12s", ep->ctr_id);
		json_object *names = json_object_new_array();
		json_object_array_add(names, jstr(ep->ctr_name));
		for (char **al = ep->aliases; al && *al; al++)
			json_object_array_add(names, jstr(*al));
		json_object_array_add(names, jstr(sid));
		jset_str(r, "ip", ip);
		jset(r, "names", names);
		json_object_array_add(a, r);
	}
	return a;
}

static json_object *container_entry(net_store *s, const net_sandbox *sb)
{
	json_object *c = json_object_new_object();
	json_object *nets = json_object_new_array();
	bool external = false;
	for (char **id = sb->nets; *id; id++) {
		network *n = store_find_id(s, *id);
		if (!n || n->builtin)
			continue;
		json_object_array_add(nets, jstr(n->id));
		external |= !n->internal;
	}
	jset_str(c, "id", sb->ctr_id);
	jset_str(c, "netns", sb->netns);
	jset(c, "networks", nets);
	jset(c, "upstream", jstrv(sb->upstream));
	jset_bool(c, "external", external);
	return c;
}

static json_object *build_state(net_store *s, size_t *n_ctrs)
{
	json_object *st = json_object_new_object();
	json_object *ctrs = json_object_new_array(), *nets = json_object_new_array();
	for (size_t i = 0; i < s->n_sbs; i++) {
		const net_sandbox *sb = s->sbs[i];
		if (sb->owns_netns && sb->netns && sandbox_has_dns(s, sb))
			json_object_array_add(ctrs, container_entry(s, sb));
	}
	for (size_t i = 0; i < s->n_nets; i++) {
		const network *n = s->nets[i];
		if (n->builtin || strcmp(n->driver, "bridge"))
			continue;
		json_object *o = json_object_new_object();
		jset_str(o, "id", n->id);
		jset_str(o, "name", n->name);
		jset(o, "records", records(n));
		json_object_array_add(nets, o);
	}
	*n_ctrs = json_object_array_length(ctrs);
	jset(st, "containers", ctrs);
	jset(st, "networks", nets);
	return st;
}

static int ctl_connect(net_store *s)
{
	_cleanup_free_ char *path = fs_path_join(s->dns_dir, "ctl.sock");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends one command and waits for its "ok" line. */
static int ctl_call(net_store *s, const char *cmd)
{
	_cleanup_close_ int fd = ctl_connect(s);
	if (fd < 0)
		return -1;
	size_t len = strlen(cmd);
	if (write(fd, cmd, len) != (ssize_t)len)
		return -1;
	char buf[64];
	size_t got = 0;
	while (got < sizeof(buf) - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, CTL_TIMEOUT_MS) <= 0)
			return -1;
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
	return !strncmp(buf, "ok", 2) ? 0 : -1;
}

static void wait_gone(int pid)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return;
	struct pollfd p = {.fd = pfd, .events = POLLIN};
	poll(&p, 1, 2000);
	close(pfd);
}

static void stop_server(net_store *s, const char *pidfile)
{
	int pid = pidfile_alive(pidfile, "engine-dns");
	if (pid <= 0)
		return;
	if (ctl_call(s, "exit\n") < 0)
		kill(pid, SIGTERM);
	wait_gone(pid);
}

static int start_server(net_store *s, const char *state, const char *pidfile, err_t **err)
{
	_cleanup_free_ char *ctl = fs_path_join(s->dns_dir, "ctl.sock");
	char *argv[] = {s->dns_path, "--state", (char *)state, "--pidfile", (char *)pidfile, "--ctl", ctl,
			"--sync-fd", "3", "--detach", NULL};
	return helper_spawn(s->dns_path, argv, NULL, err);
}

void dns_sync(net_store *s)
{
	size_t n_ctrs = 0;
	_cleanup_json_ json_object *st = build_state(s, &n_ctrs);
	_cleanup_free_ char *state = fs_path_join(s->dns_dir, "state.json");
	_cleanup_free_ char *pidfile = fs_path_join(s->dns_dir, "engine-dns.pid");
	_cleanup_err_ err_t *err = NULL;
	const char *text = jdump(st);
	if (fs_write_atomic(state, text, strlen(text), 0600, &err) < 0) {
		log_error("embedded DNS: %s", err->msg);
		return;
	}
	int pid = pidfile_alive(pidfile, "engine-dns");
	if (n_ctrs == 0) {
		stop_server(s, pidfile);
		return;
	}
	if (pid > 0 && ctl_call(s, "reload\n") == 0)
		return;
	if (pid > 0) {
		log_warn("embedded DNS server (pid %d) does not answer: starting another", pid);
		kill(pid, SIGKILL);
		wait_gone(pid);
	}
	if (start_server(s, state, pidfile, &err) < 0)
		log_error("embedded DNS server: %s", err->msg);
}
