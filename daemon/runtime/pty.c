/* pty.c: a pty from the container's devpts (/dev/ptmx -> pts/ptmx), its
 * slave on /dev/console, its master passed out with SCM_RIGHTS. */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

static int send_fd(int sock, int fd, err_t **err)
{
	char data[] = "console";
	struct iovec iov = {data, sizeof(data)};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = {0};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return err_sys(err, "send the pty master");
	return 0;
}

static int bind_console(const char *slave, err_t **err)
{
	int fd = open("/dev/console", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno != EISDIR)
		return err_sys(err, "create /dev/console");
	if (fd >= 0)
		close(fd);
	if (mount(slave, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return err_sys(err, "bind %s on /dev/console", slave);
	return 0;
}

int pty_open_in_container(int sock, bool console, int *slave, err_t **err)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int n = 0, unlock = 0;
	if (master < 0)
		return err_sys(err, "open /dev/ptmx in the container");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
		return err_sys(err, "set up the pty");
	char name[32];
	snprintf(name, sizeof(name), "/dev/pts/%d", n);
	_cleanup_close_ int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return err_sys(err, "open %s", name);
	if ((console && bind_console(name, err) < 0) || send_fd(sock, master, err) < 0)
		return -1;
	*slave = steal_fd(&s);
	return 0;
}

int pty_recv_master(int sock, int *master, err_t **err)
{
	char data[16];
	struct iovec iov = {data, sizeof(data)};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) < 0)
		return err_sys(err, "receive the pty master");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return err_set(err, ERR_SYSTEM, 0, "no pty master came from the container");
	memcpy(master, CMSG_DATA(c), sizeof(int));
	return 0;
}
