/* imgdelete.c: DELETE /images/{name} and POST /images/prune with Docker's
 * rules (moby daemon/images/image_delete.go, image_prune.go): a name
 * untags, an ID deletes; conflicts with child images, running and stopped
 * containers and other repositories, "must be forced" or "cannot be
 * forced"; untagged parents pruned quietly. Which containers use an image
 * is asked of the core before the store lock is taken (a usage snapshot),
 * so the core's locks and ours never nest. */
#include "store.h"

#include <stdlib.h>
#include <string.h>
#include "cleanup.h"
#include "filters.h"
#include "jsonutil.h"
#include "reference.h"
#include "strbuf.h"
#include "xalloc.h"

enum {
	CONFLICT_CHILD = 1,
	CONFLICT_RUNNING = 2,
	CONFLICT_REFERENCE = 4,
	CONFLICT_STOPPED = 8,
	CONFLICT_HARD = CONFLICT_CHILD | CONFLICT_RUNNING,
	CONFLICT_SOFT = CONFLICT_REFERENCE | CONFLICT_STOPPED,
};

typedef struct usage {
	char id[DIGEST_STR_LEN + 1];
	char *running, *stopped; /* a container in that state, or NULL */
} usage;

typedef struct delete_ctx {
	img_store *s;
	usage *u;
	size_t nu;
	json_object *records;
	char **trash;
	size_t ntrash;
	int64_t reclaimed;
} delete_ctx;

/* ---- the usage snapshot ---- */

static void usage_add(delete_ctx *d, const char *id, size_t *cap)
{
	for (size_t i = 0; i < d->nu; i++)
		if (!strcmp(d->u[i].id, id))
			return;
	d->u = xgrow(d->u, cap, d->nu + 1, sizeof(usage));
	memset(&d->u[d->nu], 0, sizeof(usage));
	strcpy(d->u[d->nu++].id, id);
}

/* Ids to ask about: the given images and their ancestors. */
static void usage_targets_locked(delete_ctx *d, img_rec *const *v, size_t n, size_t *cap)
{
	for (size_t i = 0; i < n; i++)
		for (const img_rec *r = v[i]; r; r = *r->parent ? store_image_locked(d->s, r->parent) : NULL)
			usage_add(d, r->id, cap);
}

static void usage_fill(delete_ctx *d)
{
	img_container_hooks *h = &d->s->hooks;
	for (size_t i = 0; h->first && i < d->nu; i++) {
		if (!h->first(h->ctx, d->u[i].id, IMG_CTR_RUNNING, &d->u[i].running))
			d->u[i].running = NULL;
		if (!h->first(h->ctx, d->u[i].id, IMG_CTR_STOPPED, &d->u[i].stopped))
			d->u[i].stopped = NULL;
	}
}

static const usage *usage_of(const delete_ctx *d, const char *id)
{
	for (size_t i = 0; i < d->nu; i++)
		if (!strcmp(d->u[i].id, id))
			return &d->u[i];
	return NULL;
}

static void delete_ctx_done(delete_ctx *d)
{
	for (size_t i = 0; i < d->nu; i++) {
		free(d->u[i].running);
		free(d->u[i].stopped);
	}
	free(d->u);
	store_empty_trash(d->trash, d->ntrash);
	d->trash = NULL;
	d->ntrash = 0;
}

/* ---- records ---- */

static void record(delete_ctx *d, const char *key, const char *val)
{
	json_object *o = json_object_new_object();
	jset_str(o, key, val);
	json_object_array_add(d->records, o);
}

static char *short_id(const char *id)
{
	const char *hex = strchr(id, ':') ? strchr(id, ':') + 1 : id;
	return xstrndup(hex, 12);
}

/* ---- conflicts ---- */

typedef struct conflict {
	bool hard, used;
	char *msg;
} conflict;

static bool check_conflict_locked(delete_ctx *d, const img_rec *r, int mask, conflict *c)
{
	const usage *u = usage_of(d, r->id);
	const ref_entry **refs;
	size_t nrefs = refstore_refs(d->s->refs, r->id, &refs);
	free(refs);
	memset(c, 0, sizeof(*c));
	if ((mask & CONFLICT_CHILD) && store_children_locked(d->s, r->id)) {
		*c = (conflict){true, false, xstrdup("image has dependent child images")};
	} else if ((mask & CONFLICT_RUNNING) && u && u->running) {
		_cleanup_free_ char *cid = short_id(u->running);
		*c = (conflict){true, true, xasprintf("image is being used by running container %s", cid)};
	} else if ((mask & CONFLICT_REFERENCE) && nrefs) {
		*c = (conflict){false, false, xstrdup("image is referenced in multiple repositories")};
	} else if ((mask & CONFLICT_STOPPED) && u && u->stopped) {
		_cleanup_free_ char *cid = short_id(u->stopped);
		*c = (conflict){false, true, xasprintf("image is being used by stopped container %s", cid)};
	}
	return c->msg != NULL;
}

static int conflict_err(const img_rec *r, conflict *c, err_t **err)
{
	_cleanup_free_ char *sid = short_id(r->id);
	err_conflict(err, "conflict: unable to delete %s (%s) - %s", sid,
		     c->hard ? "cannot be forced" : "must be forced", c->msg);
	free(c->msg);
	return -1;
}

/* ---- removal ---- */

static int untag_locked(delete_ctx *d, const img_rec *r, const reference *ref)
{
	_cleanup_ref_ reference *c = ref_dup(ref);
	ref_default_tag(c);
	refstore_delete(d->s->refs, c);
	_cleanup_free_ char *fam = ref_familiar_string(c);
	record(d, "Untagged", fam);
	store_event_locked(d->s, "untag", r->id, r->id);
	return 0;
}

static void untag_all_locked(delete_ctx *d, const img_rec *r)
{
	const ref_entry **refs;
	size_t n = refstore_refs(d->s->refs, r->id, &refs);
	reference **copies = xcalloc(n + 1, sizeof(*copies));
	for (size_t i = 0; i < n; i++)
		copies[i] = ref_dup(refs[i]->ref);
	free(refs);
	for (size_t i = 0; i < n; i++) {
		untag_locked(d, r, copies[i]);
		ref_free(copies[i]);
	}
	free(copies);
}

static bool is_dangling_locked(delete_ctx *d, const img_rec *r)
{
	const ref_entry **refs;
	size_t n = refstore_refs(d->s->refs, r->id, &refs);
	free(refs);
	return !n && !store_children_locked(d->s, r->id);
}

/* imageDeleteHelper: the image itself, then (prune) its untagged parents. */
static int delete_image_locked(delete_ctx *d, img_rec *r, bool force, bool prune, bool quiet,
			       err_t **err)
{
	conflict c;
	int mask = CONFLICT_HARD | (force ? 0 : CONFLICT_SOFT);
	if (check_conflict_locked(d, r, mask, &c)) {
		if (quiet && (!is_dangling_locked(d, r) || c.used)) {
			free(c.msg);
			return 0;
		}
		return conflict_err(r, &c, err);
	}
	char id[DIGEST_STR_LEN + 1], parent[DIGEST_STR_LEN + 1];
	strcpy(id, r->id);
	strcpy(parent, r->parent);
	untag_all_locked(d, r);
	if (refstore_save(d->s->refs, err) < 0)
		return -1;
	record(d, "Deleted", id);
	if (store_remove_image_locked(d->s, r, &d->trash, &d->ntrash, d->records, &d->reclaimed, err) < 0)
		return -1;
	store_event_locked(d->s, "delete", id, id);
	img_rec *p = prune && *parent ? store_image_locked(d->s, parent) : NULL;
	return p ? delete_image_locked(d, p, false, true, true, err) : 0;
}

/* isSingleReference: one repository, at most one tag. */
static bool single_reference(const ref_entry **refs, size_t n)
{
	if (n <= 1)
		return n == 1;
	const ref_entry *tag = NULL;
	for (size_t i = 0; i < n; i++) {
		if (refs[i]->ref->digest)
			continue;
		if (tag)
			return false;
		tag = refs[i];
	}
	const char *name = tag ? tag->name : refs[0]->name;
	bool same = true, seen = false;
	for (size_t i = 0; i < n; i++) {
		if (!refs[i]->ref->digest)
			continue;
		seen |= !strcmp(refs[i]->name, name);
		same &= !strcmp(refs[i]->name, name);
	}
	return seen && same;
}

static bool is_id_prefix(const char *id, const char *name)
{
	return !strncmp(id, name, strlen(name)) || !strncmp(id + 7, name, strlen(name));
}

/* Removes the digest references of ref's repository once no tag of that
 * repository is left. */
static void untag_orphan_digests_locked(delete_ctx *d, const img_rec *r, const reference *ref)
{
	_cleanup_free_ char *name = ref_name(ref);
	const ref_entry **refs;
	size_t n = refstore_refs(d->s->refs, r->id, &refs);
	bool tag_left = false;
	_cleanup_strv_ char **drop = xcalloc(n + 1, sizeof(char *));
	size_t nd = 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *rn = ref_name(refs[i]->ref);
		if (strcmp(rn, name))
			continue;
		if (refs[i]->ref->digest)
			drop[nd++] = xstrdup(refs[i]->full);
		else
			tag_left = true;
	}
	free(refs);
	for (size_t i = 0; !tag_left && i < nd; i++) {
		_cleanup_ref_ reference *dr = ref_parse_normalized(drop[i], NULL);
		if (dr)
			untag_locked(d, r, dr);
	}
}

static int untag_by_name_locked(delete_ctx *d, img_rec *r, const char *name, bool force,
				bool *done, err_t **err)
{
	const ref_entry **refs;
	size_t n = refstore_refs(d->s->refs, r->id, &refs);
	bool single = single_reference(refs, n);
	free(refs);
	const usage *u = usage_of(d, r->id);
	const char *ctr = u ? (u->running ? u->running : u->stopped) : NULL;
	if (!force && single && ctr) {
		_cleanup_free_ char *cid = short_id(ctr), *iid = short_id(r->id);
		return err_conflict(err, "conflict: unable to remove repository reference \"%s\" (must "
				    "force) - container %s is using its referenced image %s", name, cid, iid);
	}
	_cleanup_ref_ reference *ref = ref_parse_normalized(name, err);
	if (!ref)
		return -1;
	if (ref->digest && ref->tag) {
		free(ref->tag);
		ref->tag = NULL;
	}
	ref_default_tag(ref);
	if (!refstore_get(d->s->refs, ref))
		return err_notfound(err, "reference does not exist");
	untag_locked(d, r, ref);
	if (!ref->digest)
		untag_orphan_digests_locked(d, r, ref);
	if (refstore_save(d->s->refs, err) < 0)
		return -1;
	n = refstore_refs(d->s->refs, r->id, &refs);
	free(refs);
	*done = n > 0;
	return 0;
}

static int image_delete_locked(delete_ctx *d, const char *name, bool force, bool prune,
			       err_t **err)
{
	img_rec *r = store_find_locked(d->s, name, err);
	if (!r)
		return -1;
	bool quiet = false;
	if (!is_id_prefix(r->id, name)) {
		bool done = false;
		if (untag_by_name_locked(d, r, name, force, &done, err) < 0)
			return -1;
		if (done)
			return 0;
		quiet = true;
	} else {
		const ref_entry **refs;
		size_t n = refstore_refs(d->s->refs, r->id, &refs);
		bool single = single_reference(refs, n);
		free(refs);
		conflict c;
		int mask = CONFLICT_HARD | (force ? 0 : (CONFLICT_SOFT & ~CONFLICT_REFERENCE));
		if (single && check_conflict_locked(d, r, mask, &c))
			return conflict_err(r, &c, err);
		if (single)
			untag_all_locked(d, r);
	}
	return delete_image_locked(d, r, force, prune, quiet, err);
}

/* Snapshot of container usage for the images a deletion may touch. */
static void snapshot(delete_ctx *d, img_rec *const *targets, size_t n)
{
	size_t cap = 0;
	usage_targets_locked(d, targets, n, &cap);
	store_unlock(d->s);
	usage_fill(d);
	store_lock(d->s);
}

json_object *img_delete(img_store *s, const char *name, bool force, bool prune, err_t **err)
{
	if (!name || !*name) {
		err_invalid(err, "image name cannot be blank");
		return NULL;
	}
	delete_ctx d = {.s = s, .records = json_object_new_array()};
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	int rc = r ? 0 : -1;
	if (r) {
		snapshot(&d, &r, 1);
		rc = image_delete_locked(&d, name, force, prune, err);
	}
	store_unlock(s);
	delete_ctx_done(&d);
	if (rc < 0) {
		json_object_put(d.records);
		return NULL;
	}
	return d.records;
}

/* ---- prune ---- */

static const char *const prune_filter_keys[] = {"dangling", "label", "label!", "until", NULL};

typedef struct prune_query {
	filters *f;
	bool dangling_only;
	img_time until;
} prune_query;

static bool has_tag(const ref_entry **refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!refs[i]->ref->digest)
			return true;
	return false;
}

static bool prune_selected_locked(img_store *s, const prune_query *q, const img_rec *r)
{
	const ref_entry **refs;
	size_t n = refstore_refs(s->refs, r->id, &refs);
	free(refs);
	size_t children = store_children_locked(s, r->id);
	if (q->dangling_only && children)
		return false; /* not a head */
	if (!n && children)
		return false;
	if (q->until.set && (!r->created.set || img_time_cmp(&r->created, &q->until) > 0))
		return false;
	json_object *labels = jget_obj(jget_obj(r->cfg, "config"), "Labels");
	if (jget_obj(r->cfg, "config")) {
		if (!filters_match_kv(q->f, "label", labels))
			return false;
		if (filters_contains(q->f, "label!") && filters_match_kv(q->f, "label!", labels))
			return false;
	}
	return true;
}

/* One selected image: by its references, or by its ID when it has none;
 * conflicts are skipped silently as Docker does. */
static void prune_one_locked(delete_ctx *d, const prune_query *q, const char *id)
{
	img_rec *r = store_image_locked(d->s, id);
	if (!r)
		return;
	const ref_entry **refs;
	size_t n = refstore_refs(d->s->refs, id, &refs);
	_cleanup_strv_ char **names = xcalloc(n + 1, sizeof(char *));
	bool tagged = has_tag(refs, n);
	for (size_t i = 0; i < n; i++)
		names[i] = xstrdup(refs[i]->full);
	free(refs);
	if (n && q->dangling_only && tagged)
		return;
	if (!n) {
		_cleanup_err_ err_t *e = NULL;
		image_delete_locked(d, id + 7, false, true, &e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_err_ err_t *e = NULL;
		image_delete_locked(d, names[i], false, true, &e);
	}
}

static int prune_query_parse(const char *text, prune_query *q, err_t **err)
{
	if (filters_parse(text, &q->f, err) < 0 || filters_validate(q->f, prune_filter_keys, err) < 0 ||
	    filters_get_bool(q->f, "dangling", true, &q->dangling_only, err) < 0)
		return -1;
	_cleanup_strv_ char **until = filters_get(q->f, "until");
	if (until[0] && until[1])
		return err_invalid(err, "more than one until filter specified");
	if (until[0] && img_time_until(until[0], &q->until, err) < 0)
		return -1;
	return 0;
}

static json_object *prune_report(delete_ctx *d)
{
	json_object *o = json_object_new_object();
	size_t n = json_object_array_length(d->records);
	jset(o, "ImagesDeleted", n ? json_object_get(d->records) : NULL);
	jset_int(o, "SpaceReclaimed", d->reclaimed);
	return o;
}

static void prune_all_locked(delete_ctx *d, const prune_query *q)
{
	img_store *s = d->s;
	img_rec **sel = xcalloc(s->nimages + 1, sizeof(*sel));
	size_t n = 0;
	for (size_t i = 0; i < s->nimages; i++)
		if (prune_selected_locked(s, q, s->images[i]))
			sel[n++] = s->images[i];
	_cleanup_strv_ char **ids = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		ids[i] = xstrdup(sel[i]->id);
	snapshot(d, sel, n);
	free(sel);
	for (size_t i = 0; i < n; i++)
		prune_one_locked(d, q, ids[i]);
}

json_object *img_prune(img_store *s, const char *filters, err_t **err)
{
	prune_query q = {0};
	if (prune_query_parse(filters, &q, err) < 0) {
		filters_free(q.f);
		return NULL;
	}
	int expected = 0;
	if (!atomic_compare_exchange_strong(&s->prune_running, &expected, 1)) {
		filters_free(q.f);
		err_conflict(err, "a prune operation is already running");
		return NULL;
	}
	delete_ctx d = {.s = s, .records = json_object_new_array()};
	store_lock(s);
	prune_all_locked(&d, &q);
	json_object *report = prune_report(&d);
	_cleanup_free_ char *reclaimed = xasprintf("%lld", (long long)d.reclaimed);
	store_event_locked(s, "prune", "", reclaimed);
	store_unlock(s);
	delete_ctx_done(&d);
	json_object_put(d.records);
	filters_free(q.f);
	atomic_store(&s->prune_running, 0);
	return report;
}
