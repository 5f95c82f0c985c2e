/* attach.c: the streams of the container's process and of execs, and the
 * clients attached to them. Output goes to every client of the process, in
 * Docker's multiplexed framing, or raw with a tty; client bytes go to the
 * process's stdin, matched against the client's detach keys with a tty.
 *
 * Nothing blocks. A process's output is not read while one of its clients
 * has SHIM_CLIENT_HIGH queued (back-pressure, as Docker's attach gives);
 * stdin that the pipe cannot take yet waits in one buffer while its client
 * is not read any further (back-pressure to that client only).
 *
 * A client's stdin EOF follows moby's stream.CopyStreams: with stdin-once
 * and no tty it closes the process's stdin and output keeps flowing;
 * otherwise it ends that client's attach. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "shim.h"

void pstdio_init(pstdio *io)
{
	memset(io, 0, sizeof(*io));
	io->out_fd = io->err_fd = io->in_fd = io->console = -1;
	io->in_owner = -1;
}

void pstdio_close(pstdio *io)
{
	int fds[3] = {io->out_fd, io->err_fd, io->in_fd};
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	io->out_fd = io->err_fd = io->in_fd = io->console = -1;
	sb_free(&io->in_pending);
	io->in_owner = -1;
}

pstdio *proc_io(shim *s, int proc)
{
	if (proc == 0)
		return &s->io;
	if (proc < 1 || proc > SHIM_MAX_EXECS || !s->execs[proc - 1].id)
		return NULL;
	return &s->execs[proc - 1].io;
}

static int decode_into(strbuf *sb, const char *hex)
{
	return shim_hex_decode(sb, hex, strlen(hex));
}

int attach_opts_parse(attach_opts *a, const char *words, const char **bad)
{
	static char badbuf[64];
	char w[SHIM_MAX_REQUEST];
	const char *p = words;
	while (*p) {
		size_t n = strcspn(p, " ,");
		if (n >= sizeof(w))
			n = sizeof(w) - 1;
		memcpy(w, p, n);
		w[n] = '\0';
		p += n;
		p += strspn(p, " ,");
		if (!n)
			continue;
		_cleanup_sb_ strbuf keys = STRBUF_INIT;
		if (!strcmp(w, "stdin")) {
			a->in = true;
		} else if (!strcmp(w, "stdout")) {
			a->out = true;
		} else if (!strcmp(w, "stderr")) {
			a->err = true;
		} else if (!strcmp(w, "stdin-once")) {
			a->stdin_once = true;
		} else if (!strcmp(w, "detach")) {
			a->detach = true;
		} else if (!strncmp(w, "keys=", 5) && decode_into(&keys, w + 5) == 0 && keys.len <= SHIM_KEYS_MAX) {
			memcpy(a->keys, keys.buf, keys.len);
			a->nkeys = (uint8_t)keys.len;
		} else if (!strncmp(w, "data=", 5) && decode_into(&a->data, w + 5) == 0) {
			continue;
		} else {
			snprintf(badbuf, sizeof(badbuf), "%.63s", w);
			*bad = badbuf;
			return -1;
		}
	}
	return 0;
}

void attach_opts_done(attach_opts *a)
{
	sb_free(&a->data);
}

void attach_begin(shim *s, client *c, int proc, attach_opts *a)
{
	pstdio *io = proc_io(s, proc);
	c->mode = CLIENT_ATTACH;
	c->proc = proc;
	c->out_stdout = a->out;
	c->out_stderr = a->err;
	c->stdin_once = a->stdin_once;
	/* Docker accepts stdin=1 on a container without OpenStdin: no stdin then. */
	c->in_stdin = a->in && io && io->in_fd >= 0;
	memcpy(c->keys, a->keys, sizeof(c->keys));
	c->nkeys = a->nkeys;
	c->matched = 0;
	if (a->data.len && c->in_stdin)
		attach_stdin_data(s, c, a->data.buf, a->data.len);
	sb_reset(&a->data);
}

static void frame(client *c, int stream, const char *data, size_t n)
{
	unsigned char hdr[8] = {(unsigned char)(stream == JSONLOG_STDOUT ? 1 : 2), 0, 0, 0};
	uint32_t be = htonl((uint32_t)n);
	memcpy(hdr + 4, &be, 4);
	sb_append(&c->out, hdr, sizeof(hdr));
	sb_append(&c->out, data, n);
}

void attach_output(shim *s, int proc, int stream, const char *data, size_t n)
{
	pstdio *io = proc_io(s, proc);
	bool raw = io && io->tty;
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode != CLIENT_ATTACH || c->proc != proc || c->ending ||
		    !(stream == JSONLOG_STDOUT ? c->out_stdout : c->out_stderr))
			continue;
		if (c->out.len + n > SHIM_CLIENT_BUF) {
			ctl_drop(s, c);
			continue;
		}
		if (raw)
			sb_append(&c->out, data, n);
		else
			frame(c, stream, data, n);
		ctl_writable(s, c);
	}
}

bool attach_backlogged(const shim *s, int proc)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
		const client *c = &s->clients[i];
		if (c->mode == CLIENT_ATTACH && c->proc == proc && !c->ending && c->out.len >= SHIM_CLIENT_HIGH)
			return true;
	}
	return false;
}

void attach_stdin_flush(shim *s, pstdio *io)
{
	while (io->in_fd >= 0 && io->in_pending.len) {
		ssize_t n = write(io->in_fd, io->in_pending.buf, io->in_pending.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) { /* the process closed its stdin */
			attach_close_stdin(s, io);
			return;
		}
		memmove(io->in_pending.buf, io->in_pending.buf + n, io->in_pending.len - (size_t)n);
		io->in_pending.len -= (size_t)n;
	}
	if (io->in_pending.len)
		return;
	io->in_owner = -1;
	if (io->in_close)
		attach_close_stdin(s, io);
}

/* The client typed its detach sequence: it leaves, the process stays. */
static void detach(shim *s, client *c)
{
	char line[128];
	sexec *e = c->proc > 0 ? &s->execs[c->proc - 1] : NULL;
	if (e && e->id)
		snprintf(line, sizeof(line), "{\"event\":\"detach\",\"exec\":\"%s\"}\n", e->id);
	else
		snprintf(line, sizeof(line), "{\"event\":\"detach\"}\n");
	ctl_drop(s, c);
	ctl_notify_event(s, line);
}

/* Bytes that might begin the detach sequence are held back until the next
 * byte tells; a complete sequence detaches and is never delivered. Matched
 * byte by byte, so keys that arrive in one read count too. */
static bool filter_keys(shim *s, client *c, const char *data, size_t n, strbuf *pass)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)data[i];
		if (b == c->keys[c->matched]) {
			if (++c->matched == c->nkeys) {
				detach(s, c);
				return false;
			}
			continue;
		}
		sb_append(pass, c->keys, c->matched);
		c->matched = 0;
		if (b == c->keys[0])
			c->matched = 1;
		else
			sb_putc(pass, (char)b);
	}
	return true;
}

void attach_stdin_data(shim *s, client *c, const char *data, size_t n)
{
	pstdio *io = proc_io(s, c->proc);
	_cleanup_sb_ strbuf pass = STRBUF_INIT;
	if (io && io->tty && c->nkeys) {
		if (!filter_keys(s, c, data, n, &pass))
			return;
		data = pass.buf;
		n = pass.len;
	}
	if (!io || io->in_fd < 0 || !n)
		return;
	sb_append(&io->in_pending, data, n);
	io->in_owner = (int)(c - s->clients);
	attach_stdin_flush(s, io);
}

void attach_close_stdin(shim *s, pstdio *io)
{
	(void)s;
	if (io->in_fd >= 0 && io->in_fd != io->out_fd)
		close(io->in_fd);
	io->in_fd = -1;
	io->in_close = false;
	sb_reset(&io->in_pending);
	io->in_owner = -1;
}

static void end_client(shim *s, client *c)
{
	c->ending = true;
	ctl_writable(s, c); /* drops it once its queue is empty */
}

void attach_stdin_eof(shim *s, client *c)
{
	pstdio *io = proc_io(s, c->proc);
	if (!c->in_stdin)
		return; /* it never fed stdin: its output goes on */
	if (c->stdin_once && io && !io->tty) {
		io->in_close = true; /* after what it sent went in */
		attach_stdin_flush(s, io);
		return;
	}
	end_client(s, c);
}

void attach_end_all(shim *s, int proc)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode == CLIENT_ATTACH && c->proc == proc)
			end_client(s, c);
	}
}
