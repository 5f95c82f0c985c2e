/* main.c: engine-dns's start-up and loop:
 *
 *   engine-dns --state FILE --pidfile FILE --ctl SOCKET [--sync-fd N] [--detach]
 *
 * It loads the state (opening every container's sockets) before it says
 * "0\n" on the sync fd, so the first container's resolver exists before
 * that container runs. The control socket takes "reload" (re-read the
 * state, answer "ok" once it is applied) and "exit". Commands run between
 * batches of events, so no event in flight names a socket they close. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemonize.h"
#include "dnsd.h"
#include "xalloc.h"

typedef struct opts {
	const char *state, *pidfile, *ctl;
	int sync_fd;
	bool detach;
} opts;

typedef struct ctl {
	dnsd_handler h;
	int fd;
	int pending_fd;   /* a client whose command waits for the end of the batch */
	char cmd[16];
} ctl;

static int parse(int argc, char **argv, opts *o)
{
	static const struct option lo[] = {{"state", 1, 0, 's'}, {"pidfile", 1, 0, 'p'}, {"ctl", 1, 0, 'c'},
					   {"sync-fd", 1, 0, 'y'}, {"detach", 0, 0, 'd'}, {0, 0, 0, 0}};
	int ch;
	o->sync_fd = -1;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o->state = optarg; break;
		case 'p': o->pidfile = optarg; break;
		case 'c': o->ctl = optarg; break;
		case 'y': o->sync_fd = atoi(optarg); break;
		case 'd': o->detach = true; break;
		default: return -1;
		}
	}
	return o->state && o->pidfile && o->ctl && optind == argc ? 0 : -1;
}

static void report(int fd, const char *msg)
{
	if (fd < 0)
		return;
	char buf[600];
	int n = msg ? snprintf(buf, sizeof(buf), "1\n%s", msg) : snprintf(buf, sizeof(buf), "0\n");
	if (write(fd, buf, (size_t)n) < 0) {
		/* engined is gone: nobody to tell */
	}
	close(fd);
}

static int listen_ctl(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void on_ctl(dnsd *d, dnsd_handler *h, uint32_t events)
{
	ctl *c = (ctl *)h;
	(void)d;
	(void)events;
	if (c->pending_fd >= 0)
		return; /* one command per batch; the next one waits in the backlog */
	int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct timeval tv = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = read(fd, c->cmd, sizeof(c->cmd) - 1);
	if (n <= 0) {
		close(fd);
		return;
	}
	c->cmd[n] = '\0';
	c->pending_fd = fd;
}

static void reply(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0) {
		/* the caller gave up waiting */
	}
	close(fd);
}

static void run_command(dnsd *d, ctl *c, const opts *o)
{
	int fd = c->pending_fd;
	c->pending_fd = -1;
	if (!strncmp(c->cmd, "exit", 4)) {
		unlink(o->pidfile);
		unlink(o->ctl);
		reply(fd, "ok\n");
		exit(0);
	}
	char *msg = NULL;
	if (!strncmp(c->cmd, "reload", 6) && dnsd_reload(d, &msg) == 0) {
		reply(fd, "ok\n");
		return;
	}
	char line[600];
	snprintf(line, sizeof(line), "error %s\n", msg ? msg : "unknown command");
	free(msg);
	reply(fd, line);
}

static void loop(dnsd *d, ctl *c, const opts *o)
{
	struct epoll_event evs[64];
	for (;;) {
		int n = epoll_wait(d->epfd, evs, 64, 500);
		if (n < 0 && errno != EINTR)
			exit(1);
		for (int i = 0; i < n; i++) {
			dnsd_handler *h = evs[i].data.ptr;
			h->fn(d, h, evs[i].events);
		}
		if (c->pending_fd >= 0)
			run_command(d, c, o);
		dnsd_sweep_pending(d);
		dnsd_sweep_tcp(d);
	}
}

static int setup(dnsd *d, ctl *c, const opts *o, char **msg)
{
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (d->epfd < 0 || d->self_ns < 0 || dnsd_forward_init(d) < 0) {
		*msg = xstrdup("cannot set up the event loop");
		return -1;
	}
	c->h.fn = on_ctl;
	c->pending_fd = -1;
	c->fd = listen_ctl(o->ctl);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (c->fd < 0 || epoll_ctl(d->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		*msg = xasprintf("cannot listen on %s", o->ctl);
		return -1;
	}
	return dnsd_reload(d, msg);
}

int main(int argc, char **argv)
{
	opts o = {0};
	if (parse(argc, argv, &o) < 0) {
		fputs("usage: engine-dns --state FILE --pidfile FILE --ctl SOCKET [--sync-fd N] [--detach]\n", stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	static dnsd d;
	static ctl c;
	d.state_path = o.state;
	char *msg = NULL;
	if (setup(&d, &c, &o, &msg) < 0) {
		report(o.sync_fd, msg);
		return 1;
	}
	if (o.detach)
		helper_detach();
	if (helper_write_pidfile(o.pidfile) < 0) {
		report(o.sync_fd, "cannot write the pid file");
		return 1;
	}
	report(o.sync_fd, NULL);
	loop(&d, &c, &o);
	return 0;
}
