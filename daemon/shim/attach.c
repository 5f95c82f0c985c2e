/* attach.c: live output to attached clients in Docker's multiplexed framing,
 * and their bytes into the container's stdin. Nothing blocks: a client that
 * falls SHIM_CLIENT_BUF behind is dropped (the log file has everything), and
 * stdin that the pipe cannot take yet waits in one buffer while its client
 * is not read any further (back-pressure to that client only). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

static void frame(client *c, int stream, const char *data, size_t n)
{
	unsigned char hdr[8] = {(unsigned char)(stream == JSONLOG_STDOUT ? 1 : 2), 0, 0, 0};
	uint32_t be = htonl((uint32_t)n);
	memcpy(hdr + 4, &be, 4);
	sb_append(&c->out, hdr, sizeof(hdr));
	sb_append(&c->out, data, n);
}

void attach_output(shim *s, int stream, const char *data, size_t n)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode != CLIENT_ATTACH || !(stream == JSONLOG_STDOUT ? c->out_stdout : c->out_stderr))
			continue;
		if (c->out.len + n > SHIM_CLIENT_BUF) {
			ctl_drop(s, c);
			continue;
		}
		frame(c, stream, data, n);
		ctl_writable(s, c);
	}
}

void attach_stdin_flush(shim *s)
{
	while (s->in_fd >= 0 && s->in_pending.len) {
		ssize_t n = write(s->in_fd, s->in_pending.buf, s->in_pending.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) { /* the container closed its stdin */
			attach_close_stdin(s);
			return;
		}
		memmove(s->in_pending.buf, s->in_pending.buf + n, s->in_pending.len - (size_t)n);
		s->in_pending.len -= (size_t)n;
	}
	if (!s->in_pending.len)
		s->in_owner = -1;
}

void attach_stdin_data(shim *s, client *c, const char *data, size_t n)
{
	if (s->in_fd < 0)
		return;
	sb_append(&s->in_pending, data, n);
	s->in_owner = (int)(c - s->clients);
	attach_stdin_flush(s);
}

void attach_close_stdin(shim *s)
{
	if (s->in_fd >= 0)
		close(s->in_fd);
	s->in_fd = -1;
	sb_reset(&s->in_pending);
	s->in_owner = -1;
}
