/* execs.c: docker exec. engined keeps the exec records (what /exec/{id}/json
 * shows, the container's ExecIDs); the container's shim runs the processes
 * and serves their streams (exec.c in the shim), so a running exec and its
 * client survive an engined restart. At the start the record is written to
 * <state-dir>/exec-ID.json, which is both what the shim runs and what a
 * restarted engined reads back. The shim is asked about running execs (it
 * knows their exit before the client sees the end of the stream), and its
 * events stream reports their ends for exec_die.
 *
 * As in moby, the records of a container go when it stops. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "detachkeys.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "names.h"
#include "shim_client.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_EXITED_PER_CONTAINER 64 /* older finished execs are forgotten */

struct exec_table {
	pthread_mutex_t lock; /* guards the list and every record's state; a leaf lock */
	ctr_exec **items;
	size_t n, cap;
	uint64_t seq;
};

exec_table *exec_table_new(void)
{
	exec_table *x = xcalloc(1, sizeof(*x));
	pthread_mutex_init(&x->lock, NULL);
	return x;
}

void ctr_exec_unref(ctr_exec *e)
{
	if (!e || __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	container_unref(e->c);
	if (e->config)
		json_object_put(e->config);
	free(e);
}

void exec_table_free(exec_table *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		ctr_exec_unref(x->items[i]);
	free(x->items);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

static void add_locked(exec_table *x, ctr_exec *e)
{
	x->items = xgrow(x->items, &x->cap, x->n + 1, sizeof(*x->items));
	x->items[x->n++] = e;
	e->seq = ++x->seq;
}

static void remove_at(exec_table *x, size_t i)
{
	ctr_exec_unref(x->items[i]);
	memmove(x->items + i, x->items + i + 1, (x->n - i - 1) * sizeof(*x->items));
	x->n--;
}

/* Forgets the oldest finished execs of c beyond the limit (lock held). */
static void trim_locked(exec_table *x, container *c)
{
	size_t done = 0;
	for (size_t i = 0; i < x->n; i++)
		done += x->items[i]->c == c && x->items[i]->has_exit;
	for (size_t i = 0; i < x->n && done > MAX_EXITED_PER_CONTAINER;) {
		if (x->items[i]->c == c && x->items[i]->has_exit) {
			remove_at(x, i);
			done--;
		} else {
			i++;
		}
	}
}

/* "exec_create: sh -c ls", as moby names the action. */
static char *action_text(const char *verb, json_object *cmd)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "%s:", verb);
	for (size_t i = 0; i < json_object_array_length(cmd); i++)
		sb_printf(&sb, " %s", json_object_get_string(json_object_array_get_idx(cmd, i)));
	if (json_object_array_length(cmd) == 1)
		sb_putc(&sb, ' '); /* entrypoint + " " + the (no) arguments */
	return sb_steal(&sb);
}

static void exec_event(ctr_table *t, ctr_exec *e, const char *action, json_object *extra)
{
	json_object *a = extra ? extra : json_object_new_object();
	jset_str(a, "execID", e->id);
	ctr_event(t, e->c, action, a);
}

static int check_active(container *c, err_t **err)
{
	pthread_mutex_lock(&c->lock);
	cstate s = c->state;
	pthread_mutex_unlock(&c->lock);
	if (s == CS_PAUSED)
		return err_conflict(err, "Container %s is paused, unpause the container before exec", c->id);
	if (s == CS_RESTARTING)
		return err_conflict(err, "Container %s is restarting, wait until the container is running", c->id);
	if (s != CS_RUNNING)
		return err_conflict(err, "Container %s is not running", c->id);
	return 0;
}

static int check_type(json_object *body, const char *key, json_type want, err_t **err)
{
	json_object *v = jget(body, key);
	if (!v || json_object_is_type(v, json_type_null) || json_object_is_type(v, want))
		return 0;
	return err_invalid(err, "json: cannot unmarshal %s into Go struct field ExecConfig.%s",
			   json_type_to_name(json_object_get_type(v)), key);
}

/* The create body as we keep it: typed, Cmd as an array. */
static json_object *normalize(json_object *body, err_t **err)
{
	static const struct {
		const char *key;
		json_type type;
	} fields[] = {
		{"Env", json_type_array},        {"WorkingDir", json_type_string}, {"User", json_type_string},
		{"Privileged", json_type_boolean}, {"Tty", json_type_boolean},      {"AttachStdin", json_type_boolean},
		{"AttachStdout", json_type_boolean}, {"AttachStderr", json_type_boolean},
		{"DetachKeys", json_type_string}, {"ConsoleSize", json_type_array},
	};
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (check_type(body, fields[i].key, fields[i].type, err) < 0)
			return NULL;
	json_object *cmd = jget(body, "Cmd");
	_cleanup_strv_ char **argv = NULL;
	if (cmd && json_object_is_type(cmd, json_type_string)) {
		argv = xcalloc(2, sizeof(char *));
		argv[0] = xstrdup(json_object_get_string(cmd));
	} else if (cmd && !json_object_is_type(cmd, json_type_null)) {
		argv = jarr_to_strv(cmd, "Cmd", err);
		if (!argv)
			return NULL;
	}
	if (!argv || !argv[0])
		return err_invalid(err, "No exec command specified"), NULL;
	_cleanup_strv_ char **env = jget_arr(body, "Env") ? jarr_to_strv(jget_arr(body, "Env"), "Env", err) : NULL;
	if (jget_arr(body, "Env") && !env)
		return NULL;
	json_object *o = json_object_new_object();
	jset(o, "Cmd", jstrv(argv));
	jset(o, "Env", jstrv(env));
	jset_str(o, "WorkingDir", jget_str(body, "WorkingDir"));
	jset_str(o, "User", jget_str(body, "User"));
	static const char *const bools[] = {"Privileged", "Tty", "AttachStdin", "AttachStdout", "AttachStderr"};
	for (size_t i = 0; i < ARRAY_SIZE(bools); i++)
		jset_bool(o, bools[i], jget_bool(body, bools[i], false));
	jset_str(o, "DetachKeys", jget_str(body, "DetachKeys"));
	json_object *cs = jget_arr(body, "ConsoleSize");
	jset(o, "ConsoleSize", cs && json_object_array_length(cs) == 2 ? jclone(cs) : NULL);
	return o;
}

char *ctr_exec_create(ctr_table *t, container *c, json_object *body, err_t **err)
{
	if (check_active(c, err) < 0)
		return NULL;
	_cleanup_json_ json_object *cfg = normalize(body, err);
	if (!cfg)
		return NULL;
	const char *keys = jget_str(cfg, "DetachKeys");
	unsigned char kb[DETACH_KEYS_MAX];
	if (keys && *keys && detach_keys_parse(keys, kb, NULL) < 0) {
		err_invalid(err, "Invalid escape keys (%s) provided", keys);
		return NULL;
	}
	ctr_exec *e = xcalloc(1, sizeof(*e));
	e->refs = 1;
	names_new_id(e->id);
	container_ref(c);
	e->c = c;
	e->config = steal_ptr(&cfg);
	pthread_mutex_lock(&t->execs->lock);
	add_locked(t->execs, e);
	pthread_mutex_unlock(&t->execs->lock);
	_cleanup_free_ char *action = action_text("exec_create", jget_arr(e->config, "Cmd"));
	exec_event(t, e, action, NULL);
	return xstrdup(e->id);
}

ctr_exec *ctr_exec_find(ctr_table *t, const char *id, err_t **err)
{
	exec_table *x = t->execs;
	ctr_exec *found = NULL;
	pthread_mutex_lock(&x->lock);
	for (size_t i = 0; i < x->n && !found; i++)
		if (!strcmp(x->items[i]->id, id))
			found = x->items[i];
	if (found)
		__atomic_add_fetch(&found->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&x->lock);
	if (!found)
		err_set(err, ERR_NOT_FOUND, 0, "No such exec instance: %s", id);
	return found;
}

bool ctr_exec_started(ctr_table *t, ctr_exec *e)
{
	pthread_mutex_lock(&t->execs->lock);
	bool started = e->started || e->has_exit;
	pthread_mutex_unlock(&t->execs->lock);
	return started;
}

bool ctr_exec_tty(ctr_exec *e)
{
	return jget_bool(e->config, "Tty", false);
}

/* The detach keys of an exec: its own, else the daemon's, else ctrl-p,ctrl-q. */
static size_t exec_keys(ctr_table *t, ctr_exec *e, unsigned char out[DETACH_KEYS_MAX])
{
	const char *own = jget_str(e->config, "DetachKeys");
	engine_config *cfg = engine_config_get(t->eng);
	const char *keys = own && *own ? own : cfg->detach_keys && *cfg->detach_keys ? cfg->detach_keys
										    : DETACH_KEYS_DEFAULT;
	int n = detach_keys_parse(keys, out, NULL);
	if (n < 0)
		n = detach_keys_parse(DETACH_KEYS_DEFAULT, out, NULL);
	config_free(cfg);
	return (size_t)n;
}

/* The file the shim runs, which is also the record a restarted engined reads. */
static int write_exec_file(ctr_exec *e, json_object *console_size, err_t **err)
{
	json_object *cfg = e->config;
	_cleanup_json_ json_object *f = json_object_new_object();
	jset(f, "args", jclone(jget_arr(cfg, "Cmd")));
	jset(f, "env", jclone(jget_arr(cfg, "Env")));
	jset_str(f, "cwd", jget_str(cfg, "WorkingDir"));
	jset_str(f, "user", jget_str(cfg, "User"));
	jset_bool(f, "terminal", jget_bool(cfg, "Tty", false));
	jset_bool(f, "privileged", jget_bool(cfg, "Privileged", false));
	json_object *cs = console_size ? console_size : jget_arr(cfg, "ConsoleSize");
	if (cs)
		jset(f, "console_size", jclone(cs));
	jset(f, "config", jclone(cfg));
	_cleanup_free_ char *name = xasprintf("exec-%s.json", e->id);
	_cleanup_free_ char *text = xasprintf("%s\n", jdump(f));
	return shim_write_file(e->c->state_dir, name, text, err);
}

/* The shim starts the process; fd (or -1) becomes its client's stream. */
static int run_in_shim(ctr_table *t, ctr_exec *e, int fd, bool detach, err_t **err)
{
	unsigned char keys[DETACH_KEYS_MAX];
	json_object *cfg = e->config;
	shim_attach_spec a = {
		.in = jget_bool(cfg, "AttachStdin", false), .out = jget_bool(cfg, "AttachStdout", false),
		.err = jget_bool(cfg, "AttachStderr", false), .stdin_once = true, .detach = detach || fd < 0,
		.keys = keys, .nkeys = exec_keys(t, e, keys),
	};
	_cleanup_free_ char *words = shim_attach_words(&a, ' ');
	_cleanup_free_ char *msg = NULL;
	pid_t pid = -1;
	int code = 0;
	if (shim_exec_start(e->c->state_dir, e->id, detach ? -1 : fd, words, &pid, &code, &msg, err) < 0) {
		if ((*err)->kind == ERR_CONFLICT || (*err)->kind == ERR_NOT_FOUND) {
			err_free(err);
			err_conflict(err, "Container %s is not running", e->c->id);
		}
		return -1;
	}
	pthread_mutex_lock(&t->execs->lock);
	e->pid = pid > 0 ? pid : 0;
	if (pid <= 0) {
		e->running = false;
		e->has_exit = true;
		e->exit_code = code;
	}
	pthread_mutex_unlock(&t->execs->lock);
	if (pid <= 0 && (detach || fd < 0)) /* nobody saw the message in a stream */
		return err_set(err, code == 127 ? ERR_NOT_FOUND : ERR_SYSTEM, 0,
			       "OCI runtime exec failed: exec failed: unable to start container process: %s: unknown", msg);
	return 0;
}

int ctr_exec_start(ctr_table *t, ctr_exec *e, int fd, bool detach, json_object *console_size, err_t **err)
{
	_cleanup_close_ int cfd = fd;
	exec_table *x = t->execs;
	pthread_mutex_lock(&x->lock);
	int r = 0;
	if (e->has_exit)
		r = err_conflict(err, "Error: Exec command %s has already run", e->id);
	else if (e->started)
		r = err_conflict(err, "Error: Exec command %s is already running", e->id);
	else
		e->started = e->running = true;
	pthread_mutex_unlock(&x->lock);
	if (r < 0)
		return -1;
	if (check_active(e->c, err) == 0 && write_exec_file(e, console_size, err) == 0) {
		_cleanup_free_ char *action = action_text("exec_start", jget_arr(e->config, "Cmd"));
		exec_event(t, e, action, NULL);
		if (run_in_shim(t, e, cfd, detach, err) == 0)
			return 0;
		if (e->has_exit) /* it could not start: that is its exit */
			return -1;
	}
	pthread_mutex_lock(&x->lock);
	e->started = e->running = false;
	pthread_mutex_unlock(&x->lock);
	return -1;
}

/* Running execs: the shim knows best (it saw the exit before the client saw
 * the end of the stream). */
static void refresh(ctr_table *t, ctr_exec *e)
{
	pthread_mutex_lock(&t->execs->lock);
	bool ask = e->running;
	pthread_mutex_unlock(&t->execs->lock);
	if (!ask)
		return;
	shim_exec_state st;
	_cleanup_err_ err_t *err = NULL;
	bool known = shim_exec_status(e->c->state_dir, e->id, &st, &err) == 0;
	pthread_mutex_lock(&t->execs->lock);
	if (known) {
		e->pid = st.pid > 0 ? st.pid : e->pid;
		if (!st.running && e->running) {
			e->running = false;
			e->has_exit = true;
			e->exit_code = st.exit_code;
		}
	}
	pthread_mutex_unlock(&t->execs->lock);
}

json_object *ctr_exec_inspect(ctr_table *t, ctr_exec *e)
{
	refresh(t, e);
	json_object *cfg = e->config, *cmd = jget_arr(cfg, "Cmd");
	json_object *o = json_object_new_object();
	pthread_mutex_lock(&t->execs->lock);
	jset_bool(o, "CanRemove", e->has_exit);
	jset_str(o, "ContainerID", e->c->id);
	jset_str(o, "DetachKeys", jget_str(cfg, "DetachKeys"));
	jset(o, "ExitCode", e->has_exit ? json_object_new_int(e->exit_code) : NULL);
	jset_str(o, "ID", e->id);
	jset_bool(o, "OpenStderr", jget_bool(cfg, "AttachStderr", false));
	jset_bool(o, "OpenStdin", jget_bool(cfg, "AttachStdin", false));
	jset_bool(o, "OpenStdout", jget_bool(cfg, "AttachStdout", false));
	jset_int(o, "Pid", e->pid);
	jset_bool(o, "Running", e->running);
	pthread_mutex_unlock(&t->execs->lock);
	json_object *pc = json_object_new_object();
	json_object *args = json_object_new_array();
	for (size_t i = 1; i < json_object_array_length(cmd); i++)
		json_object_array_add(args, json_object_get(json_object_array_get_idx(cmd, i)));
	jset(pc, "arguments", args);
	jset_str(pc, "entrypoint", json_object_get_string(json_object_array_get_idx(cmd, 0)));
	if (jget_bool(cfg, "Privileged", false))
		jset_bool(pc, "privileged", true);
	jset_bool(pc, "tty", jget_bool(cfg, "Tty", false));
	const char *user = jget_str(cfg, "User");
	if (user && *user)
		jset_str(pc, "user", user);
	jset(o, "ProcessConfig", pc);
	return o;
}

int ctr_exec_resize(ctr_table *t, ctr_exec *e, unsigned h, unsigned w, err_t **err)
{
	pthread_mutex_lock(&t->execs->lock);
	bool running = e->running && e->pid > 0;
	pthread_mutex_unlock(&t->execs->lock);
	if (!running)
		return err_conflict(err, "Exec %s is not running", e->id);
	_cleanup_err_ err_t *e2 = NULL;
	if (ctr_resize(t, e->c, e->id, h, w, &e2) == 0)
		return 0;
	if (e2->kind == ERR_SYSTEM && strstr(e2->msg, "no such exec"))
		return err_conflict(err, "Exec %s is not running", e->id);
	*err = steal_ptr(&e2);
	return -1;
}

json_object *ctr_exec_ids(ctr_table *t, container *c)
{
	exec_table *x = t->execs;
	json_object *a = NULL;
	pthread_mutex_lock(&x->lock);
	for (size_t i = 0; i < x->n; i++) {
		if (x->items[i]->c != c)
			continue;
		if (!a)
			a = json_object_new_array();
		json_object_array_add(a, jstr(x->items[i]->id));
	}
	pthread_mutex_unlock(&x->lock);
	return a;
}

void ctr_exec_on_exit(ctr_table *t, container *c, const char *id, int exit_code)
{
	exec_table *x = t->execs;
	ctr_exec *e = NULL;
	pthread_mutex_lock(&x->lock);
	for (size_t i = 0; i < x->n && !e; i++)
		if (x->items[i]->c == c && !strcmp(x->items[i]->id, id))
			e = x->items[i];
	if (e) {
		__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
		e->running = false;
		e->has_exit = true;
		e->exit_code = exit_code;
		trim_locked(x, c);
	}
	pthread_mutex_unlock(&x->lock);
	if (!e)
		return;
	json_object *extra = json_object_new_object();
	char code[16];
	snprintf(code, sizeof(code), "%d", exit_code);
	jset_str(extra, "exitCode", code);
	exec_event(t, e, "exec_die", extra);
	ctr_exec_unref(e);
}

void ctr_execs_drop(ctr_table *t, container *c)
{
	exec_table *x = t->execs;
	pthread_mutex_lock(&x->lock);
	for (size_t i = 0; i < x->n;) {
		if (x->items[i]->c == c)
			remove_at(x, i);
		else
			i++;
	}
	pthread_mutex_unlock(&x->lock);
}

/* A running container found at start-up: its exec records come back from
 * the files the shim ran. */
void ctr_execs_adopt(ctr_table *t, container *c)
{
	_cleanup_closedir_ DIR *d = opendir(c->state_dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 11 || strncmp(de->d_name, "exec-", 5) || strcmp(de->d_name + len - 5, ".json"))
			continue;
		_cleanup_free_ char *id = xstrndup(de->d_name + 5, len - 10);
		if (strlen(id) != 64)
			continue;
		_cleanup_free_ char *path = fs_path_join(c->state_dir, de->d_name);
		_cleanup_free_ char *text = NULL;
		size_t n = 0;
		_cleanup_err_ err_t *err = NULL;
		if (fs_read_file(path, 4 << 20, &text, &n, &err) < 0)
			continue;
		_cleanup_json_ json_object *f = json_parse_strict(text, n, &err);
		json_object *cfg = jget_obj(f, "config");
		if (!cfg)
			continue;
		ctr_exec *e = xcalloc(1, sizeof(*e));
		e->refs = 1;
		snprintf(e->id, sizeof(e->id), "%s", id);
		container_ref(c);
		e->c = c;
		e->config = json_object_get(cfg);
		e->started = e->running = true;
		pthread_mutex_lock(&t->execs->lock);
		add_locked(t->execs, e);
		pthread_mutex_unlock(&t->execs->lock);
		refresh(t, e);
	}
}
