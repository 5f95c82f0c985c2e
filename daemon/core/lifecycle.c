/* lifecycle.c: a container's processes: start (through engine-shim), stop
 * (stop signal, then SIGKILL after the timeout), kill, pause, restart, wait,
 * remove, what happens at an exit (die event, restart policy, AutoRemove),
 * and re-adopting containers whose shims outlived an engined restart. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "cleanup.h"
#include "ctr_internal.h"
#include "fsutil.h"
#include "image.h"
#include "jsonutil.h"
#include "log.h"
#include "networks.h"
#include "shim_client.h"
#include "sysinfo.h"
#include "timeutil.h"
#include "units.h"
#include "volumes.h"
#include "xalloc.h"

static void run_after_exit(ctr_table *t, container *c, int delay_ms, bool remove);

static bool is_live(cstate s)
{
	return s == CS_RUNNING || s == CS_PAUSED || s == CS_RESTARTING;
}

static void short_id(const container *c, char out[13])
{
	memcpy(out, c->id, 12);
	out[12] = '\0';
}

/* json-file options: the container's LogConfig over the daemon's log-opts. */
static void log_opts(ctr_table *t, const container *c, long long *max_size, int *max_files)
{
	json_object *lc = jget_obj(jget_obj(c->host_config, "LogConfig"), "Config");
	engine_config *cfg = engine_config_get(t->eng);
	const char *size = jget_str(lc, "max-size") ?: cfg->log_max_size;
	const char *files = jget_str(lc, "max-file") ?: cfg->log_max_file;
	int64_t n = 0;
	_cleanup_err_ err_t *err = NULL;
	*max_size = size && units_ram_in_bytes(size, &n, &err) == 0 ? n : 0;
	*max_files = files ? atoi(files) : 1;
	config_free(cfg);
}

static int spawn(ctr_table *t, container *c, const char *netns, const ctr_pending *pending,
		 size_t n_pending, shim_started *started, err_t **err)
{
	_cleanup_strv_ char **lowers = img_pinned_dirs(t->eng->images, c->id, err);
	if (!lowers)
		return -1;
	engine_config *cfg = engine_config_get(t->eng);
	bundle_opts bo = {.lowers = lowers, .cgroup_parent = cfg->cgroup_parent,
			  .cgroup_version = sysinfo_cgroup_version(), .netns_path = netns,
			  .volume_path = vol_bundle_path, .volume_ctx = t->eng->volumes};
	int r = bundle_write(c, &bo, err);
	_cleanup_free_ char *cache = fs_path_join(t->eng->exec_root, "seccomp-cache");
	config_free(cfg);
	if (r < 0)
		return -1;
	if (fs_rm_rf(c->state_dir, err) < 0)
		return -1;
	const char *ltype = jget_str(jget_obj(c->host_config, "LogConfig"), "Type");
	shim_spawn_opts o = {
		.shim_path = t->shim_path,
		.id = c->id,
		.bundle = c->dir,
		.state_dir = c->state_dir,
		.log_path = ltype && !strcmp(ltype, "none") ? "/dev/null" : c->log_path,
		.open_stdin = jget_bool(c->config, "OpenStdin", false),
		.init_path = t->init_path,
		.seccomp_cache = cache,
	};
	shim_spawn_attach attach[CTR_MAX_PENDING];
	for (size_t i = 0; i < n_pending && i < CTR_MAX_PENDING; i++)
		attach[o.n_attach++] = (shim_spawn_attach){pending[i].fd, pending[i].opts};
	o.attach = attach;
	log_opts(t, c, &o.log_max_size, &o.log_max_files);
	return shim_spawn(&o, started, err);
}

static void mark_start_failure(container *c, int exit_code, const char *msg)
{
	pthread_mutex_lock(&c->lock);
	c->exit_code = exit_code ? exit_code : 128;
	free(c->error);
	c->error = xstrdup(msg);
	if (c->has_been_started)
		c->state = CS_EXITED;
	ctr_save_or_log(c);
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

static int check_startable(container *c, err_t **err)
{
	char sid[13];
	short_id(c, sid);
	switch (c->state) {
	case CS_RUNNING: return err_set(err, ERR_NOT_MODIFIED, 0, "container %s is already running", sid);
	case CS_PAUSED: return err_conflict(err, "cannot start a paused container, try unpause instead");
	case CS_REMOVING: return err_conflict(err, "container is marked for removal and cannot be started");
	case CS_DEAD: return err_conflict(err, "container is marked as dead and cannot be started");
	default: return 0;
	}
}

/* After the shim reported the container running. */
static void mark_running_state(container *c, const shim_started *st)
{
	pthread_mutex_lock(&c->lock);
	c->state = CS_RUNNING;
	c->pid = st->pid;
	c->started_ns = now_ns();
	c->has_been_started = true;
	c->oom_killed = false;
	c->exit_code = 0;
	free(c->error);
	c->error = NULL;
	ctr_save_or_log(c);
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

/* Watches the shim for the exit (after the start event). */
static void mark_running(ctr_table *t, container *c, const shim_started *st)
{
	(void)st;
	_cleanup_err_ err_t *err = NULL;
	if (ctr_monitor_watch(t->monitor, c, &err) < 0) {
		/* Already gone (a very short-lived command): its exit file tells. */
		shim_exit ex = {0};
		if (shim_read_exit(c->state_dir, &ex, NULL) == 0) {
			ctr_on_exit(t, c, ex.exit_code, ex.oom_killed, ex.finished_at, ex.error);
			shim_exit_done(&ex);
		} else {
			log_error("container %s: cannot watch it: %s", c->id, err->msg);
		}
	}
}

/* The start is over: attachers that came meanwhile may proceed. Closing
 * the handed-over sockets leaves the shim's copies the only ones. */
static void end_starting(container *c, ctr_pending *pending, size_t n)
{
	pthread_mutex_lock(&c->lock);
	c->starting = false;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		close(pending[i].fd);
		free(pending[i].opts);
	}
	free(pending);
}

int ctr_start(ctr_table *t, container *c, err_t **err)
{
	pthread_mutex_lock(&c->lock);
	/* A concurrent start decides first; an attach already answered (101)
	 * hands its socket over first (ctr_attach.c). */
	while (c->starting || c->n_reserved)
		pthread_cond_wait(&c->changed, &c->lock);
	int r = check_startable(c, err);
	ctr_pending *pending = NULL;
	size_t n_pending = 0;
	if (r == 0) {
		c->manually_stopped = false;
		c->starting = true;
		pending = steal_ptr(&c->pending);
		n_pending = c->n_pending;
		c->n_pending = 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (r < 0)
		return -1;
	shim_started st = {0};
	_cleanup_err_ err_t *serr = NULL;
	_cleanup_free_ char *netns = NULL;
	if (ctr_net_start(t, c, &netns, err) < 0) {
		end_starting(c, pending, n_pending);
		mark_start_failure(c, 0, err && *err ? (*err)->msg : "network setup failed");
		if (jget_bool(c->host_config, "AutoRemove", false))
			run_after_exit(t, c, 0, true);
		return -1;
	}
	int sr = spawn(t, c, netns, pending, n_pending, &st, &serr);
	if (sr == 0) /* running before anyone can attach through the shim */
		mark_running_state(c, &st);
	end_starting(c, pending, n_pending);
	if (sr < 0) {
		ctr_net_stop(t, c);
		mark_start_failure(c, st.exit_code, serr->msg);
		shim_started_done(&st);
		/* moby's containerStart: an AutoRemove container that failed to
		 * start is removed (docker run --rm waits for that). */
		if (jget_bool(c->host_config, "AutoRemove", false))
			run_after_exit(t, c, 0, true);
		return err_set(err, serr->kind == ERR_INVALID ? ERR_INVALID : ERR_SYSTEM, 0,
			       "failed to create task for container: OCI runtime create failed: %s: unknown",
			       serr->msg);
	}
	for (char **w = st.warnings; w && *w; w++)
		log_warn("container %s: %s", c->id, *w);
	ctr_event(t, c, "start", NULL);
	mark_running(t, c, &st);
	shim_started_done(&st);
	return 0;
}

/* Waits until pred(c) holds or the deadline passes (lock held). */
static bool wait_until(container *c, bool (*pred)(const container *, uint64_t), uint64_t arg,
		       int64_t deadline_ms)
{
	while (!pred(c, arg)) {
		if (deadline_ms < 0) {
			pthread_cond_wait(&c->changed, &c->lock);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t left = deadline_ms - mono_ns() / 1000000;
		if (left <= 0)
			return false;
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&c->changed, &c->lock, &ts);
	}
	return true;
}

static bool not_live(const container *c, uint64_t arg)
{
	(void)arg;
	return !is_live(c->state);
}

static int parse_signal(const char *sig, int def, err_t **err)
{
	if (!sig || !*sig)
		return def;
	int s = shim_signal_parse(sig);
	if (s <= 0 || s > 64)
		return err_invalid(err, "Invalid signal: %s", sig);
	return s;
}

static void kill_event(ctr_table *t, container *c, int sig)
{
	json_object *extra = json_object_new_object();
	char n[16];
	snprintf(n, sizeof(n), "%d", sig);
	jset_str(extra, "signal", n);
	ctr_event(t, c, "kill", extra);
}

/* Sends sig and waits up to timeout seconds (< 0: forever) for the exit. */
static bool signal_and_wait(ctr_table *t, container *c, int sig, int timeout)
{
	_cleanup_err_ err_t *err = NULL;
	kill_event(t, c, sig);
	if (shim_kill(c->state_dir, sig, sig == SIGKILL, &err) < 0 && err->kind != ERR_CONFLICT)
		log_warn("container %s: kill %d: %s", c->id, sig, err->msg);
	pthread_mutex_lock(&c->lock);
	bool done = wait_until(c, not_live, 0, timeout < 0 ? -1 : mono_ns() / 1000000 + timeout * 1000LL);
	pthread_mutex_unlock(&c->lock);
	return done;
}

static int stop_timeout(const container *c, int timeout)
{
	if (timeout >= 0)
		return timeout;
	json_object *st = jget(c->config, "StopTimeout");
	return st && !json_object_is_type(st, json_type_null) ? (int)json_object_get_int64(st) : 10;
}

int ctr_stop(ctr_table *t, container *c, int timeout, const char *sigstr, err_t **err)
{
	int sig = parse_signal(sigstr, 0, err);
	if (sig < 0)
		return -1;
	if (!sig)
		sig = parse_signal(jget_str(c->config, "StopSignal"), SIGTERM, NULL);
	if (sig <= 0)
		sig = SIGTERM;
	pthread_mutex_lock(&c->lock);
	bool live = is_live(c->state);
	c->manually_stopped = true;
	bool paused = c->state == CS_PAUSED;
	if (c->state == CS_RESTARTING)
		c->state = CS_EXITED; /* the pending restart sees it and gives up */
	ctr_save_or_log(c);
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	if (!live)
		return err_set(err, ERR_NOT_MODIFIED, 0, "container already stopped");
	if (paused)
		shim_pause(c->state_dir, false, NULL);
	int secs = stop_timeout(c, timeout);
	if (!signal_and_wait(t, c, sig, secs))
		signal_and_wait(t, c, SIGKILL, 30);
	ctr_event(t, c, "stop", NULL);
	return 0;
}

int ctr_restart(ctr_table *t, container *c, int timeout, const char *sig, err_t **err)
{
	_cleanup_err_ err_t *serr = NULL;
	if (ctr_stop(t, c, timeout, sig, &serr) < 0 && serr->kind != ERR_NOT_MODIFIED) {
		*err = steal_ptr(&serr);
		return -1;
	}
	if (ctr_start(t, c, err) < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	c->restart_count = 0;
	pthread_mutex_unlock(&c->lock);
	ctr_event(t, c, "restart", NULL);
	return 0;
}

int ctr_kill(ctr_table *t, container *c, const char *sigstr, err_t **err)
{
	int sig = parse_signal(sigstr, SIGKILL, err);
	if (sig < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	bool running = c->state == CS_RUNNING || c->state == CS_PAUSED;
	if (running)
		c->manually_stopped = true;
	pthread_mutex_unlock(&c->lock);
	if (!running)
		return err_conflict(err, "Cannot kill container: %s: Container %s is not running",
				    container_short_name(c), c->id);
	kill_event(t, c, sig);
	_cleanup_err_ err_t *kerr = NULL;
	if (shim_kill(c->state_dir, sig, false, &kerr) < 0) {
		if (kerr->kind == ERR_CONFLICT || kerr->kind == ERR_NOT_FOUND)
			return err_conflict(err, "Cannot kill container: %s: Container %s is not running",
					    container_short_name(c), c->id);
		*err = steal_ptr(&kerr);
		return -1;
	}
	return 0;
}

int ctr_pause(ctr_table *t, container *c, bool pause, err_t **err)
{
	pthread_mutex_lock(&c->lock);
	cstate s = c->state;
	pthread_mutex_unlock(&c->lock);
	if (s != CS_RUNNING && s != CS_PAUSED)
		return err_conflict(err, "Container %s is not running", c->id);
	if (pause && s == CS_PAUSED)
		return err_conflict(err, "Container %s is already paused", c->id);
	if (!pause && s != CS_PAUSED)
		return err_conflict(err, "Container %s is not paused", c->id);
	if (shim_pause(c->state_dir, pause, err) < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	if (is_live(c->state))
		c->state = pause ? CS_PAUSED : CS_RUNNING;
	ctr_save_or_log(c);
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	ctr_event(t, c, pause ? "pause" : "unpause", NULL);
	return 0;
}

static bool exited_since(const container *c, uint64_t exits)
{
	return c->exits != exits || c->removed;
}

static bool is_removed(const container *c, uint64_t arg)
{
	(void)arg;
	return c->removed;
}

/* Waits in slices so a client that hangs up is noticed within 250 ms. */
int ctr_wait(ctr_table *t, container *c, wait_cond cond, int cancel_fd, int *exit_code,
	     char **error, err_t **err)
{
	(void)t;
	pthread_mutex_lock(&c->lock);
	uint64_t start_exits = c->exits;
	bool (*pred)(const container *, uint64_t) =
		cond == WAIT_REMOVED ? is_removed : cond == WAIT_NEXT_EXIT ? exited_since : not_live;
	for (;;) {
		if (wait_until(c, pred, start_exits, mono_ns() / 1000000 + 250))
			break;
		struct pollfd p = {.fd = cancel_fd, .events = POLLRDHUP};
		if (cancel_fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			pthread_mutex_unlock(&c->lock);
			return err_set(err, ERR_UNAVAILABLE, 0, "client went away");
		}
	}
	*exit_code = c->exit_code;
	*error = c->error ? xstrdup(c->error) : NULL;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

int ctr_remove(ctr_table *t, container *c, bool force, bool volumes, err_t **err)
{
	(void)volumes;
	pthread_mutex_lock(&c->lock);
	bool live = is_live(c->state);
	if (live && !force) {
		pthread_mutex_unlock(&c->lock);
		char sid[13];
		short_id(c, sid);
		return err_conflict(err, "You cannot remove a running container %s. Stop the container before attempting removal or force remove",
				    c->id);
	}
	if (c->state == CS_REMOVING || c->removed) {
		pthread_mutex_unlock(&c->lock);
		return err_conflict(err, "removal of container %s is already in progress", c->id);
	}
	c->manually_stopped = true;
	if (c->state == CS_RESTARTING)
		c->state = CS_EXITED;
	pthread_mutex_unlock(&c->lock);
	if (live && c->state != CS_EXITED) {
		if (c->state == CS_PAUSED)
			shim_pause(c->state_dir, false, NULL);
		signal_and_wait(t, c, SIGKILL, 30);
	}
	pthread_mutex_lock(&c->lock);
	c->state = CS_REMOVING;
	ctr_save_or_log(c);
	pthread_mutex_unlock(&c->lock);
	ctr_destroy(t, c);
	ctr_event(t, c, "destroy", NULL);
	return 0;
}

/* ---- exits, restart policies, adoption ---- */

typedef struct restart_job {
	ctr_table *t;
	container *c;
	int delay_ms;
	bool remove;
} restart_job;

static void *after_exit_thread(void *arg)
{
	restart_job *j = arg;
	_cleanup_err_ err_t *err = NULL;
	if (j->remove) {
		if (ctr_remove(j->t, j->c, true, false, &err) < 0)
			log_warn("container %s: auto-remove: %s", j->c->id, err->msg);
	} else {
		struct timespec ts = {j->delay_ms / 1000, (j->delay_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&j->c->lock);
		bool still = j->c->state == CS_RESTARTING && !j->c->removed;
		if (still)
			j->c->state = CS_EXITED; /* so start accepts it */
		pthread_mutex_unlock(&j->c->lock);
		if (still && ctr_start(j->t, j->c, &err) < 0)
			log_warn("container %s: restart: %s", j->c->id, err->msg);
	}
	container_unref(j->c);
	free(j);
	return NULL;
}

static void run_after_exit(ctr_table *t, container *c, int delay_ms, bool remove)
{
	restart_job *j = xcalloc(1, sizeof(*j));
	j->t = t;
	j->c = c;
	j->delay_ms = delay_ms;
	j->remove = remove;
	container_ref(c);
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, after_exit_thread, j) != 0) {
		log_error("container %s: cannot start the after-exit worker", c->id);
		container_unref(c);
		free(j);
	}
	pthread_attr_destroy(&attr);
}

/* Docker's restart manager: should this exit restart, and after how long?
 * The delay doubles from 100 ms, and starts over after 10 s of running. */
static bool should_restart(container *c, int64_t ran_ns, int *delay_ms)
{
	json_object *rp = jget_obj(c->host_config, "RestartPolicy");
	const char *name = jget_str(rp, "Name");
	int64_t max = jget_int(rp, "MaximumRetryCount", 0);
	if (!name || c->manually_stopped)
		return false;
	bool yes = !strcmp(name, "always") || !strcmp(name, "unless-stopped") ||
		   (!strcmp(name, "on-failure") && c->exit_code != 0 && (max == 0 || c->restart_count < max));
	if (!yes)
		return false;
	int n = ran_ns > 10 * NS_PER_SEC ? 0 : c->restart_count;
	int64_t d = 100;
	for (int i = 0; i < n && d < 60000; i++)
		d *= 2;
	*delay_ms = (int)(d > 60000 ? 60000 : d);
	return true;
}

void ctr_on_exit(ctr_table *t, container *c, int exit_code, bool oom, const char *finished_at,
		 const char *error)
{
	int64_t sec = 0;
	int32_t nsec = 0;
	ctr_net_stop(t, c);
	pthread_mutex_lock(&c->lock);
	c->state = CS_EXITED;
	c->pid = 0;
	c->exit_code = exit_code;
	c->oom_killed = c->oom_killed || oom;
	c->finished_ns = finished_at && time_parse_rfc3339(finished_at, &sec, &nsec, NULL) == 0
				 ? sec * NS_PER_SEC + nsec : now_ns();
	free(c->error);
	c->error = error && *error ? xstrdup(error) : NULL;
	c->exits++;
	int64_t ran = c->finished_ns - c->started_ns;
	int delay = 0;
	bool restart = should_restart(c, ran, &delay);
	bool remove = !restart && jget_bool(c->host_config, "AutoRemove", false);
	if (restart) {
		c->state = CS_RESTARTING;
		c->restart_count++;
	}
	c->removal_pending = remove;
	ctr_save_or_log(c);
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	ctr_execs_drop(t, c); /* moby's Cleanup: a stopped container has no execs */
	json_object *extra = json_object_new_object();
	char code[16], dur[32];
	snprintf(code, sizeof(code), "%d", exit_code);
	snprintf(dur, sizeof(dur), "%lld", (long long)(ran > 0 ? ran / NS_PER_SEC : 0));
	jset_str(extra, "exitCode", code);
	jset_str(extra, "execDuration", dur);
	ctr_event(t, c, "die", extra);
	if (restart || remove)
		run_after_exit(t, c, delay, remove);
}

void ctr_adopt(ctr_table *t, container *c)
{
	pthread_mutex_lock(&c->lock);
	cstate s = c->state;
	bool pending = c->removal_pending;
	pthread_mutex_unlock(&c->lock);
	if (s == CS_REMOVING) {
		ctr_destroy(t, c);
		return;
	}
	if (is_live(s)) {
		shim_status st;
		_cleanup_err_ err_t *err = NULL;
		if (shim_status_get(c->state_dir, &st, &err) == 0 && st.running) {
			pthread_mutex_lock(&c->lock);
			c->state = st.paused ? CS_PAUSED : CS_RUNNING;
			c->pid = st.pid;
			pthread_mutex_unlock(&c->lock);
			ctr_execs_adopt(t, c);
			if (ctr_monitor_watch(t->monitor, c, &err) == 0) {
				ctr_net_adopt(t, c);
				return;
			}
		}
		/* It exited while we were away: catch up (die event, policies). */
		shim_exit ex = {0};
		if (shim_read_exit(c->state_dir, &ex, NULL) == 0) {
			ctr_on_exit(t, c, ex.exit_code, ex.oom_killed, ex.finished_at, ex.error);
			shim_exit_done(&ex);
		} else {
			ctr_on_exit(t, c, 255, false, NULL, "the container's monitor did not survive (host reboot?)");
		}
		return;
	}
	if (pending) {
		run_after_exit(t, c, 0, true);
		return;
	}
	/* Restart policies apply at daemon start too. */
	int delay = 0;
	pthread_mutex_lock(&c->lock);
	bool restart = c->has_been_started && should_restart(c, 0, &delay);
	if (restart)
		c->state = CS_RESTARTING;
	pthread_mutex_unlock(&c->lock);
	if (restart)
		run_after_exit(t, c, 0, false);
}
