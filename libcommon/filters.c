/* filters.c: see filters.h.
 *
 * The set is kept as moby keeps it, a map of names to maps of values to
 * booleans, here a json-c object of objects. The boolean matters only to the
 * exact-match and boolean lookups (a value sent as false is listed but never
 * matches), as in moby. Parsing mirrors moby's FromJSON: the whole object is
 * read as map-of-bools, and failing that as the legacy map-of-lists; a mix of
 * the two forms is refused, as Go's decoder refuses it. */
#include "filters.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "gojson.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "utf8.h"
#include "xalloc.h"

struct filters {
	json_object *fields; /* name -> {value: bool} */
};

filters *filters_new(void)
{
	filters *f = xcalloc(1, sizeof(*f));
	f->fields = json_object_new_object();
	return f;
}

void filters_free(filters *f)
{
	if (!f)
		return;
	json_object_put(f->fields);
	free(f);
}

static json_object *values_of(const filters *f, const char *name)
{
	return jget_obj(f->fields, name);
}

static json_object *values_for_add(filters *f, const char *name)
{
	json_object *vals = values_of(f, name);
	if (!vals) {
		vals = json_object_new_object();
		jset(f->fields, name, vals);
	}
	return vals;
}

void filters_add(filters *f, const char *name, const char *value)
{
	jset_bool(values_for_add(f, name), value, true);
}

/* ---- parsing ---- */

static bool no_nul(json_object *s)
{
	return strlen(json_object_get_string(s)) == (size_t)json_object_get_string_len(s);
}

static bool is_bool_map(json_object *v)
{
	if (!v)
		return true;
	if (!json_object_is_type(v, json_type_object))
		return false;
	json_object_object_foreach(v, k, b) {
		(void)k;
		if (b && !json_object_is_type(b, json_type_boolean))
			return false;
	}
	return true;
}

static bool is_string_list(json_object *v)
{
	if (!v)
		return true;
	if (!json_object_is_type(v, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *s = json_object_array_get_idx(v, i);
		if (s && !(json_object_is_type(s, json_type_string) && no_nul(s)))
			return false;
	}
	return true;
}

/* True when every member of root passes test. */
static bool all_values(json_object *root, bool (*test)(json_object *))
{
	json_object_object_foreach(root, k, v) {
		(void)k;
		if (!test(v))
			return false;
	}
	return true;
}

static void load_bool_maps(filters *f, json_object *root)
{
	json_object_object_foreach(root, name, vals) {
		json_object *dst = values_for_add(f, name);
		if (!vals)
			continue;
		json_object_object_foreach(vals, value, b)
			jset_bool(dst, value, b && json_object_get_boolean(b));
	}
}

static void load_string_lists(filters *f, json_object *root)
{
	json_object_object_foreach(root, name, list) {
		json_object *dst = values_for_add(f, name);
		for (size_t i = 0; list && i < json_object_array_length(list); i++) {
			json_object *s = json_object_array_get_idx(list, i);
			jset_bool(dst, s ? json_object_get_string(s) : "", true);
		}
	}
}

/* Go reads a JSON null as an empty map; json_parse_strict cannot end a bare
 * literal at the end of its input, so null is recognised here. */
static bool is_null(const char *json)
{
	json += strspn(json, " \t\r\n");
	if (strncmp(json, "null", 4) != 0)
		return false;
	json += 4;
	return json[strspn(json, " \t\r\n")] == '\0';
}

int filters_parse(const char *json, filters **out, err_t **err)
{
	_cleanup_filters_ filters *f = filters_new();
	if (json && *json && !is_null(json)) {
		_cleanup_err_ err_t *jerr = NULL;
		_cleanup_json_ json_object *root = json_parse_strict(json, strlen(json), &jerr);
		if (!root && jerr)
			return err_invalid(err, "invalid filter: the filters parameter is not valid JSON (%s)",
					   err_msg(jerr));
		if (root && !json_object_is_type(root, json_type_object))
			return err_invalid(err, "invalid filter: the filters parameter must be a JSON object");
		if (root && all_values(root, is_bool_map))
			load_bool_maps(f, root);
		else if (root && all_values(root, is_string_list))
			load_string_lists(f, root);
		else if (root)
			return err_invalid(err, "invalid filter: the filters parameter must map each name "
						"to {\"value\":true,...} or to [\"value\",...]");
	}
	*out = steal_ptr(&f);
	return 0;
}

char *filters_to_json(const filters *f)
{
	if (filters_len(f) == 0)
		return xstrdup("");
	strbuf sb = STRBUF_INIT;
	gojson_value(&sb, f->fields, GOJSON_ESCAPE_HTML | GOJSON_SORT_KEYS, NULL);
	return sb_steal(&sb);
}

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int filters_add_arg(filters *f, const char *arg, err_t **err)
{
	if (!*arg)
		return 0;
	const char *eq = strchr(arg, '=');
	if (!eq)
		return err_invalid(err, "bad format of filter (expected name=value)");
	_cleanup_free_ char *name = trimmed(arg, (size_t)(eq - arg));
	_cleanup_free_ char *value = trimmed(eq + 1, strlen(eq + 1));
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	filters_add(f, name, value);
	return 0;
}

/* ---- queries ---- */

int filters_len(const filters *f)
{
	return json_object_object_length(f->fields);
}

bool filters_contains(const filters *f, const char *name)
{
	return values_of(f, name) != NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted copies of the keys of an object (NULL: empty vector). */
static char **sorted_keys(json_object *o)
{
	size_t n = o ? (size_t)json_object_object_length(o) : 0, i = 0;
	char **v = xcalloc(n + 1, sizeof(char *));
	if (o) {
		json_object_object_foreach(o, k, val) {
			(void)val;
			v[i++] = xstrdup(k);
		}
	}
	qsort(v, n, sizeof(char *), cmp_str);
	return v;
}

char **filters_get(const filters *f, const char *name)
{
	return sorted_keys(values_of(f, name));
}

int filters_validate(const filters *f, const char *const *accepted, err_t **err)
{
	_cleanup_strv_ char **names = sorted_keys(f->fields);
	for (char **n = names; *n; n++) {
		const char *const *a = accepted;
		while (*a && strcmp(*a, *n) != 0)
			a++;
		if (!*a)
			return err_invalid(err, "invalid filter '%s'", *n);
	}
	return 0;
}

static bool no_values(const filters *f, const char *name)
{
	json_object *vals = values_of(f, name);
	return !vals || json_object_object_length(vals) == 0;
}

bool filters_match(const filters *f, const char *name, const char *value)
{
	if (no_values(f, name))
		return true;
	return jget_bool(values_of(f, name), value, false);
}

bool filters_match_re(const filters *f, const char *name, const char *value)
{
	if (!filters_contains(f, name))
		return true;
	_cleanup_strv_ char **vals = filters_get(f, name);
	for (char **v = vals; *v; v++) {
		if (!strcmp(*v, value))
			return true;
		regex_t re;
		if (regcomp(&re, *v, REG_EXTENDED | REG_NOSUB) != 0)
			continue;
		bool m = regexec(&re, value, 0, NULL, 0) == 0;
		regfree(&re);
		if (m)
			return true;
	}
	return false;
}

bool filters_match_prefix(const filters *f, const char *name, const char *value)
{
	if (filters_match(f, name, value))
		return true;
	json_object_object_foreach(values_of(f, name), prefix, b) {
		(void)b;
		if (!strncmp(value, prefix, strlen(prefix)))
			return true;
	}
	return false;
}

bool filters_match_kv(const filters *f, const char *name, json_object *labels)
{
	if (no_values(f, name))
		return true;
	if (!labels || json_object_object_length(labels) == 0)
		return false;
	json_object_object_foreach(values_of(f, name), value, b) {
		(void)b;
		const char *eq = strchr(value, '=');
		_cleanup_free_ char *key = eq ? xstrndup(value, (size_t)(eq - value)) : xstrdup(value);
		json_object *have = jget(labels, key);
		if (!have && !json_object_object_get_ex(labels, key, NULL))
			return false;
		if (eq && strcmp(have ? json_object_get_string(have) : "", eq + 1) != 0)
			return false;
	}
	return true;
}

int filters_get_bool(const filters *f, const char *name, bool def, bool *out, err_t **err)
{
	json_object *vals = values_of(f, name);
	*out = def;
	if (!vals)
		return 0;
	if (json_object_object_length(vals) == 0)
		return err_invalid(err, "invalid filter '%s'", name);
	bool is_false = jget_bool(vals, "0", false) || jget_bool(vals, "false", false);
	bool is_true = jget_bool(vals, "1", false) || jget_bool(vals, "true", false);
	if (is_false == is_true) {
		_cleanup_strv_ char **v = sorted_keys(vals);
		_cleanup_sb_ strbuf list = STRBUF_INIT;
		for (char **p = v; *p; p++)
			sb_printf(&list, "%s%s", p == v ? "" : " ", *p);
		return err_invalid(err, "invalid filter '%s=[%s]'", name, sb_str(&list));
	}
	*out = is_true;
	return 0;
}

/* ---- Go's path.Match ---- */

typedef enum { GLOB_NO, GLOB_YES, GLOB_BAD } glob_res;

/* One possibly escaped rune of a character class; false on a bad pattern. */
static bool class_rune(const char **p, uint32_t *r)
{
	const char *c = *p;
	size_t used;
	if (!*c || *c == '-' || *c == ']')
		return false;
	if (*c == '\\' && !*++c)
		return false;
	*r = utf8_decode(c, strlen(c), &used);
	if ((*r == UTF8_ERROR && used == 1) || !c[used])
		return false;
	*p = c + used;
	return true;
}

/* Matches the class at *p (after '[') against rune r; sets *hit. */
static bool match_class(const char **p, uint32_t r, bool *hit)
{
	bool negated = **p == '^', match = false;
	int ranges = 0;
	*p += negated;
	for (;;) {
		if (**p == ']' && ranges > 0) {
			(*p)++;
			break;
		}
		uint32_t lo, hi;
		if (!class_rune(p, &lo))
			return false;
		hi = lo;
		if (**p == '-' && (++*p, !class_rune(p, &hi)))
			return false;
		match |= lo <= r && r <= hi;
		ranges++;
	}
	*hit = match != negated;
	return true;
}

/* Go's matchChunk: chunk[0..n) (no '*') against the start of s. On a match
 * *rest is what s has left. The whole chunk is checked even after a miss. */
static glob_res match_chunk(const char *chunk, size_t n, const char *s, const char **rest)
{
	const char *c = chunk, *end = chunk + n;
	bool failed = false;
	size_t used;
	while (c < end) {
		failed |= !*s;
		if (*c == '[') {
			uint32_t r = 0;
			bool hit;
			if (!failed)
				r = utf8_decode(s, strlen(s), &used), s += used;
			c++;
			if (!match_class(&c, r, &hit) || c > end)
				return GLOB_BAD;
			failed |= !hit;
		} else if (*c == '?') {
			if (!failed) {
				failed = *s == '/';
				utf8_decode(s, strlen(s), &used);
				s += used;
			}
			c++;
		} else {
			if (*c == '\\' && ++c == end)
				return GLOB_BAD;
			if (!failed)
				failed = *c != *s++;
			c++;
		}
	}
	if (failed)
		return GLOB_NO;
	*rest = s;
	return GLOB_YES;
}

/* Go's scanChunk: leading stars, then up to the next '*' outside a class. */
static const char *scan_chunk(const char *p, bool *star, size_t *len)
{
	bool inrange = false;
	size_t i;
	*star = false;
	for (; *p == '*'; p++)
		*star = true;
	for (i = 0; p[i]; i++) {
		if (p[i] == '\\' && p[i + 1])
			i++;
		else if (p[i] == '[')
			inrange = true;
		else if (p[i] == ']')
			inrange = false;
		else if (p[i] == '*' && !inrange)
			break;
	}
	*len = i;
	return p;
}

/* After a miss the rest of the pattern must still be well formed. */
static glob_res check_rest(const char *pat)
{
	while (*pat) {
		bool star;
		size_t n;
		const char *chunk = scan_chunk(pat, &star, &n), *rest;
		if (match_chunk(chunk, n, "", &rest) == GLOB_BAD)
			return GLOB_BAD;
		pat = chunk + n;
	}
	return GLOB_NO;
}

/* A star chunk: try the chunk after skipping 1.. non-'/' bytes of *s. */
static glob_res match_after_star(const char *chunk, size_t n, bool last, const char **s)
{
	for (const char *t = *s; *t && *t != '/'; t++) {
		const char *rest;
		glob_res r = match_chunk(chunk, n, t + 1, &rest);
		if (r == GLOB_BAD)
			return GLOB_BAD;
		if (r == GLOB_YES && !(last && *rest)) {
			*s = rest;
			return GLOB_YES;
		}
	}
	return GLOB_NO;
}

static glob_res glob(const char *pat, const char *s)
{
	while (*pat) {
		bool star;
		size_t n;
		const char *chunk = scan_chunk(pat, &star, &n), *rest = NULL;
		pat = chunk + n;
		if (star && n == 0)
			return strchr(s, '/') ? GLOB_NO : GLOB_YES;
		glob_res r = match_chunk(chunk, n, s, &rest);
		if (r == GLOB_YES && (!*rest || *pat)) {
			s = rest;
			continue;
		}
		if (r == GLOB_BAD)
			return GLOB_BAD;
		if (star) {
			r = match_after_star(chunk, n, !*pat, &s);
			if (r == GLOB_YES)
				continue;
			if (r == GLOB_BAD)
				return GLOB_BAD;
		}
		return check_rest(pat);
	}
	return *s ? GLOB_NO : GLOB_YES;
}

int filters_glob(const char *pattern, const char *s, bool *matched, err_t **err)
{
	glob_res r = glob(pattern, s);
	*matched = r == GLOB_YES;
	if (r == GLOB_BAD)
		return err_invalid(err, "syntax error in pattern");
	return 0;
}

int filters_match_glob(const filters *f, const char *name, const char *s, err_t **err)
{
	if (no_values(f, name))
		return 1;
	json_object_object_foreach(values_of(f, name), pattern, b) {
		(void)b;
		bool matched;
		if (filters_glob(pattern, s, &matched, err) < 0)
			return -1;
		if (matched)
			return 1;
	}
	return 0;
}
