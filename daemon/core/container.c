/* container.c: the container record (see container.h): reference counting,
 * Docker's status text, and the config.v2.json file it lives in. */
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "timeutil.h"
#include "xalloc.h"

container *container_new(void)
{
	container *c = xcalloc(1, sizeof(*c));
	c->refs = 1;
	c->watch_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->changed, NULL);
	return c;
}

void container_ref(container *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

void container_unref(container *c)
{
	if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(c->name);
	free(c->created);
	free(c->image_id);
	free(c->path);
	strv_free(c->args);
	if (c->config)
		json_object_put(c->config);
	if (c->host_config)
		json_object_put(c->host_config);
	if (c->networks)
		json_object_put(c->networks);
	free(c->dir);
	free(c->state_dir);
	free(c->log_path);
	free(c->error);
	container_drop_pending(c);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->changed);
	free(c);
}

void container_drop_pending(container *c)
{
	for (size_t i = 0; i < c->n_pending; i++) {
		close(c->pending[i].fd);
		free(c->pending[i].opts);
	}
	free(c->pending);
	c->pending = NULL;
	c->n_pending = 0;
}

const char *cstate_name(cstate s)
{
	static const char *const names[] = {"created", "running", "paused", "restarting",
					    "removing", "exited", "dead"};
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

static cstate cstate_parse(const char *s)
{
	for (cstate i = CS_CREATED; i <= CS_DEAD; i++)
		if (s && !strcmp(s, cstate_name(i)))
			return i;
	return CS_DEAD;
}

const char *container_short_name(const container *c)
{
	return c->name[0] == '/' ? c->name + 1 : c->name;
}

/* As moby's State.String(). */
char *container_status_text(const container *c, int64_t now)
{
	_cleanup_free_ char *since_start = time_human_duration(now - c->started_ns);
	_cleanup_free_ char *since_end = time_human_duration(now - c->finished_ns);
	switch (c->state) {
	case CS_RUNNING: return xasprintf("Up %s", since_start);
	case CS_PAUSED: return xasprintf("Up %s (Paused)", since_start);
	case CS_RESTARTING: return xasprintf("Restarting (%d) %s ago", c->exit_code, since_end);
	case CS_REMOVING: return xstrdup("Removal In Progress");
	case CS_DEAD: return xstrdup("Dead");
	case CS_CREATED: return xstrdup("Created");
	case CS_EXITED:
		if (!c->started_ns)
			return xstrdup("Created");
		if (!c->finished_ns)
			return xstrdup("");
		return xasprintf("Exited (%d) %s ago", c->exit_code, since_end);
	}
	return xstrdup("");
}

static json_object *state_json(const container *c)
{
	json_object *s = json_object_new_object();
	jset_str(s, "Status", cstate_name(c->state));
	jset_int(s, "Pid", c->pid);
	jset_int(s, "ExitCode", c->exit_code);
	jset_bool(s, "OOMKilled", c->oom_killed);
	jset_str(s, "Error", c->error);
	jset_int(s, "StartedNs", c->started_ns);
	jset_int(s, "FinishedNs", c->finished_ns);
	jset_int(s, "Exits", (int64_t)c->exits);
	jset_bool(s, "ManuallyStopped", c->manually_stopped);
	jset_bool(s, "HasBeenStarted", c->has_been_started);
	jset_bool(s, "RemovalPending", c->removal_pending);
	return s;
}

int container_save(const container *c, err_t **err)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_str(o, "ID", c->id);
	jset_str(o, "Name", c->name);
	jset_str(o, "Created", c->created);
	jset_int(o, "CreatedNs", c->created_ns);
	jset_str(o, "Image", c->image_id);
	jset_str(o, "Path", c->path);
	jset(o, "Args", jstrv(c->args));
	jset(o, "Config", jclone(c->config));
	jset(o, "HostConfig", jclone(c->host_config));
	jset(o, "Networks", c->networks ? jclone(c->networks) : NULL);
	jset_str(o, "LogPath", c->log_path);
	jset_int(o, "RestartCount", c->restart_count);
	jset(o, "State", state_json(c));
	_cleanup_free_ char *path = fs_path_join(c->dir, "config.v2.json");
	const char *text = jdump(o);
	/* saved at every transition: after a power loss, the last or an
	 * earlier state, whole (a reboot ended the container anyway) */
	return fs_write_atomic_ex(path, text, strlen(text), 0600, FS_ATOMIC_OLD_OR_NEW, err);
}

static char *dup_str(json_object *o, const char *key)
{
	const char *s = jget_str(o, key);
	return xstrdup(s ? s : "");
}

static void load_state(container *c, json_object *s)
{
	c->state = cstate_parse(jget_str(s, "Status"));
	c->pid = (int)jget_int(s, "Pid", 0);
	c->exit_code = (int)jget_int(s, "ExitCode", 0);
	c->oom_killed = jget_bool(s, "OOMKilled", false);
	const char *e = jget_str(s, "Error");
	c->error = e && *e ? xstrdup(e) : NULL;
	c->started_ns = jget_int(s, "StartedNs", 0);
	c->finished_ns = jget_int(s, "FinishedNs", 0);
	c->exits = (uint64_t)jget_int(s, "Exits", 0);
	c->manually_stopped = jget_bool(s, "ManuallyStopped", false);
	c->has_been_started = jget_bool(s, "HasBeenStarted", false);
	c->removal_pending = jget_bool(s, "RemovalPending", false);
}

container *container_load(const char *dir, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, "config.v2.json");
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (fs_read_file(path, 64u << 20, &text, &len, err) < 0)
		return NULL;
	_cleanup_json_ json_object *o = json_parse_strict(text, len, err);
	if (!o) {
		err_wrap(err, "%s", path);
		return NULL;
	}
	const char *id = jget_str(o, "ID");
	if (!id || strlen(id) != 64 || !jget_obj(o, "Config") || !jget_obj(o, "HostConfig")) {
		err_invalid(err, "%s: not a container record", path);
		return NULL;
	}
	container *c = container_new();
	memcpy(c->id, id, 65);
	c->name = dup_str(o, "Name");
	c->created = dup_str(o, "Created");
	c->created_ns = jget_int(o, "CreatedNs", 0);
	c->image_id = dup_str(o, "Image");
	c->path = dup_str(o, "Path");
	c->args = jarr_to_strv(jget_arr(o, "Args"), "Args", err);
	c->config = json_object_get(jget_obj(o, "Config"));
	c->host_config = json_object_get(jget_obj(o, "HostConfig"));
	json_object *nets = jget_obj(o, "Networks");
	c->networks = nets ? json_object_get(nets) : NULL;
	c->log_path = dup_str(o, "LogPath");
	c->restart_count = (int)jget_int(o, "RestartCount", 0);
	c->dir = xstrdup(dir);
	load_state(c, jget_obj(o, "State"));
	if (!c->args) {
		container_unref(c);
		return NULL;
	}
	return c;
}
