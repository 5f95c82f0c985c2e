/* monitor.c: the shim's life after the start: one poll() loop over the
 * signalfd, the control socket, the container's stdout/stderr (to the
 * json-file log and attached clients) and stdin; then the exit: the OOM
 * flag, the cgroup gone, the exit file written, waiters told, socket
 * removed. The overlay root lived in the container's mount namespace and
 * went away with it; nothing of the container stays mounted on the host. */
#include <errno.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups.h"
#include "cleanup.h"
#include "fsutil.h"
#include "shim.h"
#include "xalloc.h"

#define DRAIN_TIMEOUT_MS 2000 /* output still open this long after the exit is given up */

void shim_log(const shim *s, const char *fmt, ...)
{
	_cleanup_free_ char *path = fs_path_join(s->o->state_dir, SHIM_LOG_FILE);
	FILE *f = fopen(path, "ae");
	if (!f)
		return;
	struct timespec now;
	char when[SHIM_TIME_LEN];
	clock_gettime(CLOCK_REALTIME, &now);
	shim_fmt_time(&now, when);
	fprintf(f, "%s ", when);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void record_exit(shim *s, int status)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	s->running = false;
	s->exited = true;
	s->exit.pid = s->pid;
	if (WIFSIGNALED(status)) {
		s->exit.signal = WTERMSIG(status);
		s->exit.exit_code = 128 + s->exit.signal;
	} else {
		s->exit.exit_code = WEXITSTATUS(status);
	}
	shim_fmt_time(&now, s->exit.finished_at);
	/* Without a PID namespace of its own, what the first process left
	 * behind dies too (with one, the kernel already killed it all). */
	const rt_namespace *pidns = spec_namespace(s->spec, CLONE_NEWPID);
	if (!pidns || pidns->path)
		cgroup_kill_all(s->ctr->cg, SIGKILL, NULL);
}

static void on_signal(shim *s)
{
	struct signalfd_siginfo si;
	while (read(s->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			int status;
			pid_t p;
			while ((p = waitpid(-1, &status, WNOHANG)) > 0)
				if (p == s->pid && !s->exited)
					record_exit(s, status);
		} else if (s->running) {
			kill(s->pid, (int)si.ssi_signo); /* SIGTERM/SIGINT to the shim stop the container */
		}
	}
}

static void on_output(shim *s, int stream)
{
	int *fd = stream == JSONLOG_STDOUT ? &s->out_fd : &s->err_fd;
	char buf[65536];
	struct timespec now;
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	if (n <= 0) { /* EOF; a pty master reads EIO once the slave is gone */
		jsonlog_eof(s->log, stream, &now);
		close(*fd);
		*fd = -1;
		if (s->console >= 0 && stream == JSONLOG_STDOUT)
			s->console = -1; /* that was the master */
	} else {
		jsonlog_feed(s->log, stream, buf, (size_t)n, &now);
		attach_output(s, stream, buf, (size_t)n);
	}
	_cleanup_err_ err_t *err = NULL;
	if (jsonlog_flush(s->log, &err) < 0)
		shim_log(s, "%s", err_msg(err));
}

static void on_oom(shim *s)
{
	uint64_t kills = 0;
	cgroup_oom_watch_drain(s->oom_fd);
	if (cgroup_oom_kills(s->ctr->cg, &kills, NULL) < 0 || kills <= s->oom_seen)
		return;
	s->oom_seen = kills;
	ctl_notify_event(s, "{\"event\":\"oom\"}\n");
}

/* The poll set; idx[] maps a pollfd back to a client (-1: not a client). */
typedef struct pollset {
	struct pollfd fds[SHIM_MAX_CLIENTS + 6];
	int idx[SHIM_MAX_CLIENTS + 6];
	nfds_t n;
} pollset;

static void add(pollset *p, int fd, short ev, int idx)
{
	if (fd < 0 || !ev)
		return;
	p->fds[p->n] = (struct pollfd){.fd = fd, .events = ev};
	p->idx[p->n++] = idx;
}

static void build_pollset(shim *s, pollset *p)
{
	p->n = 0;
	add(p, s->sig_fd, POLLIN, -1);
	add(p, s->listen_fd, POLLIN, -1);
	add(p, s->out_fd, POLLIN, -1);
	add(p, s->err_fd, POLLIN, -1);
	add(p, s->in_fd, s->in_pending.len ? POLLOUT : 0, -1);
	add(p, s->oom_fd, POLLIN, -1);
	for (int i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode == CLIENT_FREE)
			continue;
		bool stalled = s->in_owner == i && s->in_pending.len;
		short ev = (c->in_eof || stalled ? 0 : POLLIN) | (c->out.len ? POLLOUT : 0);
		add(p, c->fd, ev ? ev : POLLIN, i);
	}
}

static void dispatch(shim *s, const pollset *p)
{
	for (nfds_t i = 0; i < p->n; i++) {
		short re = p->fds[i].revents;
		int fd = p->fds[i].fd;
		if (!re)
			continue;
		if (p->idx[i] >= 0) {
			client *c = &s->clients[p->idx[i]];
			if (c->fd != fd)
				continue; /* dropped and reused during this round */
			if (re & POLLOUT)
				ctl_writable(s, c);
			if (c->fd == fd && (re & (POLLIN | POLLHUP | POLLERR)))
				ctl_readable(s, c);
		} else if (fd == s->sig_fd) {
			on_signal(s);
		} else if (fd == s->listen_fd) {
			ctl_accept(s);
		} else if (fd == s->out_fd) {
			on_output(s, JSONLOG_STDOUT);
		} else if (fd == s->err_fd) {
			on_output(s, JSONLOG_STDERR);
		} else if (fd == s->in_fd) {
			attach_stdin_flush(s);
		} else if (fd == s->oom_fd) {
			on_oom(s);
		}
	}
}

static int64_t ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* How long poll may sleep: until the settle time, then for ever (or short
 * ticks while the output drains after the exit). */
static int poll_timeout(const shim *s, bool settled)
{
	if (s->exited)
		return 50;
	if (settled)
		return -1;
	int64_t left = SHIM_SETTLE_MS - ms_since(&s->started_mono);
	return left > 0 ? (int)left : 0;
}

static void loop(shim *s)
{
	struct timespec exited_at = {0};
	bool settled = false;
	for (;;) {
		bool drained = s->out_fd < 0 && s->err_fd < 0;
		if (s->exited && !exited_at.tv_sec)
			clock_gettime(CLOCK_MONOTONIC, &exited_at);
		if (s->exited && (drained || ms_since(&exited_at) > DRAIN_TIMEOUT_MS))
			return;
		pollset p;
		build_pollset(s, &p);
		int r = poll(p.fds, p.n, poll_timeout(s, settled));
		if (r < 0 && errno != EINTR) {
			shim_log(s, "poll: %s", strerror(errno));
			return;
		}
		if (r > 0)
			dispatch(s, &p);
		if (!settled && !s->exited && ms_since(&s->started_mono) >= SHIM_SETTLE_MS) {
			shim_settle(s); /* even while output keeps the loop busy */
			settled = true;
		}
	}
}

/* Pending attach output gets a last, non-blocking chance. */
static void close_clients(shim *s)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode == CLIENT_FREE)
			continue;
		ctl_writable(s, c);
		if (c->mode != CLIENT_FREE)
			ctl_drop(s, c);
	}
}

static void finish(shim *s)
{
	_cleanup_err_ err_t *err = NULL;
	uint64_t kills = 0;
	if (cgroup_oom_kills(s->ctr->cg, &kills, NULL) == 0)
		s->exit.oom_killed = kills > 0;
	if (runtime_destroy(s->ctr, &err) < 0) {
		shim_log(s, "%s", err_msg(err));
		err_free(&err);
	}
	jsonlog_close(s->log);
	s->log = NULL;
	if (shim_exit_write(s->o->state_dir, &s->exit, &err) < 0)
		shim_log(s, "%s", err_msg(err));
	ctl_notify_exit(s);
	close_clients(s);
	ctl_unlink(s);
}

int shim_run(shim *s)
{
	loop(s);
	if (!s->exited) { /* the loop failed: do not leave the container unwatched */
		kill(s->pid, SIGKILL);
		int status = 0;
		waitpid(s->pid, &status, 0);
		record_exit(s, status);
	}
	finish(s);
	return 0;
}
