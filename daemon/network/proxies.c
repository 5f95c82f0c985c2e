/* proxies.c: the engine-proxy behind each published port. Its pid file,
 * <exec-root>/proxies/<container>-<proto>-<host-ip>-<host-port>.pid, is how
 * we find it again after a restart of engined (and how the test harness
 * finds it to clean up); a proxy is only ever signalled after its
 * /proc/<pid>/cmdline says it is one. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "log.h"
#include "net_internal.h"
#include "xalloc.h"

static char *pid_path(net_store *s, const char *ctr_id, const net_port *p)
{
	_cleanup_free_ char *file = xasprintf("%s-%s-%s-%u.pid", ctr_id, p->proto,
					      *p->host_ip ? p->host_ip : "all", p->host_port);
	return fs_path_join(s->proxy_dir, file);
}

int proxy_start(net_store *s, const net_sandbox *sb, net_port *p, err_t **err)
{
	_cleanup_free_ char *pidfile = pid_path(s, sb->ctr_id, p);
	char hp[8], cp[8], cip[IPV4_STR];
	snprintf(hp, sizeof(hp), "%u", p->host_port);
	snprintf(cp, sizeof(cp), "%u", p->ctr_port);
	ipv4_format(p->ctr_ip, cip);
	char *argv[] = {s->proxy_path, "-proto", p->proto, "-host-ip", p->host_ip,
			"-host-port", hp, "-container-ip", cip, "-container-port", cp, "-pidfile", pidfile,
			"-sync-fd", "3", "-detach", NULL};
	if (helper_spawn(s->proxy_path, argv, NULL, err) < 0)
		return -1;
	p->proxy_pid = pidfile_alive(pidfile, "engine-proxy");
	return 0;
}

/* Waits (up to 2 s) for the process to be gone, so its port is free. */
static void wait_gone(int pid)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return;
	struct pollfd p = {.fd = pfd, .events = POLLIN};
	poll(&p, 1, 2000);
	close(pfd);
}

static void stop_pidfile(const char *pidfile)
{
	int pid = pidfile_alive(pidfile, "engine-proxy");
	if (pid > 0 && kill(pid, SIGTERM) == 0)
		wait_gone(pid);
	unlink(pidfile);
}

void proxy_stop(net_store *s, const net_sandbox *sb, net_port *p)
{
	_cleanup_free_ char *pidfile = pid_path(s, sb->ctr_id, p);
	stop_pidfile(pidfile);
	p->proxy_pid = 0;
}

bool proxy_alive(net_store *s, const net_sandbox *sb, const net_port *p)
{
	_cleanup_free_ char *pidfile = pid_path(s, sb->ctr_id, p);
	return pidfile_alive(pidfile, "engine-proxy") > 0;
}

/* Proxies whose container has no sandbox (a crash between starting one and
 * recording it, or a container removed while we were down). */
void proxies_kill_orphans(net_store *s)
{
	_cleanup_closedir_ DIR *d = opendir(s->proxy_dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < NET_ID_LEN + 5 || strcmp(de->d_name + l - 4, ".pid") || de->d_name[NET_ID_LEN] != '-')
			continue;
		char id[NET_ID_LEN + 1];
		memcpy(id, de->d_name, NET_ID_LEN);
		id[NET_ID_LEN] = '\0';
		if (sandbox_find(s, id))
			continue;
		_cleanup_free_ char *path = fs_path_join(s->proxy_dir, de->d_name);
		log_info("stopping an orphaned port forwarder (%s)", de->d_name);
		stop_pidfile(path);
	}
}
