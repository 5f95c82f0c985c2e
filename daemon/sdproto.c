/* sdproto.c: see sdproto.h. Each message is one datagram on a fresh
 * SOCK_DGRAM unix socket, as libsystemd sends them. */
#include "sdproto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "strbuf.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Fills sa from a path ("/..." or "@abstract"); returns the address length. */
static socklen_t unix_addr(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);
	if (n < 2 || n >= sizeof(sa->sun_path) || (path[0] != '/' && path[0] != '@'))
		return 0;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@') {
		sa->sun_path[0] = '\0';
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (socklen_t)sizeof(*sa);
}

static int send_dgram(const char *path, const void *buf, size_t len)
{
	struct sockaddr_un sa;
	socklen_t salen = unix_addr(&sa, path);
	if (!salen)
		return -1;
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t r;
	do
		r = sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)len ? 1 : -1;
}

int sdp_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	return send_dgram(path, state, strlen(state));
}

int sdp_listen_fds(bool unset)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int n = 0;
	if (pid && fds && strtol(pid, NULL, 10) == (long)getpid()) {
		long v = strtol(fds, NULL, 10);
		n = v > 0 && v < 4096 ? (int)v : 0;
		for (int fd = SDP_LISTEN_FDS_START; fd < SDP_LISTEN_FDS_START + n; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	if (unset) {
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	return n;
}

bool sdp_is_unix_stream(int fd, bool listening)
{
	struct stat st;
	int type = 0, acc = 0;
	socklen_t l = sizeof(int);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_STREAM)
		return false;
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l) < 0 || (acc != 0) != listening)
		return false;
	return getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_UNIX;
}

/* A field in the binary form (name, newline, little-endian 64-bit length,
 * value, newline), which carries any byte, newlines included. */
static void field(strbuf *sb, const char *name, const char *value)
{
	uint64_t n = strlen(value);
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(n >> (8 * i));
	sb_printf(sb, "%s\n", name);
	sb_append(sb, (const char *)len, 8);
	sb_append(sb, value, (size_t)n);
	sb_putc(sb, '\n');
}

int sdp_journal(int priority, const char *file, int line, const char *ident, const char *msg)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	field(&sb, "MESSAGE", msg);
	sb_printf(&sb, "PRIORITY=%d\n", priority);
	if (file) {
		field(&sb, "CODE_FILE", file);
		sb_printf(&sb, "CODE_LINE=%d\n", line);
	}
	if (ident)
		field(&sb, "SYSLOG_IDENTIFIER", ident);
	return send_dgram(JOURNAL_SOCKET, sb.buf, sb.len) == 1 ? 0 : -1;
}
