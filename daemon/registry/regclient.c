/* regclient.c: see regclient.h. Token cache: one table for the daemon,
 * keyed by realm, service, scopes and user, entries dropped ten seconds
 * before they expire (Docker keeps them until expiry; the margin avoids
 * sending a token that dies in flight). */
#include "regclient.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

#define TOKEN_MIN_LIFETIME 60
#define TOKEN_MARGIN_NS (10 * 1000000000LL)

/* ---- insecure registries ---- */

/* Splits "host:port" / "[v6]:port" / "host" into the host part. */
static char *host_only(const char *hostport)
{
	if (hostport[0] == '[') {
		const char *e = strchr(hostport, ']');
		return e ? xstrndup(hostport + 1, (size_t)(e - hostport - 1)) : xstrdup(hostport);
	}
	const char *c = strchr(hostport, ':');
	if (c && !strchr(c + 1, ':'))
		return xstrndup(hostport, (size_t)(c - hostport));
	return xstrdup(hostport);
}

static bool in_cidr(const char *ip, const char *cidr)
{
	const char *slash = strchr(cidr, '/');
	if (!slash)
		return false;
	_cleanup_free_ char *net = xstrndup(cidr, (size_t)(slash - cidr));
	int bits = atoi(slash + 1);
	unsigned char a[16], b[16];
	int af = strchr(net, ':') ? AF_INET6 : AF_INET;
	size_t len = af == AF_INET6 ? 16 : 4;
	if (inet_pton(af, net, b) != 1 || inet_pton(af, ip, a) != 1 || bits < 0 || bits > (int)len * 8)
		return false;
	for (int i = 0; i < bits; i++) {
		int byte = i / 8, bit = 7 - i % 8;
		if (((a[byte] >> bit) & 1) != ((b[byte] >> bit) & 1))
			return false;
	}
	return true;
}

bool reg_host_insecure(const reg_config *cfg, const char *hostport)
{
	_cleanup_free_ char *host = host_only(hostport);
	if (!strcmp(host, "localhost") || in_cidr(host, "127.0.0.0/8") || !strcmp(host, "::1"))
		return true;
	for (char **p = cfg ? cfg->insecure : NULL; p && *p; p++) {
		const char *e = *p;
		if (!strncmp(e, "http://", 7))
			e += 7;
		else if (!strncmp(e, "https://", 8))
			e += 8;
		if (!strcmp(e, hostport) || !strcmp(e, host) || in_cidr(host, e))
			return true;
	}
	return false;
}

/* ---- endpoints ---- */

static void add_endpoint(reg_client *c, const char *base, bool insecure, bool mirror,
			 const char *host)
{
	c->eps = xrealloc(c->eps, (c->neps + 1) * sizeof(reg_endpoint));
	reg_endpoint *e = &c->eps[c->neps++];
	memset(e, 0, sizeof(*e));
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	e->base = xstrndup(base, n);
	e->insecure = insecure;
	e->mirror = mirror;
	if (c->cfg->certs_dir && host) {
		_cleanup_free_ char *dir = xasprintf("%s/%s", c->cfg->certs_dir, host);
		_cleanup_free_ char *ca = fs_path_join(dir, "ca.crt"), *crt = fs_path_join(dir, "client.cert"),
				    *key = fs_path_join(dir, "client.key");
		if (fs_exists(ca))
			e->cafile = xstrdup(ca);
		if (fs_exists(crt) && fs_exists(key)) {
			e->certfile = xstrdup(crt);
			e->keyfile = xstrdup(key);
		}
	}
}

static void copy_creds(reg_creds *dst, const reg_creds *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src)
		return;
	dst->username = src->username ? xstrdup(src->username) : NULL;
	dst->password = src->password ? xstrdup(src->password) : NULL;
	dst->identity_token = src->identity_token ? xstrdup(src->identity_token) : NULL;
	dst->registry_token = src->registry_token ? xstrdup(src->registry_token) : NULL;
	dst->server = src->server ? xstrdup(src->server) : NULL;
}

reg_client *regc_new(fx *f, const reg_config *cfg, const char *domain, const reg_creds *creds,
		     bool mirrors)
{
	reg_client *c = xcalloc(1, sizeof(*c));
	c->f = f;
	c->cfg = cfg;
	c->domain = xstrdup(domain);
	copy_creds(&c->creds, creds);
	pthread_mutex_init(&c->mu, NULL);
	if (!strcmp(domain, HUB_DOMAIN)) {
		for (char **m = mirrors && cfg ? cfg->mirrors : NULL; m && *m; m++) {
			const char *hp = strstr(*m, "://") ? strstr(*m, "://") + 3 : *m;
			_cleanup_free_ char *host = xstrndup(hp, strcspn(hp, "/"));
			_cleanup_free_ char *base = strstr(*m, "://") ? xstrdup(*m) : xasprintf("https://%s", *m);
			add_endpoint(c, base, reg_host_insecure(cfg, host), true, host);
		}
		add_endpoint(c, "https://" HUB_HOST, false, false, HUB_HOST);
		return c;
	}
	bool insecure = reg_host_insecure(cfg, domain);
	_cleanup_free_ char *https = xasprintf("https://%s", domain);
	add_endpoint(c, https, insecure, false, domain);
	if (insecure) {
		_cleanup_free_ char *http = xasprintf("http://%s", domain);
		add_endpoint(c, http, false, false, domain);
	}
	return c;
}

static void endpoint_free(reg_endpoint *e)
{
	free(e->base);
	free(e->cafile);
	free(e->certfile);
	free(e->keyfile);
}

void regc_free(reg_client *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->neps; i++)
		endpoint_free(&c->eps[i]);
	free(c->eps);
	free(c->domain);
	free(c->scheme);
	free(c->realm);
	free(c->service);
	reg_creds_free(&c->creds);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

const reg_endpoint *regc_endpoint(const reg_client *c)
{
	return c->cur < c->neps ? &c->eps[c->cur] : NULL;
}

bool regc_on_mirror(const reg_client *c)
{
	return c->cur < c->neps && c->eps[c->cur].mirror;
}

bool regc_next(reg_client *c)
{
	if (c->cur + 1 >= c->neps)
		return false;
	c->cur++;
	c->connected = false;
	return true;
}

char *regc_url(const reg_client *c, const char *path)
{
	if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
		return xstrdup(path);
	return xasprintf("%s%s", c->eps[c->cur].base, path);
}

void regc_tls(const reg_client *c, fx_req *r)
{
	const reg_endpoint *e = regc_endpoint(c);
	if (!e)
		return;
	r->insecure = e->insecure;
	r->cafile = e->cafile;
	r->certfile = e->certfile;
	r->keyfile = e->keyfile;
	if (c->cfg && c->cfg->stall)
		r->stall = c->cfg->stall;
}

/* ---- texts ---- */

const char *regc_status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Request Entity Too Large";
	case 416: return "Requested Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

int regc_transport_error(err_t **err, const char *method, const char *url, const char *reason)
{
	char op[16];
	snprintf(op, sizeof(op), "%s", method);
	for (char *p = op + 1; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	return err_set(err, ERR_SYSTEM, 0, "%s \"%s\": %s", op, url, reason);
}

/* A challenge's parameters (RFC 7235 auth-params). */
typedef struct challenge {
	char *scheme, *realm, *service, *error, *desc;
} challenge;

static void challenge_free(challenge *ch)
{
	free(ch->scheme);
	free(ch->realm);
	free(ch->service);
	free(ch->error);
	free(ch->desc);
	memset(ch, 0, sizeof(*ch));
}

static void parse_challenge(const char *h, challenge *ch)
{
	memset(ch, 0, sizeof(*ch));
	while (*h == ' ')
		h++;
	size_t n = strcspn(h, " ");
	ch->scheme = xstrndup(h, n);
	for (char *p = ch->scheme; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	const char *p = h + n;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t kl = strcspn(p, "=, ");
		if (!kl || p[kl] != '=')
			break;
		_cleanup_free_ char *key = xstrndup(p, kl);
		for (char *k = key; *k; k++)
			*k = (char)(*k >= 'A' && *k <= 'Z' ? *k - 'A' + 'a' : *k);
		p += kl + 1;
		_cleanup_sb_ strbuf v = STRBUF_INIT;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				sb_putc(&v, *p);
			}
			if (*p == '"')
				p++;
		} else {
			size_t vl = strcspn(p, ", ");
			sb_append(&v, p, vl);
			p += vl;
		}
		char **slot = !strcmp(key, "realm") ? &ch->realm : !strcmp(key, "service") ? &ch->service
			      : !strcmp(key, "error") ? &ch->error : !strcmp(key, "error_description") ? &ch->desc
			      : NULL;
		if (slot) {
			free(*slot);
			*slot = xstrdup(sb_str(&v));
		}
	}
}

/* The bearer challenge of an answer, else the first one. */
static bool answer_challenge(const fx_resp *resp, challenge *out)
{
	const char **all = fx_header_all(resp, "www-authenticate");
	bool found = false;
	for (size_t i = 0; all[i]; i++) {
		challenge ch;
		parse_challenge(all[i], &ch);
		bool bearer = !strcmp(ch.scheme, "bearer");
		if (!found || bearer) {
			if (found)
				challenge_free(out);
			*out = ch;
			found = true;
			if (bearer)
				break;
		} else {
			challenge_free(&ch);
		}
	}
	free(all);
	return found;
}

static char *lower_code(const char *code)
{
	char *s = xstrdup(code);
	for (char *p = s; *p; p++)
		*p = *p == '_' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	return s;
}

const char *regc_error_code(const fx_resp *resp, char buf[64])
{
	buf[0] = '\0';
	_cleanup_json_ json_object *o = json_parse_strict(resp->body.buf ? resp->body.buf : "", resp->body.len, NULL);
	json_object *errs = jget_arr(o, "errors");
	const char *code = errs ? jget_str(json_object_array_get_idx(errs, 0), "code") : NULL;
	if (code)
		snprintf(buf, 64, "%s", code);
	return buf;
}

char *regc_error_text(const fx_resp *resp)
{
	int st = resp->status;
	if (st >= 400 && st < 500) {
		challenge ch = {0};
		if (answer_challenge(resp, &ch) && !strcmp(ch.scheme, "bearer") && ch.error &&
		    (!strcmp(ch.error, "invalid_token") || !strcmp(ch.error, "insufficient_scope"))) {
			bool denied = !strcmp(ch.error, "insufficient_scope");
			char *m = xasprintf("%s: %s", denied ? "denied" : "unauthorized",
					    ch.desc ? ch.desc : denied ? "requested access to the resource is denied"
									: "authentication required");
			challenge_free(&ch);
			return m;
		}
		if (ch.scheme)
			challenge_free(&ch);
	}
	if (st < 400 || st >= 500)
		return xasprintf("received unexpected HTTP status: %d %s", st, regc_status_text(st));
	_cleanup_err_ err_t *perr = NULL;
	_cleanup_json_ json_object *o = json_parse_strict(resp->body.buf ? resp->body.buf : "", resp->body.len, &perr);
	const char *details = jget_str(o, "details");
	if (details && *details)
		return xasprintf("%s: %s", st == 401 ? "unauthorized" : st == 429 ? "toomanyrequests" : "unknown",
				 details);
	json_object *errs = jget_arr(o, "errors");
	size_t n = errs ? json_object_array_length(errs) : 0;
	if (n) {
		_cleanup_sb_ strbuf sb = STRBUF_INIT;
		if (n > 1)
			sb_puts(&sb, "errors:\n");
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(errs, i);
			const char *code = jget_str(e, "code"), *msg = jget_str(e, "message");
			_cleanup_free_ char *lc = lower_code(code ? code : "UNKNOWN");
			sb_printf(&sb, "%s: %s%s", lc, msg && *msg ? msg : lc, n > 1 ? "\n" : "");
		}
		return sb_steal(&sb);
	}
	if (st == 401)
		return xstrdup("unauthorized: authentication required");
	_cleanup_free_ char *snip = xstrndup(resp->body.buf ? resp->body.buf : "",
					     resp->body.len > 200 ? 200 : resp->body.len);
	_cleanup_json_ json_object *q = json_object_new_string(snip);
	return xasprintf("error parsing HTTP %d response body: %s: %s", st,
			 perr ? perr->msg : "no error details found in HTTP response body", jdump(q));
}

/* ---- connecting ---- */

void regc_take_challenge(reg_client *c, const fx_resp *resp)
{
	challenge ch = {0};
	if (!answer_challenge(resp, &ch))
		return;
	pthread_mutex_lock(&c->mu);
	free(c->scheme);
	free(c->realm);
	free(c->service);
	c->scheme = steal_ptr(&ch.scheme);
	c->realm = steal_ptr(&ch.realm);
	c->service = steal_ptr(&ch.service);
	pthread_mutex_unlock(&c->mu);
	challenge_free(&ch);
}

int regc_connect(reg_client *c, err_t **err)
{
	if (c->connected)
		return 0;
	_cleanup_err_ err_t *last = NULL;
	for (; c->cur < c->neps; c->cur++) {
		_cleanup_free_ char *url = regc_url(c, "/v2/");
		fx_req r = {.method = "GET", .url = url, .max = 64 << 10};
		regc_tls(c, &r);
		fx_resp resp = {0};
		if (fx_do(c->f, &r, &resp, err) < 0)
			return -1;
		err_free(&last);
		if (resp.error) {
			regc_transport_error(&last, "GET", url, resp.error);
		} else if (resp.status == 200 || resp.status == 401) {
			pthread_mutex_lock(&c->mu);
			free(c->scheme);
			c->scheme = NULL;
			pthread_mutex_unlock(&c->mu);
			if (resp.status == 401)
				regc_take_challenge(c, &resp);
			c->connected = true;
			fx_resp_free(&resp);
			return 0;
		} else {
			_cleanup_free_ char *why = regc_error_text(&resp);
			regc_transport_error(&last, "GET", url, why);
		}
		log_debug("registry %s: %s", c->eps[c->cur].base, last->msg);
		fx_resp_free(&resp);
		if (c->cur + 1 == c->neps)
			break;
	}
	if (err && !*err)
		*err = steal_ptr(&last);
	return -1;
}

/* ---- tokens ---- */

typedef struct token_entry {
	char *key, *token;
	int64_t expires_ns;
} token_entry;

static pthread_mutex_t tok_mu = PTHREAD_MUTEX_INITIALIZER;
static token_entry *tokens;
static size_t ntokens;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void reg_token_cache_clear(void)
{
	pthread_mutex_lock(&tok_mu);
	for (size_t i = 0; i < ntokens; i++) {
		free(tokens[i].key);
		free(tokens[i].token);
	}
	free(tokens);
	tokens = NULL;
	ntokens = 0;
	pthread_mutex_unlock(&tok_mu);
}

static char *cache_get(const char *key, bool drop)
{
	char *tok = NULL;
	int64_t now = mono_ns();
	pthread_mutex_lock(&tok_mu);
	for (size_t i = ntokens; i-- > 0;) {
		if (tokens[i].expires_ns - TOKEN_MARGIN_NS > now && strcmp(tokens[i].key, key))
			continue;
		if (!drop && tokens[i].expires_ns - TOKEN_MARGIN_NS > now) {
			tok = xstrdup(tokens[i].token);
			continue;
		}
		free(tokens[i].key); /* expired, or asked to forget */
		free(tokens[i].token);
		tokens[i] = tokens[--ntokens];
	}
	pthread_mutex_unlock(&tok_mu);
	return tok;
}

static void cache_put(const char *key, const char *token, int64_t lifetime_s)
{
	pthread_mutex_lock(&tok_mu);
	tokens = xrealloc(tokens, (ntokens + 1) * sizeof(token_entry));
	tokens[ntokens++] = (token_entry){xstrdup(key), xstrdup(token),
					  mono_ns() + lifetime_s * 1000000000LL};
	pthread_mutex_unlock(&tok_mu);
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

/* Fetches a token from the realm (anonymous, Basic, or an OAuth2 refresh
 * token). offline asks for a refresh token (login). */
static int fetch_token(reg_client *c, const char *realm, const char *service,
		       const char *const *scopes, bool offline, char **token, int64_t *lifetime,
		       char **refresh, err_t **err)
{
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	bool first = true;
#define PARAM(k, v) do { sb_puts(&q, first ? "" : "&"); first = false; sb_puts(&q, k "="); url_escape(&q, v); } while (0)
	if (service && *service)
		PARAM("service", service);
	for (const char *const *s = scopes; s && *s; s++)
		PARAM("scope", *s);
	bool oauth = c->creds.identity_token && *c->creds.identity_token;
	bool basic = !oauth && c->creds.username && *c->creds.username && c->creds.password;
	if (basic)
		PARAM("account", c->creds.username);
	if (offline || oauth) {
		if (!oauth)
			PARAM("offline_token", "true");
		PARAM("client_id", "docker");
	}
	if (oauth) {
		PARAM("grant_type", "refresh_token");
		PARAM("refresh_token", c->creds.identity_token);
	}
#undef PARAM
	_cleanup_free_ char *url = oauth ? xstrdup(realm)
					 : xasprintf("%s%s%s", realm, strchr(realm, '?') ? "&" : "?", q.buf ? q.buf : "");
	_cleanup_free_ char *auth = NULL;
	char *hdrs[3] = {NULL, NULL, NULL};
	if (basic) {
		_cleanup_free_ char *up = xasprintf("%s:%s", c->creds.username, c->creds.password);
		_cleanup_free_ char *b = base64_encode(up, strlen(up), false);
		auth = xasprintf("Authorization: Basic %s", b);
		hdrs[0] = auth;
	}
	if (oauth)
		hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
	fx_req r = {.method = oauth ? "POST" : "GET", .url = url, .headers = hdrs, .max = 1 << 20};
	if (oauth) {
		r.body = q.buf;
		r.body_len = q.len;
		r.has_body = true;
	}
	/* the token server's TLS: insecure only if its host is */
	const char *hp = strstr(realm, "://") ? strstr(realm, "://") + 3 : realm;
	_cleanup_free_ char *host = xstrndup(hp, strcspn(hp, "/?"));
	r.insecure = reg_host_insecure(c->cfg, host);
	if (c->cfg && c->cfg->stall)
		r.stall = c->cfg->stall;
	fx_resp resp = {0};
	if (fx_do(c->f, &r, &resp, err) < 0)
		return -1;
	int rc = 0;
	if (resp.error) {
		rc = regc_transport_error(err, r.method, realm, resp.error);
	} else if (resp.status != 200) {
		_cleanup_free_ char *why = regc_error_text(&resp);
		err_kind k = resp.status == 401 || resp.status == 403 ? ERR_UNAUTHORIZED : ERR_SYSTEM;
		rc = err_set(err, k, 0, "%s", why);
	} else {
		_cleanup_err_ err_t *perr = NULL;
		_cleanup_json_ json_object *o = json_parse_strict(resp.body.buf ? resp.body.buf : "", resp.body.len, &perr);
		const char *t = jget_str(o, "access_token");
		if (!t || !*t)
			t = jget_str(o, "token");
		if (!t || !*t) {
			rc = err_set(err, ERR_SYSTEM, 0, "authorization server did not include a token in "
				     "the response");
		} else {
			*token = xstrdup(t);
			int64_t life = jget_int(o, "expires_in", 0);
			*lifetime = life < TOKEN_MIN_LIFETIME ? TOKEN_MIN_LIFETIME : life;
			const char *rt = jget_str(o, "refresh_token");
			if (refresh && rt && *rt)
				*refresh = xstrdup(rt);
		}
	}
	fx_resp_free(&resp);
	return rc;
}

static char *token_key(const char *realm, const char *service, const char *const *scopes,
		       const char *user)
{
	_cleanup_sb_ strbuf k = STRBUF_INIT;
	sb_printf(&k, "%s\n%s\n", realm, service ? service : "");
	for (const char *const *s = scopes; s && *s; s++)
		sb_printf(&k, "%s ", *s);
	sb_printf(&k, "\n%s", user ? user : "");
	return sb_steal(&k);
}

char *regc_auth_line(reg_client *c, const char *const *scopes, bool refresh, err_t **err)
{
	pthread_mutex_lock(&c->mu);
	_cleanup_free_ char *scheme = c->scheme ? xstrdup(c->scheme) : NULL;
	_cleanup_free_ char *realm = c->realm ? xstrdup(c->realm) : NULL;
	_cleanup_free_ char *service = c->service ? xstrdup(c->service) : NULL;
	pthread_mutex_unlock(&c->mu);
	if (!scheme)
		return NULL;
	if (!strcmp(scheme, "basic")) {
		if (!c->creds.username || !*c->creds.username) {
			err_set(err, ERR_UNAUTHORIZED, 0, "no basic auth credentials");
			return NULL;
		}
		_cleanup_free_ char *up = xasprintf("%s:%s", c->creds.username,
						    c->creds.password ? c->creds.password : "");
		_cleanup_free_ char *b = base64_encode(up, strlen(up), false);
		return xasprintf("Authorization: Basic %s", b);
	}
	if (strcmp(scheme, "bearer"))
		return NULL; /* a scheme we do not speak: try without */
	if (c->creds.registry_token && *c->creds.registry_token)
		return xasprintf("Authorization: Bearer %s", c->creds.registry_token);
	if (!realm || !*realm) {
		err_set(err, ERR_SYSTEM, 0, "the registry's bearer challenge has no realm");
		return NULL;
	}
	_cleanup_free_ char *key = token_key(realm, service, scopes,
					     c->creds.identity_token ? c->creds.identity_token : c->creds.username);
	char *tok = cache_get(key, refresh);
	if (!tok) {
		int64_t life = 0;
		if (fetch_token(c, realm, service, scopes, false, &tok, &life, NULL, err) < 0)
			return NULL;
		cache_put(key, tok, life);
	}
	char *line = xasprintf("Authorization: Bearer %s", tok);
	free(tok);
	return line;
}

int regc_login_token(reg_client *c, char **identity, err_t **err)
{
	pthread_mutex_lock(&c->mu);
	_cleanup_free_ char *realm = c->realm ? xstrdup(c->realm) : NULL;
	_cleanup_free_ char *service = c->service ? xstrdup(c->service) : NULL;
	pthread_mutex_unlock(&c->mu);
	if (!realm)
		return err_set(err, ERR_SYSTEM, 0, "the registry's bearer challenge has no realm");
	_cleanup_free_ char *tok = NULL;
	int64_t life;
	return fetch_token(c, realm, service, NULL, true, &tok, &life, identity, err);
}

/* ---- requests ---- */

static char **with_auth(char **headers, const char *auth)
{
	size_t n = 0;
	while (headers && headers[n])
		n++;
	char **v = xcalloc(n + 2, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = headers[i];
	v[n] = (char *)auth;
	return v;
}

int regc_do(reg_client *c, const char *const *scopes, fx_req *r, const char *path,
	    fx_resp *resp, err_t **err)
{
	_cleanup_free_ char *url = regc_url(c, path);
	char **orig = r->headers;
	regc_tls(c, r);
	r->url = url;
	for (int attempt = 0;; attempt++) {
		_cleanup_err_ err_t *aerr = NULL;
		_cleanup_free_ char *auth = regc_auth_line(c, scopes, attempt > 0, &aerr);
		if (aerr) {
			/* 500, as dockerd answers a pull it cannot authorize (a 401 would
			 * make the docker CLI prompt for a login) */
			int rc = regc_transport_error(err, r->method, url, aerr->msg);
			r->headers = orig;
			r->url = NULL;
			return rc;
		}
		_cleanup_free_ char **hdrs = with_auth(orig, auth);
		r->headers = hdrs;
		memset(resp, 0, sizeof(*resp));
		int rc = fx_do(c->f, r, resp, err);
		r->headers = orig;
		if (rc < 0) {
			r->url = NULL;
			return -1;
		}
		if (resp->error) {
			rc = regc_transport_error(err, r->method, url, resp->error);
			fx_resp_free(resp);
			r->url = NULL;
			return rc;
		}
		if (resp->status != 401 || attempt > 0) {
			r->url = NULL;
			return 0;
		}
		/* 401: the registry may want another scheme or a fresh token */
		pthread_mutex_lock(&c->mu);
		_cleanup_free_ char *before = c->scheme ? xstrdup(c->scheme) : NULL;
		pthread_mutex_unlock(&c->mu);
		regc_take_challenge(c, resp);
		pthread_mutex_lock(&c->mu);
		bool can_retry = c->scheme && (!strcmp(c->scheme, "bearer") ||
					       (!strcmp(c->scheme, "basic") && (!before || strcmp(before, "basic"))));
		pthread_mutex_unlock(&c->mu);
		if (!can_retry) {
			r->url = NULL;
			return 0;
		}
		fx_resp_free(resp);
	}
}

/* ---- credentials ---- */

void reg_creds_free(reg_creds *c)
{
	if (!c)
		return;
	free(c->username);
	free(c->password);
	free(c->identity_token);
	free(c->registry_token);
	free(c->server);
	memset(c, 0, sizeof(*c));
}

static char *dup_nonempty(json_object *o, const char *key)
{
	const char *s = jget_str(o, key);
	return s && *s ? xstrdup(s) : NULL;
}

int reg_creds_from_json(json_object *o, reg_creds *c, err_t **err)
{
	memset(c, 0, sizeof(*c));
	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return err_invalid(err, "invalid registry credentials: not a JSON object");
	c->username = dup_nonempty(o, "username");
	c->password = dup_nonempty(o, "password");
	c->identity_token = dup_nonempty(o, "identitytoken");
	c->registry_token = dup_nonempty(o, "registrytoken");
	c->server = dup_nonempty(o, "serveraddress");
	const char *auth = jget_str(o, "auth");
	if (auth && *auth && !c->username) {
		size_t len;
		_cleanup_free_ unsigned char *raw = base64_decode(auth, strlen(auth), &len);
		char *colon = raw ? memchr(raw, ':', len) : NULL;
		if (!colon) {
			reg_creds_free(c);
			return err_invalid(err, "invalid registry credentials: bad auth field");
		}
		c->username = xstrndup((char *)raw, (size_t)(colon - (char *)raw));
		c->password = xstrndup(colon + 1, len - (size_t)(colon + 1 - (char *)raw));
	}
	return 0;
}

int reg_creds_parse(const char *header, reg_creds *c, err_t **err)
{
	memset(c, 0, sizeof(*c));
	if (!header || !*header)
		return 0;
	size_t len;
	_cleanup_free_ unsigned char *raw = base64_decode(header, strlen(header), &len);
	_cleanup_err_ err_t *perr = NULL;
	_cleanup_json_ json_object *o = raw ? json_parse_strict((char *)raw, len, &perr) : NULL;
	if (!o) /* Docker ignores an undecodable header: anonymous */
		return 0;
	return reg_creds_from_json(o, c, err);
}
