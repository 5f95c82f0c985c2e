/* listen.c: see listen.h. A socket path that exists is only replaced when
 * nothing answers on it (a stale file from a crashed daemon); a live one
 * makes the start fail, so a second engined never steals the first's socket. */
#include "listen.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "log.h"
#include "xalloc.h"

static int fill_addr(struct sockaddr_un *sa, const char *path, err_t **err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return err_invalid(err, "socket path too long: %s", path);
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* 1 when a server answers at path, 0 when not. */
static int socket_is_live(const struct sockaddr_un *sa)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	return connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
}

static void set_group(const char *path, const char *group)
{
	gid_t gid = 0;
	struct group *gr = group && *group ? getgrnam(group) : NULL;
	if (gr)
		gid = gr->gr_gid;
	else if (group && *group)
		log_warn("could not find the group %s for the API socket, using root", group);
	if (chown(path, 0, gid) < 0)
		log_warn("chown %s: %s", path, strerror(errno));
}

static int open_unix(listeners *l, const char *path, const char *group, err_t **err)
{
	struct sockaddr_un sa;
	if (fill_addr(&sa, path, err) < 0)
		return -1;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_invalid(err, "%s exists and is not a socket", path);
		if (socket_is_live(&sa))
			return err_set(err, ERR_CONFLICT, 0,
				       "%s is in use by another daemon: is another engined running?", path);
		unlink(path);
	}
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (fs_mkdir_p(dir, 0755, err) < 0)
			return -1;
	}
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(err, "socket");
	mode_t old = umask(0117);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return err_sys(err, "bind %s", path);
	set_group(path, group);
	if (chmod(path, 0660) < 0 || listen(fd, 1024) < 0) {
		unlink(path);
		return err_sys(err, "listen %s", path);
	}
	l->fds[l->n] = steal_fd(&fd);
	l->paths[l->n] = xstrdup(path);
	l->n++;
	return 0;
}

static int open_systemd(listeners *l, const char *spec, err_t **err)
{
	int n = sd_listen_fds(1);
	if (n <= 0)
		return err_invalid(err, "no sockets found via socket activation: make sure the service was started by systemd");
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		if (spec[0] && atoi(spec) != fd)
			continue;
		if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
			log_warn("fd %d from systemd is not a listening unix socket, ignored", fd);
			continue;
		}
		if (l->n == ARRAY_SIZE(l->fds))
			return err_invalid(err, "too many listening sockets");
		l->fds[l->n] = fd;
		l->paths[l->n] = NULL;
		l->n++;
	}
	if (l->n == 0)
		return err_invalid(err, "no usable unix socket was passed by systemd for fd://%s", spec);
	return 0;
}

int listeners_open(listeners *l, char *const *hosts, const char *group, err_t **err)
{
	memset(l, 0, sizeof(*l));
	for (char *const *h = hosts; h && *h; h++) {
		if (l->n == ARRAY_SIZE(l->fds)) {
			err_invalid(err, "too many -H hosts");
			goto fail;
		}
		if (!strncmp(*h, "unix://", 7)) {
			if (open_unix(l, *h + 7, group, err) < 0)
				goto fail;
		} else if (!strncmp(*h, "fd://", 5)) {
			if (open_systemd(l, *h + 5, err) < 0)
				goto fail;
		} else if ((*h)[0] == '/') {
			if (open_unix(l, *h, group, err) < 0)
				goto fail;
		} else {
			err_invalid(err, "invalid host %s: engine listens on unix:///path or fd://", *h);
			goto fail;
		}
	}
	if (l->n == 0) {
		err_invalid(err, "no host to listen on");
		goto fail;
	}
	return 0;
fail:
	listeners_close(l);
	return -1;
}

void listeners_close(listeners *l)
{
	for (size_t i = 0; i < l->n; i++) {
		/* systemd keeps its own copy of an activated socket: closing ours is safe. */
		close(l->fds[i]);
		if (l->paths[i]) {
			unlink(l->paths[i]);
			free(l->paths[i]);
		}
	}
	l->n = 0;
}
