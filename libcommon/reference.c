/* reference.c: the distribution/reference grammar as hand-written matchers
 * (one function per production) and Docker's normalisation rules. The regex
 * it mirrors is anchored and leftmost-first; where that matters (a first
 * component that is both a valid domain and a valid path component) the
 * domain reading wins, as it does in Go. Semantics are those of
 * distribution/reference v0.5.0, the version Docker 25 vendors. */
#include "reference.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

#define MSG_INVALID "invalid reference format"
#define MSG_UPPER "repository name must be lowercase"
#define MSG_EMPTY "repository name must have at least one component"

/* ---- lexical productions, each a full match of s[0..n) ---- */

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return isascii((unsigned char)c) && isalnum((unsigned char)c);
}

static bool is_word(char c)
{
	return is_alnum(c) || c == '_';
}

/* Length of the separator at s (`[._]|__|[-]+`), 0 if none. */
static size_t separator_len(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '_' && s[1] == '_')
		return 2;
	if (n >= 1 && (s[0] == '.' || s[0] == '_'))
		return 1;
	size_t i = 0;
	while (i < n && s[i] == '-')
		i++;
	return i;
}

/* path-component := alnum+ (separator alnum+)* */
static bool match_path_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]))
		return false;
	while (i < n) {
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		size_t sep = separator_len(s + i, n - i);
		if (sep == 0 || i + sep >= n || !is_lower_alnum(s[i + sep]))
			return false;
		i += sep;
	}
	return true;
}

/* remote-name := path-component ('/' path-component)* */
static bool match_remote_name(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		if (!match_path_component(s + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool match_domain_component(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool match_domain_name(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!match_domain_component(s + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

/* `\[[a-fA-F0-9:]+\]` */
static bool match_ipv6(const char *s, size_t n)
{
	if (n < 3 || s[0] != '[' || s[n - 1] != ']')
		return false;
	for (size_t i = 1; i < n - 1; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':')
			return false;
	return true;
}

/* domain := host (':' [0-9]+)? ; host := domain-name | ipv6 */
static bool match_domain(const char *s, size_t n)
{
	size_t host_end = n;
	if (!s || n == 0)
		return false;
	const char *colon = memrchr(s, ':', n);
	const char *bracket = memrchr(s, ']', n);
	if (colon && (!bracket || colon > bracket)) {
		size_t p = (size_t)(colon - s) + 1;
		if (p == n)
			return false;
		for (size_t i = p; i < n; i++)
			if (!isdigit((unsigned char)s[i]))
				return false;
		host_end = (size_t)(colon - s);
	}
	return match_domain_name(s, host_end) || match_ipv6(s, host_end);
}

bool ref_tag_valid(const char *tag)
{
	size_t n = tag ? strlen(tag) : 0;
	if (n == 0 || n > 128 || !is_word(tag[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_word(tag[i]) && tag[i] != '.' && tag[i] != '-')
			return false;
	return true;
}

/* digest := [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)* ':' xdigit{32,} */
static bool match_digest_pat(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (!colon)
		return false;
	size_t alen = (size_t)(colon - s), i = 0;
	for (;;) {
		if (i >= alen || !isascii((unsigned char)s[i]) || !isalpha((unsigned char)s[i]))
			return false;
		for (i++; i < alen && is_alnum(s[i]); i++)
			;
		if (i == alen)
			break;
		if (!strchr("-_+.", s[i]))
			return false;
		i++;
	}
	if (n - alen - 1 < 32)
		return false;
	for (size_t j = alen + 1; j < n; j++)
		if (!isxdigit((unsigned char)s[j]))
			return false;
	return true;
}

bool ref_is_identifier(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* ---- go-digest validation ---- */

static size_t digest_hex_len(const char *alg, size_t alen)
{
	if (alen == 6 && !strncmp(alg, "sha256", 6))
		return 64;
	if (alen == 6 && !strncmp(alg, "sha384", 6))
		return 96;
	if (alen == 6 && !strncmp(alg, "sha512", 6))
		return 128;
	return 0;
}

/* go-digest's DigestRegexp: [a-z0-9]+([.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+ */
static bool go_digest_shape(const char *s, size_t alen)
{
	bool need = true;
	for (size_t i = 0; i < alen; i++) {
		if (is_lower_alnum(s[i]))
			need = false;
		else if (strchr(".+_-", s[i]) && !need)
			need = true;
		else
			return false;
	}
	if (need || !s[alen + 1])
		return false;
	for (const char *p = s + alen + 1; *p; p++)
		if (!is_alnum(*p) && !strchr("=_-", *p))
			return false;
	return true;
}

int ref_digest_check(const char *d, err_t **err)
{
	const char *colon = d ? strchr(d, ':') : NULL;
	if (!colon || colon == d || !colon[1])
		return err_invalid(err, "invalid checksum digest format");
	size_t alen = (size_t)(colon - d);
	size_t want = digest_hex_len(d, alen);
	if (!want) {
		if (!go_digest_shape(d, alen))
			return err_invalid(err, "invalid checksum digest format");
		return err_invalid(err, "unsupported digest algorithm");
	}
	if (strlen(colon + 1) != want)
		return err_invalid(err, "invalid checksum digest length");
	for (const char *p = colon + 1; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return err_invalid(err, "invalid checksum digest format");
	return 0;
}

/* ---- the reference production ---- */

typedef struct parts {
	const char *name, *tag, *dgst;
	size_t name_len, tag_len, dgst_len;
	size_t domain_len; /* 0 when the name has no domain */
} parts;

/* name := (domain '/')? remote-name; sets domain_len per leftmost-first. */
static bool match_name(const char *s, size_t n, size_t *domain_len)
{
	const char *slash = memchr(s, '/', n);
	if (slash) {
		size_t d = (size_t)(slash - s);
		if (match_domain(s, d) && match_remote_name(slash + 1, n - d - 1)) {
			*domain_len = d;
			return true;
		}
	}
	*domain_len = 0;
	return match_remote_name(s, n);
}

/* reference := name (':' tag)? ('@' digest)? as an anchored match. */
static bool match_reference(const char *s, parts *p)
{
	memset(p, 0, sizeof(*p));
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (at) {
		p->dgst = at + 1;
		p->dgst_len = n - (size_t)(at - s) - 1;
		if (!match_digest_pat(p->dgst, p->dgst_len))
			return false;
		n = (size_t)(at - s);
	}
	const char *slash = memrchr(s, '/', n);
	const char *last = slash ? slash + 1 : s;
	const char *colon = memchr(last, ':', n - (size_t)(last - s));
	if (colon) {
		p->tag = colon + 1;
		p->tag_len = n - (size_t)(p->tag - s);
		_cleanup_free_ char *tag = xstrndup(p->tag, p->tag_len);
		if (!ref_tag_valid(tag))
			return false;
		n = (size_t)(colon - s);
	}
	p->name = s;
	p->name_len = n;
	return match_name(s, n, &p->domain_len);
}

static reference *ref_from_parts(const parts *p)
{
	reference *r = xcalloc(1, sizeof(*r));
	if (p->domain_len) {
		r->domain = xstrndup(p->name, p->domain_len);
		r->path = xstrndup(p->name + p->domain_len + 1, p->name_len - p->domain_len - 1);
	} else {
		r->domain = xstrdup("");
		r->path = xstrndup(p->name, p->name_len);
	}
	if (p->tag)
		r->tag = xstrndup(p->tag, p->tag_len);
	if (p->dgst)
		r->digest = xstrndup(p->dgst, p->dgst_len);
	return r;
}

static char *str_lower(const char *s)
{
	char *l = xstrdup(s);
	for (char *c = l; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return l;
}

reference *ref_parse(const char *s, err_t **err)
{
	parts p;
	if (!s || !*s) {
		err_invalid(err, MSG_EMPTY);
		return NULL;
	}
	if (!match_reference(s, &p)) {
		_cleanup_free_ char *low = str_lower(s);
		parts lp;
		if (strcmp(low, s) && match_reference(low, &lp))
			err_invalid(err, MSG_UPPER);
		else
			err_invalid(err, MSG_INVALID);
		return NULL;
	}
	/* distribution/reference v0.5.0 (Docker 25) counts the domain too. */
	if (p.name_len > REF_NAME_MAX) {
		err_invalid(err, "repository name must not be more than %d characters", REF_NAME_MAX);
		return NULL;
	}
	reference *r = ref_from_parts(&p);
	if (r->digest && ref_digest_check(r->digest, err) < 0) {
		ref_free(r);
		return NULL;
	}
	return r;
}

/* splitDockerDomain: returns the domain and sets *remote to the rest
 * (which still carries the tag and digest). */
static char *split_docker_domain(const char *name, char **remote)
{
	const char *slash = strchr(name, '/');
	char *domain;
	if (!slash) {
		*remote = xasprintf(REF_OFFICIAL_PREFIX "%s", name);
		return xstrdup(REF_DEFAULT_DOMAIN);
	}
	_cleanup_free_ char *maybe = xstrndup(name, (size_t)(slash - name));
	_cleanup_free_ char *low = str_lower(maybe);
	if (!strcmp(maybe, "localhost") || strpbrk(maybe, ".:") || strcmp(low, maybe)) {
		domain = strcmp(maybe, REF_LEGACY_DOMAIN) ? xstrdup(maybe) : xstrdup(REF_DEFAULT_DOMAIN);
		*remote = xstrdup(slash + 1);
	} else {
		domain = xstrdup(REF_DEFAULT_DOMAIN);
		*remote = xstrdup(name);
	}
	if (!strcmp(domain, REF_DEFAULT_DOMAIN) && !strchr(*remote, '/')) {
		char *lib = xasprintf(REF_OFFICIAL_PREFIX "%s", *remote);
		free(*remote);
		*remote = lib;
	}
	return domain;
}

reference *ref_parse_normalized(const char *s, err_t **err)
{
	if (!s) {
		err_invalid(err, MSG_EMPTY);
		return NULL;
	}
	if (ref_is_identifier(s)) {
		err_invalid(err, "invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s);
		return NULL;
	}
	_cleanup_free_ char *remainder = NULL;
	_cleanup_free_ char *domain = split_docker_domain(s, &remainder);
	char *colon = strchr(remainder, ':');
	_cleanup_free_ char *remote = colon ? xstrndup(remainder, (size_t)(colon - remainder))
					    : xstrdup(remainder);
	_cleanup_free_ char *low = str_lower(remote);
	if (strcmp(low, remote)) {
		err_invalid(err, MSG_INVALID ": repository name (%s) must be lowercase", remote);
		return NULL;
	}
	_cleanup_free_ char *full = xasprintf("%s/%s", domain, remainder);
	return ref_parse(full, err);
}

reference *ref_parse_named(const char *s, err_t **err)
{
	reference *r = ref_parse_normalized(s, err);
	if (!r)
		return NULL;
	_cleanup_free_ char *canon = ref_string(r);
	if (strcmp(canon, s)) {
		ref_free(r);
		err_invalid(err, "repository name must be canonical");
		return NULL;
	}
	return r;
}

void ref_default_tag(reference *r)
{
	if (r && !r->tag && !r->digest)
		r->tag = xstrdup(REF_DEFAULT_TAG);
}

reference *ref_parse_docker(const char *s, err_t **err)
{
	reference *r = ref_parse_normalized(s, err);
	if (!r)
		return NULL;
	if (r->digest && r->tag) {
		free(r->tag);
		r->tag = NULL;
	}
	ref_default_tag(r);
	return r;
}

void ref_free(reference *r)
{
	if (!r)
		return;
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	free(r);
}

reference *ref_dup(const reference *r)
{
	reference *d = xcalloc(1, sizeof(*d));
	d->domain = xstrdup(r->domain ? r->domain : "");
	d->path = xstrdup(r->path);
	d->tag = r->tag ? xstrdup(r->tag) : NULL;
	d->digest = r->digest ? xstrdup(r->digest) : NULL;
	return d;
}

/* ---- rendering ---- */

char *ref_name(const reference *r)
{
	if (!r->domain || !*r->domain)
		return xstrdup(r->path);
	return xasprintf("%s/%s", r->domain, r->path);
}

static char *with_suffixes(char *name, const reference *r)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, name);
	free(name);
	if (r->tag)
		sb_printf(&sb, ":%s", r->tag);
	if (r->digest)
		sb_printf(&sb, "@%s", r->digest);
	return sb_steal(&sb);
}

char *ref_string(const reference *r)
{
	return with_suffixes(ref_name(r), r);
}

char *ref_familiar_name(const reference *r)
{
	if (!r->domain || strcmp(r->domain, REF_DEFAULT_DOMAIN))
		return ref_name(r);
	const char *p = r->path;
	size_t pl = strlen(REF_OFFICIAL_PREFIX);
	if (!strncmp(p, REF_OFFICIAL_PREFIX, pl) && !strchr(p + pl, '/'))
		p += pl;
	return xstrdup(p);
}

char *ref_familiar_string(const reference *r)
{
	return with_suffixes(ref_familiar_name(r), r);
}

bool ref_familiar_match(const char *pattern, const reference *r)
{
	_cleanup_free_ char *fs = ref_familiar_string(r);
	if (fnmatch(pattern, fs, FNM_PATHNAME) == 0)
		return true;
	_cleanup_free_ char *fn = ref_familiar_name(r);
	return fnmatch(pattern, fn, FNM_PATHNAME) == 0;
}
