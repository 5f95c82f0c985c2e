/* lazylib.c: see lazylib.h. One lock for all libraries (acquire and
 * release are rare: once per layer or archive, not per byte). The reaper
 * thread is started when a library's count drops to zero and exits when no
 * library is mapped any more, so an idle daemon has neither the libraries
 * nor the thread. */
#include "lazylib.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static lazylib *open_libs;       /* mapped libraries */
static bool reaper_running;
static pthread_t reaper;
static int64_t linger_ns = -1;

/* The reaper's deadlines are CLOCK_MONOTONIC ones. */
static void init_wake(void)
{
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wake, &ca);
	pthread_condattr_destroy(&ca);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t linger_locked(void)
{
	if (linger_ns < 0) {
		const char *e = getenv("ENGINE_LAZYLIB_LINGER_MS");
		linger_ns = (e && *e ? strtoll(e, NULL, 10) : 2000) * 1000000LL;
		if (linger_ns < 0)
			linger_ns = 0;
	}
	return linger_ns;
}

void lazylib_set_linger_ms(int64_t ms)
{
	pthread_once(&wake_once, init_wake);
	pthread_mutex_lock(&mu);
	linger_ns = (ms < 0 ? 0 : ms) * 1000000LL;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&mu);
}

static void unlink_locked(lazylib *l)
{
	for (lazylib **p = &open_libs; *p; p = &(*p)->next) {
		if (*p == l) {
			*p = l->next;
			l->next = NULL;
			return;
		}
	}
}

static void unload_locked(lazylib *l)
{
	memset(l->table, 0, l->n * sizeof(void *));
	dlclose(l->handle);
	l->handle = NULL;
	unlink_locked(l);
}

/* Closes what has been idle long enough; returns the next deadline (0 when
 * nothing is waiting). */
static int64_t reap_locked(bool all)
{
	int64_t now = mono_ns(), next = 0, linger = linger_locked();
	for (lazylib *l = open_libs, *nx; l; l = nx) {
		nx = l->next;
		if (l->users)
			continue;
		int64_t due = l->idle_since_ns + linger;
		if (all || due <= now)
			unload_locked(l);
		else if (!next || due < next)
			next = due;
	}
	return next;
}

static void *reaper_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (open_libs) {
		int64_t due = reap_locked(false);
		if (!open_libs)
			break;
		if (!due) {
			pthread_cond_wait(&wake, &mu); /* all in use: wait for a release */
			continue;
		}
		struct timespec ts = {due / 1000000000LL, due % 1000000000LL};
		pthread_cond_timedwait(&wake, &mu, &ts);
	}
	reaper_running = false;
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void start_reaper_locked(void)
{
	if (reaper_running) {
		pthread_cond_broadcast(&wake);
		return;
	}
	if (!open_libs)
		return;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&a, 64 * 1024);
	/* No reaper (out of threads): the library simply stays mapped. */
	if (pthread_create(&reaper, &a, reaper_main, NULL) == 0)
		reaper_running = true;
	pthread_attr_destroy(&a);
}

int lazylib_acquire(lazylib *l, err_t **err)
{
	pthread_once(&wake_once, init_wake);
	pthread_mutex_lock(&mu);
	if (!l->handle) {
		dlerror();
		void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			const char *why = dlerror();
			pthread_mutex_unlock(&mu);
			return err_set(err, ERR_SYSTEM, 0, "cannot load %s: %s", l->soname,
				       why ? why : "unknown error");
		}
		for (size_t i = 0; i < l->n; i++) {
			void *sym = dlsym(h, l->names[i]);
			if (!sym) {
				memset(l->table, 0, l->n * sizeof(void *));
				dlclose(h);
				pthread_mutex_unlock(&mu);
				return err_set(err, ERR_SYSTEM, 0, "%s has no symbol %s", l->soname,
					       l->names[i]);
			}
			l->table[i] = sym;
		}
		l->handle = h;
		l->loads++;
		l->next = open_libs;
		open_libs = l;
	}
	l->users++;
	pthread_mutex_unlock(&mu);
	return 0;
}

void lazylib_release(lazylib *l)
{
	pthread_mutex_lock(&mu);
	if (l->users > 0 && --l->users == 0) {
		l->idle_since_ns = mono_ns();
		start_reaper_locked();
	}
	pthread_mutex_unlock(&mu);
}

bool lazylib_loaded(lazylib *l)
{
	pthread_mutex_lock(&mu);
	bool on = l->handle != NULL;
	pthread_mutex_unlock(&mu);
	return on;
}

unsigned long lazylib_load_count(lazylib *l)
{
	pthread_mutex_lock(&mu);
	unsigned long n = l->loads;
	pthread_mutex_unlock(&mu);
	return n;
}

void lazylib_flush(void)
{
	pthread_once(&wake_once, init_wake);
	pthread_mutex_lock(&mu);
	reap_locked(true);
	pthread_cond_broadcast(&wake);
	while (reaper_running && !open_libs) {
		pthread_mutex_unlock(&mu);
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&mu);
	}
	pthread_mutex_unlock(&mu);
}
