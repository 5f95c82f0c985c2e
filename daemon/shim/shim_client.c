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

static int send_line(int fd, const char *line, err_t **err)
{
	_cleanup_free_ char *msg = xasprintf("%s\n", line);
	size_t len = strlen(msg);
	if (send(fd, msg, len, MSG_NOSIGNAL) == (ssize_t)len)
		return 0;
	/* The shim exited between our connect and our request: it is gone. */
	if (errno == EPIPE || errno == ECONNRESET)
		return err_notfound(err, "the shim closed the connection");
	return err_sys(err, "send to the shim");
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
