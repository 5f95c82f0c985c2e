/* template_print.c: Go's fmt over template values: Sprint, Sprintln and
 * Sprintf with the verbs, flags, widths, precisions and error notes
 * ("%!d(string=x)", "%!s(MISSING)", "%!(EXTRA int=1)") that Go produces.
 * Widths and precisions above 1e6 are refused as Go refuses them.
 * Not done: %b of floats, %p, and the Go-syntax form of %#v beyond strings. */
#include "template_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gonum.h"
#include "utf8.h"
#include "xalloc.h"

#define FMT_MAX_WIDTH 1000000

typedef struct pp {
	strbuf *sb;
	size_t start, limit; /* containers stop printing past sb->len - start > limit */
	bool minus, plus, sharp, space, zero, sharpv;
	bool has_wid, has_prec;
	int wid, prec;
} pp;

static void clear_flags(pp *p)
{
	*p = (pp){.sb = p->sb, .start = p->start, .limit = p->limit};
}

static bool over_limit(const pp *p)
{
	return p->limit && p->sb->len - p->start > p->limit;
}

/* ---- runes and quoting ---- */

/* strconv.IsPrint, approximated: graphic characters and the ASCII space. */
bool go_is_print(uint32_t r)
{
	if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD)
		return false;
	if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) || (r >= 0x205F && r <= 0x206F))
		return false;
	if (r == 0x1680 || r == 0x180E || r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB))
		return false;
	if ((r >= 0xD800 && r <= 0xF8FF) || r > 0x10FFFF || (r & 0xFFFE) == 0xFFFE)
		return false;
	return true;
}

static void quote_rune(strbuf *sb, uint32_t r, char quote, bool ascii)
{
	if (r == (uint32_t)quote || r == '\\') {
		sb_putc(sb, '\\');
		sb_putc(sb, (char)r);
		return;
	}
	if (ascii ? r < 0x80 && go_is_print(r) : go_is_print(r)) {
		utf8_encode(sb, r);
		return;
	}
	static const char ctl[] = "\a\b\f\n\r\t\v", name[] = "abfnrtv";
	const char *c = r && r < 0x80 ? strchr(ctl, (int)r) : NULL;
	if (c)
		sb_printf(sb, "\\%c", name[c - ctl]);
	else if (r < ' ' || r == 0x7F)
		sb_printf(sb, "\\x%02x", r);
	else if (r < 0x10000)
		sb_printf(sb, "\\u%04x", r);
	else
		sb_printf(sb, "\\U%08x", r);
}

/* strconv.Quote, or QuoteToASCII when ascii. */
static void quote(strbuf *sb, const char *s, size_t n, bool ascii)
{
	size_t used;
	sb_putc(sb, '"');
	for (size_t i = 0; i < n; i += used) {
		uint32_t r = utf8_decode(s + i, n - i, &used);
		if (r == UTF8_ERROR && used == 1)
			sb_printf(sb, "\\x%02x", (unsigned char)s[i]);
		else
			quote_rune(sb, r, '"', ascii);
	}
	sb_putc(sb, '"');
}

void go_quote(strbuf *sb, const char *s, size_t n)
{
	quote(sb, s, n, false);
}

void go_rune_desc(strbuf *sb, uint32_t r)
{
	sb_printf(sb, "U+%04X", r);
	if (go_is_print(r)) {
		sb_puts(sb, " '");
		utf8_encode(sb, r);
		sb_putc(sb, '\'');
	}
}

/* ---- padding ---- */

static void write_padding(pp *p, long n)
{
	for (; n > 0; n--)
		sb_putc(p->sb, p->zero ? '0' : ' ');
}

static void pad(pp *p, const char *s, size_t n)
{
	long room = p->has_wid && p->wid > 0 ? p->wid - (long)utf8_runes(s, n) : 0;
	if (!p->minus)
		write_padding(p, room);
	sb_append(p->sb, s, n);
	if (p->minus)
		write_padding(p, room);
}

static void pad_str(pp *p, const char *s)
{
	pad(p, s, strlen(s));
}

/* pad() without zeros: Go pads these with spaces whatever the flags. */
static void pad_spaces(pp *p, const char *s, size_t n)
{
	bool zero = p->zero;
	p->zero = false;
	pad(p, s, n);
	p->zero = zero;
}

/* ---- integers ---- */

static void fmt_integer(pp *p, uint64_t u, bool is_signed, int base, char verb, bool upper)
{
	bool negative = is_signed && (int64_t)u < 0;
	const char *digits = upper ? "0123456789ABCDEFX" : "0123456789abcdefx";
	if (negative)
		u = 0 - u;
	long prec = 0;
	if (p->has_prec) {
		prec = p->prec;
		if (prec == 0 && u == 0) {
			pad_spaces(p, "", 0);
			return;
		}
	} else if (p->zero && p->has_wid) {
		prec = p->wid - (negative || p->plus || p->space);
	}
	strbuf num = STRBUF_INIT;
	do {
		sb_putc(&num, digits[u % (unsigned)base]);
		u /= (unsigned)base;
	} while (u);
	while ((long)num.len < prec)
		sb_putc(&num, '0');
	if (p->sharp && base == 2)
		sb_puts(&num, "b0");
	else if (p->sharp && base == 8 && num.buf[num.len - 1] != '0')
		sb_putc(&num, '0');
	else if (p->sharp && base == 16)
		sb_printf(&num, "%c0", digits[16]);
	if (verb == 'O')
		sb_puts(&num, "o0");
	if (negative || p->plus || p->space)
		sb_putc(&num, negative ? '-' : p->plus ? '+' : ' ');
	for (size_t i = 0; i < num.len / 2; i++) {
		char c = num.buf[i];
		num.buf[i] = num.buf[num.len - 1 - i];
		num.buf[num.len - 1 - i] = c;
	}
	pad_spaces(p, num.buf, num.len);
	sb_free(&num);
}

static void fmt_char(pp *p, uint64_t u, char verb)
{
	uint32_t r = u > 0x10FFFF ? UTF8_ERROR : (uint32_t)u;
	strbuf s = STRBUF_INIT;
	if (verb == 'c') {
		utf8_encode(&s, r);
	} else if (verb == 'q') {
		sb_putc(&s, '\'');
		quote_rune(&s, r, '\'', p->plus);
		sb_putc(&s, '\'');
	} else { /* U */
		int prec = p->has_prec && p->prec > 4 ? p->prec : 4;
		sb_printf(&s, "U+%0*llX", prec, (unsigned long long)u);
		if (p->sharp && u <= 0x10FFFF && go_is_print(r)) {
			sb_puts(&s, " '");
			utf8_encode(&s, r);
			sb_putc(&s, '\'');
		}
	}
	pad_spaces(p, s.buf, s.len);
	sb_free(&s);
}

/* ---- floats ---- */

/* Go's %x of a float: C's %a with at least two exponent digits. */
static void hex_float(strbuf *sb, double f, int prec, bool upper)
{
	char *s = prec >= 0 ? xasprintf(upper ? "%.*A" : "%.*a", prec, f) : xasprintf(upper ? "%A" : "%a", f);
	char *e = strchr(s, upper ? 'P' : 'p');
	if (e && strlen(e + 2) == 1) {
		sb_append(sb, s, (size_t)(e - s) + 2);
		sb_putc(sb, '0');
		sb_puts(sb, e + 2);
	} else {
		sb_puts(sb, s);
	}
	free(s);
}

static void fmt_float(pp *p, double f, char verb, int prec)
{
	if (p->has_prec)
		prec = p->prec;
	strbuf num = STRBUF_INIT;
	if (verb == 'x' || verb == 'X')
		hex_float(&num, f, prec, verb == 'X');
	else
		gonum_float(&num, f, verb == 'F' ? 'f' : verb, prec);
	/* as Go: give the number a sign, then decide whether to show it */
	strbuf signed_num = STRBUF_INIT;
	if (num.buf[0] != '-' && num.buf[0] != '+')
		sb_putc(&signed_num, '+');
	sb_append(&signed_num, num.buf, num.len);
	sb_free(&num);
	char *s = signed_num.buf;
	if (p->space && s[0] == '+' && !p->plus)
		s[0] = ' ';
	size_t n = signed_num.len;
	if (s[1] == 'I' || s[1] == 'N') {
		if (s[1] == 'N' && !p->space && !p->plus)
			s++, n--;
		pad_spaces(p, s, n);
	} else if (p->plus || s[0] != '+') {
		if (p->zero && p->has_wid && p->wid > (long)n) {
			sb_putc(p->sb, s[0]);
			write_padding(p, p->wid - (long)n);
			sb_append(p->sb, s + 1, n - 1);
		} else {
			pad(p, s, n);
		}
	} else {
		pad(p, s + 1, n - 1);
	}
	sb_free(&signed_num);
}

/* ---- strings ---- */

static void fmt_string(pp *p, const char *s, size_t n, char verb)
{
	if (p->has_prec)
		n = utf8_prefix(s, n, (size_t)p->prec);
	strbuf t = STRBUF_INIT;
	if (verb == 's' || (verb == 'v' && !p->sharpv)) {
		pad(p, s, n);
		return;
	}
	if (verb == 'q' || verb == 'v') {
		if (p->sharp && !memchr(s, '`', n) && utf8_runes(s, n) == n && !memchr(s, '\n', n)) {
			sb_putc(&t, '`');
			sb_append(&t, s, n);
			sb_putc(&t, '`');
		} else {
			quote(&t, s, n, p->plus);
		}
	} else { /* x, X */
		for (size_t i = 0; i < n; i++) {
			if (p->space && i)
				sb_putc(&t, ' ');
			if (p->sharp && (p->space || i == 0))
				sb_puts(&t, verb == 'X' ? "0X" : "0x");
			sb_printf(&t, verb == 'X' ? "%02X" : "%02x", (unsigned char)s[i]);
		}
	}
	pad(p, sb_str(&t), t.len);
	sb_free(&t);
}

/* ---- values ---- */

static void print_value(pp *p, const val *v, char verb, int depth);

static void put_verb(strbuf *sb, uint32_t verb, const char *what)
{
	sb_puts(sb, "%!");
	utf8_encode(sb, verb);
	sb_puts(sb, what);
}

static void bad_verb(pp *p, const val *v, uint32_t verb)
{
	put_verb(p->sb, verb, "(");
	if (v->k == V_MISSING || v->k == V_NIL) {
		sb_puts(p->sb, "<nil>");
	} else {
		sb_printf(p->sb, "%s=", val_type(v));
		print_value(p, v, 'v', 1);
	}
	sb_putc(p->sb, ')');
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_map(pp *p, json_object *m, char verb, int depth)
{
	size_t n = (size_t)json_object_object_length(m), i = 0;
	const char **keys = xcalloc(n + 1, sizeof(char *));
	json_object_object_foreach(m, k, unused) {
		(void)unused;
		keys[i++] = k;
	}
	qsort(keys, n, sizeof(char *), cmp_keys);
	sb_puts(p->sb, "map[");
	for (i = 0; i < n && !over_limit(p); i++) {
		if (i)
			sb_putc(p->sb, ' ');
		val key = val_cstr(keys[i]), elem = val_from_json(json_object_object_get(m, keys[i]), true);
		print_value(p, &key, verb, depth + 1);
		sb_putc(p->sb, ':');
		print_value(p, &elem, verb, depth + 1);
		val_free(&key);
		val_free(&elem);
	}
	sb_putc(p->sb, ']');
	free(keys);
}

static void print_array(pp *p, json_object *a, char verb, int depth)
{
	sb_putc(p->sb, '[');
	for (size_t i = 0; i < json_object_array_length(a) && !over_limit(p); i++) {
		if (i)
			sb_putc(p->sb, ' ');
		val elem = val_from_json(json_object_array_get_idx(a, i), true);
		print_value(p, &elem, verb, depth + 1);
		val_free(&elem);
	}
	sb_putc(p->sb, ']');
}

static void print_int(pp *p, const val *v, char verb)
{
	uint64_t u = (uint64_t)v->i;
	bool is_signed = !v->byte;
	switch (verb) {
	case 'v':
	case 'd': fmt_integer(p, u, is_signed, 10, verb, false); break;
	case 'b': fmt_integer(p, u, is_signed, 2, verb, false); break;
	case 'o':
	case 'O': fmt_integer(p, u, is_signed, 8, verb, false); break;
	case 'x':
	case 'X': fmt_integer(p, u, is_signed, 16, verb, verb == 'X'); break;
	case 'c':
	case 'q':
	case 'U': fmt_char(p, u, verb); break;
	default: bad_verb(p, v, verb);
	}
}

static void print_float(pp *p, const val *v, char verb)
{
	if (verb == 'v')
		fmt_float(p, v->f, 'g', -1);
	else if (strchr("gGxX", verb) && verb)
		fmt_float(p, v->f, verb, -1);
	else if (strchr("feEF", verb) && verb)
		fmt_float(p, v->f, verb, 6);
	else
		bad_verb(p, v, verb);
}

static void print_value(pp *p, const val *v, char verb, int depth)
{
	if (depth > 1000) {
		sb_puts(p->sb, "...");
		return;
	}
	if (verb == 'T') {
		pad_str(p, val_type(v));
		return;
	}
	switch (v->k) {
	case V_MISSING:
	case V_NIL:
		if (verb == 'v' || depth > 0)
			pad_str(p, "<nil>");
		else
			bad_verb(p, v, verb);
		return;
	case V_BOOL:
		if (verb == 't' || verb == 'v')
			pad_str(p, v->b ? "true" : "false");
		else
			bad_verb(p, v, verb);
		return;
	case V_INT: print_int(p, v, verb); return;
	case V_FLOAT: print_float(p, v, verb); return;
	case V_STR:
		if (verb && strchr("vsxXq", verb))
			fmt_string(p, v->s.p, v->s.n, verb);
		else
			bad_verb(p, v, verb);
		return;
	case V_MAP: print_map(p, v->j, verb, depth); return;
	case V_ARR: print_array(p, v->j, verb, depth); return;
	}
}

void go_sprint(strbuf *sb, const val *args, size_t n)
{
	pp p = {.sb = sb};
	bool prev_string = false;
	for (size_t i = 0; i < n; i++) {
		bool is_string = args[i].k == V_STR;
		if (i > 0 && !is_string && !prev_string)
			sb_putc(sb, ' ');
		print_value(&p, &args[i], 'v', 0);
		prev_string = is_string;
	}
}

void go_sprintln(strbuf *sb, const val *args, size_t n)
{
	pp p = {.sb = sb};
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(sb, ' ');
		print_value(&p, &args[i], 'v', 0);
	}
	sb_putc(sb, '\n');
}

/* ---- Sprintf ---- */

typedef struct fmtstate {
	pp p;
	const char *f;
	size_t i, end;
	const val *args;
	size_t nargs, argnum;
	bool reordered, good_argnum;
} fmtstate;

/* Go's parsenum: digits at i; a number past 1e6 swallows the rest. */
static bool parse_num(fmtstate *s, int *out)
{
	int num = 0;
	bool isnum = false;
	size_t i = s->i;
	for (; i < s->end && isdigit((unsigned char)s->f[i]); i++) {
		if (num > FMT_MAX_WIDTH) {
			s->i = s->end;
			return false;
		}
		num = num * 10 + (s->f[i] - '0');
		isnum = true;
	}
	s->i = i;
	*out = num;
	return isnum;
}

/* An explicit argument index [n]; returns true when one was read. */
static bool arg_number(fmtstate *s)
{
	if (s->i >= s->end || s->f[s->i] != '[')
		return false;
	s->reordered = true;
	size_t close = s->i + 1;
	while (close < s->end && s->f[close] != ']')
		close++;
	if (close >= s->end || s->end - s->i < 3) {
		s->i++;
		s->good_argnum = false;
		return false;
	}
	size_t save = s->i;
	int index = 0;
	s->i = save + 1;
	bool ok = parse_num(s, &index) && s->i == close;
	s->i = close + 1;
	if (ok && index >= 1 && (size_t)index <= s->nargs) {
		s->argnum = (size_t)index - 1;
		return true;
	}
	s->good_argnum = false;
	return ok;
}

/* A '*' width or precision taken from the arguments. */
static bool int_from_arg(fmtstate *s, int *out)
{
	if (s->argnum >= s->nargs)
		return false;
	const val *a = &s->args[s->argnum++];
	if (a->k != V_INT || a->i > FMT_MAX_WIDTH || a->i < -FMT_MAX_WIDTH)
		return false;
	*out = (int)a->i;
	return true;
}

static void parse_flags(fmtstate *s)
{
	for (; s->i < s->end; s->i++) {
		switch (s->f[s->i]) {
		case '#': s->p.sharp = true; break;
		case '0': s->p.zero = !s->p.minus; break;
		case '+': s->p.plus = true; break;
		case '-': s->p.minus = true, s->p.zero = false; break;
		case ' ': s->p.space = true; break;
		default: return;
		}
	}
}

/* Width, literal or '*'; returns whether an index still applies. */
static bool parse_width(fmtstate *s, bool after_index)
{
	if (s->i < s->end && s->f[s->i] == '*') {
		s->i++;
		s->p.has_wid = int_from_arg(s, &s->p.wid);
		if (!s->p.has_wid)
			sb_puts(s->p.sb, "%!(BADWIDTH)");
		if (s->p.wid < 0) {
			s->p.wid = -s->p.wid;
			s->p.minus = true;
			s->p.zero = false;
		}
		return false;
	}
	s->p.has_wid = parse_num(s, &s->p.wid);
	if (after_index && s->p.has_wid)
		s->good_argnum = false;
	return after_index;
}

static bool parse_precision(fmtstate *s, bool after_index)
{
	if (!(s->i + 1 < s->end && s->f[s->i] == '.'))
		return after_index;
	s->i++;
	if (after_index)
		s->good_argnum = false;
	after_index = arg_number(s);
	if (s->i < s->end && s->f[s->i] == '*') {
		s->i++;
		s->p.has_prec = int_from_arg(s, &s->p.prec);
		if (s->p.prec < 0) {
			s->p.prec = 0;
			s->p.has_prec = false;
		}
		if (!s->p.has_prec)
			sb_puts(s->p.sb, "%!(BADPREC)");
		return false;
	}
	if (!parse_num(s, &s->p.prec))
		s->p.prec = 0;
	s->p.has_prec = true;
	return after_index;
}

/* One %... directive at s->i (just after the '%'); false at the end. */
static bool directive(fmtstate *s)
{
	clear_flags(&s->p);
	s->good_argnum = true;
	parse_flags(s);
	bool after_index = arg_number(s);
	after_index = parse_width(s, after_index);
	after_index = parse_precision(s, after_index);
	if (!after_index)
		arg_number(s);
	if (s->i >= s->end) {
		sb_puts(s->p.sb, "%!(NOVERB)");
		return false;
	}
	size_t used;
	uint32_t verb = utf8_decode(s->f + s->i, s->end - s->i, &used);
	s->i += used;
	char v = verb < 0x80 ? (char)verb : '?';
	if (verb == '%') {
		sb_putc(s->p.sb, '%');
	} else if (!s->good_argnum) {
		put_verb(s->p.sb, verb, "(BADINDEX)");
	} else if (s->argnum >= s->nargs) {
		put_verb(s->p.sb, verb, "(MISSING)");
	} else if (verb >= 0x80) {
		bad_verb(&s->p, &s->args[s->argnum++], verb);
	} else {
		if (verb == 'v') {
			s->p.sharpv = s->p.sharp;
			s->p.sharp = false;
			s->p.plus = false;
		}
		print_value(&s->p, &s->args[s->argnum++], v, 0);
	}
	return true;
}

static void extra_args(fmtstate *s)
{
	clear_flags(&s->p);
	sb_puts(s->p.sb, "%!(EXTRA ");
	for (size_t i = s->argnum; i < s->nargs; i++) {
		if (i > s->argnum)
			sb_puts(s->p.sb, ", ");
		if (s->args[i].k == V_NIL || s->args[i].k == V_MISSING) {
			sb_puts(s->p.sb, "<nil>");
			continue;
		}
		sb_printf(s->p.sb, "%s=", val_type(&s->args[i]));
		print_value(&s->p, &s->args[i], 'v', 0);
	}
	sb_putc(s->p.sb, ')');
}

void go_sprintf(strbuf *sb, const char *f, size_t n, const val *args, size_t nargs, size_t limit)
{
	fmtstate s = {.p = {.sb = sb, .start = sb->len, .limit = limit},
		      .f = f, .end = n, .args = args, .nargs = nargs};
	while (s.i < s.end && !over_limit(&s.p)) {
		size_t lit = s.i;
		while (s.i < s.end && f[s.i] != '%')
			s.i++;
		sb_append(sb, f + lit, s.i - lit);
		if (s.i >= s.end)
			break;
		s.i++;
		if (!directive(&s))
			break;
	}
	if (!s.reordered && s.argnum < s.nargs)
		extra_args(&s);
}
