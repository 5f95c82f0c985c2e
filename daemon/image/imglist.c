/* imglist.c: GET /images/json (ImageSummary list with Docker 25's filters
 * dangling, label, before, since, reference, until; shared sizes and
 * container counts on request) and the images part of GET /system/df. The
 * summaries are built under the store lock; container counts are asked of
 * the core after it is released. */
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include "cleanup.h"
#include "filters.h"
#include "jsonutil.h"
#include "reference.h"
#include "xalloc.h"

static const char *const list_filter_keys[] = {
	"dangling", "label", "before", "since", "reference", "until", NULL,
};

typedef struct list_query {
	const img_list_opts *o;
	filters *f;
	char **refpats;    /* the reference filter's globs */
	bool dangling_only;
	img_time before, since;
} list_query;

typedef struct summary {
	json_object *o;
	const img_rec *r;
	char id[DIGEST_STR_LEN + 1];
} summary;

/* before/until: the oldest bound wins; since: the newest. */
static int image_bound_locked(img_store *s, const char *name, img_time *bound, bool oldest,
			      err_t **err)
{
	img_rec *r = store_find_locked(s, name, err);
	if (!r)
		return -1;
	if (r->created.set && (!bound->set || img_time_cmp(&r->created, bound) == (oldest ? -1 : 1)))
		*bound = r->created;
	return 0;
}

static int bounds_locked(img_store *s, list_query *q, err_t **err)
{
	_cleanup_strv_ char **before = filters_get(q->f, "before");
	_cleanup_strv_ char **until = filters_get(q->f, "until");
	_cleanup_strv_ char **since = filters_get(q->f, "since");
	for (char **v = before; *v; v++)
		if (image_bound_locked(s, *v, &q->before, true, err) < 0)
			return -1;
	for (char **v = until; *v; v++) {
		img_time t;
		if (img_time_until(*v, &t, err) < 0)
			return -1;
		if (!q->before.set || img_time_cmp(&t, &q->before) < 0)
			q->before = t;
	}
	for (char **v = since; *v; v++)
		if (image_bound_locked(s, *v, &q->since, false, err) < 0)
			return -1;
	return 0;
}

static bool ref_selected(const list_query *q, const ref_entry *e)
{
	if (!q->refpats)
		return true;
	for (char **pats = q->refpats; *pats; pats++)
		if (ref_familiar_match(*pats, e->ref))
			return true;
	return false;
}

static bool time_selected(const list_query *q, const img_rec *r)
{
	if (q->before.set && (!r->created.set || img_time_cmp(&r->created, &q->before) >= 0))
		return false;
	if (q->since.set && (!r->created.set || img_time_cmp(&r->created, &q->since) <= 0))
		return false;
	return true;
}

static bool label_selected(const list_query *q, const img_rec *r)
{
	if (!filters_contains(q->f, "label"))
		return true;
	json_object *cfg = jget_obj(r->cfg, "config");
	return cfg && filters_match_kv(q->f, "label", jget_obj(cfg, "Labels"));
}

static json_object *summary_json(img_store *s, const img_rec *r, json_object *tags,
				 json_object *digests, int api_minor)
{
	json_object *o = json_object_new_object();
	int64_t size = store_image_size_locked(s, r);
	json_object *labels = jget_obj(jget_obj(r->cfg, "config"), "Labels");
	jset_int(o, "Containers", -1);
	jset_int(o, "Created", r->created.set ? r->created.sec : 0);
	jset_str(o, "Id", r->id);
	jset(o, "Labels", labels ? jclone(labels) : NULL);
	jset_str(o, "ParentId", r->parent);
	jset(o, "RepoDigests", digests);
	jset(o, "RepoTags", tags);
	jset_int(o, "SharedSize", -1);
	jset_int(o, "Size", size);
	if (api_minor && api_minor < 44)
		jset_int(o, "VirtualSize", size);
	return o;
}

/* One image through Docker's rules; NULL when filtered out. */
static json_object *list_one_locked(img_store *s, const list_query *q, const img_rec *r)
{
	size_t children = store_children_locked(s, r->id);
	if ((q->dangling_only && children) || !time_selected(q, r) || !label_selected(q, r))
		return NULL;
	const char *os = jget_str(r->cfg, "os");
	if (os && *os && strcmp(os, "linux"))
		return NULL;
	const ref_entry **refs;
	size_t n = refstore_refs(s->refs, r->id, &refs);
	json_object *tags = json_object_new_array(), *digests = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		if (ref_selected(q, refs[i]))
			json_object_array_add(refs[i]->ref->digest ? digests : tags,
					      json_object_new_string(refs[i]->familiar));
	free(refs);
	size_t nt = json_object_array_length(tags), nd = json_object_array_length(digests);
	bool keep = true;
	if (!nt && !nd)
		keep = (q->o->all || !children) &&
		       !(filters_contains(q->f, "dangling") && !q->dangling_only) &&
		       !q->refpats;
	else if (q->dangling_only && nt)
		keep = false;
	if (keep && !nt && !nd && q->o->api_minor && q->o->api_minor < 43) {
		json_object_array_add(tags, json_object_new_string("<none>:<none>"));
		json_object_array_add(digests, json_object_new_string("<none>@<none>"));
	}
	if (!keep) {
		json_object_put(tags);
		json_object_put(digests);
		return NULL;
	}
	return summary_json(s, r, tags, digests, q->o->api_minor);
}

static size_t chain_refs_locked(img_store *s, const char *chain)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nimages; i++)
		for (size_t j = 0; j < s->images[i]->nlayers; j++)
			n += !strcmp(s->images[i]->chain[j], chain);
	return n;
}

static void shared_sizes_locked(img_store *s, summary *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t shared = 0;
		for (size_t j = 0; j < v[i].r->nlayers; j++) {
			layer_rec *l = store_layer_locked(s, v[i].r->chain[j]);
			if (l && chain_refs_locked(s, l->chain) > 1)
				shared += l->size;
		}
		jset_int(v[i].o, "SharedSize", shared);
	}
}

static int by_created_desc(const void *a, const void *b)
{
	const summary *x = a, *y = b;
	int c = img_time_cmp(&y->r->created, &x->r->created);
	return c ? c : strcmp(x->id, y->id);
}

static summary *collect_locked(img_store *s, list_query *q, size_t *n)
{
	summary *v = xcalloc(s->nimages + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < s->nimages; i++) {
		json_object *o = list_one_locked(s, q, s->images[i]);
		if (!o)
			continue;
		v[*n].o = o;
		v[*n].r = s->images[i];
		strcpy(v[(*n)++].id, s->images[i]->id);
	}
	if (q->o->shared_size)
		shared_sizes_locked(s, v, *n);
	qsort(v, *n, sizeof(*v), by_created_desc);
	return v;
}

json_object *img_list(img_store *s, const img_list_opts *o, err_t **err)
{
	list_query q = {.o = o};
	if (filters_parse(o->filters, &q.f, err) < 0 ||
	    filters_validate(q.f, list_filter_keys, err) < 0 ||
	    filters_get_bool(q.f, "dangling", false, &q.dangling_only, err) < 0) {
		filters_free(q.f);
		return NULL;
	}
	if (filters_contains(q.f, "reference"))
		q.refpats = filters_get(q.f, "reference");
	store_lock(s);
	size_t n = 0;
	summary *v = bounds_locked(s, &q, err) < 0 ? NULL : collect_locked(s, &q, &n);
	store_unlock(s);
	filters_free(q.f);
	strv_free(q.refpats);
	if (!v)
		return NULL;
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		if (o->container_count && s->hooks.count)
			jset_int(v[i].o, "Containers", s->hooks.count(s->hooks.ctx, v[i].id));
		else if (o->container_count)
			jset_int(v[i].o, "Containers", 0);
		json_object_array_add(out, v[i].o);
	}
	free(v);
	return out;
}

/* Docker's LayerDiskUsage: layers of images that are tagged or have no
 * children, each counted once. */
static int64_t layers_size_locked(img_store *s)
{
	int64_t total = 0;
	for (size_t i = 0; i < s->nlayers; i++) {
		layer_rec *l = s->layers[i];
		bool counted = false;
		for (size_t k = 0; k < s->nimages && !counted; k++) {
			img_rec *r = s->images[k];
			const ref_entry **refs;
			size_t nrefs = refstore_refs(s->refs, r->id, &refs);
			free(refs);
			if (!nrefs && store_children_locked(s, r->id))
				continue;
			for (size_t j = 0; j < r->nlayers && !counted; j++)
				counted = !strcmp(r->chain[j], l->chain);
		}
		if (counted)
			total += l->size;
	}
	return total;
}

json_object *img_disk_usage(img_store *s, int64_t *layers_size, err_t **err)
{
	img_list_opts o = {.shared_size = true, .container_count = true, .api_minor = 44};
	json_object *list = img_list(s, &o, err);
	if (list && layers_size) {
		store_lock(s);
		*layers_size = layers_size_locked(s);
		store_unlock(s);
	}
	return list;
}
