/* shim_client.c: see shim_client.h; the requests to a running shim
 * (shim_spawn.c starts shims). A request is a short-lived connection; a
 * lost shim (socket refused or gone) is told apart from a finished one by
 * the exit file, which the shim writes before it stops listening. */
#include "shim_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "strbuf.h"
#include "xalloc.h"

#define REPLY_MAX (64u << 10)
#define CALL_TIMEOUT_MS 10000

int shim_connect(const char *state_dir, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(state_dir, SHIM_CTL_SOCK);
	struct sockaddr_un sa;
	socklen_t len;
	_cleanup_close_ int dirfd = -1;
	if (shim_sockaddr(path, &sa, &len, &dirfd, err) < 0)
		return -1;
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_sys(err, "socket");
	if (connect(fd, (struct sockaddr *)&sa, len) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			return err_notfound(err, "the shim of %s is not running", state_dir);
		return err_sys(err, "connect %s", path);
	}
	return steal_fd(&fd);
}

/* One request line; pass_fd >= 0 goes along with its first byte (SCM_RIGHTS). */
static int send_line_fd(int fd, const char *line, int pass_fd, err_t **err)
{
	_cleanup_free_ char *msg = xasprintf("%s\n", line);
	size_t len = strlen(msg);
	struct iovec iov = {msg, len};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (pass_fd >= 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &pass_fd, sizeof(int));
	}
	ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
	if (n > 0 && (size_t)n < len) /* the fd went with the first part */
		n += send(fd, msg + n, len - (size_t)n, MSG_NOSIGNAL);
	if (n == (ssize_t)len)
		return 0;
	/* The shim exited between our connect and our request: it is gone. */
	if (errno == EPIPE || errno == ECONNRESET)
		return err_notfound(err, "the shim closed the connection");
	return err_sys(err, "send to the shim");
}

static int send_line(int fd, const char *line, err_t **err)
{
	return send_line_fd(fd, line, -1, err);
}

/* One JSON line; timeout_ms < 0 waits for ever. EOF gives ERR_NOT_FOUND. */
static int read_reply(int fd, int timeout_ms, json_object **reply, err_t **err)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	char c;
	while (sb.len < REPLY_MAX) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return err_set(err, ERR_UNAVAILABLE, ETIMEDOUT, "the shim did not answer");
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return err_notfound(err, "the shim closed the connection");
		if (n < 0)
			return err_sys(err, "read from the shim");
		if (c == '\n')
			break;
		sb_putc(&sb, c);
	}
	*reply = json_parse_strict(sb.buf, sb.len, err);
	return *reply ? 0 : -1;
}

static int check_ok(json_object *reply, err_t **err)
{
	if (jget_bool(reply, "ok", false))
		return 0;
	const char *msg = jget_str(reply, "error");
	bool not_running = msg && strstr(msg, "not running");
	return err_set(err, not_running ? ERR_CONFLICT : ERR_SYSTEM, 0, "%s", msg ? msg : "the shim refused");
}

int shim_call(const char *state_dir, const char *request, json_object **reply, err_t **err)
{
	_cleanup_close_ int fd = shim_connect(state_dir, err);
	if (fd < 0 || send_line(fd, request, err) < 0 || read_reply(fd, CALL_TIMEOUT_MS, reply, err) < 0)
		return -1;
	if (check_ok(*reply, err) < 0) {
		json_object_put(*reply);
		*reply = NULL;
		return -1;
	}
	return 0;
}

/* Hands e on, or a 409 when the shim is gone because the container exited. */
static int gone_or(const char *state_dir, err_t **e, err_t **err)
{
	_cleanup_free_ char *exit = fs_path_join(state_dir, SHIM_EXIT_FILE);
	if ((*e)->kind == ERR_NOT_FOUND && fs_exists(exit))
		return err_conflict(err, "container is not running");
	if (err && !*err)
		*err = steal_ptr(e);
	return -1;
}

int shim_kill(const char *state_dir, int sig, bool all, err_t **err)
{
	char req[64];
	snprintf(req, sizeof(req), "kill %d%s", sig, all ? " all" : "");
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (shim_call(state_dir, req, &reply, &e) == 0)
		return 0;
	return gone_or(state_dir, &e, err);
}

int shim_pause(const char *state_dir, bool pause, err_t **err)
{
	_cleanup_json_ json_object *reply = NULL;
	return shim_call(state_dir, pause ? "pause" : "resume", &reply, err);
}

int shim_status_get(const char *state_dir, shim_status *out, err_t **err)
{
	_cleanup_json_ json_object *reply = NULL;
	if (shim_call(state_dir, "status", &reply, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->pid = (pid_t)jget_int(reply, "pid", -1);
	out->shim_pid = (pid_t)jget_int(reply, "shim_pid", -1);
	out->running = jget_bool(reply, "running", false);
	out->paused = jget_bool(reply, "paused", false);
	const char *t = jget_str(reply, "started_at");
	snprintf(out->started_at, sizeof(out->started_at), "%s", t ? t : "");
	return 0;
}

int shim_read_exit(const char *state_dir, shim_exit *out, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(state_dir, SHIM_EXIT_FILE);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (fs_read_file(path, 1 << 16, &text, &len, err) < 0)
		return -1;
	return shim_exit_parse(text, len, out, err);
}

int shim_watch(const char *state_dir, err_t **err)
{
	_cleanup_close_ int fd = shim_connect(state_dir, err);
	if (fd < 0 || send_line(fd, "wait", err) < 0)
		return -1;
	return steal_fd(&fd);
}

int shim_watch_result(int fd, const char *state_dir, shim_exit *out, err_t **err)
{
	_cleanup_close_ int conn = fd;
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (read_reply(conn, -1, &reply, &e) == 0 && jget_bool(reply, "ok", false)) {
		_cleanup_free_ char *text = xstrdup(jdump(reply));
		return shim_exit_parse(text, strlen(text), out, err);
	}
	/* The shim went away: its exit file is the truth (or it crashed). */
	if (shim_read_exit(state_dir, out, err) == 0)
		return 0;
	return err_wrap(err, "the shim of %s is gone and left no exit file", state_dir);
}

int shim_wait(const char *state_dir, shim_exit *out, err_t **err)
{
	_cleanup_err_ err_t *e = NULL;
	int fd = shim_watch(state_dir, &e);
	if (fd < 0) {
		if (e->kind == ERR_NOT_FOUND && shim_read_exit(state_dir, out, NULL) == 0)
			return 0;
		if (err && !*err)
			*err = steal_ptr(&e);
		return -1;
	}
	return shim_watch_result(fd, state_dir, out, err);
}

int shim_attach(const char *state_dir, bool in, bool out, bool err_stream, bool stdin_once, err_t **err)
{
	char req[96];
	snprintf(req, sizeof(req), "attach%s%s%s%s", in ? " stdin" : "", out ? " stdout" : "",
		 err_stream ? " stderr" : "", stdin_once ? " stdin-once" : "");
	_cleanup_close_ int fd = shim_connect(state_dir, err);
	_cleanup_json_ json_object *reply = NULL;
	if (fd < 0 || send_line(fd, req, err) < 0 || read_reply(fd, CALL_TIMEOUT_MS, &reply, err) < 0 ||
	    check_ok(reply, err) < 0)
		return -1;
	return steal_fd(&fd);
}

int shim_events(const char *state_dir, err_t **err)
{
	_cleanup_close_ int fd = shim_connect(state_dir, err);
	_cleanup_json_ json_object *reply = NULL;
	if (fd < 0 || send_line(fd, "events", err) < 0 || read_reply(fd, CALL_TIMEOUT_MS, &reply, err) < 0 ||
	    check_ok(reply, err) < 0)
		return -1;
	return steal_fd(&fd);
}

int shim_event_read(int fd, json_object **event, err_t **err)
{
	return read_reply(fd, -1, event, err);
}

char *shim_attach_words(const shim_attach_spec *a, char sep)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	const char *words[] = {a->in ? "stdin" : NULL, a->out ? "stdout" : NULL, a->err ? "stderr" : NULL,
			       a->stdin_once ? "stdin-once" : NULL, a->detach ? "detach" : NULL};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (!words[i])
			continue;
		if (sb.len)
			sb_putc(&sb, sep);
		sb_puts(&sb, words[i]);
	}
	if (a->nkeys) {
		if (sb.len)
			sb_putc(&sb, sep);
		sb_puts(&sb, "keys=");
		shim_hex_encode(&sb, a->keys, a->nkeys);
	}
	if (a->ndata) {
		if (sb.len)
			sb_putc(&sb, sep);
		sb_puts(&sb, "data=");
		shim_hex_encode(&sb, a->data, a->ndata);
	}
	return sb_steal(&sb);
}

/* One request with a socket passed along; the reply in *reply. */
static int call_with_fd(const char *state_dir, const char *req, int pass_fd, json_object **reply, err_t **err)
{
	_cleanup_close_ int fd = shim_connect(state_dir, err);
	if (fd < 0 || send_line_fd(fd, req, pass_fd, err) < 0 || read_reply(fd, CALL_TIMEOUT_MS, reply, err) < 0)
		return -1;
	if (check_ok(*reply, err) < 0) {
		json_object_put(*reply);
		*reply = NULL;
		return -1;
	}
	return 0;
}

int shim_attach_fd(const char *state_dir, int fd, const char *opts, err_t **err)
{
	_cleanup_free_ char *req = xasprintf("attach %s", opts);
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (call_with_fd(state_dir, req, fd, &reply, &e) == 0)
		return 0;
	return gone_or(state_dir, &e, err);
}

int shim_exec_start(const char *state_dir, const char *id, int fd, const char *opts, pid_t *pid,
		    int *exit_code, char **error, err_t **err)
{
	_cleanup_free_ char *req = xasprintf("exec %s %s", id, opts ? opts : "");
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_err_ err_t *e = NULL;
	*pid = -1;
	*exit_code = 0;
	*error = NULL;
	if (call_with_fd(state_dir, req, fd, &reply, &e) < 0)
		return gone_or(state_dir, &e, err);
	*pid = (pid_t)jget_int(reply, "pid", -1);
	if (*pid <= 0) {
		*exit_code = (int)jget_int(reply, "exit_code", 126);
		const char *m = jget_str(reply, "error");
		*error = xstrdup(m ? m : "the exec failed to start");
	}
	return 0;
}

int shim_exec_status(const char *state_dir, const char *id, shim_exec_state *out, err_t **err)
{
	_cleanup_free_ char *req = xasprintf("exec-status %s", id);
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (shim_call(state_dir, req, &reply, &e) < 0) {
		if (e->kind == ERR_SYSTEM && strstr(e->msg, "no such exec"))
			e->kind = ERR_NOT_FOUND;
		if (err && !*err)
			*err = steal_ptr(&e);
		return -1;
	}
	out->running = jget_bool(reply, "running", false);
	out->pid = (pid_t)jget_int(reply, "pid", -1);
	out->exit_code = (int)jget_int(reply, "exit_code", 0);
	return 0;
}

int shim_resize(const char *state_dir, const char *exec_id, unsigned h, unsigned w, err_t **err)
{
	_cleanup_free_ char *req = xasprintf("resize %u %u%s%s", h, w, exec_id ? " " : "", exec_id ? exec_id : "");
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (shim_call(state_dir, req, &reply, &e) == 0)
		return 0;
	if (e->kind == ERR_SYSTEM && strstr(e->msg, "no tty"))
		e->kind = ERR_INVALID;
	return gone_or(state_dir, &e, err);
}
