/* reaper.c: deleting veths off the caller's path. Removing a network
 * device waits for the kernel's RCU grace periods (20-30 ms here), which
 * an exit should not pay for: the endpoint is released at once (address
 * freed, record written) and the host's end of the veth, whose name is
 * never reused, is deleted by one worker thread of the store. net_close
 * waits for the queue to drain. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "link.h"
#include "log.h"
#include "net_internal.h"
#include "xalloc.h"

struct net_reaper {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char **names;
	size_t n, cap;
	bool stop;
	pthread_t thread;
};

static void delete_one(nl_sock **nl, const char *name)
{
	_cleanup_err_ err_t *err = NULL;
	if (!*nl)
		*nl = nl_open(-1, &err);
	if (!*nl || link_del(*nl, name, &err) < 0)
		log_warn("deleting %s: %s", name, err ? err->msg : "no netlink socket");
}

static void *reaper_loop(void *arg)
{
	net_reaper *r = arg;
	nl_sock *nl = NULL;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->n && !r->stop)
			pthread_cond_wait(&r->cond, &r->lock);
		if (!r->n)
			break;
		char *name = r->names[--r->n];
		pthread_mutex_unlock(&r->lock);
		delete_one(&nl, name);
		free(name);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	nl_close(nl);
	return NULL;
}

net_reaper *reaper_start(void)
{
	net_reaper *r = xcalloc(1, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	if (pthread_create(&r->thread, NULL, reaper_loop, r) != 0) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return r;
}

void reaper_delete(net_reaper *r, const char *veth)
{
	if (!r) {
		nl_sock *nl = NULL;
		delete_one(&nl, veth);
		nl_close(nl);
		return;
	}
	pthread_mutex_lock(&r->lock);
	r->names = xgrow(r->names, &r->cap, r->n + 1, sizeof(char *));
	r->names[r->n++] = xstrdup(veth);
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void reaper_stop(net_reaper *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	free(r->names);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
