/* engine.c: opening and closing the daemon's state (see engine.h). The data
 * root is locked with flock(): a second engined on the same root fails at
 * once with the PID of the holder, and the lock dies with the process, so a
 * kill -9 never leaves a stale lock behind. */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "containers.h"
#include "image.h"
#include "fsutil.h"
#include "images.h"
#include "jsonutil.h"
#include "log.h"
#include "network.h"
#include "networks.h"
#include "sysinfo.h"
#include "volumes.h"
#include "xalloc.h"

static int lock_data_root(const char *root, int *ret_fd, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(root, "engine.lock");
	_cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys(err, "open %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		if (n > 0)
			pid[strcspn(pid, "\n")] = '\0';
		return err_set(err, ERR_CONFLICT, 0,
			       "another engined (pid %s) is already running with data root %s",
			       n > 0 ? pid : "?", root);
	}
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len)
		return err_sys(err, "write %s", path);
	*ret_fd = steal_fd(&fd);
	return 0;
}

/* A random UUID, the form dockerd uses for its ID since 23.0. */
static char *new_uuid(void)
{
	unsigned char b[16];
	_cleanup_close_ int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		srand((unsigned)(ts.tv_nsec ^ getpid()));
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
			 b[12], b[13], b[14], b[15]);
}

static int load_or_create_id(engine *e, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(e->data_root, "engine-id");
	_cleanup_err_ err_t *rerr = NULL;
	char *buf = NULL;
	if (fs_read_file(path, 256, &buf, NULL, &rerr) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (strlen(buf) >= 8) {
			e->id = buf;
			return 0;
		}
		free(buf);
	}
	e->id = new_uuid();
	_cleanup_free_ char *line = xasprintf("%s\n", e->id);
	return fs_write_atomic(path, line, strlen(line), 0600, err);
}

engine *engine_open(engine_config *cfg, err_t **err)
{
	_cleanup_free_ char *journal = NULL;
	engine *e = xcalloc(1, sizeof(*e));
	pthread_mutex_init(&e->cfg_lock, NULL);
	e->cfg = cfg;
	e->lock_fd = -1;
	e->data_root = xstrdup(cfg->data_root);
	e->exec_root = xstrdup(cfg->exec_root);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	e->started_ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (fs_mkdir_p(e->data_root, 0710, err) < 0 || fs_mkdir_p(e->exec_root, 0700, err) < 0)
		goto fail;
	if (lock_data_root(e->data_root, &e->lock_fd, err) < 0)
		goto fail;
	if (load_or_create_id(e, err) < 0)
		goto fail;
	journal = fs_path_join(e->data_root, "events.jsonl");
	e->events = events_open(journal, EVENTS_CAP, err);
	if (!e->events)
		goto fail;
	e->images = engine_images_open(e, err);
	if (!e->images)
		goto fail;
	e->volumes = vol_table_open(e, err);
	if (!e->volumes)
		goto fail;
	e->networks = engine_networks_open(e, err);
	if (!e->networks)
		goto fail;
	e->containers = ctr_table_open(e, err);
	if (!e->containers)
		goto fail;
	return e;
fail:
	engine_close(e);
	return NULL;
}

void engine_close(engine *e)
{
	if (!e)
		return;
	ctr_table_close(e->containers);
	e->containers = NULL;
	net_close(e->networks);
	vol_table_close(e->volumes);
	e->volumes = NULL;
	if (e->images)
		img_store_close(e->images);
	events_close(e->events);
	if (e->lock_fd >= 0)
		close(e->lock_fd);
	config_free(e->cfg);
	pthread_mutex_destroy(&e->cfg_lock);
	free(e->data_root);
	free(e->exec_root);
	free(e->id);
	free(e);
}

engine_config *engine_config_get(engine *e)
{
	pthread_mutex_lock(&e->cfg_lock);
	engine_config *c = config_dup(e->cfg);
	pthread_mutex_unlock(&e->cfg_lock);
	return c;
}

int engine_reload(engine *e, err_t **err)
{
	engine_config *cur = engine_config_get(e);
	engine_config *next = config_dup(cur);
	config_free(cur);
	/* Keys removed from the file fall back to what they were before; as in
	 * dockerd, only a subset is live-reloadable, the rest apply on restart. */
	if (config_load_file(next, next->config_file, false, err) < 0) {
		config_free(next);
		return -1;
	}
	log_set_level(next->debug ? LOG_LVL_DEBUG : next->level);
	pthread_mutex_lock(&e->cfg_lock);
	engine_config *old = e->cfg;
	e->cfg = next;
	pthread_mutex_unlock(&e->cfg_lock);
	config_free(old);
	engine_emit_daemon_event(e, "reload");
	return 0;
}

void engine_emit_daemon_event(engine *e, const char *action)
{
	sysinfo_facts f;
	sysinfo_read(&f);
	json_object *a = json_object_new_object();
	jset_str(a, "name", f.hostname);
	if (!strcmp(action, "reload")) {
		engine_config *c = engine_config_get(e);
		_cleanup_json_ json_object *hosts = jstrv(c->hosts);
		_cleanup_json_ json_object *mirrors = jstrv(c->registry_mirrors);
		_cleanup_json_ json_object *insecure = jstrv(c->insecure_registries);
		_cleanup_json_ json_object *labels = jstrv(c->labels);
		jset_str(a, "debug", c->debug ? "true" : "false");
		jset_str(a, "hosts", jdump(hosts));
		jset_str(a, "labels", jdump(labels));
		jset_str(a, "registry-mirrors", jdump(mirrors));
		jset_str(a, "insecure-registries", jdump(insecure));
		jset_str(a, "live-restore", c->live_restore ? "true" : "false");
		_cleanup_free_ char *st = xasprintf("%d", c->shutdown_timeout);
		jset_str(a, "shutdown-timeout", st);
		config_free(c);
	}
	events_publish(e->events, "daemon", action, e->id, a);
}
