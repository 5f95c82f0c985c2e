/* import.c: POST /images/create?fromSrc=- . A root filesystem tar (plain or
 * compressed) is unpacked as one layer in one pass, kept as received when
 * that is an OCI layer encoding (tar, gzip, zstd) and as the plain tar
 * otherwise, and given a fresh config as Docker's ImportImage writes it:
 * the platform, created now, `message` as comment and history comment
 * ("Imported from -" by default), the `changes` applied to an empty config. */
#include "store.h"

#include <string.h>

#include "changes.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "reference.h"
#include "xalloc.h"

#ifndef ENGINE_VERSION
#define ENGINE_VERSION "0.0.0"
#endif

typedef struct platform {
	char *os, *arch, *variant;
} platform;

static void platform_free(platform *p)
{
	free(p->os);
	free(p->arch);
	free(p->variant);
}

/* "os[/arch[/variant]]", default linux/amd64; only linux is supported. */
static int parse_platform(const char *s, platform *p, err_t **err)
{
	memset(p, 0, sizeof(*p));
	if (!s || !*s) {
		p->os = xstrdup("linux");
		p->arch = xstrdup("amd64");
		return 0;
	}
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL;
	char *os = strtok_r(copy, "/", &save), *arch = strtok_r(NULL, "/", &save);
	char *variant = strtok_r(NULL, "/", &save);
	if (!os || strtok_r(NULL, "/", &save))
		return err_invalid(err, "\"%s\": unknown operating system or architecture", s);
	if (strcasecmp(os, "linux"))
		return err_invalid(err, "operating system is not supported");
	p->os = xstrdup("linux");
	p->arch = xstrdup(arch ? arch : "amd64");
	p->variant = variant ? xstrdup(variant) : NULL;
	if (!strcmp(p->arch, "x86_64")) {
		free(p->arch);
		p->arch = xstrdup("amd64");
	}
	return 0;
}

/* httputils.RepoTagReference for import: no repo, no tag. */
static int import_ref(const img_import_opts *o, reference **out, err_t **err)
{
	*out = NULL;
	if (!o->repo || !*o->repo)
		return 0;
	reference *r = ref_parse_normalized(o->repo, err);
	if (!r)
		return -1;
	if (r->digest) {
		ref_free(r);
		return err_invalid(err, "cannot import digest reference");
	}
	if (o->tag && *o->tag) {
		if (!ref_tag_valid(o->tag)) {
			ref_free(r);
			return err_invalid(err, "invalid tag format");
		}
		free(r->tag);
		r->tag = xstrdup(o->tag);
	}
	ref_default_tag(r);
	*out = r;
	return 0;
}

static char *make_config(const platform *p, json_object *ccfg, const char *comment,
			 const char *diff_id)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	img_time now = img_time_now();
	_cleanup_free_ char *created = img_time_format(&now);
	jset_str(o, "architecture", p->arch);
	jset_str(o, "comment", comment);
	jset(o, "config", json_object_get(ccfg));
	jset_str(o, "created", created);
	jset_str(o, "docker_version", ENGINE_VERSION);
	json_object *hist = json_object_new_array(), *h = json_object_new_object();
	jset_str(h, "created", created);
	jset_str(h, "comment", comment);
	json_object_array_add(hist, h);
	jset(o, "history", hist);
	jset_str(o, "os", p->os);
	json_object *rootfs = json_object_new_object(), *ids = json_object_new_array();
	json_object_array_add(ids, json_object_new_string(diff_id));
	jset_str(rootfs, "type", "layers");
	jset(rootfs, "diff_ids", ids);
	jset(o, "rootfs", rootfs);
	if (p->variant)
		jset_str(o, "variant", p->variant);
	return xstrdup(jdump(o));
}

/* Unpacks the input into a new layer and registers it (leased). */
static int import_layer(img_store *s, const img_reader *in, char chain[DIGEST_STR_LEN + 1],
			extract_result *x, err_t **err)
{
	_cleanup_layer_tmp_ layer_tmp *t = layer_tmp_new(s->root, err);
	_cleanup_blob_writer_ blob_writer *w = t ? blob_writer_new(s->root, err) : NULL;
	if (!w)
		return -1;
	extract_opts o = {.keep = w, .keep_mode = KEEP_OCI, .max_entries = s->max_layer_entries};
	if (extract_layer(in, t->diff, &o, x, err) < 0)
		return err_wrap(err, "import");
	layer_blob b = {.w = w};
	return store_put_layer(s, t, &b, "", x, chain, err);
}

static int register_locked(img_store *s, img_rec *rec, const char *stage, const reference *tag,
			   char id_out[DIGEST_STR_LEN + 1], err_t **err)
{
	img_rec *r = store_commit_image_locked(s, rec, stage, err);
	if (!r)
		return -1;
	if (tag && store_tag_locked(s, r, tag, err) < 0)
		return -1;
	store_event_locked(s, "import", r->id, r->id);
	memcpy(id_out, r->id, DIGEST_STR_LEN + 1);
	return 0;
}

static int import_image(img_store *s, const img_reader *in, const platform *p,
			json_object *ccfg, const char *comment, const reference *tag,
			char id_out[DIGEST_STR_LEN + 1], err_t **err)
{
	char chain[DIGEST_STR_LEN + 1];
	extract_result x;
	if (import_layer(s, in, chain, &x, err) < 0)
		return -1;
	_cleanup_free_ char *config = make_config(p, ccfg, comment, x.diff_id);
	img_rec *rec = img_rec_from_config(config, strlen(config), err);
	_cleanup_free_ char *stage = rec ? store_stage_image(s, rec, NULL, err) : NULL;
	int rc = -1;
	if (stage) {
		store_lock(s);
		rc = register_locked(s, steal_ptr(&rec), stage, tag, id_out, err);
		store_unlock(s);
	}
	img_rec_free(rec);
	store_release_layer(s, chain);
	return rc;
}

int img_import(img_store *s, const img_reader *in, const img_import_opts *o,
	       const img_progress *progress, char id_out[DIGEST_STR_LEN + 1], err_t **err)
{
	(void)progress;
	platform p;
	_cleanup_ref_ reference *tag = NULL;
	if (parse_platform(o->platform, &p, err) < 0)
		return -1;
	_cleanup_json_ json_object *ccfg = json_object_new_object();
	int rc = import_ref(o, &tag, err);
	if (rc == 0)
		rc = img_apply_changes(ccfg, o->changes, err);
	if (rc == 0) {
		const char *comment = o->message && *o->message ? o->message : "Imported from -";
		rc = import_image(s, in, &p, ccfg, comment, tag, id_out, err);
	}
	platform_free(&p);
	return rc;
}
