/* ctr_attach.c: attaching clients to a container's stdio, and resizing its
 * pty. engined never relays a stream: the client's socket goes to the
 * container's shim (SCM_RIGHTS), which serves it to the end, so an attach
 * outlives an engined restart and costs engined no thread.
 *
 * The docker CLI attaches before it starts the container, and a short
 * command can be over before any connection could reach a shim. So a
 * client that attaches to a container that is not running waits in the
 * record (`pending`); ctr_start hands every waiting socket to the new shim
 * on its command line (engine-shim --attach), and the shim attaches them
 * before it creates the container: no output can be produced before they
 * are there, and nothing needs to be buffered or timed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "jsonutil.h"
#include "log.h"
#include "shim_client.h"
#include "xalloc.h"

int ctr_attach_check(container *c, err_t **err)
{
	pthread_mutex_lock(&c->lock);
	cstate s = c->state;
	pthread_mutex_unlock(&c->lock);
	if (s == CS_PAUSED)
		return err_conflict(err, "container %s is paused, unpause the container before attach",
				    container_short_name(c));
	if (s == CS_RESTARTING)
		return err_conflict(err, "container %s is restarting, wait until the container is running",
				    container_short_name(c));
	return 0;
}

bool ctr_attach_reserve(container *c)
{
	pthread_mutex_lock(&c->lock);
	while (c->starting)
		pthread_cond_wait(&c->changed, &c->lock);
	bool live = c->state == CS_RUNNING || c->state == CS_PAUSED;
	bool reserve = !live && !c->removed && c->state != CS_REMOVING && c->state != CS_DEAD;
	if (reserve)
		c->n_reserved++;
	pthread_mutex_unlock(&c->lock);
	return reserve;
}

void ctr_attach_unreserve(container *c)
{
	pthread_mutex_lock(&c->lock);
	c->n_reserved--;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

int ctr_attach(ctr_table *t, container *c, int fd, const ctr_attach_opts *o, bool reserved, err_t **err)
{
	_cleanup_close_ int cfd = fd;
	shim_attach_spec a = {
		.in = o->in, .out = o->out, .err = o->err,
		.stdin_once = jget_bool(c->config, "StdinOnce", false),
		.keys = o->keys, .nkeys = o->nkeys, .data = o->data, .ndata = o->ndata,
	};
	ctr_event(t, c, "attach", NULL);
	pthread_mutex_lock(&c->lock);
	if (reserved) { /* a start is waiting for us: no waiting here */
		c->n_reserved--;
		pthread_cond_broadcast(&c->changed);
	}
	while (c->starting)
		pthread_cond_wait(&c->changed, &c->lock);
	bool live = c->state == CS_RUNNING || c->state == CS_PAUSED;
	if (!live) {
		int r = 0;
		if (c->removed || c->state == CS_REMOVING || c->state == CS_DEAD) {
			r = 0; /* nothing will ever run: the stream ends at once */
		} else if (c->n_pending == CTR_MAX_PENDING) {
			r = err_conflict(err, "container %s has too many clients waiting for its start",
					 container_short_name(c));
		} else {
			c->pending = xrealloc(c->pending, (c->n_pending + 1) * sizeof(*c->pending));
			c->pending[c->n_pending++] = (ctr_pending){steal_fd(&cfd), shim_attach_words(&a, ',')};
		}
		pthread_mutex_unlock(&c->lock);
		return r;
	}
	pthread_mutex_unlock(&c->lock);
	_cleanup_free_ char *words = shim_attach_words(&a, ' ');
	_cleanup_err_ err_t *e = NULL;
	if (shim_attach_fd(c->state_dir, cfd, words, &e) == 0)
		return 0;
	if (e->kind == ERR_CONFLICT || e->kind == ERR_NOT_FOUND)
		return 0; /* it exited just now: the stream is over */
	*err = steal_ptr(&e);
	return -1;
}

int ctr_resize(ctr_table *t, container *c, const char *exec_id, unsigned h, unsigned w, err_t **err)
{
	(void)t;
	pthread_mutex_lock(&c->lock);
	bool live = c->state == CS_RUNNING || c->state == CS_PAUSED;
	pthread_mutex_unlock(&c->lock);
	if (!live)
		return err_conflict(err, "Container %s is not running", c->id);
	_cleanup_err_ err_t *e = NULL;
	if (shim_resize(c->state_dir, exec_id, h, w, &e) == 0)
		return 0;
	if (e->kind == ERR_INVALID)
		return 0; /* no tty: containerd ignores the size too */
	if (e->kind == ERR_CONFLICT || e->kind == ERR_NOT_FOUND)
		return err_conflict(err, "Container %s is not running", c->id);
	*err = steal_ptr(&e);
	return -1;
}
