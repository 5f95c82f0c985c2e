/* pins.c: containers holding layers. A container is created from an image
 * and keeps using its layers as overlay lower dirs even if the image is
 * later deleted (`rmi -f` with a stopped container, as Docker allows):
 * img_pin records the top ChainID under pins/<owner>, and every layer on
 * that chain stays alive until img_unpin. This is Docker's layerdb/mounts
 * in our terms. Pins are files, so they survive restarts. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

static bool owner_valid(const char *owner)
{
	size_t n = owner ? strlen(owner) : 0;
	return n && n <= 128 && strspn(owner, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == n &&
	       owner[0] != '.';
}

static store_pin *pin_find_locked(img_store *s, const char *owner)
{
	for (size_t i = 0; i < s->npins; i++)
		if (!strcmp(s->pins[i].owner, owner))
			return &s->pins[i];
	return NULL;
}

static void pin_add_locked(img_store *s, const char *owner, const char *chain)
{
	s->pins = xgrow(s->pins, &s->cappins, s->npins + 1, sizeof(store_pin));
	s->pins[s->npins].owner = xstrdup(owner);
	snprintf(s->pins[s->npins++].chain, DIGEST_STR_LEN + 1, "%s", chain);
}

bool store_layer_pinned_locked(img_store *s, const char *chain)
{
	for (size_t i = 0; i < s->npins; i++) {
		/* walk the pinned chain down through the parents */
		for (layer_rec *l = store_layer_locked(s, s->pins[i].chain); l;
		     l = *l->parent ? store_layer_locked(s, l->parent) : NULL)
			if (!strcmp(l->chain, chain))
				return true;
	}
	return false;
}

static char **dirs_of_locked(img_store *s, const char *top)
{
	size_t n = 0;
	for (layer_rec *l = store_layer_locked(s, top); l;
	     l = *l->parent ? store_layer_locked(s, l->parent) : NULL)
		n++;
	char **v = xcalloc(n + 1, sizeof(char *));
	size_t i = n;
	for (layer_rec *l = store_layer_locked(s, top); l;
	     l = *l->parent ? store_layer_locked(s, l->parent) : NULL)
		v[--i] = layer_diff_dir(s->root, l->chain);
	return v;
}

char **img_pin(img_store *s, const char *owner, const char *image, err_t **err)
{
	if (!owner_valid(owner)) {
		err_invalid(err, "invalid pin owner \"%s\"", owner ? owner : "");
		return NULL;
	}
	store_lock(s);
	img_rec *r = store_find_locked(s, image, err);
	char **dirs = NULL;
	if (r) {
		const char *top = r->nlayers ? r->chain[r->nlayers - 1] : "";
		_cleanup_free_ char *path = xasprintf("%s/pins/%s", s->root, owner);
		if (fs_write_atomic(path, top, strlen(top), 0600, err) == 0) {
			store_pin *p = pin_find_locked(s, owner);
			if (p)
				snprintf(p->chain, sizeof(p->chain), "%s", top);
			else
				pin_add_locked(s, owner, top);
			dirs = dirs_of_locked(s, top);
		}
	}
	store_unlock(s);
	return dirs;
}

char **img_pinned_dirs(img_store *s, const char *owner, err_t **err)
{
	store_lock(s);
	store_pin *p = owner ? pin_find_locked(s, owner) : NULL;
	char **dirs = p ? dirs_of_locked(s, p->chain) : NULL;
	store_unlock(s);
	if (!p)
		err_notfound(err, "no layers pinned for %s", owner ? owner : "(null)");
	return dirs;
}

int img_unpin(img_store *s, const char *owner, err_t **err)
{
	if (!owner_valid(owner))
		return err_invalid(err, "invalid pin owner \"%s\"", owner ? owner : "");
	char **trash = NULL;
	size_t ntrash = 0;
	store_lock(s);
	store_pin *p = pin_find_locked(s, owner);
	int rc = 0;
	if (p) {
		_cleanup_free_ char *path = xasprintf("%s/pins/%s", s->root, owner);
		if (unlink(path) < 0 && errno != ENOENT) {
			rc = err_sys(err, "remove %s", path);
		} else {
			free(p->owner);
			*p = s->pins[--s->npins];
			store_collect_layers_locked(s, &trash, &ntrash);
		}
	}
	store_unlock(s);
	store_empty_trash(trash, ntrash);
	return rc;
}

void store_load_pins(img_store *s)
{
	_cleanup_free_ char *dir = fs_path_join(s->root, "pins");
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		_cleanup_free_ char *p = fs_path_join(dir, de->d_name);
		if (!owner_valid(de->d_name)) {
			if (de->d_name[0] != '.' || strstr(de->d_name, ".tmp-"))
				unlink(p);
			continue;
		}
		_cleanup_free_ char *chain = NULL;
		if (fs_read_file(p, 256, &chain, NULL, NULL) < 0 || (*chain && !digest_valid(chain)))
			continue;
		pin_add_locked(s, de->d_name, chain);
	}
}

void store_free_pins(img_store *s)
{
	for (size_t i = 0; i < s->npins; i++)
		free(s->pins[i].owner);
	free(s->pins);
}
