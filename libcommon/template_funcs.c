/* template_funcs.c: the functions a template can call: Go's builtins (and,
 * or, not, len, index, slice, eq, ne, lt, le, gt, ge, print, printf, println,
 * html, js, urlquery) and docker's (json, split, join, title, lower, upper,
 * pad, truncate), each with Go's parameter types, which the executor checks
 * before the call, and Go's error texts. In docker's table header pass the
 * text functions are swapped for ones that return their argument. */
#include "template_int.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

/* ---- comparisons ---- */

typedef enum kind { K_INVALID, K_BOOL, K_INT, K_UINT, K_FLOAT, K_STRING } kind;

/* Go's basicKind after indirectInterface (a nil interface is no value). */
static kind basic_kind(const val *v)
{
	switch (v->k) {
	case V_BOOL: return K_BOOL;
	case V_INT: return v->byte ? K_UINT : K_INT;
	case V_FLOAT: return K_FLOAT;
	case V_STR: return K_STRING;
	default: return K_INVALID;
	}
}

static bool is_zero(const val *v)
{
	return v->k == V_MISSING || v->k == V_NIL;
}

static int cmp_str(const val *a, const val *b)
{
	size_t n = a->s.n < b->s.n ? a->s.n : b->s.n;
	int c = memcmp(a->s.p, b->s.p, n);
	return c ? c : (a->s.n > b->s.n) - (a->s.n < b->s.n);
}

static int non_comparable(state *s, const node *cmd, const val *v)
{
	strbuf sb = STRBUF_INIT;
	go_sprintf(&sb, "%s", 2, v, 1, SIZE_MAX);
	call_fail(s, cmd, "non-comparable type %s: %s", sb.buf, val_type(v));
	sb_free(&sb);
	return -1;
}

static int non_comparable2(state *s, const node *cmd, const val *a, const val *b)
{
	strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
	go_sprintf(&sa, "%s", 2, a, 1, SIZE_MAX);
	go_sprintf(&sb, "%v", 2, b, 1, SIZE_MAX);
	call_fail(s, cmd, "non-comparable types %s: %s, %s: %s", sa.buf, val_type(a), val_type(b), sb.buf);
	sb_free(&sa);
	sb_free(&sb);
	return -1;
}

/* eq for one pair; -1 on error, else 0/1. */
static int eq_pair(state *s, const node *cmd, const val *a, const val *b)
{
	kind ka = basic_kind(a), kb = basic_kind(b);
	if (ka != kb) {
		if ((ka == K_INT && kb == K_UINT) || (ka == K_UINT && kb == K_INT))
			return a->i == b->i;
		if (!is_zero(a) && !is_zero(b))
			return call_fail(s, cmd, "incompatible types for comparison");
		return 0;
	}
	switch (ka) {
	case K_BOOL: return a->b == b->b;
	case K_INT:
	case K_UINT: return a->i == b->i;
	case K_FLOAT: return a->f == b->f;
	case K_STRING: return cmp_str(a, b) == 0;
	default: break;
	}
	if (is_zero(a) || is_zero(b))
		return is_zero(a) == is_zero(b);
	if (a->k != b->k)
		return non_comparable2(s, cmd, a, b);
	return non_comparable(s, cmd, b);
}

static int fn_eq(state *s, const node *cmd, val *args, size_t n, val *out)
{
	if (n < 2)
		return call_fail(s, cmd, "missing argument for comparison");
	for (size_t i = 1; i < n; i++) {
		int r = eq_pair(s, cmd, &args[0], &args[i]);
		if (r != 0) {
			*out = val_bool(r > 0);
			return r < 0 ? -1 : 0;
		}
	}
	*out = val_bool(false);
	return 0;
}

static int fn_ne(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	int r = eq_pair(s, cmd, &args[0], &args[1]);
	*out = val_bool(r == 0);
	return r < 0 ? -1 : 0;
}

static int lt_pair(state *s, const node *cmd, const val *a, const val *b)
{
	kind ka = basic_kind(a), kb = basic_kind(b);
	if (ka == K_INVALID || kb == K_INVALID)
		return call_fail(s, cmd, "invalid type for comparison");
	if (ka != kb) {
		if (ka == K_INT && kb == K_UINT)
			return a->i < 0 || a->i < b->i;
		if (ka == K_UINT && kb == K_INT)
			return b->i >= 0 && a->i < b->i;
		return call_fail(s, cmd, "incompatible types for comparison");
	}
	switch (ka) {
	case K_INT:
	case K_UINT: return a->i < b->i;
	case K_FLOAT: return a->f < b->f;
	case K_STRING: return cmp_str(a, b) < 0;
	default: return call_fail(s, cmd, "invalid type for comparison");
	}
}

static int le_pair(state *s, const node *cmd, const val *a, const val *b)
{
	int r = lt_pair(s, cmd, a, b);
	return r != 0 ? r : eq_pair(s, cmd, a, b);
}

static int fn_lt(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	int r = lt_pair(s, cmd, &args[0], &args[1]);
	*out = val_bool(r > 0);
	return r < 0 ? -1 : 0;
}

static int fn_le(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	int r = le_pair(s, cmd, &args[0], &args[1]);
	*out = val_bool(r > 0);
	return r < 0 ? -1 : 0;
}

static int fn_gt(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	int r = le_pair(s, cmd, &args[0], &args[1]);
	*out = val_bool(r == 0);
	return r < 0 ? -1 : 0;
}

static int fn_ge(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	int r = lt_pair(s, cmd, &args[0], &args[1]);
	*out = val_bool(r == 0);
	return r < 0 ? -1 : 0;
}

static int fn_not(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	*out = val_bool(!val_truth(&args[0]));
	return 0;
}

/* ---- len, index, slice ---- */

static int fn_len(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	const val *v = &args[0];
	switch (v->k) {
	case V_STR: *out = val_int((int64_t)v->s.n); return 0;
	case V_MAP: *out = val_int(json_object_object_length(v->j)); return 0;
	case V_ARR: *out = val_int((int64_t)json_object_array_length(v->j)); return 0;
	case V_NIL: return call_fail(s, cmd, "len of nil pointer");
	case V_MISSING: return call_fail(s, cmd, "reflect: call of reflect.Value.Type on zero Value");
	default: return call_fail(s, cmd, "len of type %s", val_type(v));
	}
}

static size_t item_len(const val *v)
{
	return v->k == V_STR ? v->s.n : json_object_array_length(v->j);
}

/* Go's indexArg: an int index in [0, cap]. */
static int index_arg(state *s, const node *cmd, const val *idx, size_t cap, int64_t *x)
{
	if (idx->k == V_MISSING || idx->k == V_NIL)
		return call_fail(s, cmd, "cannot index slice/array with nil");
	if (idx->k != V_INT)
		return call_fail(s, cmd, "cannot index slice/array with type %s", val_type(idx));
	if (idx->i < 0 || (uint64_t)idx->i > cap)
		return call_fail(s, cmd, "index out of range: %lld", (long long)idx->i);
	*x = idx->i;
	return 0;
}

/* item[idx] for one index; item is replaced. */
static int index_one(state *s, const node *cmd, val *item, const val *idx)
{
	if (item->k == V_MAP) {
		if (idx->k == V_MISSING || idx->k == V_NIL)
			return call_fail(s, cmd, "value is nil; should be of type string");
		if (idx->k != V_STR)
			return call_fail(s, cmd, "value has type %s; should be string", val_type(idx));
		json_object *v = NULL;
		bool found = json_object_object_get_ex(item->j, idx->s.p, &v);
		val next = found ? val_from_json(v, true) : (val){.k = V_NIL, .boxed = true};
		val_free(item);
		*item = next;
		return 0;
	}
	if (item->k != V_ARR && item->k != V_STR)
		return call_fail(s, cmd, "can't index item of type %s", val_type(item));
	int64_t x;
	if (index_arg(s, cmd, idx, item_len(item), &x) < 0)
		return -1;
	if ((size_t)x == item_len(item))
		return call_fail(s, cmd, "reflect: %s index out of range", item->k == V_STR ? "string" : "slice");
	val next = item->k == V_STR ? (val){.k = V_INT, .byte = true, .i = (unsigned char)item->s.p[x]}
				    : val_from_json(json_object_array_get_idx(item->j, (size_t)x), true);
	val_free(item);
	*item = next;
	return 0;
}

static int fn_index(state *s, const node *cmd, val *args, size_t n, val *out)
{
	val item = val_copy(&args[0]);
	if (item.k == V_MISSING || item.k == V_NIL)
		return call_fail(s, cmd, "index of untyped nil");
	for (size_t i = 1; i < n; i++) {
		if (item.k == V_NIL) {
			val_free(&item);
			return call_fail(s, cmd, "index of nil pointer");
		}
		if (index_one(s, cmd, &item, &args[i]) < 0) {
			val_free(&item);
			return -1;
		}
	}
	*out = item;
	return 0;
}

static int fn_slice(state *s, const node *cmd, val *args, size_t n, val *out)
{
	const val *item = &args[0];
	if (item->k == V_MISSING || item->k == V_NIL)
		return call_fail(s, cmd, "slice of untyped nil");
	if (n - 1 > 3)
		return call_fail(s, cmd, "too many slice indexes: %zu", n - 1);
	if (item->k == V_STR && n - 1 == 3)
		return call_fail(s, cmd, "cannot 3-index slice a string");
	if (item->k != V_STR && item->k != V_ARR)
		return call_fail(s, cmd, "can't slice item of type %s", val_type(item));
	size_t len = item_len(item);
	int64_t idx[3] = {0, (int64_t)len, (int64_t)len};
	for (size_t i = 1; i < n; i++)
		if (index_arg(s, cmd, &args[i], len, &idx[i - 1]) < 0)
			return -1;
	if (idx[0] > idx[1])
		return call_fail(s, cmd, "invalid slice index: %lld > %lld", (long long)idx[0], (long long)idx[1]);
	if (n - 1 == 3 && idx[1] > idx[2])
		return call_fail(s, cmd, "invalid slice index: %lld > %lld", (long long)idx[1], (long long)idx[2]);
	if (item->k == V_STR) {
		*out = val_str(item->s.p + idx[0], (size_t)(idx[1] - idx[0]));
		return 0;
	}
	json_object *a = json_object_new_array();
	for (int64_t i = idx[0]; i < idx[1]; i++)
		json_object_array_add(a, json_object_get(json_object_array_get_idx(item->j, (size_t)i)));
	*out = (val){.k = V_ARR, .j = a};
	return 0;
}

/* ---- printing ---- */

/* Hands a strbuf's contents over as a string value. */
static val take(strbuf *sb)
{
	size_t n = sb->len;
	val v = {.k = V_STR};
	v.s.p = sb_steal(sb);
	v.s.n = n;
	return v;
}

static int fn_sprint(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd;
	strbuf sb = STRBUF_INIT;
	go_sprint(&sb, args, n);
	*out = take(&sb);
	return 0;
}

static int fn_println(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd;
	strbuf sb = STRBUF_INIT;
	go_sprintln(&sb, args, n);
	*out = take(&sb);
	return 0;
}

static int fn_printf(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)cmd;
	strbuf sb = STRBUF_INIT;
	go_sprintf(&sb, args[0].s.p, args[0].s.n, args + 1, n - 1, exec_string_limit(s));
	*out = take(&sb);
	return 0;
}

/* Go's evalArgs: one string as it is, anything else through Sprint, where
 * a nil argument reads "<no value>" (and counts as a string). */
static void eval_args(strbuf *sb, const val *args, size_t n)
{
	if (n == 1 && args[0].k == V_STR) {
		sb_append(sb, args[0].s.p, args[0].s.n);
		return;
	}
	val *v = xcalloc(n + 1, sizeof(val));
	for (size_t i = 0; i < n; i++)
		v[i] = args[i].k == V_NIL || args[i].k == V_MISSING ? val_cstr("<no value>") : val_copy(&args[i]);
	go_sprint(sb, v, n);
	for (size_t i = 0; i < n; i++)
		val_free(&v[i]);
	free(v);
}

static int fn_html(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd;
	strbuf in = STRBUF_INIT, sb = STRBUF_INIT;
	eval_args(&in, args, n);
	for (size_t i = 0; i < in.len; i++) {
		switch (in.buf[i]) {
		case '\0': sb_puts(&sb, "\xef\xbf\xbd"); break;
		case '"': sb_puts(&sb, "&#34;"); break;
		case '\'': sb_puts(&sb, "&#39;"); break;
		case '&': sb_puts(&sb, "&amp;"); break;
		case '<': sb_puts(&sb, "&lt;"); break;
		case '>': sb_puts(&sb, "&gt;"); break;
		default: sb_putc(&sb, in.buf[i]);
		}
	}
	sb_free(&in);
	*out = take(&sb);
	return 0;
}

static int fn_js(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd;
	strbuf in = STRBUF_INIT, sb = STRBUF_INIT;
	eval_args(&in, args, n);
	size_t used;
	for (size_t i = 0; i < in.len; i += used) {
		unsigned char c = (unsigned char)in.buf[i];
		used = 1;
		if (c >= 0x80) {
			uint32_t r = utf8_decode(in.buf + i, in.len - i, &used);
			if (r != UTF8_ERROR && go_is_print(r))
				sb_append(&sb, in.buf + i, used);
			else
				sb_printf(&sb, "\\u%04X", r);
		} else if (c == '\\' || c == '\'' || c == '"') {
			sb_printf(&sb, "\\%c", c);
		} else if (c == '<' || c == '>' || c == '&' || c == '=' || c < ' ') {
			sb_printf(&sb, "\\u%04X", c);
		} else {
			sb_putc(&sb, (char)c);
		}
	}
	sb_free(&in);
	*out = take(&sb);
	return 0;
}

static int fn_urlquery(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd;
	strbuf in = STRBUF_INIT, sb = STRBUF_INIT;
	eval_args(&in, args, n);
	for (size_t i = 0; i < in.len; i++) {
		unsigned char c = (unsigned char)in.buf[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~", c))
			sb_putc(&sb, (char)c);
		else if (c == ' ')
			sb_putc(&sb, '+');
		else
			sb_printf(&sb, "%%%02X", c);
	}
	sb_free(&in);
	*out = take(&sb);
	return 0;
}

/* ---- docker's functions ---- */

static int fn_json(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	strbuf sb = STRBUF_INIT;
	err_t *e = NULL;
	if (val_json(&sb, &args[0], &e) < 0)
		sb_reset(&sb); /* docker ignores the encoder's error */
	err_free(&e);
	*out = take(&sb);
	return 0;
}

static void add_str(json_object *a, const char *s, size_t n)
{
	json_object_array_add(a, json_object_new_string_len(s, (int)n));
}

static int fn_split(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	const char *str = args[0].s.p, *sep = args[1].s.p;
	size_t len = args[0].s.n, seplen = args[1].s.n, used;
	json_object *a = json_object_new_array();
	if (seplen == 0) {
		for (size_t i = 0; i < len; i += used) {
			utf8_decode(str + i, len - i, &used);
			add_str(a, str + i, used);
		}
	} else {
		const char *p = str, *end = str + len, *hit;
		while ((hit = memmem(p, (size_t)(end - p), sep, seplen))) {
			add_str(a, p, (size_t)(hit - p));
			p = hit + seplen;
		}
		add_str(a, p, (size_t)(end - p));
	}
	*out = (val){.k = V_ARR, .j = a};
	return 0;
}

static int fn_join(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; args[0].k == V_ARR && i < json_object_array_length(args[0].j); i++) {
		json_object *e = json_object_array_get_idx(args[0].j, i);
		if (i)
			sb_append(&sb, args[1].s.p, args[1].s.n);
		sb_append(&sb, json_object_get_string(e), (size_t)json_object_get_string_len(e));
	}
	*out = take(&sb);
	return 0;
}

/* Simple case mappings: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic. */
static uint32_t to_upper(uint32_t r)
{
	if (r < 0x80)
		return r >= 'a' && r <= 'z' ? r - 32 : r;
	if (r == 0xB5)
		return 0x39C;
	if (r == 0xFF)
		return 0x178;
	if ((r >= 0xE0 && r <= 0xFE && r != 0xF7) || (r >= 0x3B1 && r <= 0x3CB && r != 0x3C2) ||
	    (r >= 0x430 && r <= 0x44F) || (r >= 0xFF41 && r <= 0xFF5A))
		return r - 32;
	if (r == 0x3C2)
		return 0x3A3;
	if (r >= 0x450 && r <= 0x45F)
		return r - 80;
	if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177))
		return r & ~1u;
	if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E))
		return (r & 1) ? r : r - 1;
	if (r == 0x131 || r == 0x17F)
		return r == 0x131 ? 'I' : 'S';
	return r;
}

static uint32_t to_lower(uint32_t r)
{
	if (r < 0x80)
		return r >= 'A' && r <= 'Z' ? r + 32 : r;
	if (r == 0x178)
		return 0xFF;
	if (r == 0x130)
		return 'i';
	if ((r >= 0xC0 && r <= 0xDE && r != 0xD7) || (r >= 0x391 && r <= 0x3AB && r != 0x3A2) ||
	    (r >= 0x410 && r <= 0x42F) || (r >= 0xFF21 && r <= 0xFF3A))
		return r + 32;
	if (r >= 0x400 && r <= 0x40F)
		return r + 80;
	if ((r >= 0x100 && r <= 0x137) || (r >= 0x14A && r <= 0x177))
		return r | 1u;
	if ((r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E))
		return (r & 1) ? r + 1 : r;
	return r;
}

/* strings.Map with f; invalid UTF-8 becomes U+FFFD, as in Go. */
static val map_runes(const val *in, uint32_t (*f)(uint32_t, void *), void *ctx)
{
	strbuf sb = STRBUF_INIT;
	size_t used;
	for (size_t i = 0; i < in->s.n; i += used)
		utf8_encode(&sb, f(utf8_decode(in->s.p + i, in->s.n - i, &used), ctx));
	sb_append(&sb, "", 0);
	return take(&sb);
}

static uint32_t upper_rune(uint32_t r, void *ctx)
{
	(void)ctx;
	return to_upper(r);
}

static uint32_t lower_rune(uint32_t r, void *ctx)
{
	(void)ctx;
	return to_lower(r);
}

/* strings.Title's isSeparator. */
static bool is_separator(uint32_t r)
{
	if (r < 0x80)
		return !(r == '_' || (r >= '0' && r <= '9') || ((r | 0x20) >= 'a' && (r | 0x20) <= 'z'));
	if (go_is_alnum(r))
		return false;
	return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
	       r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

static uint32_t title_rune(uint32_t r, void *ctx)
{
	uint32_t *prev = ctx, out = is_separator(*prev) ? to_upper(r) : r;
	*prev = r;
	return out;
}

static int fn_upper(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	*out = map_runes(&args[0], upper_rune, NULL);
	return 0;
}

static int fn_lower(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	*out = map_runes(&args[0], lower_rune, NULL);
	return 0;
}

static int fn_title(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	uint32_t prev = ' ';
	*out = map_runes(&args[0], title_rune, &prev);
	return 0;
}

static int fn_pad(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	int64_t pre = args[1].i, post = args[2].i;
	if (args[0].s.n == 0) {
		*out = val_str("", 0);
		return 0;
	}
	if (pre < 0 || post < 0)
		return call_fail(s, cmd, "strings: negative Repeat count");
	if ((uint64_t)pre + (uint64_t)post + args[0].s.n > exec_string_limit(s))
		return call_fail(s, cmd, "result larger than %zu bytes", exec_string_limit(s));
	strbuf sb = STRBUF_INIT;
	for (int64_t i = 0; i < pre; i++)
		sb_putc(&sb, ' ');
	sb_append(&sb, args[0].s.p, args[0].s.n);
	for (int64_t i = 0; i < post; i++)
		sb_putc(&sb, ' ');
	*out = take(&sb);
	return 0;
}

static int fn_truncate(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)n;
	int64_t len = args[1].i;
	if ((int64_t)args[0].s.n < len) {
		*out = val_copy(&args[0]);
		return 0;
	}
	if (len < 0)
		return call_fail(s, cmd, "runtime error: slice bounds out of range [:%lld]", (long long)len);
	*out = val_str(args[0].s.p, (size_t)len);
	return 0;
}

/* docker's HeaderFunctions: the column title passes through untouched. */
static int fn_identity(state *s, const node *cmd, val *args, size_t n, val *out)
{
	(void)s, (void)cmd, (void)n;
	*out = val_copy(&args[0]);
	return 0;
}

/* ---- the table ---- */

#define V P_VALUE
#define A P_ANY
#define S P_STRING
#define I P_INT

static const tfunc funcs[] = {
	{"and", {V, V}, 2, true, NULL, true},
	{"eq", {V, V}, 2, true, fn_eq, false},
	{"ge", {V, V}, 2, false, fn_ge, false},
	{"gt", {V, V}, 2, false, fn_gt, false},
	{"html", {A}, 1, true, fn_html, false},
	{"index", {V, V}, 2, true, fn_index, false},
	{"join", {P_STRINGS, S}, 2, false, fn_join, false},
	{"js", {A}, 1, true, fn_js, false},
	{"json", {A}, 1, false, fn_json, false},
	{"le", {V, V}, 2, false, fn_le, false},
	{"len", {V}, 1, false, fn_len, false},
	{"lower", {S}, 1, false, fn_lower, false},
	{"lt", {V, V}, 2, false, fn_lt, false},
	{"ne", {V, V}, 2, false, fn_ne, false},
	{"not", {V}, 1, false, fn_not, false},
	{"or", {V, V}, 2, true, NULL, true},
	{"pad", {S, I, I}, 3, false, fn_pad, false},
	{"print", {A}, 1, true, fn_sprint, false},
	{"printf", {S, A}, 2, true, fn_printf, false},
	{"println", {A}, 1, true, fn_println, false},
	{"slice", {V, V}, 2, true, fn_slice, false},
	{"split", {S, S}, 2, false, fn_split, false},
	{"title", {S}, 1, false, fn_title, false},
	{"truncate", {S, I}, 2, false, fn_truncate, false},
	{"upper", {S}, 1, false, fn_upper, false},
	{"urlquery", {A}, 1, true, fn_urlquery, false},
};

static const tfunc header_funcs[] = {
	{"join", {S, S}, 2, false, fn_identity, false},
	{"json", {S}, 1, false, fn_identity, false},
	{"lower", {S}, 1, false, fn_identity, false},
	{"split", {S, S}, 2, false, fn_identity, false},
	{"title", {S}, 1, false, fn_identity, false},
	{"truncate", {S, I}, 2, false, fn_identity, false},
	{"upper", {S}, 1, false, fn_identity, false},
};

const tfunc *tfunc_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == len && !memcmp(funcs[i].name, name, len))
			return &funcs[i];
	return NULL;
}

const tfunc *tfunc_header(const tfunc *f)
{
	for (size_t i = 0; i < sizeof(header_funcs) / sizeof(header_funcs[0]); i++)
		if (!strcmp(header_funcs[i].name, f->name))
			return &header_funcs[i];
	return NULL;
}
