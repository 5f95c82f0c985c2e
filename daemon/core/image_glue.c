/* image_glue.c: how the image store and the rest of the engine meet: the
 * store's events become Docker's image events, and the store asks the
 * container table which containers use an image (for rmi, prune and df). */
#include <string.h>

#include "containers.h"
#include "ctr_internal.h"
#include "engine.h"
#include "image.h"
#include "jsonutil.h"
#include "xalloc.h"

static void on_image_event(void *ctx, const char *action, const char *id, const char *name)
{
	engine *e = ctx;
	json_object *a = json_object_new_object();
	/* A prune event carries only the reclaimed bytes (the store passes them as name). */
	jset_str(a, strcmp(action, "prune") ? "name" : "reclaimed", name ? name : "");
	events_publish(e->events, "image", action, id ? id : "", a);
}

static bool state_matches(const container *c, img_ctr_state s)
{
	bool live = c->state == CS_RUNNING || c->state == CS_PAUSED || c->state == CS_RESTARTING;
	switch (s) {
	case IMG_CTR_ANY: return true;
	case IMG_CTR_RUNNING: return live;
	case IMG_CTR_STOPPED: return !live;
	}
	return true;
}

static bool first_user(void *ctx, const char *image_id, img_ctr_state s, char **ctr_id)
{
	engine *e = ctx;
	ctr_table *t = e->containers;
	if (!t)
		return false;
	bool found = false;
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n && !found; i++) {
		container *c = t->items[i];
		pthread_mutex_lock(&c->lock);
		if (!strcmp(c->image_id, image_id) && state_matches(c, s)) {
			*ctr_id = xstrdup(c->id);
			found = true;
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

static int64_t count_users(void *ctx, const char *image_id)
{
	engine *e = ctx;
	ctr_table *t = e->containers;
	if (!t)
		return 0;
	int64_t n = 0;
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n; i++)
		n += !strcmp(t->items[i]->image_id, image_id);
	pthread_mutex_unlock(&t->lock);
	return n;
}

img_store *engine_open_images(engine *e, err_t **err)
{
	img_store_opts o = {
		.root = e->data_root,
		.on_event = on_image_event,
		.event_ctx = e,
		.containers = {.first = first_user, .count = count_users, .ctx = e},
	};
	return img_store_open(&o, err);
}
