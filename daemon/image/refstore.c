/* refstore.c: see refstore.h. A flat array is plenty for the number of
 * tags one host carries; lookups are linear, output is sorted on demand. */
#include "refstore.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "xalloc.h"

#define REFSTORE_MAX_BYTES (64u << 20)

static void entry_free(ref_entry *e)
{
	ref_free(e->ref);
	free(e->full);
	free(e->familiar);
	free(e->name);
}

void refstore_free(refstore *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		entry_free(&rs->v[i]);
	free(rs->v);
	free(rs->path);
	free(rs);
}

/* Docker stores only the digest when a reference carries both. */
static reference *storable(const reference *r)
{
	reference *c = ref_dup(r);
	if (c->digest && c->tag) {
		free(c->tag);
		c->tag = NULL;
	}
	ref_default_tag(c);
	return c;
}

static ref_entry *find(const refstore *rs, const char *full)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->v[i].full, full))
			return &rs->v[i];
	return NULL;
}

static void append(refstore *rs, reference *r, const char *id)
{
	rs->v = xgrow(rs->v, &rs->cap, rs->n + 1, sizeof(ref_entry));
	ref_entry *e = &rs->v[rs->n++];
	e->ref = r;
	e->full = ref_string(r);
	e->familiar = ref_familiar_string(r);
	e->name = ref_familiar_name(r);
	memcpy(e->id, id, DIGEST_STR_LEN + 1);
}

static void load_repo(refstore *rs, json_object *repo)
{
	json_object_object_foreach(repo, key, val)
	{
		const char *id = json_object_get_string(val);
		reference *r = ref_parse_normalized(key, NULL);
		if (!r || !digest_valid(id) || (r->tag && r->digest)) {
			ref_free(r);
			continue;
		}
		ref_default_tag(r);
		_cleanup_free_ char *full = ref_string(r);
		if (find(rs, full)) {
			ref_free(r);
			continue;
		}
		append(rs, r, id);
	}
}

refstore *refstore_open(const char *path, err_t **err)
{
	refstore *rs = xcalloc(1, sizeof(*rs));
	rs->path = xstrdup(path);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_err_ err_t *rerr = NULL;
	if (fs_read_file(path, REFSTORE_MAX_BYTES, &text, &len, &rerr) < 0) {
		if (rerr->kind == ERR_NOT_FOUND)
			return rs;
		refstore_free(rs);
		*err = steal_ptr(&rerr);
		return NULL;
	}
	_cleanup_json_ json_object *o = json_parse_strict(text, len, err);
	json_object *repos = jget_obj(o, "Repositories");
	if (!o || !repos) {
		refstore_free(rs);
		err_set(err, ERR_SYSTEM, 0, "%s is damaged", path);
		return NULL;
	}
	json_object_object_foreach(repos, name, repo)
	{
		(void)name;
		if (json_object_is_type(repo, json_type_object))
			load_repo(rs, repo);
	}
	return rs;
}

static int cmp_entry_ptr(const void *a, const void *b)
{
	const ref_entry *x = *(const ref_entry *const *)a, *y = *(const ref_entry *const *)b;
	return strcmp(x->full, y->full);
}

static size_t collect(const refstore *rs, const char *id, const char *name,
		      const ref_entry ***out)
{
	const ref_entry **v = xcalloc(rs->n + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < rs->n; i++)
		if ((!id || !strcmp(rs->v[i].id, id)) && (!name || !strcmp(rs->v[i].name, name)))
			v[n++] = &rs->v[i];
	qsort(v, n, sizeof(*v), cmp_entry_ptr);
	*out = v;
	return n;
}

size_t refstore_refs(const refstore *rs, const char *id, const ref_entry ***out)
{
	return collect(rs, id, NULL, out);
}

size_t refstore_by_name(const refstore *rs, const char *name, const ref_entry ***out)
{
	return collect(rs, NULL, name, out);
}

int refstore_save(refstore *rs, err_t **err)
{
	const ref_entry **v;
	size_t n = collect(rs, NULL, NULL, &v);
	_cleanup_json_ json_object *root = json_object_new_object();
	json_object *repos = json_object_new_object();
	jset(root, "Repositories", repos);
	for (size_t i = 0; i < n; i++) {
		json_object *repo = jget(repos, v[i]->name);
		if (!repo) {
			repo = json_object_new_object();
			jset(repos, v[i]->name, repo);
		}
		jset_str(repo, v[i]->familiar, v[i]->id);
	}
	free(v);
	const char *text = jdump(root);
	return fs_write_atomic(rs->path, text, strlen(text), 0600, err);
}

const char *refstore_get(const refstore *rs, const reference *r)
{
	_cleanup_ref_ reference *c = storable(r);
	_cleanup_free_ char *full = ref_string(c);
	const ref_entry *e = find(rs, full);
	return e ? e->id : NULL;
}

int refstore_add(refstore *rs, const reference *r, const char *id, bool force, char **old_id,
		 err_t **err)
{
	reference *c = storable(r);
	_cleanup_free_ char *full = ref_string(c);
	_cleanup_free_ char *fname = ref_familiar_name(c);
	if (!strcmp(fname, "sha256")) {
		ref_free(c);
		return err_invalid(err, "refusing to create an ambiguous tag using digest algorithm as name");
	}
	ref_entry *e = find(rs, full);
	if (!e) {
		append(rs, c, id);
		return 0;
	}
	if (!strcmp(e->id, id)) {
		ref_free(c);
		return 0;
	}
	if (c->digest || !force) {
		int rc = c->digest ? err_conflict(err, "Cannot overwrite digest %s", c->digest)
				   : err_conflict(err, "Conflict: Tag %s is already set to image %s, if you "
						  "want to replace it, please use the force option", e->familiar, e->id);
		ref_free(c);
		return rc;
	}
	ref_free(c);
	if (old_id)
		*old_id = xstrdup(e->id);
	memcpy(e->id, id, DIGEST_STR_LEN + 1);
	return 0;
}

static void remove_at(refstore *rs, size_t i)
{
	entry_free(&rs->v[i]);
	memmove(&rs->v[i], &rs->v[i + 1], (rs->n - i - 1) * sizeof(ref_entry));
	rs->n--;
}

int refstore_delete(refstore *rs, const reference *r)
{
	_cleanup_ref_ reference *c = storable(r);
	_cleanup_free_ char *full = ref_string(c);
	ref_entry *e = find(rs, full);
	if (!e)
		return 0;
	remove_at(rs, (size_t)(e - rs->v));
	return 1;
}

size_t refstore_prune(refstore *rs, bool (*keep)(void *ctx, const char *id), void *ctx)
{
	size_t dropped = 0;
	for (size_t i = rs->n; i-- > 0;) {
		if (keep(ctx, rs->v[i].id))
			continue;
		remove_at(rs, i);
		dropped++;
	}
	return dropped;
}
