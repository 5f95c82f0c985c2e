/* exec.c: processes started in the running container (docker exec). The
 * shim starts them (runtime_exec_in: the container's namespaces, cgroup,
 * seccomp profile, rlimits, and its capabilities unless privileged), holds
 * their stdio or pty, serves the client attached to them, reaps them and
 * tells the events stream {"event":"exec-exit","id":..,"exit_code":N}.
 * They are the shim's children, not engined's: an engined restart leaves
 * them and their clients' streams running.
 *
 * The process comes from <state>/exec-ID.json (shim_proto.h), written by
 * engined; it inherits what the container's process has (env, user, cwd,
 * caps, rlimits, no_new_privs) where the file does not say otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "shim.h"
#include "xalloc.h"

#define EXEC_FILE_MAX (4u << 20)

/* An exec's process: a shallow copy of the container's with our own args,
 * env, cwd and user (owned here). */
typedef struct exec_proc {
	rt_process p;
	char **args, **env;
	char *cwd, *user;
} exec_proc;

static void exec_proc_done(exec_proc *e)
{
	strv_free(e->args);
	strv_free(e->env);
	free(e->cwd);
	free(e->user);
}

static size_t env_key_len(const char *kv)
{
	return strcspn(kv, "=");
}

static ssize_t env_index(char **env, size_t n, const char *kv)
{
	size_t kl = env_key_len(kv);
	for (size_t i = 0; i < n; i++)
		if (env_key_len(env[i]) == kl && !strncmp(env[i], kv, kl))
			return (ssize_t)i;
	return -1;
}

/* moby's ReplaceOrAppendEnvValues: "K=V" replaces or appends, "K" removes. */
static char **merge_env(char *const *base, bool tty, json_object *add)
{
	size_t nb = 0, na = add ? json_object_array_length(add) : 0;
	while (base && base[nb])
		nb++;
	char **env = xcalloc(nb + na + 2, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < nb; i++)
		env[n++] = xstrdup(base[i]);
	if (tty && env_index(env, n, "TERM=") < 0)
		env[n++] = xstrdup("TERM=xterm");
	for (size_t i = 0; i < na; i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(add, i));
		if (!kv || !*kv)
			continue;
		ssize_t at = env_index(env, n, kv);
		if (!strchr(kv, '=')) {
			if (at >= 0) {
				free(env[at]);
				memmove(env + at, env + at + 1, (n - (size_t)at) * sizeof(char *));
				n--;
			}
			continue;
		}
		if (at >= 0) {
			free(env[at]);
			env[at] = xstrdup(kv);
		} else {
			env[n++] = xstrdup(kv);
		}
	}
	env[n] = NULL;
	return env;
}

static int load_exec(shim *s, const char *id, exec_proc *e, err_t **err)
{
	_cleanup_free_ char *path = shim_exec_path(s->o->state_dir, id);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (fs_read_file(path, EXEC_FILE_MAX, &text, &len, err) < 0)
		return -1;
	_cleanup_json_ json_object *o = json_parse_strict(text, len, err);
	if (!o)
		return -1;
	_cleanup_err_ err_t *ignored = NULL;
	e->args = jarr_to_strv(jget_arr(o, "args"), "args", &ignored);
	if (!e->args || !e->args[0] || !e->args[0][0])
		return err_invalid(err, "No exec command specified");
	e->p = s->spec->process;
	e->p.args = e->args;
	e->p.terminal = jget_bool(o, "terminal", false);
	e->env = merge_env(s->spec->process.env, e->p.terminal, jget_arr(o, "env"));
	e->p.env = e->env;
	const char *cwd = jget_str(o, "cwd");
	if (cwd && *cwd) {
		if (cwd[0] != '/')
			return err_invalid(err, "the working directory '%s' is invalid, it needs to be an absolute path", cwd);
		e->cwd = xstrdup(cwd);
		e->p.cwd = e->cwd;
	}
	const char *user = jget_str(o, "user");
	if (user && *user) {
		e->user = xstrdup(user);
		e->p.user.name = e->user;
	}
	if (jget_bool(o, "privileged", false)) {
		e->p.has_caps = true;
		e->p.caps = (rt_caps){.bounding = ~0ULL, .effective = ~0ULL, .permitted = ~0ULL};
	}
	json_object *cs = jget_arr(o, "console_size");
	if (cs && json_object_array_length(cs) == 2) {
		int64_t h = json_object_get_int64(json_object_array_get_idx(cs, 0));
		int64_t w = json_object_get_int64(json_object_array_get_idx(cs, 1));
		if (h > 0 && w > 0 && h <= 65535 && w <= 65535) {
			e->p.console_height = (uint16_t)h;
			e->p.console_width = (uint16_t)w;
		}
	}
	return 0;
}

sexec *exec_find(shim *s, const char *id)
{
	for (int i = 0; i < SHIM_MAX_EXECS; i++)
		if (s->execs[i].id && !strcmp(s->execs[i].id, id))
			return &s->execs[i];
	return NULL;
}

static const exec_done *done_find(const shim *s, const char *id)
{
	size_t n = s->n_done < SHIM_EXEC_HISTORY ? s->n_done : SHIM_EXEC_HISTORY;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s->done[i].id, id))
			return &s->done[i];
	return NULL;
}

static void remember(shim *s, const char *id, pid_t pid, int code)
{
	exec_done *d = &s->done[s->n_done++ % SHIM_EXEC_HISTORY];
	snprintf(d->id, sizeof(d->id), "%s", id);
	d->pid = pid;
	d->exit_code = code;
}

/* Pipes for the streams the exec has (-1: /dev/null); our ends non-blocking. */
static int make_stdio(pstdio *io, bool in, bool out, bool err_stream, rt_stdio *child, err_t **err)
{
	int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
	bool want[3] = {in, out, err_stream};
	for (int i = 0; i < 3; i++) {
		if (want[i] && pipe2(p[i], O_CLOEXEC) < 0) {
			for (int j = 0; j < i; j++) {
				close(p[j][0]);
				close(p[j][1]);
			}
			return err_sys(err, "pipe");
		}
	}
	io->in_fd = p[0][1];
	io->out_fd = p[1][0];
	io->err_fd = p[2][0];
	int ours[3] = {io->in_fd, io->out_fd, io->err_fd};
	for (int i = 0; i < 3; i++)
		if (ours[i] >= 0)
			fcntl(ours[i], F_SETFL, O_NONBLOCK);
	for (int i = 1; i < 3; i++)
		if (ours[i] >= 0)
			fcntl(ours[i], F_SETPIPE_SZ, SHIM_PIPE_SIZE);
	*child = (rt_stdio){.in = p[0][0], .out = p[1][1], .err = p[2][1]};
	return 0;
}

static void close_child(rt_stdio *c)
{
	int fds[3] = {c->in, c->out, c->err};
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* moby writes a failed exec's error into the stream, as stdout. */
static void tell_client(int fd, bool tty, const char *msg)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	size_t n = strlen(msg) + 2;
	if (!tty) {
		unsigned char hdr[8] = {1, 0, 0, 0, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
					(unsigned char)(n >> 8), (unsigned char)n};
		sb_append(&sb, hdr, sizeof(hdr));
	}
	sb_printf(&sb, "%s\r\n", msg);
	(void)!send(fd, sb.buf, sb.len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void reply_started(shim *s, client *c, pid_t pid)
{
	char line[64];
	snprintf(line, sizeof(line), "{\"ok\":true,\"pid\":%d}\n", (int)pid);
	ctl_send(s, c, line);
}

static void reply_failed(shim *s, client *c, int code, const char *msg)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "{\"ok\":true,\"pid\":-1,\"exit_code\":%d,\"error\":", code);
	jsonlog_escape(&sb, msg, strlen(msg));
	sb_puts(&sb, "}\n");
	ctl_send(s, c, sb.buf);
}

static void reply_error(shim *s, client *c, const char *msg)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "{\"ok\":false,\"error\":");
	jsonlog_escape(&sb, msg, strlen(msg));
	sb_puts(&sb, "}\n");
	ctl_send(s, c, sb.buf);
}

static int free_slot(shim *s)
{
	for (int i = 0; i < SHIM_MAX_EXECS; i++)
		if (!s->execs[i].id)
			return i;
	return -1;
}

void exec_start(shim *s, client *c, const char *id, attach_opts *a, int client_fd)
{
	_cleanup_close_ int cfd = client_fd;
	if (!s->running || s->exited)
		return reply_error(s, c, "container is not running");
	if (s->paused)
		return reply_error(s, c, "container is paused");
	if (exec_find(s, id) || done_find(s, id))
		return reply_error(s, c, "exec already started");
	int slot = free_slot(s);
	if (slot < 0)
		return reply_error(s, c, "too many execs running");
	exec_proc ep = {0};
	_cleanup_err_ err_t *err = NULL;
	sexec *e = &s->execs[slot];
	pstdio_init(&e->io);
	bool attached = cfd >= 0 && !a->detach;
	rt_stdio child = RT_STDIO_NULL;
	pid_t pid = -1;
	int console = -1;
	int r = load_exec(s, id, &ep, &err);
	if (r == 0)
		r = make_stdio(&e->io, attached && a->in && !ep.p.terminal, attached && a->out && !ep.p.terminal,
			       attached && a->err && !ep.p.terminal, &child, &err);
	if (r == 0)
		r = runtime_exec_in(s->spec, &s->cfg, &ep.p, s->pid, &child, &pid, &console, &err);
	close_child(&child);
	bool tty = ep.p.terminal;
	exec_proc_done(&ep);
	if (r < 0) {
		pstdio_close(&e->io);
		int code = runtime_start_exit_code(err);
		_cleanup_free_ char *msg = xasprintf("OCI runtime exec failed: exec failed: unable to start container process: %s: unknown",
						     err_msg(err));
		if (cfd >= 0)
			tell_client(cfd, tty, msg);
		remember(s, id, -1, code);
		return reply_failed(s, c, code, err_msg(err));
	}
	if (console >= 0) { /* the pty is all of its stdio */
		fcntl(console, F_SETFL, O_NONBLOCK);
		e->io.console = console;
		e->io.out_fd = console;
		e->io.in_fd = attached && a->in ? fcntl(console, F_DUPFD_CLOEXEC, 3) : -1;
	}
	e->io.tty = tty;
	e->id = xstrdup(id);
	e->pid = pid;
	e->running = true;
	if (attached) {
		client *n = ctl_client_new(s, cfd);
		if (n) {
			cfd = -1;
			fcntl(n->fd, F_SETFL, fcntl(n->fd, F_GETFL) | O_NONBLOCK);
			attach_begin(s, n, slot + 1, a);
		}
	}
	reply_started(s, c, pid);
}

void exec_status(shim *s, client *c, const char *id)
{
	char line[128];
	sexec *e = exec_find(s, id);
	const exec_done *d = e ? NULL : done_find(s, id);
	if (e && e->running)
		snprintf(line, sizeof(line), "{\"ok\":true,\"running\":true,\"pid\":%d}\n", (int)e->pid);
	else if (e)
		snprintf(line, sizeof(line), "{\"ok\":true,\"running\":false,\"pid\":%d,\"exit_code\":%d}\n",
			 (int)e->pid, e->exit_code);
	else if (d)
		snprintf(line, sizeof(line), "{\"ok\":true,\"running\":false,\"pid\":%d,\"exit_code\":%d}\n",
			 (int)d->pid, d->exit_code);
	else
		return reply_error(s, c, "no such exec");
	ctl_send(s, c, line);
}

bool exec_reaped(shim *s, pid_t pid, int status)
{
	for (int i = 0; i < SHIM_MAX_EXECS; i++) {
		sexec *e = &s->execs[i];
		if (!e->id || !e->running || e->pid != pid)
			continue;
		e->running = false;
		e->exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
		clock_gettime(CLOCK_MONOTONIC, &e->exited_mono);
		return true;
	}
	return false;
}

void exec_reap_done(shim *s)
{
	for (int i = 0; i < SHIM_MAX_EXECS; i++) {
		sexec *e = &s->execs[i];
		if (!e->id || e->running)
			continue;
		bool drained = e->io.out_fd < 0 && e->io.err_fd < 0;
		if (!drained && shim_ms_since(&e->exited_mono) <= SHIM_DRAIN_MS)
			continue;
		remember(s, e->id, e->pid, e->exit_code);
		char line[160];
		snprintf(line, sizeof(line), "{\"event\":\"exec-exit\",\"id\":\"%s\",\"exit_code\":%d,\"pid\":%d}\n", e->id,
			 e->exit_code, (int)e->pid);
		attach_end_all(s, i + 1);
		pstdio_close(&e->io);
		free(e->id);
		e->id = NULL;
		ctl_notify_event(s, line);
	}
}

int exec_running_count(const shim *s)
{
	int n = 0;
	for (int i = 0; i < SHIM_MAX_EXECS; i++)
		n += s->execs[i].id != NULL;
	return n;
}
