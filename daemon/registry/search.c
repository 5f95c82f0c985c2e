/* search.c: GET /images/search and POST /auth.
 *
 * Search asks the registry named by the term ("localhost:5000/app"; Docker
 * Hub's index otherwise) for its v1 search API, as dockerd does; a
 * registry that only speaks v2 (Distribution, as most private ones) has
 * none, so its /v2/_catalog is listed instead and filtered by the term.
 * Results carry Docker's fields; is-official and stars filter them.
 *
 * Login checks the credentials the way dockerd's loginV2 does: a Basic
 * registry must accept them on /v2/, a token registry's auth server must
 * hand out a token for them (asked for a refresh token, which goes back to
 * the CLI as IdentityToken). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "filters.h"
#include "jsonutil.h"
#include "regclient.h"
#include "strbuf.h"
#include "xalloc.h"

#define CATALOG_PAGE 1000
#define CATALOG_MAX_PAGES 20

/* ---- search ---- */

/* "host/remote" when the first component is a registry host, else Hub. */
static void split_term(const char *term, char **domain, char **remote)
{
	const char *slash = strchr(term, '/');
	if (slash) {
		_cleanup_free_ char *first = xstrndup(term, (size_t)(slash - term));
		if (strchr(first, '.') || strchr(first, ':') || !strcmp(first, "localhost")) {
			*domain = xstrdup(!strcmp(first, "index.docker.io") ? HUB_DOMAIN : first);
			*remote = xstrdup(slash + 1);
			return;
		}
	}
	*domain = xstrdup(HUB_DOMAIN);
	*remote = xstrdup(term);
}

static void url_escape(strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~", *p)) {
			sb_putc(sb, (char)*p);
		} else {
			sb_putc(sb, '%');
			sb_putc(sb, hex[*p >> 4]);
			sb_putc(sb, hex[*p & 15]);
		}
	}
}

static json_object *result(const char *name, const char *desc, int64_t stars, bool official,
			   bool automated)
{
	json_object *o = json_object_new_object();
	jset_int(o, "star_count", stars);
	jset_bool(o, "is_official", official);
	jset_str(o, "name", name);
	jset_bool(o, "is_automated", automated);
	jset_str(o, "description", desc);
	return o;
}

/* The v1 search API: 1 with *out, 0 when the registry has none (404), -1. */
static int search_v1(reg_client *rc, const char *remote, int64_t limit, json_object **out,
		     err_t **err)
{
	_cleanup_sb_ strbuf path = STRBUF_INIT;
	sb_puts(&path, "/v1/search?q=");
	url_escape(&path, remote);
	sb_printf(&path, "&n=%lld", (long long)limit);
	fx_req r = {.method = "GET", .max = 8 << 20};
	fx_resp resp;
	if (regc_do(rc, NULL, &r, path.buf, &resp, err) < 0)
		return -1;
	int rc_ = 0;
	if (resp.status == 404 || resp.status == 401) {
		rc_ = 0;
	} else if (resp.status != 200) {
		_cleanup_free_ char *why = regc_error_text(&resp);
		rc_ = err_set(err, ERR_SYSTEM, 0, "Unexpected status code %d: %s", resp.status, why);
	} else {
		_cleanup_json_ json_object *o = json_parse_strict(resp.body.buf ? resp.body.buf : "", resp.body.len, err);
		json_object *res = jget_arr(o, "results");
		if (!o || !res) {
			rc_ = o ? err_set(err, ERR_SYSTEM, 0, "invalid search results from the registry") : -1;
		} else {
			json_object *arr = json_object_new_array();
			for (size_t i = 0; i < json_object_array_length(res); i++) {
				json_object *e = json_object_array_get_idx(res, i);
				const char *name = jget_str(e, "name");
				if (!name)
					continue;
				const char *d = jget_str(e, "description");
				json_object_array_add(arr, result(name, d ? d : "", jget_int(e, "star_count", 0),
								  jget_bool(e, "is_official", false),
								  jget_bool(e, "is_automated", false)));
			}
			*out = arr;
			rc_ = 1;
		}
	}
	fx_resp_free(&resp);
	return rc_;
}

/* /v2/_catalog, every page, repositories whose name contains remote. */
static json_object *search_catalog(reg_client *rc, const char *domain, const char *remote,
				   err_t **err)
{
	const char *scopes[] = {"registry:catalog:*", NULL};
	json_object *arr = json_object_new_array();
	_cleanup_free_ char *last = NULL;
	for (int page = 0; page < CATALOG_MAX_PAGES; page++) {
		_cleanup_sb_ strbuf path = STRBUF_INIT;
		sb_printf(&path, "/v2/_catalog?n=%d", CATALOG_PAGE);
		if (last) {
			sb_puts(&path, "&last=");
			url_escape(&path, last);
		}
		fx_req r = {.method = "GET", .max = 8 << 20};
		fx_resp resp;
		if (regc_do(rc, scopes, &r, path.buf, &resp, err) < 0) {
			json_object_put(arr);
			return NULL;
		}
		if (resp.status != 200) {
			_cleanup_free_ char *why = regc_error_text(&resp);
			_cleanup_free_ char *url = regc_url(rc, path.buf);
			regc_transport_error(err, "GET", url, why);
			if (err && *err && (resp.status == 401 || resp.status == 403))
				(*err)->kind = ERR_UNAUTHORIZED;
			fx_resp_free(&resp);
			json_object_put(arr);
			return NULL;
		}
		_cleanup_json_ json_object *o = json_parse_strict(resp.body.buf ? resp.body.buf : "", resp.body.len, NULL);
		json_object *repos = jget_arr(o, "repositories");
		size_t n = repos ? json_object_array_length(repos) : 0;
		for (size_t i = 0; i < n; i++) {
			const char *name = json_object_get_string(json_object_array_get_idx(repos, i));
			if (!name || !json_object_is_type(json_object_array_get_idx(repos, i), json_type_string))
				continue;
			if (!*remote || strstr(name, remote)) {
				_cleanup_free_ char *full = xasprintf("%s/%s", domain, name);
				json_object_array_add(arr, result(full, "", 0, false, false));
			}
			if (i == n - 1) {
				free(last);
				last = xstrdup(name);
			}
		}
		bool more = fx_header(&resp, "link") != NULL && n == CATALOG_PAGE;
		fx_resp_free(&resp);
		if (!more)
			break;
	}
	return arr;
}

json_object *reg_search(const char *term, int64_t limit, const char *filter_text,
			const reg_creds *creds, const reg_config *cfg, err_t **err)
{
	if (limit < 1 || limit > 100) {
		err_invalid(err, "limit %lld is outside the range of [1, 100]", (long long)limit);
		return NULL;
	}
	_cleanup_filters_ filters *f = NULL;
	static const char *const accepted[] = {"is-automated", "is-official", "stars", NULL};
	if (filters_parse(filter_text, &f, err) < 0 || filters_validate(f, accepted, err) < 0)
		return NULL;
	bool want_official = false, official = false, want_automated = false, automated = false;
	if (filters_contains(f, "is-official")) {
		want_official = true;
		if (filters_get_bool(f, "is-official", false, &official, err) < 0)
			return NULL;
	}
	if (filters_contains(f, "is-automated")) {
		want_automated = true;
		if (filters_get_bool(f, "is-automated", false, &automated, err) < 0)
			return NULL;
	}
	int64_t min_stars = 0;
	_cleanup_strv_ char **stars = filters_get(f, "stars");
	for (char **s = stars; s && *s; s++) {
		char *end;
		long long v = strtoll(*s, &end, 10);
		if (!**s || *end) {
			err_invalid(err, "invalid filter 'stars=%s': strconv.Atoi: parsing \"%s\": invalid syntax", *s, *s);
			return NULL;
		}
		if (v > min_stars)
			min_stars = v;
	}
	_cleanup_free_ char *domain = NULL, *remote = NULL;
	split_term(term ? term : "", &domain, &remote);
	fx *fxh = fx_start(err);
	if (!fxh)
		return NULL;
	reg_client *rc = regc_new(fxh, cfg, domain, creds, false);
	json_object *found = NULL;
	if (!strcmp(domain, HUB_DOMAIN)) {
		/* Hub's search lives on its index host */
		free(rc->eps[0].base);
		rc->eps[0].base = xstrdup("https://index.docker.io");
		rc->connected = true;
		if (search_v1(rc, remote, limit, &found, err) == 0)
			err_set(err, ERR_SYSTEM, 0, "Unexpected status code 404");
	} else if (regc_connect(rc, err) == 0) {
		int r = search_v1(rc, remote, limit, &found, err);
		if (r == 0)
			found = search_catalog(rc, domain, remote, err);
	}
	regc_free(rc);
	fx_stop(fxh);
	if (!found)
		return NULL;
	json_object *out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(found) && (int64_t)json_object_array_length(out) < limit; i++) {
		json_object *e = json_object_array_get_idx(found, i);
		if (want_official && jget_bool(e, "is_official", false) != official)
			continue;
		if (want_automated && jget_bool(e, "is_automated", false) != automated)
			continue;
		if (jget_int(e, "star_count", 0) < min_stars)
			continue;
		json_object_array_add(out, json_object_get(e));
	}
	json_object_put(found);
	return out;
}

/* ---- login ---- */

/* The registry a login names: "https://index.docker.io/v1/" and the like
 * are Docker Hub; a URL keeps its host. */
static char *login_domain(const char *server)
{
	if (!server || !*server)
		return xstrdup(HUB_DOMAIN);
	const char *p = strstr(server, "://") ? strstr(server, "://") + 3 : server;
	_cleanup_free_ char *host = xstrndup(p, strcspn(p, "/"));
	if (!strcmp(host, "index.docker.io") || !strcmp(host, "registry-1.docker.io") ||
	    !strcmp(host, "docker.io"))
		return xstrdup(HUB_DOMAIN);
	return steal_ptr(&host);
}

int reg_login(const reg_creds *creds, const reg_config *cfg, char **identity, err_t **err)
{
	*identity = NULL;
	_cleanup_free_ char *domain = login_domain(creds->server);
	fx *f = fx_start(err);
	if (!f)
		return -1;
	reg_client *rc = regc_new(f, cfg, domain, creds, false);
	int r = regc_connect(rc, err);
	_cleanup_free_ char *v2 = r == 0 ? regc_url(rc, "/v2/") : NULL;
	if (r == 0 && rc->scheme && !strcmp(rc->scheme, "bearer")) {
		_cleanup_err_ err_t *e = NULL;
		if (!creds->username && !creds->identity_token) {
			r = err_set(err, ERR_UNAUTHORIZED, 0, "Get \"%s\": unauthorized: authentication required", v2);
		} else if (regc_login_token(rc, identity, &e) < 0) {
			r = err_set(err, e->kind == ERR_UNAUTHORIZED ? ERR_UNAUTHORIZED : ERR_SYSTEM, 0,
				    "Get \"%s\": %s", v2, e->msg);
		}
	} else if (r == 0 && rc->scheme && !strcmp(rc->scheme, "basic") && !creds->username) {
		r = err_set(err, ERR_UNAUTHORIZED, 0, "Get \"%s\": no basic auth credentials", v2);
	} else if (r == 0 && rc->scheme && !strcmp(rc->scheme, "basic")) {
		fx_req req = {.method = "GET", .max = 64 << 10};
		fx_resp resp = {0};
		r = regc_do(rc, NULL, &req, "/v2/", &resp, err);
		if (r == 0 && resp.status != 200)
			r = err_set(err, resp.status == 401 ? ERR_UNAUTHORIZED : ERR_SYSTEM, 0,
				    "login attempt to %s failed with status: %d %s", v2, resp.status,
				    regc_status_text(resp.status));
		fx_resp_free(&resp);
	}
	regc_free(rc);
	fx_stop(f);
	return r;
}
