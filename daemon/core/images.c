/* images.c: the image store as the engine opens it. Its events become
 * Docker's image events (Type "image", the image's labels and `name` as
 * attributes; prune carries `reclaimed`), and the container hooks are
 * wired in container_hooks() below. */
#include "images.h"

#include <string.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "xalloc.h"
#include "jsonutil.h"
#include "log.h"

/* The image's labels, as Docker copies them into every image event; none
 * when the image is gone (delete, untag of the last name). */
static json_object *image_labels(engine *e, const char *id)
{
	_cleanup_err_ err_t *err = NULL;
	size_t len = 0;
	_cleanup_free_ char *cfg = img_config(e->images, id, &len, &err);
	json_object *attrs = json_object_new_object();
	if (!cfg)
		return attrs;
	_cleanup_json_ json_object *o = json_parse_strict(cfg, len, &err);
	json_object *labels = jget_obj(jget_obj(o, "config"), "Labels");
	if (labels && json_object_is_type(labels, json_type_object)) {
		json_object_object_foreach(labels, k, v)
		{
			if (json_object_is_type(v, json_type_string))
				jset_str(attrs, k, json_object_get_string(v));
		}
	}
	return attrs;
}

/* Called by the store without its lock held (image.h). */
static void on_image_event(void *ctx, const char *action, const char *id, const char *name)
{
	engine *e = ctx;
	json_object *attrs;
	if (!strcmp(action, "prune")) {
		attrs = json_object_new_object();
		jset_str(attrs, "reclaimed", name ? name : "0");
	} else {
		attrs = e->images ? image_labels(e, id) : json_object_new_object();
		if (name && *name)
			jset_str(attrs, "name", name);
	}
	events_publish(e->events, "image", action, id ? id : "", attrs);
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

/* Which containers use an image: rmi's conflicts ("image is being used by
 * running container"), prune's "in use" and df's Containers count ask
 * these, without the store lock held. */
static void container_hooks(engine *e, img_container_hooks *h)
{
	h->first = first_user;
	h->count = count_users;
	h->ctx = e;
}

img_store *engine_images_open(engine *e, err_t **err)
{
	img_store_opts o = {
		.root = e->data_root,
		.on_event = on_image_event,
		.event_ctx = e,
	};
	container_hooks(e, &o.containers);
	img_store *s = img_store_open(&o, err);
	if (s)
		log_debug("image store open at %s", e->data_root);
	return s;
}
