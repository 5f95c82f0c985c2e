/* imgtag.c: POST /images/{name}/tag. Docker's RepoTagReference rules for
 * repo and tag, then the tag is set (moving it from another image if need
 * be) and LastTagTime recorded. */
#include "store.h"

#include <string.h>

#include "cleanup.h"
#include "reference.h"
#include "xalloc.h"

/* httputils.RepoTagReference: repo normalised, tag replaced or defaulted. */
static reference *repo_tag(const char *repo, const char *tag, err_t **err)
{
	if (!repo || !*repo) {
		err_invalid(err, "repository name must have at least one component");
		return NULL;
	}
	reference *r = ref_parse_normalized(repo, err);
	if (!r)
		return NULL;
	if (r->digest) {
		ref_free(r);
		err_invalid(err, "cannot import digest reference");
		return NULL;
	}
	if (tag && *tag) {
		if (!ref_tag_valid(tag)) {
			ref_free(r);
			err_invalid(err, "invalid tag format");
			return NULL;
		}
		free(r->tag);
		r->tag = xstrdup(tag);
	}
	ref_default_tag(r);
	return r;
}

/* Sets a tag under the lock: refstore, LastTagTime, the "tag" event. */
int store_tag_locked(img_store *s, img_rec *r, const reference *ref, err_t **err)
{
	if (refstore_add(s->refs, ref, r->id, true, NULL, err) < 0 ||
	    refstore_save(s->refs, err) < 0)
		return -1;
	r->last_tag = img_time_now();
	if (store_write_meta(s, r, err) < 0)
		return -1;
	_cleanup_free_ char *fam = ref_familiar_string(ref);
	store_event_locked(s, "tag", r->id, fam);
	return 0;
}

int img_tag(img_store *s, const char *name, const char *repo, const char *tag, err_t **err)
{
	_cleanup_ref_ reference *ref = repo_tag(repo, tag, err);
	if (!ref)
		return -1;
	_cleanup_free_ char *fam = ref_familiar_name(ref);
	if (!strcmp(fam, "sha256"))
		return err_invalid(err, "refusing to create an ambiguous tag using digest algorithm as name");
	store_lock(s);
	img_rec *r = store_find_locked(s, name, err);
	int rc = r ? store_tag_locked(s, r, ref, err) : -1;
	store_unlock(s);
	if (!r && err && *err)
		(*err)->kind = ERR_NOT_FOUND; /* Docker answers any lookup failure here with 404 */
	return rc;
}
