/* main.c: engine-proxy's start-up:
 *
 *   engine-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 \
 *                -container-ip 172.17.0.2 -container-port 80 \
 *                [-pidfile FILE] [-sync-fd 3] [-detach]
 *
 * (docker-proxy's flags; "--flag" works too). It binds first, so a port
 * already taken is reported at once on the sync fd, then (with -detach)
 * leaves its parent behind in a session of its own, writes its pid file and
 * says "0\n", running as nobody from then on. engined then forgets it: the
 * proxy lives until it is sent SIGTERM, through engined restarts and kill -9s. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemonize.h"
#include "proxy.h"

static void usage(void)
{
	fputs("usage: engine-proxy -proto tcp|udp -host-ip IP -host-port N -container-ip IP\n"
	      "                    -container-port N [-pidfile FILE] [-sync-fd N] [-detach]\n", stderr);
	exit(2);
}

static int parse(int argc, char **argv, proxy_opts *o)
{
	o->sync_fd = -1;
	o->host_ip = "";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-')
			return -1;
		a += a[1] == '-' ? 2 : 1;
		if (!strcmp(a, "detach")) {
			o->detach = true;
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		const char *v = argv[++i];
		if (!strcmp(a, "proto"))
			o->proto = v;
		else if (!strcmp(a, "host-ip"))
			o->host_ip = v;
		else if (!strcmp(a, "host-port"))
			o->host_port = atoi(v);
		else if (!strcmp(a, "container-ip"))
			o->ctr_ip = v;
		else if (!strcmp(a, "container-port"))
			o->ctr_port = atoi(v);
		else if (!strcmp(a, "pidfile"))
			o->pidfile = v;
		else if (!strcmp(a, "sync-fd"))
			o->sync_fd = atoi(v);
		else
			return -1;
	}
	if (!o->proto || (strcmp(o->proto, "tcp") && strcmp(o->proto, "udp")) || !o->ctr_ip ||
	    o->host_port <= 0 || o->host_port > 65535 || o->ctr_port <= 0 || o->ctr_port > 65535)
		return -1;
	return 0;
}

static void report(int fd, const char *msg)
{
	if (fd < 0)
		return;
	char buf[512];
	int n = msg ? snprintf(buf, sizeof(buf), "1\n%s", msg) : snprintf(buf, sizeof(buf), "0\n");
	if (write(fd, buf, (size_t)n) < 0) {
		/* engined went away: nothing to tell */
	}
	close(fd);
}

/* Past the bind, a forwarder needs no privilege at all: it runs as nobody
 * and can never gain one back. */
static void drop_privileges(void)
{
	if (getuid() != 0)
		return;
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0) {
		perror("drop privileges");
		exit(1);
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	proxy_opts o = {0};
	if (parse(argc, argv, &o) < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	struct sockaddr_storage target;
	socklen_t tlen;
	if (proxy_target(&o, &target, &tlen) < 0) {
		report(o.sync_fd, "invalid container address");
		return 1;
	}
	const char *msg = NULL;
	int lfd = proxy_bind(&o, &msg);
	if (lfd < 0) {
		report(o.sync_fd, msg);
		return 1;
	}
	if (o.detach)
		helper_detach();
	if (helper_write_pidfile(o.pidfile) < 0) {
		report(o.sync_fd, "cannot write the pid file");
		return 1;
	}
	drop_privileges();
	report(o.sync_fd, NULL);
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		if (devnull > 2)
			close(devnull);
	}
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return 1;
	int r = !strcmp(o.proto, "tcp") ? proxy_tcp_run(epfd, lfd, &target, tlen)
					 : proxy_udp_run(epfd, lfd, &target, tlen);
	return r < 0 ? 1 : 0;
}
