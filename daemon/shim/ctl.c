/* ctl.c: the control socket server: accepting clients, reading request
 * lines, the commands (see ctl.h), non-blocking replies. Replies are small
 * JSON lines built with snprintf/strbuf; json-c stays out of this loop. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups.h"
#include "cleanup.h"
#include "fsutil.h"
#include "jsonlog.h"
#include "shim.h"
#include "xalloc.h"

int ctl_listen(shim *s, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(s->o->state_dir, SHIM_CTL_SOCK);
	struct sockaddr_un sa;
	socklen_t len;
	_cleanup_close_ int dirfd = -1;
	if (shim_sockaddr(path, &sa, &len, &dirfd, err) < 0)
		return -1;
	unlink(path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0)
		return err_sys(err, "socket");
	if (bind(s->listen_fd, (struct sockaddr *)&sa, len) < 0 || listen(s->listen_fd, 16) < 0)
		return err_sys(err, "listen on %s", path);
	struct stat st;
	if (stat(path, &st) == 0)
		s->sock_ino = st.st_ino;
	return 0;
}

/* Only our own socket: a restart in the same state dir may already have
 * bound a new shim's there while we were finishing. */
void ctl_unlink(const shim *s)
{
	_cleanup_free_ char *path = fs_path_join(s->o->state_dir, SHIM_CTL_SOCK);
	struct stat st;
	if (s->sock_ino && stat(path, &st) == 0 && st.st_ino == s->sock_ino)
		unlink(path);
}

client *ctl_client_new(shim *s, int fd)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode != CLIENT_FREE)
			continue;
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->mode = CLIENT_CMD;
		c->passed_fd = -1;
		return c;
	}
	return NULL;
}

void ctl_accept(shim *s)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		if (!ctl_client_new(s, fd)) {
			static const char busy[] = "{\"ok\":false,\"error\":\"too many clients\"}\n";
			(void)!write(fd, busy, sizeof(busy) - 1);
			close(fd);
		}
	}
}

void ctl_drop(shim *s, client *c)
{
	int idx = (int)(c - s->clients);
	for (int p = 0; p <= SHIM_MAX_EXECS; p++) {
		pstdio *io = proc_io(s, p);
		if (io && io->in_owner == idx)
			io->in_owner = -1;
	}
	close(c->fd);
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	sb_free(&c->in);
	sb_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->passed_fd = -1;
}

void ctl_writable(shim *s, client *c)
{
	while (c->out.len) {
		ssize_t n = write(c->fd, c->out.buf, c->out.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			ctl_drop(s, c);
			return;
		}
		memmove(c->out.buf, c->out.buf + n, c->out.len - (size_t)n);
		c->out.len -= (size_t)n;
	}
	if (c->ending)
		ctl_drop(s, c);
}

void ctl_send(shim *s, client *c, const char *line)
{
	sb_puts(&c->out, line);
	ctl_writable(s, c);
}

static void reply_error(shim *s, client *c, const char *msg)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "{\"ok\":false,\"error\":");
	jsonlog_escape(&sb, msg, strlen(msg));
	sb_puts(&sb, "}\n");
	ctl_send(s, c, sb.buf);
}

static void reply_ok(shim *s, client *c)
{
	ctl_send(s, c, "{\"ok\":true}\n");
}

char *ctl_exit_json(const shim *s, const char *head)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "{%s,\"exit_code\":%d,\"signal\":%d,\"oom_killed\":%s,\"finished_at\":\"%s\",\"pid\":%d",
		  head, s->exit.exit_code, s->exit.signal, s->exit.oom_killed ? "true" : "false",
		  s->exit.finished_at, s->exit.pid);
	if (s->exit.error) {
		sb_puts(&sb, ",\"error\":");
		jsonlog_escape(&sb, s->exit.error, strlen(s->exit.error));
	}
	sb_puts(&sb, "}\n");
	return sb_steal(&sb);
}

static void cmd_status(shim *s, client *c)
{
	char started[SHIM_TIME_LEN];
	shim_fmt_time(&s->started, started);
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "{\"ok\":true,\"id\":");
	jsonlog_escape(&sb, s->o->id, strlen(s->o->id));
	sb_printf(&sb, ",\"pid\":%d,\"shim_pid\":%d,\"running\":%s,\"paused\":%s,\"started_at\":\"%s\"",
		  (int)s->pid, (int)getpid(), s->running ? "true" : "false", s->paused ? "true" : "false", started);
	if (s->exited)
		sb_printf(&sb, ",\"exit_code\":%d,\"signal\":%d,\"oom_killed\":%s,\"finished_at\":\"%s\"",
			  s->exit.exit_code, s->exit.signal, s->exit.oom_killed ? "true" : "false",
			  s->exit.finished_at);
	sb_puts(&sb, "}\n");
	ctl_send(s, c, sb.buf);
}

static void cmd_kill(shim *s, client *c, char *args)
{
	char *save = NULL, *sig = strtok_r(args, " ", &save), *all = strtok_r(NULL, " ", &save);
	int n = sig ? shim_signal_parse(sig) : -1;
	if (n < 0)
		return reply_error(s, c, "invalid signal");
	if (!s->running)
		return reply_error(s, c, "container is not running");
	_cleanup_err_ err_t *err = NULL;
	if (all && strcmp(all, "all") == 0) {
		if (cgroup_kill_all(s->ctr->cg, n, &err) < 0)
			return reply_error(s, c, err_msg(err));
	} else if (kill(s->pid, n) < 0) {
		return reply_error(s, c, strerror(errno));
	}
	reply_ok(s, c);
}

static void cmd_freeze(shim *s, client *c, bool frozen)
{
	_cleanup_err_ err_t *err = NULL;
	if (!s->running)
		return reply_error(s, c, "container is not running");
	if (cgroup_freeze(s->ctr->cg, frozen, &err) < 0)
		return reply_error(s, c, err_msg(err));
	s->paused = frozen;
	reply_ok(s, c);
}

static void cmd_pids(shim *s, client *c)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (!s->ctr || cgroup_pids(s->ctr->cg, &pids, &n, &err) < 0)
		return reply_error(s, c, err ? err_msg(err) : "container is not running");
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "{\"ok\":true,\"pids\":[");
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s%d", i ? "," : "", (int)pids[i]);
	sb_puts(&sb, "]}\n");
	ctl_send(s, c, sb.buf);
}

static void cmd_wait(shim *s, client *c)
{
	c->mode = CLIENT_WAIT;
	if (!s->exited)
		return;
	_cleanup_free_ char *line = ctl_exit_json(s, "\"ok\":true");
	ctl_send(s, c, line);
}

static void cmd_events(shim *s, client *c)
{
	reply_ok(s, c);
	c->mode = CLIENT_EVENTS;
}

/* attach WORDS: with a socket passed along (SCM_RIGHTS), that socket
 * becomes the stream and this connection stays a command connection;
 * without, this connection becomes the stream. */
static void cmd_attach(shim *s, client *c, char *args)
{
	attach_opts a = {0};
	const char *bad = NULL;
	if (attach_opts_parse(&a, args, &bad) < 0) {
		attach_opts_done(&a);
		return reply_error(s, c, "attach: unknown stream");
	}
	if (c->passed_fd < 0) {
		reply_ok(s, c);
		sb_append(&a.data, c->in.buf, c->in.len); /* stdin bytes that came with the request */
		sb_reset(&c->in);
		attach_begin(s, c, 0, &a);
		attach_opts_done(&a);
		return;
	}
	client *n = ctl_client_new(s, c->passed_fd);
	if (!n) {
		attach_opts_done(&a);
		return reply_error(s, c, "too many clients");
	}
	c->passed_fd = -1;
	fcntl(n->fd, F_SETFL, fcntl(n->fd, F_GETFL) | O_NONBLOCK);
	attach_begin(s, n, 0, &a);
	attach_opts_done(&a);
	reply_ok(s, c);
}

/* exec ID WORDS: starts the exec; its stream is the passed socket, if any. */
static void cmd_exec(shim *s, client *c, char *args)
{
	char *save = NULL, *id = strtok_r(args, " ", &save);
	char *rest = save ? save : (char *)"";
	attach_opts a = {0};
	const char *bad = NULL;
	if (!id || !shim_exec_id_valid(id) || attach_opts_parse(&a, rest, &bad) < 0) {
		attach_opts_done(&a);
		return reply_error(s, c, "exec: bad request");
	}
	int fd = c->passed_fd;
	c->passed_fd = -1;
	exec_start(s, c, id, &a, fd);
	attach_opts_done(&a);
}

static void cmd_exec_status(shim *s, client *c, char *args)
{
	if (!shim_exec_id_valid(args))
		return reply_error(s, c, "exec-status: bad exec ID");
	exec_status(s, c, args);
}

/* resize H W [EXEC-ID] */
static void cmd_resize(shim *s, client *c, const char *args)
{
	unsigned h = 0, w = 0;
	char id[SHIM_ID_MAX + 1] = "";
	int n = sscanf(args, "%u %u %64s", &h, &w, id);
	if (n < 2 || h > 65535 || w > 65535)
		return reply_error(s, c, "resize: need a height and a width");
	pstdio *io = &s->io;
	if (n == 3) {
		sexec *e = exec_find(s, id);
		if (!e)
			return reply_error(s, c, "no such exec");
		io = &e->io;
	}
	if (io->console < 0)
		return reply_error(s, c, "no tty");
	struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};
	if (ioctl(io->console, TIOCSWINSZ, &ws) < 0)
		return reply_error(s, c, strerror(errno));
	reply_ok(s, c);
}

static void cmd_close_stdin(shim *s, client *c)
{
	attach_close_stdin(s, &s->io);
	reply_ok(s, c);
}

static void dispatch(shim *s, client *c, char *line)
{
	char *args = strchr(line, ' ');
	if (args)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (strcmp(line, "status") == 0)
		cmd_status(s, c);
	else if (strcmp(line, "kill") == 0)
		cmd_kill(s, c, args);
	else if (strcmp(line, "wait") == 0)
		cmd_wait(s, c);
	else if (strcmp(line, "events") == 0)
		cmd_events(s, c);
	else if (strcmp(line, "pause") == 0 || strcmp(line, "resume") == 0)
		cmd_freeze(s, c, line[0] == 'p');
	else if (strcmp(line, "pids") == 0)
		cmd_pids(s, c);
	else if (strcmp(line, "close-stdin") == 0)
		cmd_close_stdin(s, c);
	else if (strcmp(line, "attach") == 0)
		cmd_attach(s, c, args);
	else if (strcmp(line, "resize") == 0)
		cmd_resize(s, c, args);
	else if (strcmp(line, "exec") == 0)
		cmd_exec(s, c, args);
	else if (strcmp(line, "exec-status") == 0)
		cmd_exec_status(s, c, args);
	else
		reply_error(s, c, "unknown command");
}

/* Runs the complete request lines in c->in. */
static void run_requests(shim *s, client *c)
{
	char *nl;
	while (c->mode == CLIENT_CMD && (nl = memchr(c->in.buf, '\n', c->in.len))) {
		size_t len = (size_t)(nl - c->in.buf);
		_cleanup_free_ char *line = xstrndup(c->in.buf, len);
		memmove(c->in.buf, nl + 1, c->in.len - len - 1);
		c->in.len -= len + 1;
		c->in.buf[c->in.len] = '\0';
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		dispatch(s, c, line);
		if (c->mode == CLIENT_FREE)
			return;
	}
	if (c->mode == CLIENT_CMD && c->in.len > SHIM_MAX_REQUEST) {
		reply_error(s, c, "request too long");
		ctl_drop(s, c);
	}
}

/* A command connection's bytes, and a socket passed along with them. */
static ssize_t recv_cmd(client *c, char *buf, size_t n)
{
	struct iovec iov = {buf, n};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * 4)];
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	ssize_t r = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	if (r < 0)
		return r;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfds = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfds; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (c->passed_fd >= 0)
				close(c->passed_fd); /* one per request: the last one wins */
			c->passed_fd = fd;
		}
	}
	return r;
}

static void attach_readable(shim *s, client *c)
{
	char buf[16384];
	if (c->in_eof) { /* polled for nothing: a hang-up */
		ctl_drop(s, c);
		return;
	}
	ssize_t n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		ctl_drop(s, c);
		return;
	}
	if (n == 0) {
		c->in_eof = true; /* half-closed: output may go on */
		attach_stdin_eof(s, c);
		return;
	}
	if (c->in_stdin)
		attach_stdin_data(s, c, buf, (size_t)n);
}

void ctl_readable(shim *s, client *c)
{
	char buf[16384];
	if (c->mode == CLIENT_ATTACH)
		return attach_readable(s, c);
	ssize_t n = c->mode == CLIENT_CMD ? recv_cmd(c, buf, sizeof(buf)) : read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ctl_drop(s, c);
		return;
	}
	if (c->mode == CLIENT_WAIT || c->mode == CLIENT_EVENTS)
		return; /* nothing more is expected */
	sb_append(&c->in, buf, (size_t)n);
	run_requests(s, c);
}

void ctl_notify_event(shim *s, const char *line)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++)
		if (s->clients[i].mode == CLIENT_EVENTS)
			ctl_send(s, &s->clients[i], line);
}

void ctl_notify_exit(shim *s)
{
	_cleanup_free_ char *reply = ctl_exit_json(s, "\"ok\":true");
	_cleanup_free_ char *event = ctl_exit_json(s, "\"event\":\"exit\"");
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++)
		if (s->clients[i].mode == CLIENT_WAIT)
			ctl_send(s, &s->clients[i], reply);
	ctl_notify_event(s, event);
}
