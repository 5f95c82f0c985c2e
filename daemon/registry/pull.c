/* pull.c: POST /images/create?fromImage=. The manifest is fetched with
 * all four Accept types and checked against its digest (the one asked
 * for, and the Docker-Content-Digest the registry claims); an index picks
 * this platform's manifest; the config is checked against its digest.
 * Then up to max_downloads layers download at once, each straight into
 * <root>/ingest/<hex> (resumed with Range where a previous pull stopped)
 * while a worker unpacks it from that file as it grows, so a layer is
 * downloaded and extracted in one pass. A layer is registered only once
 * its bytes match the manifest's digest and its content the config's
 * diff_id; the image, its tag and its RepoDigest only once all layers are
 * in. The messages are Docker's, in Docker's order.
 *
 * A failed pull deletes its downloads; a pull the client walked away from
 * (or a daemon killed mid-way) keeps them in ingest/, and the next pull of
 * any image with those blobs resumes them with a Range request (Docker
 * starts over). Within a pull, a download cut short is resumed up to
 * BLOB_RETRIES times. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "extract.h"
#include "jsonutil.h"
#include "log.h"
#include "manifest.h"
#include "platform.h"
#include "reference.h"
#include "regclient.h"
#include "strbuf.h"
#include "workers.h"
#include "xalloc.h"

#define ACCEPT_MANIFESTS "Accept: " MT_DOCKER_MANIFEST ", " MT_DOCKER_LIST ", " MT_OCI_MANIFEST ", " MT_OCI_INDEX
#define MT_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MANIFEST_MAX (4u << 20)   /* Docker's limit on a manifest */
#define BLOB_RETRIES 3
#define CONFIG_MAX (8u << 20)     /* largest image config we read */

typedef struct pull_layer {
	size_t i;
	oci_desc *d;
	char id[16];           /* short digest shown in the messages */
	const char *mt;        /* OCI media type */
	bool have;             /* already in the store */
	bool done;             /* registered */
	bool reported;         /* "Pull complete" sent */
} pull_layer;

typedef struct pull_ctx {
	img_store *s;
	reg_client *rc;
	const reg_progress *p;
	const reg_config *cfg;
	const char *scopes[2];
	char *scope;
	char *path;            /* repository path on the registry */
	img_ingest *g;
	pull_layer *layers;
	size_t n;
	/* workers */
	pthread_mutex_t mu;
	size_t next;           /* next layer to start */
	size_t next_report;
	err_t *err;
	bool stop;
	bool sent_first;       /* a message went out: errors go in-stream from now */
} pull_ctx;

/* ---- messages ---- */

static void say(pull_ctx *c, const char *id, const char *status, bool detail)
{
	if (c->p && c->p->status)
		c->p->status(c->p->ctx, id, status, detail);
	c->sent_first = true;
}

static void sayf(pull_ctx *c, const char *id, bool detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void sayf(pull_ctx *c, const char *id, bool detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *m = xvasprintf(fmt, ap);
	va_end(ap);
	say(c, id, m, detail);
}

static void say_progress(pull_ctx *c, const char *id, const char *status, int64_t cur, int64_t total)
{
	if (c->p && c->p->progress)
		c->p->progress(c->p->ctx, id, status, cur, total);
}

/* The client went away: what was downloaded stays in ingest/ for the
 * next pull to resume. */
static bool client_gone(pull_ctx *c)
{
	return c->p && c->p->canceled && c->p->canceled(c->p->ctx);
}

static bool canceled(pull_ctx *c)
{
	return c->stop || client_gone(c);
}

static void fail(pull_ctx *c, err_t **e)
{
	pthread_mutex_lock(&c->mu);
	if (!c->err)
		c->err = steal_ptr(e);
	c->stop = true;
	pthread_mutex_unlock(&c->mu);
	err_free(e);
}

/* ---- manifests and blobs in memory ---- */

static const char *content_type(const fx_resp *r, char buf[128])
{
	const char *ct = fx_header(r, "content-type");
	snprintf(buf, 128, "%s", ct ? ct : "");
	buf[strcspn(buf, "; ")] = '\0';
	return buf;
}

/* Docker's words for a registry refusing a manifest. */
static int manifest_error(const fx_resp *resp, const reference *ref, const char *url, err_t **err)
{
	char code[64];
	regc_error_code(resp, code);
	_cleanup_free_ char *why = regc_error_text(resp);
	_cleanup_free_ char *fam = ref_familiar_string(ref), *name = ref_familiar_name(ref);
	if (!strcmp(code, "MANIFEST_UNKNOWN") || (resp->status == 404 && !*code))
		return err_notfound(err, "manifest for %s not found: %s", fam,
				    *code ? why : "manifest unknown: manifest unknown");
	if (!strcmp(code, "NAME_UNKNOWN"))
		return err_notfound(err, "repository %s not found: %s", name, why);
	/* a token without the scope: the bearer challenge says insufficient_scope */
	if (!strcmp(code, "DENIED") || resp->status == 403 || !strncmp(why, "denied:", 7))
		return err_notfound(err, "pull access denied for %s, repository does not exist or may "
				    "require 'docker login': %s", name, why);
	(void)url;
	return err_set(err, ERR_SYSTEM, 0, "%s", why); /* dockerd: 500, no login prompt */
}

/* GET a manifest (by tag or digest); verifies its digest. */
static int get_manifest(pull_ctx *c, const reference *ref, const char *tag_or_digest, char **body,
			size_t *len, char *mt, char digest[DIGEST_STR_LEN + 1], err_t **err)
{
	_cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", c->path, tag_or_digest);
	char *hdrs[] = {ACCEPT_MANIFESTS ", " MT_SCHEMA1_SIGNED ", " MT_SCHEMA1, NULL};
	fx_req r = {.method = "GET", .headers = hdrs, .max = MANIFEST_MAX};
	fx_resp resp;
	if (regc_do(c->rc, c->scopes, &r, path, &resp, err) < 0)
		return -1;
	int rc = 0;
	if (resp.status != 200) {
		_cleanup_free_ char *url = regc_url(c->rc, path);
		rc = manifest_error(&resp, ref, url, err);
		fx_resp_free(&resp);
		return rc;
	}
	char ctb[128];
	content_type(&resp, ctb);
	digest_buf(resp.body.buf ? resp.body.buf : "", resp.body.len, digest);
	const char *claimed = fx_header(&resp, "docker-content-digest");
	if (digest_valid(tag_or_digest) && strcmp(digest, tag_or_digest))
		rc = err_invalid(err, "manifest verification failed for digest %s", tag_or_digest);
	else if (claimed && digest_valid(claimed) && strcmp(claimed, digest))
		rc = err_invalid(err, "manifest verification failed for digest %s (the registry sent "
				 "content that hashes to %s)", claimed, digest);
	if (rc == 0) {
		snprintf(mt, 128, "%s", ctb);
		*len = resp.body.len;
		*body = sb_steal(&resp.body);
	}
	fx_resp_free(&resp);
	return rc;
}

/* The media type a manifest has: the Content-Type, else its mediaType. */
static const char *manifest_kind(const char *body, size_t len, const char *ct, bool *schema1)
{
	*schema1 = !strcmp(ct, MT_SCHEMA1) || !strcmp(ct, MT_SCHEMA1_SIGNED);
	if (!strcmp(ct, MT_DOCKER_MANIFEST) || !strcmp(ct, MT_OCI_MANIFEST))
		return "manifest";
	if (!strcmp(ct, MT_DOCKER_LIST) || !strcmp(ct, MT_OCI_INDEX))
		return "index";
	_cleanup_json_ json_object *o = json_parse_strict(body, len, NULL);
	if (jget_int(o, "schemaVersion", 0) == 1) {
		*schema1 = true;
		return NULL;
	}
	desc_kind k = manifest_sniff_kind(body, len);
	return k == DESC_MANIFEST ? "manifest" : k == DESC_INDEX ? "index" : NULL;
}

static int get_config(pull_ctx *c, const oci_desc *d, char **body, size_t *len, err_t **err)
{
	if (d->size > CONFIG_MAX)
		return err_invalid(err, "image config %s is too large (%lld bytes)", d->digest,
				   (long long)d->size);
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", c->path, d->digest);
	fx_req r = {.method = "GET", .max = CONFIG_MAX};
	fx_resp resp;
	if (regc_do(c->rc, c->scopes, &r, path, &resp, err) < 0)
		return err_wrap(err, "error pulling image configuration");
	int rc = 0;
	char dg[DIGEST_STR_LEN + 1];
	if (resp.status != 200) {
		_cleanup_free_ char *why = regc_error_text(&resp);
		rc = err_set(err, resp.status == 404 ? ERR_NOT_FOUND : ERR_SYSTEM, 0,
			     "error pulling image configuration: %s", why);
	} else {
		digest_buf(resp.body.buf ? resp.body.buf : "", resp.body.len, dg);
		if (strcmp(dg, d->digest) || (int64_t)resp.body.len != d->size)
			rc = err_invalid(err, "image config verification failed for digest %s", d->digest);
	}
	if (rc == 0) {
		*len = resp.body.len;
		*body = sb_steal(&resp.body);
	}
	fx_resp_free(&resp);
	return rc;
}

/* ---- a layer: download into the ingest file, unpack as it grows ---- */

typedef struct follow {
	pull_ctx *c;
	pull_layer *l;
	char *path;
	int fd;
	int64_t pos;
	fx_call *call;
	int64_t avail;         /* bytes known to be in the file */
	bool finished;         /* the download is complete */
	int attempts;
	err_t *err;            /* why the download failed */
	/* progress */
	int64_t last_report;
	int64_t last_ns;
	int restarts;
} follow;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Starts (or resumes) the download at the file's current size. */
static int start_download(follow *f, bool refresh, err_t **err)
{
	pull_ctx *c = f->c;
	struct stat st;
	int64_t off = fstat(f->fd, &st) == 0 ? st.st_size : 0;
	if (off > f->l->d->size)
		off = 0; /* longer than the blob: not a prefix of it */
	_cleanup_free_ char *auth = regc_auth_line(c->rc, c->scopes, refresh, err);
	if (err && *err)
		return -1;
	_cleanup_free_ char *range = off ? xasprintf("Range: bytes=%lld-", (long long)off) : NULL;
	char *hdrs[3] = {auth, NULL, NULL};
	hdrs[auth ? 1 : 0] = range;
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", c->path, f->l->d->digest);
	_cleanup_free_ char *url = regc_url(c->rc, path);
	fx_req r = {.method = "GET", .url = url, .headers = hdrs, .out_file = f->path, .out_off = off};
	regc_tls(c->rc, &r);
	f->call = fx_send(c->rc->f, &r, err);
	if (!f->call)
		return -1;
	f->attempts++;
	return 0;
}

static void report_download(follow *f, int64_t n, bool last)
{
	int64_t size = f->l->d->size, every = 512 << 10;
	if (size / 100 < every)
		every = size / 100;
	int64_t now = mono_ns();
	if (!last && (n - f->last_report <= every || now - f->last_ns < 100 * 1000000LL))
		return;
	if (n == f->last_report)
		return;
	f->last_report = n;
	f->last_ns = now;
	say_progress(f->c, f->l->id, "Downloading", n, size);
}

/* The download ended: finished, or retried, or failed for good. */
static int download_ended(follow *f)
{
	pull_ctx *c = f->c;
	fx_resp resp;
	fx_finish(f->call, &resp);
	f->call = NULL;
	_cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", c->path, f->l->d->digest);
	_cleanup_free_ char *url = regc_url(c->rc, path);
	bool retry = false, refresh = false;
	_cleanup_err_ err_t *e = NULL;
	if (resp.error) {
		regc_transport_error(&e, "GET", url, resp.error);
		retry = true;
	} else if (resp.status == 200 || resp.status == 206) {
		if (resp.n == f->l->d->size) {
			f->finished = true;
			f->avail = resp.n;
		} else if (resp.n < f->l->d->size) {
			regc_transport_error(&e, "GET", url, "unexpected EOF");
			retry = true; /* cut short: resume where it stopped */
		} else {
			err_invalid(&e, "filesystem layer verification failed for digest %s (the "
				    "registry sent %lld bytes, the manifest says %lld)", f->l->d->digest,
				    (long long)resp.n, (long long)f->l->d->size);
		}
	} else if (resp.status == 416) {
		ftruncate(f->fd, 0); /* our partial file is not a prefix it knows: start over */
		err_set(&e, ERR_SYSTEM, 0, "%s", "requested range not satisfiable");
		retry = true;
	} else if (resp.status == 401) {
		regc_take_challenge(c->rc, &resp);
		_cleanup_free_ char *why = regc_error_text(&resp);
		err_set(&e, ERR_SYSTEM, 0, "%s", why);
		retry = refresh = true;
	} else {
		_cleanup_free_ char *why = regc_error_text(&resp);
		err_set(&e, resp.status == 404 ? ERR_NOT_FOUND : ERR_SYSTEM, 0, "%s", why);
		retry = resp.status >= 500 || resp.status == 429;
	}
	fx_resp_free(&resp);
	if (f->finished)
		return 0;
	if (retry && f->attempts < BLOB_RETRIES && !canceled(c)) {
		log_debug("pull %s: %s; retrying", f->l->d->digest, e->msg);
		struct timespec ts = {0, 300 * 1000000L * f->attempts};
		nanosleep(&ts, NULL);
		if (start_download(f, refresh, &f->err) == 0)
			return 0;
		return -1;
	}
	f->err = steal_ptr(&e);
	return -1;
}

/* img_reader over the ingest file, waiting for the download. Runs in the
 * extraction thread (chrooted): fds and condition variables only. */
static ssize_t follow_read(void *ctx, void *buf, size_t n)
{
	follow *f = ctx;
	for (;;) {
		if (f->pos < f->avail) {
			size_t want = (int64_t)n < f->avail - f->pos ? n : (size_t)(f->avail - f->pos);
			ssize_t k = pread(f->fd, buf, want, f->pos);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return -1;
			if (k > 0) {
				f->pos += k;
				return k;
			}
			f->avail = f->pos; /* the file is shorter than we thought: it restarted */
		}
		if (f->finished)
			return 0;
		if (f->err || canceled(f->c)) {
			errno = ECANCELED;
			return -1;
		}
		bool done = false;
		int restarts = 0;
		int64_t got = fx_wait(f->call, f->avail, 200, &done, &restarts);
		if (restarts != f->restarts) {
			f->restarts = restarts;
			f->avail = 0; /* the server ignored Range: the file started over */
		}
		if (got > f->avail)
			f->avail = got;
		report_download(f, f->avail, false);
		if (done && download_ended(f) < 0) {
			errno = EIO;
			return -1;
		}
	}
}

static void delete_ingest(const char *path)
{
	if (path)
		unlink(path);
}

/* The extraction failed on bytes the download delivered: were they the
 * blob at all? Lets the download finish, then hashes the file, so a
 * registry sending the wrong bytes is reported as such (Docker checks the
 * digest before it unpacks) rather than as a broken tar. */
static bool blob_is_wrong(follow *f)
{
	if (f->call) {
		bool done = false;
		while (!done && !canceled(f->c))
			fx_wait(f->call, INT64_MAX, 200, &done, NULL);
		if (!done)
			return false;
		fx_resp resp;
		fx_finish(f->call, &resp);
		f->call = NULL;
		fx_resp_free(&resp);
	}
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	digest_ctx *d = digest_new();
	char buf[65536];
	ssize_t k;
	int64_t total = 0;
	while ((k = read(fd, buf, sizeof(buf))) > 0) {
		digest_update(d, buf, (size_t)k);
		total += k;
	}
	close(fd);
	char got[DIGEST_STR_LEN + 1];
	digest_final(d, got);
	return total >= f->l->d->size && (total != f->l->d->size || strcmp(got, f->l->d->digest));
}

/* Downloads and unpacks one layer; 0, or -1 with *err. */
static int pull_one_layer(pull_ctx *c, pull_layer *l, err_t **err)
{
	follow f = {.c = c, .l = l, .fd = -1, .last_ns = mono_ns()};
	f.path = img_ingest_path(c->s, l->d->digest);
	if (!f.path)
		return err_set(err, ERR_SYSTEM, 0, "cannot create the ingest directory");
	int rc = -1;
	for (int round = 0; round < 2; round++) {
		f.fd = open(f.path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
		if (f.fd < 0) {
			rc = err_sys(err, "open %s", f.path);
			break;
		}
		struct stat st;
		int64_t have = fstat(f.fd, &st) == 0 ? st.st_size : 0;
		bool resumed = have > 0;
		f.pos = f.avail = 0;
		f.finished = have == l->d->size;
		if (f.finished) {
			f.avail = have; /* a previous pull fetched it all: just check it */
			report_download(&f, have, true);
		} else if (start_download(&f, false, err) < 0) {
			break;
		}
		img_reader in = {follow_read, &f};
		img_blob_desc d = {l->d->digest, l->d->size, l->mt, f.path};
		bool bad = false;
		_cleanup_err_ err_t *e = NULL;
		rc = img_ingest_layer(c->g, l->i, &in, &d, &bad, &e);
		if (rc < 0 && !bad && !f.err && !canceled(c) && blob_is_wrong(&f)) {
			err_free(&e);
			err_invalid(&e, "filesystem layer verification failed for digest %s", l->d->digest);
			bad = true;
		}
		if (f.call) { /* the extraction stopped before the download did */
			fx_cancel(f.call);
			f.call = NULL;
		}
		close(f.fd);
		f.fd = -1;
		if (rc == 0) {
			report_download(&f, l->d->size, true);
			break;
		}
		if (f.err) { /* the download's failure is the cause */
			err_free(&e);
			e = steal_ptr(&f.err);
		}
		/* a pull that fails leaves nothing behind; one the client left (or a
		 * crash) keeps its downloads for the next pull to resume */
		if (bad || !client_gone(c))
			delete_ingest(f.path);
		/* a resumed download may have started from a stale prefix: once more from scratch */
		if (bad && resumed && round == 0 && strstr(e->msg, "verification failed") && !canceled(c)) {
			log_info("pull %s: resumed download did not verify; starting over", l->d->digest);
			f.attempts = 0;
			continue;
		}
		if (canceled(c) && !c->err)
			err_set(err, ERR_SYSTEM, 0, "pull canceled");
		else
			*err = steal_ptr(&e);
		break;
	}
	if (f.fd >= 0)
		close(f.fd);
	err_free(&f.err);
	free(f.path);
	return rc;
}

/* "Extracting" and "Pull complete" go out in layer order, as Docker's
 * sequential registration sends them. Called with c->mu held. */
static void report_in_order_locked(pull_ctx *c)
{
	while (c->next_report < c->n) {
		pull_layer *l = &c->layers[c->next_report];
		if (!l->have && !l->done)
			return;
		if (!l->have && !l->reported) {
			say_progress(c, l->id, "Extracting", l->d->size, l->d->size);
			say(c, l->id, "Pull complete", true);
			l->reported = true;
		}
		c->next_report++;
	}
}

static void *worker(void *arg)
{
	pull_ctx *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->mu);
		while (c->next < c->n && c->layers[c->next].have)
			c->next++;
		if (c->stop || c->next >= c->n) {
			pthread_mutex_unlock(&c->mu);
			return NULL;
		}
		pull_layer *l = &c->layers[c->next++];
		pthread_mutex_unlock(&c->mu);
		_cleanup_err_ err_t *e = NULL;
		if (pull_one_layer(c, l, &e) < 0) {
			fail(c, &e);
			return NULL;
		}
		pthread_mutex_lock(&c->mu);
		say(c, l->id, "Verifying Checksum", true);
		say(c, l->id, "Download complete", true);
		l->done = true;
		report_in_order_locked(c);
		pthread_mutex_unlock(&c->mu);
	}
}

static const char *layer_media_type(const char *mt)
{
	if (!mt || !strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip") ||
	    !strcmp(mt, MEDIA_LAYER_GZIP))
		return MEDIA_LAYER_GZIP;
	if (!strcmp(mt, MEDIA_LAYER_TAR) || !strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar"))
		return MEDIA_LAYER_TAR;
	if (!strcmp(mt, MEDIA_LAYER_ZSTD))
		return MEDIA_LAYER_ZSTD;
	return NULL;
}

static int pull_layers(pull_ctx *c, oci_manifest *m, err_t **err)
{
	c->n = m->nlayers;
	c->layers = xcalloc(c->n + 1, sizeof(pull_layer));
	size_t to_fetch = 0;
	for (size_t i = 0; i < c->n; i++) {
		pull_layer *l = &c->layers[i];
		l->i = i;
		l->d = &m->layers[i];
		snprintf(l->id, sizeof(l->id), "%.12s", l->d->digest + 7);
		l->mt = layer_media_type(l->d->media_type);
		if (!l->mt) {
			bool foreign = l->d->media_type && (strstr(l->d->media_type, "foreign") ||
							   strstr(l->d->media_type, "nondistributable"));
			return err_invalid(err, "%s layer %s: %s", foreign ? "foreign" : "unsupported",
					   l->d->digest, l->d->media_type ? l->d->media_type : "no media type");
		}
		l->have = img_ingest_have_layer(c->g, i);
	}
	for (size_t i = 0; i < c->n; i++)
		say(c, c->layers[i].id, c->layers[i].have ? "Already exists" : "Pulling fs layer", true);
	int max = c->cfg && c->cfg->max_downloads > 0 ? c->cfg->max_downloads : 3;
	for (size_t i = 0; i < c->n; i++)
		if (!c->layers[i].have && to_fetch++ >= (size_t)max)
			say(c, c->layers[i].id, "Waiting", true);
	pthread_mutex_init(&c->mu, NULL);
	reg_run_workers(worker, c, max, to_fetch);
	pthread_mutex_lock(&c->mu);
	report_in_order_locked(c);
	pthread_mutex_unlock(&c->mu);
	pthread_mutex_destroy(&c->mu);
	if (c->err) {
		*err = steal_ptr(&c->err);
		return -1;
	}
	return 0;
}

/* ---- one reference ---- */

static const char *deprecated_schema1 =
	"[DEPRECATION NOTICE] Docker Image Format v1 and Docker Image manifest version 2, schema 1 "
	"support is disabled by default and will be removed in an upcoming release. Suggest the "
	"author of %s to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2. "
	"More information at https://docs.docker.com/go/deprecated-image-specs/";

typedef struct pulled {
	bool changed;          /* "Downloaded newer image" */
	char digest[DIGEST_STR_LEN + 1]; /* the manifest (or list) digest pulled */
} pulled;

/* Fetches the manifest, following mirrors when they fail. */
static int fetch_manifest(pull_ctx *c, const reference *ref, const char *tag_or_digest,
			  char **body, size_t *len, char *mt, char *dg, err_t **err)
{
	for (;;) {
		_cleanup_err_ err_t *e = NULL;
		if (regc_connect(c->rc, &e) == 0 &&
		    get_manifest(c, ref, tag_or_digest, body, len, mt, dg, &e) == 0)
			return 0;
		if (!regc_on_mirror(c->rc) || !regc_next(c->rc)) {
			*err = steal_ptr(&e);
			return -1;
		}
		log_info("pull %s: mirror failed (%s); trying the next endpoint", tag_or_digest, e->msg);
	}
}

static int pull_ref(pull_ctx *c, const reference *ref, const platform *plat, pulled *out,
		    err_t **err)
{
	const char *tag_or_digest = ref->digest ? ref->digest : ref->tag;
	_cleanup_free_ char *body = NULL, *fam = ref_familiar_name(ref);
	size_t len = 0;
	char mt[128], dg[DIGEST_STR_LEN + 1];
	if (fetch_manifest(c, ref, tag_or_digest, &body, &len, mt, dg, err) < 0)
		return -1;
	strcpy(out->digest, dg);
	_cleanup_free_ char *full = ref_string(ref);
	sayf(c, ref->digest ? full : ref->tag, false, "Pulling from %s", ref->path);
	bool schema1;
	const char *kind = manifest_kind(body, len, mt, &schema1);
	if (schema1)
		return err_invalid(err, deprecated_schema1, full);
	if (!kind)
		return err_invalid(err, "unsupported manifest media type and no default available: %s",
				   *mt ? mt : "(none)");
	_cleanup_free_ char *mbody = NULL;
	size_t mlen = len;
	char mdg[DIGEST_STR_LEN + 1];
	strcpy(mdg, dg);
	if (!strcmp(kind, "index")) {
		oci_desc *v;
		size_t n;
		if (parse_oci_index(body, len, &v, &n, err) < 0)
			return -1;
		const oci_desc *pick = platform_pick(v, n, plat);
		if (!pick) {
			char pf[96];
			platform_format(plat, pf, sizeof(pf));
			oci_descs_free(v, n);
			return err_notfound(err, "no matching manifest for %s in the manifest list entries", pf);
		}
		char want[DIGEST_STR_LEN + 1], pmt[128];
		strcpy(want, pick->digest);
		oci_descs_free(v, n);
		if (get_manifest(c, ref, want, &mbody, &mlen, pmt, mdg, err) < 0)
			return -1;
		const char *k2 = manifest_kind(mbody, mlen, pmt, &schema1);
		if (schema1)
			return err_invalid(err, deprecated_schema1, full);
		if (!k2 || strcmp(k2, "manifest"))
			return err_invalid(err, "manifest %s of the list is not an image manifest", want);
	} else {
		mbody = steal_ptr(&body);
	}
	oci_manifest m;
	if (parse_oci_manifest(mbody, mlen, &m, err) < 0)
		return -1;
	int rc = 0;
	const char *cmt = m.config.media_type;
	if (cmt && strcmp(cmt, MT_DOCKER_CONFIG) && strcmp(cmt, MT_OCI_CONFIG))
		rc = err_invalid(err, "%s is not a container image (its config is %s)", full, cmt);
	if (rc == 0 && m.nlayers > 125)
		rc = err_invalid(err, "max depth exceeded: the image has %zu layers", m.nlayers);
	_cleanup_free_ char *cfg = NULL;
	size_t cfglen = 0;
	if (rc == 0)
		rc = get_config(c, &m.config, &cfg, &cfglen, err);
	if (rc == 0) {
		c->g = img_ingest_begin(c->s, cfg, cfglen, err);
		rc = c->g ? 0 : -1;
	}
	if (rc == 0) {
		const char *os = img_ingest_config_os(c->g);
		if (os && *os && strcmp(os, "linux"))
			rc = err_invalid(err, "image operating system \"%s\" cannot be used on this platform", os);
		else if (img_ingest_layers(c->g) != m.nlayers)
			rc = err_invalid(err, "layers from manifest don't match image configuration");
	}
	if (rc == 0 && !img_ingest_exists(c->g))
		rc = pull_layers(c, &m, err);
	if (rc == 0) {
		_cleanup_free_ char *name = ref_name(ref);
		_cleanup_free_ char *dref = xasprintf("%s@%s", name, dg);
		img_pull_refs refs = {.tag = ref->digest ? NULL : full, .digest_ref = dref,
				      .manifest = mbody, .manifest_len = mlen, .manifest_digest = mdg};
		rc = img_ingest_commit(c->g, &refs, &out->changed, err);
	}
	img_ingest_free(c->g);
	c->g = NULL;
	free(c->layers);
	c->layers = NULL;
	c->n = c->next = c->next_report = 0;
	oci_manifest_free(&m);
	if (rc == 0)
		sayf(c, NULL, false, "Digest: %s", dg);
	return rc;
}

/* ---- all tags ---- */

static char **list_tags(pull_ctx *c, const reference *ref, err_t **err)
{
	if (regc_connect(c->rc, err) < 0)
		return NULL;
	_cleanup_free_ char *path = xasprintf("/v2/%s/tags/list", c->path);
	fx_req r = {.method = "GET", .max = 8 << 20};
	fx_resp resp;
	if (regc_do(c->rc, c->scopes, &r, path, &resp, err) < 0)
		return NULL;
	char **tags = NULL;
	if (resp.status != 200) {
		_cleanup_free_ char *url = regc_url(c->rc, path);
		manifest_error(&resp, ref, url, err);
	} else {
		_cleanup_json_ json_object *o = json_parse_strict(resp.body.buf ? resp.body.buf : "", resp.body.len, err);
		tags = o ? jarr_to_strv(jget_arr(o, "tags"), "tags", err) : NULL;
		if (o && !tags)
			err_invalid(err, "invalid tag list from the registry");
	}
	fx_resp_free(&resp);
	return tags;
}

/* ---- entry ---- */

static reference *pull_reference(const reg_pull_opts *o, err_t **err)
{
	_cleanup_free_ char *img = xstrdup(o->image ? o->image : "");
	size_t n = strlen(img);
	if (n && img[n - 1] == ':') /* "pull -a" of old clients: "name:" */
		img[n - 1] = '\0';
	reference *ref = ref_parse_normalized(img, err);
	if (!ref)
		return NULL;
	if (o->tag && *o->tag) {
		free(ref->tag);
		ref->tag = NULL;
		free(ref->digest);
		ref->digest = NULL;
		if (!strncmp(o->tag, "sha256:", 7) || strchr(o->tag, ':')) {
			if (ref_digest_check(o->tag, err) < 0) {
				ref_free(ref);
				return NULL;
			}
			ref->digest = xstrdup(o->tag);
		} else if (!ref_tag_valid(o->tag)) {
			ref_free(ref);
			err_invalid(err, "invalid reference format");
			return NULL;
		} else {
			ref->tag = xstrdup(o->tag);
		}
	}
	_cleanup_free_ char *fam = ref_familiar_name(ref);
	if (!strcmp(fam, "scratch")) {
		ref_free(ref);
		err_set(err, ERR_FORBIDDEN, 0, "'scratch' is a reserved name");
		return NULL;
	}
	return ref;
}

int reg_pull(img_store *s, const reg_pull_opts *o, const reg_progress *p, err_t **err)
{
	_cleanup_ref_ reference *ref = pull_reference(o, err);
	if (!ref)
		return -1;
	platform plat;
	if (platform_parse(o->platform, &plat, err) < 0)
		return -1;
	fx *f = fx_start(err);
	if (!f)
		return -1;
	pull_ctx c = {.s = s, .p = p, .cfg = o->cfg};
	c.path = xstrdup(ref->path);
	c.scope = xasprintf("repository:%s:pull", ref->path);
	c.scopes[0] = c.scope;
	c.rc = regc_new(f, o->cfg, ref->domain, o->creds, true);
	int rc = 0;
	bool changed = false;
	pulled one = {0};
	if (ref->tag || ref->digest) {
		rc = pull_ref(&c, ref, &plat, &one, err);
		changed = one.changed;
	} else {
		_cleanup_strv_ char **tags = list_tags(&c, ref, err);
		rc = tags ? 0 : -1;
		for (char **t = tags; rc == 0 && t && *t; t++) {
			_cleanup_ref_ reference *tr = ref_dup(ref);
			tr->tag = xstrdup(*t);
			rc = pull_ref(&c, tr, &plat, &one, err);
			changed |= one.changed;
		}
	}
	regc_free(c.rc);
	fx_stop(f);
	if (rc == 0) {
		_cleanup_free_ char *fam = ref->tag || ref->digest ? ref_familiar_string(ref)
								 : ref_familiar_name(ref);
		sayf(&c, NULL, false, "Status: %s for %s",
		     changed ? "Downloaded newer image" : "Image is up to date", fam);
		_cleanup_free_ char *full = ref->tag || ref->digest ? ref_string(ref) : ref_name(ref);
		img_pull_event(s, full);
	}
	free(c.path);
	free(c.scope);
	return rc;
}
