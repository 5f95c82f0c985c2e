/* containers.c: the container table (see containers.h): opening it from
 * disk, finding containers by ID, prefix or name, renaming, removing, and
 * the events every operation emits with Docker's attributes. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "digest.h"
#include "fsutil.h"
#include "image.h"
#include "jsonutil.h"
#include "log.h"
#include "names.h"
#include "network.h"
#include "networks.h"
#include "xalloc.h"

static char *helper_binary(const char *name)
{
	return fs_helper_path(name, ENGINE_LIBEXECDIR);
}

static void load_all(ctr_table *t)
{
	_cleanup_closedir_ DIR *d = opendir(t->root);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strlen(de->d_name) != 64 || !hex_valid(de->d_name, 64))
			continue;
		_cleanup_free_ char *dir = fs_path_join(t->root, de->d_name);
		_cleanup_err_ err_t *err = NULL;
		container *c = container_load(dir, &err);
		if (!c) {
			log_warn("container %s: %s: skipped", de->d_name, err->msg);
			continue;
		}
		c->state_dir = fs_path_join(t->eng->exec_root, c->id);
		t->items = xgrow(t->items, &t->cap, t->n + 1, sizeof(*t->items));
		t->items[t->n++] = c;
	}
}

ctr_table *ctr_table_open(struct engine *e, err_t **err)
{
	ctr_table *t = xcalloc(1, sizeof(*t));
	t->eng = e;
	pthread_mutex_init(&t->lock, NULL);
	t->root = fs_path_join(e->data_root, "containers");
	t->shim_path = helper_binary("engine-shim");
	t->init_path = helper_binary("engine-init");
	t->execs = exec_table_new();
	if (fs_mkdir_p(t->root, 0710, err) < 0) {
		ctr_table_close(t);
		return NULL;
	}
	load_all(t);
	t->monitor = ctr_monitor_start(t, err);
	if (!t->monitor) {
		ctr_table_close(t);
		return NULL;
	}
	/* A copy of the list: adoption may remove containers (AutoRemove). */
	pthread_mutex_lock(&t->lock);
	size_t n = t->n;
	container **all = xcalloc(n + 1, sizeof(*all));
	for (size_t i = 0; i < n; i++) {
		all[i] = t->items[i];
		container_ref(all[i]);
	}
	pthread_mutex_unlock(&t->lock);
	for (size_t i = 0; i < n; i++) {
		ctr_adopt(t, all[i]);
		container_unref(all[i]);
	}
	free(all);
	net_gc(e->networks);
	return t;
}

void ctr_table_close(ctr_table *t)
{
	if (!t)
		return;
	/* Containers keep running: their shims outlive us, as with live-restore. */
	ctr_monitor_stop(t->monitor);
	exec_table_free(t->execs);
	for (size_t i = 0; i < t->n; i++)
		container_unref(t->items[i]);
	free(t->items);
	free(t->root);
	free(t->shim_path);
	free(t->init_path);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

container *ctr_find(ctr_table *t, const char *ref, err_t **err)
{
	if (!ref || !*ref) {
		err_set(err, ERR_NOT_FOUND, 0, "No such container: %s", ref ? ref : "");
		return NULL;
	}
	const char *bare = ref[0] == '/' ? ref + 1 : ref;
	container *found = NULL;
	size_t prefix_hits = 0;
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n && !found; i++)
		if (!strcmp(t->items[i]->id, ref) || !strcmp(container_short_name(t->items[i]), bare))
			found = t->items[i];
	if (!found) {
		size_t l = strlen(ref);
		for (size_t i = 0; i < t->n; i++) {
			if (!strncmp(t->items[i]->id, ref, l)) {
				prefix_hits++;
				found = t->items[i];
			}
		}
		if (prefix_hits > 1)
			found = NULL;
	}
	if (found)
		container_ref(found);
	pthread_mutex_unlock(&t->lock);
	if (!found) {
		if (prefix_hits > 1)
			err_set(err, ERR_INVALID, 0, "multiple IDs found with provided prefix: %s", ref);
		else
			err_set(err, ERR_NOT_FOUND, 0, "No such container: %s", ref);
	}
	return found;
}

void ctr_save_or_log(container *c)
{
	_cleanup_err_ err_t *err = NULL;
	if (container_save(c, &err) < 0)
		log_error("container %s: saving its state: %s", c->id, err->msg);
}

void ctr_event(ctr_table *t, container *c, const char *action, json_object *extra)
{
	json_object *a = json_object_new_object();
	json_object_object_foreach(jobj_or_empty(jget_obj(c->config, "Labels")), k, v)
		jset(a, k, jclone(v));
	jset_str(a, "image", jget_str(c->config, "Image"));
	jset_str(a, "name", container_short_name(c));
	if (extra) {
		json_object_object_foreach(extra, k2, v2)
			jset(a, k2, json_object_get(v2));
		json_object_put(extra);
	}
	events_publish(t->eng->events, "container", action, c->id, a);
}

static void table_remove(ctr_table *t, container *c)
{
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n; i++) {
		if (t->items[i] == c) {
			memmove(t->items + i, t->items + i + 1, (t->n - i - 1) * sizeof(*t->items));
			t->n--;
			container_unref(c);
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
}

void ctr_destroy(ctr_table *t, container *c)
{
	_cleanup_err_ err_t *err = NULL;
	if (fs_rm_rf(c->dir, &err) < 0) {
		log_warn("removing %s: %s", c->dir, err->msg);
		err_free(&err);
	}
	if (c->state_dir && fs_rm_rf(c->state_dir, &err) < 0) {
		log_warn("removing %s: %s", c->state_dir, err->msg);
		err_free(&err);
	}
	ctr_net_remove(t, c);
	if (img_unpin(t->eng->images, c->id, &err) < 0)
		log_warn("container %s: releasing its image: %s", c->id, err->msg);
	table_remove(t, c);
	ctr_execs_drop(t, c);
	pthread_mutex_lock(&c->lock);
	container_drop_pending(c);
	c->removed = true;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

int ctr_rename(ctr_table *t, container *c, const char *name, err_t **err)
{
	if (!name || !*name)
		return err_invalid(err, "Neither old nor new names may be empty");
	if (!names_valid(name))
		return err_invalid(err, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
	const char *bare = name[0] == '/' ? name + 1 : name;
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n; i++) {
		if (!strcmp(container_short_name(t->items[i]), bare)) {
			int same = t->items[i] == c;
			pthread_mutex_unlock(&t->lock);
			if (same)
				return err_invalid(err, "Renaming a container with the same name as its current name");
			return err_conflict(err, "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
					    bare, t->items[i]->id);
		}
	}
	pthread_mutex_lock(&c->lock);
	char *old = c->name;
	c->name = xasprintf("/%s", bare);
	int r = container_save(c, err);
	if (r < 0) {
		free(c->name);
		c->name = old;
	}
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&t->lock);
	if (r < 0)
		return -1;
	net_ctr_rename(t->eng->networks, c->id, bare);
	json_object *extra = json_object_new_object();
	jset_str(extra, "oldName", old);
	free(old);
	ctr_event(t, c, "rename", extra);
	return 0;
}

void ctr_counts(ctr_table *t, int64_t *total, int64_t *running, int64_t *paused, int64_t *stopped)
{
	*total = *running = *paused = *stopped = 0;
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n; i++) {
		container *c = t->items[i];
		pthread_mutex_lock(&c->lock);
		(*total)++;
		if (c->state == CS_RUNNING || c->state == CS_RESTARTING)
			(*running)++;
		else if (c->state == CS_PAUSED)
			(*paused)++;
		else
			(*stopped)++;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&t->lock);
}
