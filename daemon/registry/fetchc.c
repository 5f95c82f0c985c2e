/* fetchc.c: see fetchc.h. A reader thread parses the helper's events and
 * updates the calls under one mutex; callers sleep on one condition
 * variable. Requests are single JSON lines written under the mutex. */
#include "fetchc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "xalloc.h"

#ifndef ENGINE_LIBEXECDIR
#define ENGINE_LIBEXECDIR "/usr/local/libexec/engine"
#endif

extern char **environ;

struct fx_call {
	fx *f;
	int64_t id;
	int64_t n;
	int restarts;
	bool done;
	bool abandoned;
	fx_resp resp;
	struct fx_call *next;
};

struct fx {
	pid_t pid;
	int in_fd, out_fd;
	pthread_t reader;
	bool reader_running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	fx_call *calls;
	int64_t next_id;
	bool dead;
};

void fx_resp_free(fx_resp *r)
{
	if (!r)
		return;
	free(r->error);
	if (r->headers)
		json_object_put(r->headers);
	sb_free(&r->body);
	free(r->url);
	memset(r, 0, sizeof(*r));
}

const char *fx_header(const fx_resp *r, const char *name)
{
	for (size_t i = 0; r->headers && i < json_object_array_length(r->headers); i++) {
		json_object *p = json_object_array_get_idx(r->headers, i);
		if (!strcmp(json_object_get_string(json_object_array_get_idx(p, 0)), name))
			return json_object_get_string(json_object_array_get_idx(p, 1));
	}
	return NULL;
}

const char **fx_header_all(const fx_resp *r, const char *name)
{
	size_t n = r->headers ? json_object_array_length(r->headers) : 0, k = 0;
	const char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(r->headers, i);
		if (!strcmp(json_object_get_string(json_object_array_get_idx(p, 0)), name))
			v[k++] = json_object_get_string(json_object_array_get_idx(p, 1));
	}
	return v;
}

/* ---- the reader thread ---- */

static fx_call *find_locked(fx *f, int64_t id)
{
	for (fx_call *c = f->calls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void unlink_locked(fx *f, fx_call *c)
{
	for (fx_call **p = &f->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

static void free_call(fx_call *c)
{
	fx_resp_free(&c->resp);
	free(c);
}

static void take_event(fx *f, json_object *o)
{
	const char *ev = jget_str(o, "ev");
	fx_call *c = find_locked(f, jget_int(o, "id", -1));
	if (!c || !ev)
		return;
	if (!strcmp(ev, "progress")) {
		c->n = jget_int(o, "n", c->n);
	} else if (!strcmp(ev, "restart")) {
		c->restarts++;
		c->n = 0;
	} else if (!strcmp(ev, "done") || !strcmp(ev, "error")) {
		c->done = true;
		if (!strcmp(ev, "error")) {
			c->resp.error = xstrdup(jget_str(o, "msg") ? jget_str(o, "msg") : "failed");
		} else {
			c->resp.status = (int)jget_int(o, "status", 0);
			c->resp.headers = json_object_get(jget_arr(o, "headers"));
			const char *b = jget_str(o, "body");
			size_t len = 0;
			_cleanup_free_ unsigned char *raw = b ? base64_decode(b, strlen(b), &len) : NULL;
			if (raw)
				sb_append(&c->resp.body, (const char *)raw, len);
			c->resp.n = jget_int(o, "n", 0);
			c->n = c->resp.n;
			c->resp.url = xstrdup(jget_str(o, "url") ? jget_str(o, "url") : "");
		}
		if (c->abandoned) {
			unlink_locked(f, c);
			free_call(c);
		}
	}
}

static void *reader_main(void *arg)
{
	fx *f = arg;
	strbuf line = STRBUF_INIT;
	char buf[65536];
	for (;;) {
		ssize_t n = read(f->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				sb_putc(&line, buf[i]);
				continue;
			}
			_cleanup_err_ err_t *err = NULL;
			_cleanup_json_ json_object *o = line.len ? json_parse_strict(line.buf, line.len, &err) : NULL;
			sb_reset(&line);
			if (!o)
				continue;
			pthread_mutex_lock(&f->mu);
			take_event(f, o);
			pthread_cond_broadcast(&f->cv);
			pthread_mutex_unlock(&f->mu);
		}
	}
	sb_free(&line);
	pthread_mutex_lock(&f->mu);
	f->dead = true;
	for (fx_call *c = f->calls, *nx; c; c = nx) {
		nx = c->next;
		if (c->done)
			continue;
		c->done = true;
		c->resp.error = xstrdup("the registry client (engine-fetch) exited unexpectedly");
		if (c->abandoned) {
			unlink_locked(f, c);
			free_call(c);
		}
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* ---- the helper process ---- */

static char *helper_path(void)
{
	const char *env = getenv("ENGINE_FETCH_BIN");
	if (env && *env)
		return xstrdup(env);
	return fs_helper_path("engine-fetch", ENGINE_LIBEXECDIR);
}

fx *fx_start(err_t **err)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return err_sys(err, "start the registry client: pipe"), NULL;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return err_sys(err, "start the registry client: pipe"), NULL;
	}
	_cleanup_free_ char *path = helper_path();
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none, def;
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	char *argv[] = {"engine-fetch", NULL};
	pid_t pid;
	int r = posix_spawn(&pid, path, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(in[0]);
	close(out[1]);
	if (r != 0) {
		close(in[1]);
		close(out[0]);
		errno = r;
		err_sys(err, "start the registry client %s", path);
		return NULL;
	}
	fx *f = xcalloc(1, sizeof(*f));
	f->pid = pid;
	f->in_fd = in[1];
	f->out_fd = out[0];
	f->next_id = 1;
	pthread_mutex_init(&f->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&f->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&f->reader, NULL, reader_main, f) != 0) {
		err_set(err, ERR_SYSTEM, 0, "start the registry client: no thread");
		f->dead = true;
		fx_stop(f);
		return NULL;
	}
	f->reader_running = true;
	return f;
}

void fx_stop(fx *f)
{
	if (!f)
		return;
	if (f->in_fd >= 0)
		close(f->in_fd); /* the helper sees the end of stdin and exits */
	f->in_fd = -1;
	if (f->reader_running)
		pthread_join(f->reader, NULL);
	close(f->out_fd);
	for (int i = 0; i < 500; i++) { /* it exits within its poll interval */
		pid_t r = waitpid(f->pid, NULL, WNOHANG);
		if (r == f->pid || (r < 0 && errno != EINTR))
			break;
		if (i == 499) {
			kill(f->pid, SIGKILL);
			waitpid(f->pid, NULL, 0);
		}
		struct timespec ts = {0, 10 * 1000000};
		nanosleep(&ts, NULL);
	}
	for (fx_call *c = f->calls, *nx; c; c = nx) {
		nx = c->next;
		free_call(c);
	}
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}

/* ---- calls ---- */

static json_object *request_json(const fx_req *r, int64_t id)
{
	json_object *o = json_object_new_object();
	jset_int(o, "id", id);
	jset_str(o, "method", r->method);
	jset_str(o, "url", r->url);
	json_object *h = json_object_new_array();
	for (char **p = r->headers; p && *p; p++)
		json_object_array_add(h, json_object_new_string(*p));
	jset(o, "headers", h);
	if (r->body_file) {
		json_object *b = json_object_new_object();
		jset_str(b, "file", r->body_file);
		jset_int(b, "offset", r->body_off);
		jset_int(b, "length", r->body_size);
		jset(o, "body", b);
	} else if (r->has_body || r->body) {
		json_object *b = json_object_new_object();
		_cleanup_free_ char *d = base64_encode(r->body ? r->body : "", r->body_len, false);
		jset_str(b, "data", d);
		jset(o, "body", b);
	}
	if (r->out_file) {
		json_object *out = json_object_new_object();
		jset_str(out, "file", r->out_file);
		jset_int(out, "offset", r->out_off);
		jset(o, "out", out);
	}
	if (r->max)
		jset_int(o, "max", (int64_t)r->max);
	if (r->insecure)
		jset_bool(o, "insecure", true);
	if (r->no_follow)
		jset_bool(o, "follow", false);
	if (r->stall)
		jset_int(o, "stall", r->stall);
	if (r->cafile)
		jset_str(o, "cafile", r->cafile);
	if (r->certfile && r->keyfile) {
		jset_str(o, "certfile", r->certfile);
		jset_str(o, "keyfile", r->keyfile);
	}
	return o;
}

static int write_line_locked(fx *f, json_object *o)
{
	const char *s = jdump(o);
	size_t n = strlen(s);
	_cleanup_free_ char *line = xmalloc(n + 2);
	memcpy(line, s, n);
	line[n] = '\n';
	for (size_t off = 0; off < n + 1;) {
		ssize_t w = write(f->in_fd, line + off, n + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

fx_call *fx_send(fx *f, const fx_req *r, err_t **err)
{
	pthread_mutex_lock(&f->mu);
	if (f->dead || f->in_fd < 0) {
		pthread_mutex_unlock(&f->mu);
		err_set(err, ERR_SYSTEM, 0, "the registry client (engine-fetch) is not running");
		return NULL;
	}
	fx_call *c = xcalloc(1, sizeof(*c));
	c->f = f;
	c->id = f->next_id++;
	_cleanup_json_ json_object *o = request_json(r, c->id);
	if (write_line_locked(f, o) < 0) {
		pthread_mutex_unlock(&f->mu);
		free(c);
		err_set(err, ERR_SYSTEM, errno, "talk to the registry client (engine-fetch)");
		return NULL;
	}
	c->next = f->calls;
	f->calls = c;
	pthread_mutex_unlock(&f->mu);
	return c;
}

int64_t fx_wait(fx_call *c, int64_t seen, int timeout_ms, bool *done, int *restarts)
{
	fx *f = c->f;
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	if (timeout_ms >= 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&f->mu);
	int start_restarts = c->restarts;
	while (!c->done && c->n <= seen && c->restarts == start_restarts) {
		if (timeout_ms < 0)
			pthread_cond_wait(&f->cv, &f->mu);
		else if (pthread_cond_timedwait(&f->cv, &f->mu, &dl) == ETIMEDOUT)
			break;
	}
	int64_t n = c->n;
	if (done)
		*done = c->done;
	if (restarts)
		*restarts = c->restarts;
	pthread_mutex_unlock(&f->mu);
	return n;
}

void fx_poke(fx_call *c)
{
	pthread_mutex_lock(&c->f->mu);
	pthread_cond_broadcast(&c->f->cv);
	pthread_mutex_unlock(&c->f->mu);
}

void fx_finish(fx_call *c, fx_resp *resp)
{
	fx *f = c->f;
	pthread_mutex_lock(&f->mu);
	while (!c->done)
		pthread_cond_wait(&f->cv, &f->mu);
	unlink_locked(f, c);
	pthread_mutex_unlock(&f->mu);
	*resp = c->resp;
	memset(&c->resp, 0, sizeof(c->resp));
	free(c);
}

void fx_cancel(fx_call *c)
{
	if (!c)
		return;
	fx *f = c->f;
	pthread_mutex_lock(&f->mu);
	if (c->done || f->dead || f->in_fd < 0) {
		unlink_locked(f, c);
		free_call(c);
	} else {
		c->abandoned = true; /* freed by the reader when the helper confirms */
		json_object *o = json_object_new_object();
		jset_int(o, "cancel", c->id);
		write_line_locked(f, o);
		json_object_put(o);
	}
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

int fx_do(fx *f, const fx_req *r, fx_resp *resp, err_t **err)
{
	fx_call *c = fx_send(f, r, err);
	if (!c)
		return -1;
	fx_finish(c, resp);
	return 0;
}
