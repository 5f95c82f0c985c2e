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
			while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
				if (p == s->pid && !s->exited)
					record_exit(s, status);
				else
					exec_reaped(s, p, status);
			}
		} else if (s->running) {
			kill(s->pid, (int)si.ssi_signo); /* SIGTERM/SIGINT to the shim stop the container */
		}
	}
}

/* Output of process proc; the container's own also goes to the log. */
static void on_output(shim *s, int proc, int stream)
{
	pstdio *io = proc_io(s, proc);
	int *fd = stream == JSONLOG_STDOUT ? &io->out_fd : &io->err_fd;
	char buf[65536];
	struct timespec now;
	ssize_t n = read(*fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	bool log = proc == 0 && s->log;
	if (log)
		clock_gettime(CLOCK_REALTIME, &now);
	if (n <= 0) { /* EOF; a pty master reads EIO once the slave is gone */
		if (log)
			jsonlog_eof(s->log, stream, &now);
		if (*fd == io->in_fd)
			io->in_fd = -1;
		close(*fd);
		*fd = -1;
		if (stream == JSONLOG_STDOUT)
			io->console = -1; /* that was the master, if any */
	} else {
		if (log)
			jsonlog_feed(s->log, stream, buf, (size_t)n, &now);
		attach_output(s, proc, stream, buf, (size_t)n);
	}
	_cleanup_err_ err_t *err = NULL;
	if (log && jsonlog_flush(s->log, &err) < 0)
		shim_log(s, "%s", err_msg(err));
}

/* cgroup v1 signals the OOM when the group enters it, before the killer
 * counted its kill: a notification without a new kill is checked again a
 * few times, OOM_RECHECK_MS apart. */
#define OOM_RECHECK_MS 5
#define OOM_RECHECKS 40

static void check_oom(shim *s)
{
	uint64_t kills = 0;
	clock_gettime(CLOCK_MONOTONIC, &s->oom_checked);
	if (cgroup_oom_kills(s->ctr->cg, &kills, NULL) < 0 || kills <= s->oom_seen) {
		if (s->oom_recheck > 0)
			s->oom_recheck--;
		return;
	}
	s->oom_seen = kills;
	s->oom_recheck = 0;
	ctl_notify_event(s, "{\"event\":\"oom\"}\n");
}

static void on_oom(shim *s)
{
	cgroup_oom_watch_drain(s->oom_fd);
	s->oom_recheck = OOM_RECHECKS;
	check_oom(s);
}

/* What a pollfd stands for. */
enum { T_SIG, T_LISTEN, T_OOM, T_CLIENT, T_OUT, T_ERR, T_IN };
typedef struct ptag {
	int type;
	int index; /* the client, or the process */
} ptag;

#define POLL_MAX (SHIM_MAX_CLIENTS + 3 * (SHIM_MAX_EXECS + 1) + 4)
typedef struct pollset {
	struct pollfd fds[POLL_MAX];
	ptag tag[POLL_MAX];
	nfds_t n;
} pollset;

/* events may be 0 for a client: poll still reports its hang-up. */
static void add(pollset *p, int fd, short ev, int type, int index)
{
	if (fd < 0 || (!ev && type != T_CLIENT))
		return;
	p->fds[p->n] = (struct pollfd){.fd = fd, .events = ev};
	p->tag[p->n++] = (ptag){type, index};
}

static void add_proc(shim *s, pollset *p, int proc)
{
	pstdio *io = proc_io(s, proc);
	if (!io)
		return;
	short out = attach_backlogged(s, proc) ? 0 : POLLIN;
	add(p, io->out_fd, out, T_OUT, proc);
	add(p, io->err_fd, out, T_ERR, proc);
	add(p, io->in_fd != io->out_fd ? io->in_fd : -1, io->in_pending.len ? POLLOUT : 0, T_IN, proc);
}

static bool stdin_stalled(shim *s, int client_idx)
{
	for (int proc = 0; proc <= SHIM_MAX_EXECS; proc++) {
		pstdio *io = proc_io(s, proc);
		if (io && io->in_owner == client_idx && io->in_pending.len)
			return true;
	}
	return false;
}

static void build_pollset(shim *s, pollset *p)
{
	p->n = 0;
	add(p, s->sig_fd, POLLIN, T_SIG, 0);
	add(p, s->listen_fd, POLLIN, T_LISTEN, 0);
	add(p, s->oom_fd, POLLIN, T_OOM, 0);
	for (int proc = 0; proc <= SHIM_MAX_EXECS; proc++)
		add_proc(s, p, proc);
	for (int i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode == CLIENT_FREE)
			continue;
		short ev = (c->in_eof || c->ending || stdin_stalled(s, i) ? 0 : POLLIN) | (c->out.len ? POLLOUT : 0);
		add(p, c->fd, ev, T_CLIENT, i);
	}
}

static void dispatch(shim *s, const pollset *p)
{
	for (nfds_t i = 0; i < p->n; i++) {
		short re = p->fds[i].revents;
		int fd = p->fds[i].fd;
		ptag t = p->tag[i];
		if (!re)
			continue;
		pstdio *io = t.type == T_OUT || t.type == T_ERR || t.type == T_IN ? proc_io(s, t.index) : NULL;
		switch (t.type) {
		case T_CLIENT: {
			client *c = &s->clients[t.index];
			if (c->fd != fd || c->mode == CLIENT_FREE)
				break; /* dropped and reused during this round */
			if (re & POLLOUT)
				ctl_writable(s, c);
			if (c->fd == fd && c->mode != CLIENT_FREE && (re & (POLLIN | POLLHUP | POLLERR)))
				ctl_readable(s, c);
			break;
		}
		case T_SIG: on_signal(s); break;
		case T_LISTEN: ctl_accept(s); break;
		case T_OOM: on_oom(s); break;
		case T_OUT:
			if (io && io->out_fd == fd)
				on_output(s, t.index, JSONLOG_STDOUT);
			break;
		case T_ERR:
			if (io && io->err_fd == fd)
				on_output(s, t.index, JSONLOG_STDERR);
			break;
		case T_IN:
			if (io && io->in_fd == fd)
				attach_stdin_flush(s, io);
			break;
		}
	}
}

int64_t shim_ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* How long poll may sleep: until the settle time, then for ever (or short
 * ticks while output drains after an exit). */
static int poll_timeout(const shim *s, bool settled)
{
	if (s->exited)
		return 50;
	if (s->oom_recheck)
		return OOM_RECHECK_MS;
	for (int i = 0; i < SHIM_MAX_EXECS; i++)
		if (s->execs[i].id && !s->execs[i].running)
			return 50; /* an exec's output drains */
	if (settled)
		return -1;
	int64_t left = SHIM_SETTLE_MS - shim_ms_since(&s->started_mono);
	return left > 0 ? (int)left : 0;
}

static void loop(shim *s)
{
	struct timespec exited_at = {0};
	bool settled = false;
	for (;;) {
		exec_reap_done(s);
		bool drained = s->io.out_fd < 0 && s->io.err_fd < 0;
		if (s->exited && !exited_at.tv_sec)
			clock_gettime(CLOCK_MONOTONIC, &exited_at);
		if (s->exited && !exec_running_count(s) &&
		    (drained || shim_ms_since(&exited_at) > SHIM_DRAIN_MS))
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
		if (s->oom_recheck && !s->exited && shim_ms_since(&s->oom_checked) >= OOM_RECHECK_MS)
			check_oom(s);
		if (!settled && !s->exited && shim_ms_since(&s->started_mono) >= SHIM_SETTLE_MS) {
			shim_settle(s); /* even while output keeps the loop busy */
			settled = true;
		}
	}
}

/* After the exit was told: attach clients get what is queued for them, as
 * long as they keep reading (a client that stops for SHIM_DRAIN_MS is
 * dropped), then every connection closes. */
static void flush_clients(shim *s)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++)
		s->clients[i].ending = s->clients[i].mode != CLIENT_FREE;
	struct timespec progress;
	clock_gettime(CLOCK_MONOTONIC, &progress);
	for (;;) {
		struct pollfd fds[SHIM_MAX_CLIENTS];
		client *who[SHIM_MAX_CLIENTS];
		nfds_t n = 0;
		for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
			client *c = &s->clients[i];
			if (c->mode == CLIENT_FREE)
				continue;
			if (!c->out.len) {
				ctl_drop(s, c);
				continue;
			}
			fds[n] = (struct pollfd){.fd = c->fd, .events = POLLOUT};
			who[n++] = c;
		}
		if (!n || shim_ms_since(&progress) > SHIM_DRAIN_MS)
			break;
		if (poll(fds, n, 100) <= 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			if (!fds[i].revents)
				continue;
			size_t before = who[i]->out.len;
			ctl_writable(s, who[i]);
			if (who[i]->mode == CLIENT_FREE || who[i]->out.len < before)
				clock_gettime(CLOCK_MONOTONIC, &progress);
		}
	}
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++)
		if (s->clients[i].mode != CLIENT_FREE)
			ctl_drop(s, &s->clients[i]);
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
	ctl_unlink(s);
	close(s->listen_fd);
	s->listen_fd = -1;
	ctl_notify_exit(s);
	flush_clients(s);
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
