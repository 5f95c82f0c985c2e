/* stream.c: see stream.h. */
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

/* ---- the terminal ---- */

static struct termios saved;
static volatile sig_atomic_t raw_on;

void term_restore(void)
{
	if (raw_on) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw_on = 0;
	}
}

/* A fatal signal in raw mode: the terminal first, then the default death. */
static void restore_and_die(int sig)
{
	if (raw_on)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

int term_raw(err_t **err)
{
	static bool hooked;
	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return err_sys(err, "unable to set IO streams as raw terminal");
	if (!hooked) {
		static const int fatal[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGSEGV, SIGBUS,
					    SIGABRT, SIGFPE, SIGILL, SIGALRM, SIGUSR1, SIGUSR2};
		struct sigaction sa = {.sa_handler = restore_and_die};
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < ARRAY_SIZE(fatal); i++) {
			struct sigaction old;
			if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
				sigaction(fatal[i], &sa, NULL);
		}
		atexit(term_restore);
		hooked = true;
	}
	struct termios raw = saved;
	cfmakeraw(&raw); /* moby/term's MakeRaw */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return err_sys(err, "unable to set IO streams as raw terminal");
	raw_on = 1;
	return 0;
}

bool term_size(unsigned *h, unsigned *w)
{
	struct winsize ws = {0};
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return false;
	*h = ws.ws_row;
	*w = ws.ws_col;
	return true;
}

void stream_proxy_signals(sigset_t *set, bool tty)
{
	sigemptyset(set);
	for (int s = 1; s < SIGRTMIN; s++) {
		if (s == SIGKILL || s == SIGSTOP || s == SIGCHLD || s == SIGPIPE || s == SIGURG || s == SIGSEGV ||
		    s == SIGBUS || s == SIGFPE || s == SIGILL || s == SIGTRAP || s == SIGABRT || s == SIGSYS ||
		    (tty && s == SIGWINCH))
			continue;
		sigaddset(set, s);
	}
}

/* ---- output ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			poll(&pf, 1, -1);
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int demux_feed(demux *d, const char *data, size_t n, err_t **err)
{
	while (n) {
		if (d->have < 8) {
			size_t take = 8 - d->have < n ? 8 - d->have : n;
			memcpy(d->hdr + d->have, data, take);
			d->have += take;
			data += take;
			n -= take;
			if (d->have < 8)
				return 0;
			uint32_t be;
			memcpy(&be, d->hdr + 4, 4);
			d->left = ntohl(be);
			d->stream = d->hdr[0];
			if (d->stream > 3)
				return err_set(err, ERR_SYSTEM, 0, "Unrecognized input header: %d", d->stream);
			if (!d->left)
				d->have = 0;
			continue;
		}
		size_t take = d->left < n ? d->left : n;
		if (d->stream == 3)
			sb_append(&d->syserr, data, take);
		else
			write_all(d->stream == 2 ? STDERR_FILENO : STDOUT_FILENO, data, take);
		data += take;
		n -= take;
		d->left -= take;
		if (!d->left) {
			d->have = 0;
			if (d->stream == 3)
				return err_set(err, ERR_SYSTEM, 0, "error from daemon in stream: %s", sb_str(&d->syserr));
		}
	}
	return 0;
}

void demux_done(demux *d)
{
	sb_free(&d->syserr);
}

typedef struct pump {
	const stream_opts *o;
	demux d;
	strbuf pend;         /* stdin bytes for the daemon */
	bool in_open, in_eof_pending, wrote_eof;
	size_t matched;      /* detach keys matched so far */
} pump;

static int output(pump *p, const char *data, size_t n, err_t **err)
{
	if (!p->o->tty)
		return demux_feed(&p->d, data, n, err);
	if (p->o->out)
		write_all(STDOUT_FILENO, data, n);
	return 0;
}

/* Byte by byte: a complete sequence detaches and is never sent. */
static bool keys_filter(pump *p, const char *data, size_t n)
{
	const stream_opts *o = p->o;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)data[i];
		if (b == o->keys[p->matched]) {
			if (++p->matched == o->nkeys)
				return true;
			continue;
		}
		sb_append(&p->pend, o->keys, p->matched);
		p->matched = 0;
		if (b == o->keys[0])
			p->matched = 1;
		else
			sb_putc(&p->pend, (char)b);
	}
	return false;
}

static int flush_pend(pump *p)
{
	while (p->pend.len) {
		ssize_t w = send(p->o->sock, p->pend.buf, p->pend.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return 0;
		if (w < 0) { /* the daemon stopped reading: stdin is over */
			sb_reset(&p->pend);
			p->in_open = false;
			return 0;
		}
		memmove(p->pend.buf, p->pend.buf + w, p->pend.len - (size_t)w);
		p->pend.len -= (size_t)w;
	}
	if (p->in_eof_pending && !p->wrote_eof) {
		shutdown(p->o->sock, SHUT_WR);
		p->wrote_eof = true;
	}
	return 0;
}

int stream_run(const stream_opts *o, err_t **err)
{
	pump p = {.o = o, .in_open = o->in};
	sigset_t old;
	int sfd = -1, rc = STREAM_END;
	if (o->signals) {
		sigprocmask(SIG_BLOCK, o->signals, &old);
		sfd = signalfd(-1, o->signals, SFD_CLOEXEC | SFD_NONBLOCK);
	}
	fcntl(o->sock, F_SETFL, fcntl(o->sock, F_GETFL) | O_NONBLOCK);
	if (!o->in) { /* as the docker CLI: no input, so EOF at once */
		shutdown(o->sock, SHUT_WR);
		p.wrote_eof = true;
	}
	if (o->extra && o->extra->len && output(&p, o->extra->buf, o->extra->len, err) < 0)
		rc = -1;
	char buf[65536];
	while (rc == STREAM_END) {
		struct pollfd pf[3] = {
			{.fd = o->sock, .events = POLLIN | (p.pend.len ? POLLOUT : 0)},
			{.fd = p.in_open && !p.pend.len ? STDIN_FILENO : -1, .events = POLLIN},
			{.fd = sfd, .events = POLLIN},
		};
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = err_sys(err, "poll");
			break;
		}
		if (pf[2].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				if (o->on_signal && o->on_signal(o->ctx, (int)si.ssi_signo))
					rc = STREAM_STOP;
			if (rc != STREAM_END)
				break;
		}
		if (pf[0].revents & POLLOUT)
			flush_pend(&p);
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(o->sock, buf, sizeof(buf));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0)
				break; /* the output is over */
			if (output(&p, buf, (size_t)n, err) < 0) {
				rc = -1;
				break;
			}
		}
		if (pf[1].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0) {
				p.in_open = false;
				p.in_eof_pending = true;
				flush_pend(&p);
				continue;
			}
			if (o->tty && o->nkeys) {
				if (keys_filter(&p, buf, (size_t)n)) {
					rc = STREAM_DETACHED;
					break;
				}
			} else {
				sb_append(&p.pend, buf, (size_t)n);
			}
			flush_pend(&p);
		}
	}
	if (o->signals) {
		close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	close(o->sock);
	demux_done(&p.d);
	sb_free(&p.pend);
	return rc;
}
