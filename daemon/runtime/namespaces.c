/* namespaces.c: namespace names and flags, joining namespaces by path, and
 * the loopback of a fresh network namespace (one ioctl, no netlink). */
#include "namespaces.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name, *proc;
	int type;
} ns_names[] = {
	{"pid", "pid", CLONE_NEWPID},         {"network", "net", CLONE_NEWNET},
	{"mount", "mnt", CLONE_NEWNS},        {"ipc", "ipc", CLONE_NEWIPC},
	{"uts", "uts", CLONE_NEWUTS},         {"cgroup", "cgroup", CLONE_NEWCGROUP},
	{"user", "user", CLONE_NEWUSER},      {"time", "time", CLONE_NEWTIME},
};

int ns_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (strcmp(ns_names[i].name, name) == 0)
			return ns_names[i].type;
	return 0;
}

const char *ns_to_name(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (ns_names[i].type == type)
			return ns_names[i].name;
	return "?";
}

const char *ns_proc_name(int type)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (ns_names[i].type == type)
			return ns_names[i].proc;
	return "?";
}

int ns_clone_flags(const rt_spec *s)
{
	int flags = 0;
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (!s->namespaces[i].path && s->namespaces[i].type != CLONE_NEWCGROUP)
			flags |= s->namespaces[i].type;
	return flags;
}

int ns_open_joins(const rt_spec *s, int *fds, err_t **err)
{
	for (size_t i = 0; i < s->n_namespaces; i++) {
		fds[i] = -1;
		if (!s->namespaces[i].path)
			continue;
		fds[i] = open(s->namespaces[i].path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return err_set(err, ERR_INVALID, errno, "open %s namespace %s",
				       ns_to_name(s->namespaces[i].type), s->namespaces[i].path);
	}
	return 0;
}

int ns_join(const rt_spec *s, const int *fds, err_t **err)
{
	for (size_t i = 0; i < s->n_namespaces; i++) {
		if (fds[i] < 0)
			continue;
		if (setns(fds[i], s->namespaces[i].type) < 0)
			return err_sys(err, "join %s namespace %s", ns_to_name(s->namespaces[i].type),
				       s->namespaces[i].path);
	}
	return 0;
}

int ns_loopback_up(err_t **err)
{
	_cleanup_close_ int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return err_sys(err, "socket");
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(sk, SIOCGIFFLAGS, &ifr) < 0)
		return err_sys(err, "get the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(sk, SIOCSIFFLAGS, &ifr) < 0)
		return err_sys(err, "bring lo up");
	return 0;
}
