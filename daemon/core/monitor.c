/* monitor.c: one thread that learns about container exits and OOM kills.
 * For each running container it holds the shim's event stream (ctl.h
 * "events") in an epoll set; the shim writes {"event":"oom"} when the OOM
 * killer acts and {"event":"exit",...} last. If the shim dies without a
 * word, its exit file (or its absence) says what happened. Nothing here
 * polls on a timer: an idle engine sleeps in epoll_wait. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "jsonutil.h"
#include "log.h"
#include "shim_client.h"
#include "timeutil.h"
#include "xalloc.h"

struct ctr_monitor {
	ctr_table *t;
	int epfd, stopfd;
	pthread_t thread;
	pthread_mutex_t lock; /* guards watched */
	container **watched;  /* each referenced while its stream is open */
	size_t n, cap;
};

static void forget(struct ctr_monitor *m, container *c)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++) {
		if (m->watched[i] == c) {
			m->watched[i] = m->watched[--m->n];
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

/* The shim vanished: its exit file if it wrote one, else a crash. */
static void finish_from_exit_file(ctr_table *t, container *c)
{
	shim_exit ex = {0};
	_cleanup_err_ err_t *err = NULL;
	if (shim_read_exit(c->state_dir, &ex, &err) == 0) {
		ctr_on_exit(t, c, ex.exit_code, ex.oom_killed, ex.finished_at, ex.error);
		shim_exit_done(&ex);
		return;
	}
	_cleanup_free_ char *now = time_format_rfc3339nano(now_ns() / NS_PER_SEC, (int32_t)(now_ns() % NS_PER_SEC));
	ctr_on_exit(t, c, 255, false, now, "the container's monitor (engine-shim) died unexpectedly");
}

/* Handles one readable stream; returns true when the container is done. */
static bool handle_events(ctr_table *t, container *c, int fd)
{
	for (;;) {
		_cleanup_json_ json_object *ev = NULL;
		_cleanup_err_ err_t *err = NULL;
		if (shim_event_read(fd, &ev, &err) < 0) {
			finish_from_exit_file(t, c);
			return true;
		}
		const char *kind = jget_str(ev, "event");
		if (kind && !strcmp(kind, "oom")) {
			ctr_event(t, c, "oom", NULL);
			pthread_mutex_lock(&c->lock);
			c->oom_killed = true;
			pthread_mutex_unlock(&c->lock);
			return false;
		}
		if (kind && !strcmp(kind, "exec-exit")) {
			const char *id = jget_str(ev, "id");
			if (id)
				ctr_exec_on_exit(t, c, id, (int)jget_int(ev, "exit_code", 255));
			return false;
		}
		if (kind && !strcmp(kind, "detach")) {
			ctr_event(t, c, "detach", NULL);
			return false;
		}
		if (kind && !strcmp(kind, "exit")) {
			const char *e = jget_str(ev, "error");
			ctr_on_exit(t, c, (int)jget_int(ev, "exit_code", 255), jget_bool(ev, "oom_killed", false),
				    jget_str(ev, "finished_at"), e);
			return true;
		}
		return false;
	}
}

static void *monitor_loop(void *arg)
{
	struct ctr_monitor *m = arg;
	struct epoll_event evs[32];
	for (;;) {
		int n = epoll_wait(m->epfd, evs, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			container *c = evs[i].data.ptr;
			if (!c)
				return NULL; /* the stop fd */
			int fd = c->watch_fd;
			if (handle_events(m->t, c, fd)) {
				epoll_ctl(m->epfd, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				forget(m, c);
				container_unref(c);
			}
		}
	}
	return NULL;
}

struct ctr_monitor *ctr_monitor_start(ctr_table *t, err_t **err)
{
	struct ctr_monitor *m = xcalloc(1, sizeof(*m));
	m->t = t;
	pthread_mutex_init(&m->lock, NULL);
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	m->stopfd = eventfd(0, EFD_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (m->epfd < 0 || m->stopfd < 0 || epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->stopfd, &ev) < 0 ||
	    pthread_create(&m->thread, NULL, monitor_loop, m) != 0) {
		err_sys(err, "start the container monitor");
		if (m->epfd >= 0)
			close(m->epfd);
		if (m->stopfd >= 0)
			close(m->stopfd);
		free(m);
		return NULL;
	}
	return m;
}

void ctr_monitor_stop(struct ctr_monitor *m)
{
	if (!m)
		return;
	uint64_t one = 1;
	if (write(m->stopfd, &one, sizeof(one)) < 0)
		log_warn("monitor: %s", strerror(errno));
	pthread_join(m->thread, NULL);
	close(m->stopfd);
	close(m->epfd);
	/* Streams still open belong to running containers: they keep running,
	 * and the next engined watches them again. */
	for (size_t i = 0; i < m->n; i++) {
		close(m->watched[i]->watch_fd);
		m->watched[i]->watch_fd = -1;
		container_unref(m->watched[i]);
	}
	free(m->watched);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int ctr_monitor_watch(struct ctr_monitor *m, container *c, err_t **err)
{
	int fd = shim_events(c->state_dir, err);
	if (fd < 0)
		return -1;
	container_ref(c);
	c->watch_fd = fd;
	pthread_mutex_lock(&m->lock);
	m->watched = xgrow(m->watched, &m->cap, m->n + 1, sizeof(*m->watched));
	m->watched[m->n++] = c;
	pthread_mutex_unlock(&m->lock);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;
		forget(m, c);
		close(fd);
		c->watch_fd = -1;
		container_unref(c);
		errno = e;
		return err_sys(err, "watch container %s", c->id);
	}
	return 0;
}
