/* push.c: POST /images/{name}/push?tag=. Per tag: the layers, top first as
 * Docker lists them, are checked with HEAD (a blob the registry has is
 * not sent: "Layer already exists"), mounted from another repository of
 * the same registry that the store knows holds them ("Mounted from x"),
 * or uploaded (up to max_uploads at once): in one PUT when small, else in
 * chunks of PATCH with Content-Range, following each opaque Location the
 * registry returns and resuming from its Range after a 416. Then the
 * config, then the manifest: the stored one when it names exactly these
 * blobs (a pulled image keeps its digest), else a Docker schema 2
 * manifest (all layers gzip) or an OCI one (plain tar or zstd layers, sent
 * as stored: engine does not recompress). The aux message carries Tag,
 * Digest and Size; the digest is the one a later pull records. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "digest.h"
#include "extract.h"
#include "jsonutil.h"
#include "log.h"
#include "manifest.h"
#include "reference.h"
#include "regclient.h"
#include "strbuf.h"
#include "workers.h"
#include "xalloc.h"

#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DEFAULT_CHUNK ((int64_t)32 << 20)
#define UPLOAD_RETRIES 3

typedef struct push_ctx {
	img_store *s;
	reg_client *rc;
	const reg_progress *p;
	const reg_config *cfg;
	reference *ref;        /* the repository */
	char *scope;
	const char *scopes[8];
	img_push_image im;
	/* workers */
	pthread_mutex_t mu;
	size_t next;
	err_t *err;
	bool stop;
} push_ctx;

static void say(push_ctx *c, const char *id, const char *status, bool detail)
{
	if (c->p && c->p->status)
		c->p->status(c->p->ctx, id, status, detail);
}

static void sayf(push_ctx *c, const char *id, bool detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void sayf(push_ctx *c, const char *id, bool detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *m = xvasprintf(fmt, ap);
	va_end(ap);
	say(c, id, m, detail);
}

static bool canceled(push_ctx *c)
{
	return c->stop || (c->p && c->p->canceled && c->p->canceled(c->p->ctx));
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- one blob ---- */

typedef struct blob_job {
	const char *digest;
	int64_t size;
	const char *path;      /* file, or NULL with data */
	const char *data;
	const char *id;        /* progress line, NULL for silent (config) */
	char **mount_from;
} blob_job;

/* HTTP status check with Docker's words for the failure. */
static int want_status(const fx_resp *resp, int want, const char *method, const char *url,
		       err_t **err)
{
	if (resp->status == want)
		return 0;
	_cleanup_free_ char *why = regc_error_text(resp);
	if (resp->status == 401 || resp->status == 403)
		return err_set(err, ERR_SYSTEM, 0, "%s", why); /* as dockerd words it */
	return regc_transport_error(err, method, url, why);
}

/* An upload session's Location, absolute (it is opaque: used as given). */
static char *location(push_ctx *c, const fx_resp *resp, const char *method, const char *url,
		      err_t **err)
{
	const char *loc = fx_header(resp, "location");
	if (!loc || !*loc) {
		regc_transport_error(err, method, url, "the registry gave no upload location");
		return NULL;
	}
	if (!strncmp(loc, "http://", 7) || !strncmp(loc, "https://", 8))
		return xstrdup(loc);
	if (loc[0] == '/')
		return regc_url(c->rc, loc);
	/* relative to the request's URL */
	const char *slash = strrchr(url, '/');
	return xasprintf("%.*s/%s", (int)(slash ? slash - url : (long)strlen(url)), url, loc);
}

static char *with_query(const char *url, const char *kv)
{
	return xasprintf("%s%s%s", url, strchr(url, '?') ? "&" : "?", kv);
}

static void report_push(push_ctx *c, const blob_job *b, int64_t n, int64_t *last, int64_t *last_ns,
			bool force)
{
	if (!b->id)
		return;
	int64_t now = mono_ns();
	if (!force && (n - *last < (512 << 10) || now - *last_ns < 100 * 1000000LL))
		return;
	if (n == *last && !force)
		return;
	*last = n;
	*last_ns = now;
	if (c->p && c->p->progress)
		c->p->progress(c->p->ctx, b->id, "Pushing", n, b->size);
}

/* Sends a request whose body is a byte range of the blob, reporting
 * progress as it goes. */
static int send_range(push_ctx *c, const blob_job *b, const char *method, const char *url,
		      char **hdrs, int64_t off, int64_t len, int64_t base, fx_resp *resp,
		      int64_t *last, int64_t *last_ns, err_t **err)
{
	fx_req r = {.method = method, .url = url, .headers = hdrs, .max = 1 << 20, .has_body = true};
	if (b->path) {
		r.body_file = b->path;
		r.body_off = off;
		r.body_size = len;
	} else {
		r.body = b->data + off;
		r.body_len = (size_t)len;
	}
	regc_tls(c->rc, &r);
	fx_call *call = fx_send(c->rc->f, &r, err);
	if (!call)
		return -1;
	int64_t seen = 0;
	bool done = false;
	while (!done) {
		seen = fx_wait(call, seen, 200, &done, NULL);
		report_push(c, b, base + seen, last, last_ns, false);
		if (!done && canceled(c)) {
			fx_cancel(call);
			return err_set(err, ERR_SYSTEM, 0, "push canceled");
		}
	}
	fx_finish(call, resp);
	if (resp->error) {
		int rc = regc_transport_error(err, method, url, resp->error);
		fx_resp_free(resp);
		return rc;
	}
	return 0;
}

/* Where an interrupted chunked upload stands: GET the session's Range. */
static int64_t upload_offset(push_ctx *c, const char *loc, char **newloc)
{
	fx_req r = {.method = "GET", .max = 1 << 16};
	fx_resp resp;
	_cleanup_err_ err_t *e = NULL;
	if (regc_do(c->rc, c->scopes, &r, loc, &resp, &e) < 0)
		return -1;
	int64_t off = -1;
	const char *range = fx_header(&resp, "range");
	if (resp.status == 204 && range) {
		const char *dash = strchr(range, '-');
		off = dash ? strtoll(dash + 1, NULL, 10) + 1 : -1;
		const char *l = fx_header(&resp, "location");
		if (l && *l) {
			free(*newloc);
			*newloc = location(c, &resp, "GET", loc, &e);
		}
	}
	fx_resp_free(&resp);
	return off;
}

static int upload(push_ctx *c, const blob_job *b, char *loc, err_t **err)
{
	int64_t chunk = c->cfg && c->cfg->chunk > 0 ? c->cfg->chunk : DEFAULT_CHUNK;
	int64_t off = 0, last = 0, last_ns = 0;
	_cleanup_free_ char *auth = NULL;
	int retries = 0;
	while (b->size > chunk && off < b->size) {
		/* chunked: PATCH with Content-Range, follow the new Location */
		int64_t len = b->size - off < chunk ? b->size - off : chunk;
		free(auth);
		_cleanup_err_ err_t *aerr = NULL;
		auth = regc_auth_line(c->rc, c->scopes, false, &aerr);
		if (aerr)
			return regc_transport_error(err, "PATCH", loc, aerr->msg);
		_cleanup_free_ char *cr = xasprintf("Content-Range: %lld-%lld", (long long)off,
						    (long long)(off + len - 1));
		char *hdrs[] = {"Content-Type: application/octet-stream", cr, auth, NULL};
		fx_resp resp;
		if (send_range(c, b, "PATCH", loc, hdrs, off, len, off, &resp, &last, &last_ns, err) < 0) {
			if (++retries > UPLOAD_RETRIES || canceled(c))
				goto fail;
			err_free(err);
			int64_t at = upload_offset(c, loc, &loc);
			if (at >= 0)
				off = at;
			continue;
		}
		if (resp.status == 416 && retries++ < UPLOAD_RETRIES) {
			int64_t at = upload_offset(c, loc, &loc);
			fx_resp_free(&resp);
			if (at < 0)
				return err_set(err, ERR_SYSTEM, 0, "upload of %s: the registry lost the session",
					       b->digest);
			off = at;
			continue;
		}
		if (want_status(&resp, 202, "PATCH", loc, err) < 0) {
			fx_resp_free(&resp);
			goto fail;
		}
		char *next = location(c, &resp, "PATCH", loc, err);
		fx_resp_free(&resp);
		if (!next)
			goto fail;
		free(loc);
		loc = next;
		off += len;
	}
	/* the end: one PUT with the whole body (small blobs) or none (chunked) */
	{
		_cleanup_free_ char *dg = xasprintf("digest=%s", b->digest);
		_cleanup_free_ char *url = with_query(loc, dg);
		free(auth);
		_cleanup_err_ err_t *aerr = NULL;
		auth = regc_auth_line(c->rc, c->scopes, false, &aerr);
		if (aerr) {
			regc_transport_error(err, "PUT", url, aerr->msg);
			goto fail;
		}
		char *hdrs[] = {"Content-Type: application/octet-stream", auth, NULL};
		fx_resp resp;
		int64_t len = off < b->size ? b->size - off : 0;
		if (send_range(c, b, "PUT", url, hdrs, off, len, off, &resp, &last, &last_ns, err) < 0)
			goto fail;
		int rc = want_status(&resp, 201, "PUT", url, err);
		fx_resp_free(&resp);
		if (rc < 0)
			goto fail;
	}
	report_push(c, b, b->size, &last, &last_ns, true);
	free(loc);
	return 0;
fail:
	free(loc);
	return -1;
}

/* HEAD, mount or upload one blob; *how says which ("exists", "mounted", "pushed"). */
static int push_blob(push_ctx *c, const blob_job *b, const char **how, char **mounted_from,
		     err_t **err)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", c->ref->path, b->digest);
	fx_req head = {.method = "HEAD"};
	fx_resp resp;
	if (regc_do(c->rc, c->scopes, &head, path, &resp, err) < 0)
		return -1;
	int st = resp.status;
	fx_resp_free(&resp);
	if (st == 200) {
		*how = "exists";
		return 0;
	}
	if (st == 401 || st == 403)
		return err_set(err, ERR_SYSTEM, 0, "unauthorized: authentication required");
	/* a mount from a repository that has it; else a fresh session */
	char *loc = NULL;
	for (char **from = b->mount_from; from && *from && !loc; from++) {
		_cleanup_free_ char *mscope = xasprintf("repository:%s:pull", *from);
		const char *scopes[] = {c->scope, mscope, NULL};
		_cleanup_free_ char *mpath = xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", c->ref->path,
						       b->digest, *from);
		fx_req r = {.method = "POST", .has_body = true};
		_cleanup_err_ err_t *e = NULL;
		if (regc_do(c->rc, scopes, &r, mpath, &resp, &e) < 0)
			continue;
		if (resp.status == 201) {
			fx_resp_free(&resp);
			*how = "mounted";
			*mounted_from = xstrdup(*from);
			return 0;
		}
		if (resp.status == 202) {
			_cleanup_free_ char *url = regc_url(c->rc, mpath);
			loc = location(c, &resp, "POST", url, &e);
		}
		fx_resp_free(&resp);
	}
	if (!loc) {
		_cleanup_free_ char *upath = xasprintf("/v2/%s/blobs/uploads/", c->ref->path);
		_cleanup_free_ char *url = regc_url(c->rc, upath);
		fx_req r = {.method = "POST", .has_body = true};
		if (regc_do(c->rc, c->scopes, &r, upath, &resp, err) < 0)
			return -1;
		int rc = want_status(&resp, 202, "POST", url, err);
		if (rc == 0)
			loc = location(c, &resp, "POST", url, err);
		fx_resp_free(&resp);
		if (!loc)
			return -1;
	}
	if (upload(c, b, loc, err) < 0)
		return -1;
	*how = "pushed";
	return 0;
}

/* ---- layers ---- */

static void fail(push_ctx *c, err_t **e)
{
	pthread_mutex_lock(&c->mu);
	if (!c->err)
		c->err = steal_ptr(e);
	c->stop = true;
	pthread_mutex_unlock(&c->mu);
	err_free(e);
}

static void short_id(const char *digest, char out[16])
{
	snprintf(out, 16, "%.12s", digest + 7);
}

static void *layer_worker(void *arg)
{
	push_ctx *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->mu);
		if (c->stop || c->next >= c->im.nlayers) {
			pthread_mutex_unlock(&c->mu);
			return NULL;
		}
		/* top layer first, as Docker pushes */
		img_push_layer *l = &c->im.layers[c->im.nlayers - 1 - c->next++];
		pthread_mutex_unlock(&c->mu);
		char id[16];
		short_id(l->diff, id);
		blob_job b = {.digest = l->blob, .size = l->size, .path = l->path, .id = id,
			      .mount_from = l->mount_from};
		const char *how = NULL;
		_cleanup_free_ char *from = NULL;
		_cleanup_err_ err_t *e = NULL;
		if (push_blob(c, &b, &how, &from, &e) < 0) {
			fail(c, &e);
			return NULL;
		}
		if (!strcmp(how, "exists"))
			say(c, id, "Layer already exists", true);
		else if (!strcmp(how, "mounted"))
			sayf(c, id, true, "Mounted from %s", from);
		else
			say(c, id, "Pushed", true);
	}
}

static int push_layers(push_ctx *c, err_t **err)
{
	size_t n = c->im.nlayers;
	for (size_t i = n; i-- > 0;) {
		char id[16];
		short_id(c->im.layers[i].diff, id);
		say(c, id, "Preparing", true);
	}
	int max = c->cfg && c->cfg->max_uploads > 0 ? c->cfg->max_uploads : 5;
	for (size_t k = (size_t)max; k < n; k++) {
		char id[16];
		short_id(c->im.layers[n - 1 - k].diff, id);
		say(c, id, "Waiting", true);
	}
	pthread_mutex_init(&c->mu, NULL);
	c->next = 0;
	reg_run_workers(layer_worker, c, max, n);
	pthread_mutex_destroy(&c->mu);
	if (c->err) {
		*err = steal_ptr(&c->err);
		return -1;
	}
	return 0;
}

/* ---- the manifest ---- */

static const char *docker_layer_mt(const char *mt)
{
	return !strcmp(mt, MEDIA_LAYER_GZIP) ? MT_DOCKER_GZIP : NULL;
}

/* Docker's schema 2 when every layer is gzip (as `docker push` writes it:
 * three-space indentation), else OCI with the layers' own media types. */
static char *build_manifest(const img_push_image *im, const char **mt)
{
	bool docker = true;
	for (size_t i = 0; i < im->nlayers; i++)
		docker &= docker_layer_mt(im->layers[i].media_type) != NULL;
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	*mt = docker ? MT_DOCKER_MANIFEST : MT_OCI_MANIFEST;
	sb_printf(&sb, "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"%s\",\n   \"config\": {\n"
		  "      \"mediaType\": \"%s\",\n      \"size\": %zu,\n      \"digest\": \"%s\"\n   },\n"
		  "   \"layers\": [", *mt, docker ? MT_DOCKER_CONFIG : MT_OCI_CONFIG, im->config_len, im->id);
	for (size_t i = 0; i < im->nlayers; i++) {
		const img_push_layer *l = &im->layers[i];
		sb_printf(&sb, "%s\n      {\n         \"mediaType\": \"%s\",\n         \"size\": %lld,\n"
			  "         \"digest\": \"%s\"\n      }", i ? "," : "",
			  docker ? docker_layer_mt(l->media_type) : l->media_type, (long long)l->size, l->blob);
	}
	sb_puts(&sb, im->nlayers ? "\n   ]\n}" : "]\n}");
	return sb_steal(&sb);
}

static int put_manifest(push_ctx *c, const char *tag, const char *body, size_t len, const char *mt,
			const char *digest, err_t **err)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", c->ref->path, tag);
	_cleanup_free_ char *ct = xasprintf("Content-Type: %s", mt);
	char *hdrs[] = {ct, NULL};
	fx_req r = {.method = "PUT", .headers = hdrs, .body = body, .body_len = len, .has_body = true,
		    .max = 1 << 20};
	fx_resp resp;
	if (regc_do(c->rc, c->scopes, &r, path, &resp, err) < 0)
		return -1;
	_cleanup_free_ char *url = regc_url(c->rc, path);
	int rc = want_status(&resp, 201, "PUT", url, err);
	const char *got = fx_header(&resp, "docker-content-digest");
	if (rc == 0 && got && digest_valid(got) && strcmp(got, digest))
		log_warn("push %s: the registry says the manifest is %s, its bytes are %s", url, got, digest);
	fx_resp_free(&resp);
	return rc;
}

static int push_tag(push_ctx *c, const char *tag, err_t **err)
{
	_cleanup_ref_ reference *tref = ref_dup(c->ref);
	tref->tag = xstrdup(tag);
	_cleanup_free_ char *full = ref_string(tref);
	_cleanup_free_ char *fam = ref_familiar_string(tref);
	if (img_push_begin(c->s, full, c->ref->domain, c->ref->path, &c->im, NULL) < 0)
		return err_set(err, ERR_NOT_FOUND, 0, "tag does not exist: %s", fam);
	int rc = push_layers(c, err);
	if (rc == 0) {
		blob_job cfg = {.digest = c->im.id, .size = (int64_t)c->im.config_len, .data = c->im.config};
		const char *how;
		_cleanup_free_ char *from = NULL;
		rc = push_blob(c, &cfg, &how, &from, err);
	}
	_cleanup_free_ char *built = NULL;
	const char *body = c->im.manifest, *mt = c->im.manifest_mt;
	size_t len = c->im.manifest_len;
	char digest[DIGEST_STR_LEN + 1];
	if (!body) {
		built = build_manifest(&c->im, &mt);
		body = built;
		len = strlen(built);
	}
	digest_buf(body, len, digest);
	if (rc == 0)
		rc = put_manifest(c, tag, body, len, mt, digest, err);
	if (rc == 0) {
		sayf(c, NULL, false, "%s: digest: %s size: %zu", tag, digest, len);
		if (c->p && c->p->aux) {
			json_object *aux = json_object_new_object();
			jset_str(aux, "Tag", tag);
			jset_str(aux, "Digest", digest);
			jset_int(aux, "Size", (int64_t)len);
			c->p->aux(c->p->ctx, aux);
		}
		_cleanup_err_ err_t *e = NULL;
		if (img_push_done(c->s, &c->im, body, len, digest, full, &e) < 0)
			log_warn("push %s: %s", full, e->msg);
	}
	img_push_end(c->s, &c->im);
	return rc;
}

int reg_push(img_store *s, const reg_push_opts *o, const reg_progress *p, err_t **err)
{
	_cleanup_ref_ reference *ref = ref_parse_normalized(o->name ? o->name : "", err);
	if (!ref)
		return -1;
	if (ref->digest)
		return err_invalid(err, "cannot push a digest reference");
	const char *tag = o->tag && *o->tag ? o->tag : NULL;
	if (tag && !ref_tag_valid(tag))
		return err_invalid(err, "invalid tag format");
	_cleanup_free_ char *tagbuf = !tag && ref->tag ? xstrdup(ref->tag) : NULL;
	if (tagbuf)
		tag = tagbuf;
	free(ref->tag);
	ref->tag = NULL;
	_cleanup_free_ char *name = ref_name(ref), *famname = ref_familiar_name(ref);
	if (!strcmp(famname, "scratch"))
		return err_set(err, ERR_FORBIDDEN, 0, "'scratch' is a reserved name");
	push_ctx c = {.s = s, .p = p, .cfg = o->cfg, .ref = ref};
	sayf(&c, NULL, false, "The push refers to repository [%s]", name);
	_cleanup_strv_ char **tags = NULL;
	if (tag) {
		tags = xcalloc(2, sizeof(char *));
		tags[0] = xstrdup(tag);
	} else {
		_cleanup_strv_ char **refs = img_repo_tags(s, name, err);
		if (!refs)
			return -1;
		size_t n = 0;
		while (refs[n])
			n++;
		if (!n)
			return err_notfound(err, "An image does not exist locally with the tag: %s", famname);
		tags = xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++) {
			_cleanup_ref_ reference *r = ref_parse_normalized(refs[i], NULL);
			tags[i] = xstrdup(r && r->tag ? r->tag : "latest");
		}
	}
	if (tag) { /* the tag must exist before any network */
		_cleanup_free_ char *full = xasprintf("%s:%s", name, tag);
		img_push_image probe;
		if (img_push_begin(s, full, ref->domain, ref->path, &probe, NULL) < 0) {
			_cleanup_free_ char *fam = xasprintf("%s:%s", famname, tag);
			return err_notfound(err, "tag does not exist: %s", fam);
		}
		img_push_end(s, &probe);
	}
	fx *f = fx_start(err);
	if (!f)
		return -1;
	c.scope = xasprintf("repository:%s:pull,push", ref->path);
	c.scopes[0] = c.scope;
	c.rc = regc_new(f, o->cfg, ref->domain, o->creds, false);
	int rc = regc_connect(c.rc, err);
	for (char **t = tags; rc == 0 && *t; t++)
		rc = push_tag(&c, *t, err);
	regc_free(c.rc);
	fx_stop(f);
	free(c.scope);
	return rc;
}
