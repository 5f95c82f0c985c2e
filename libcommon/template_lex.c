/* template_lex.c: splits a template into tokens, one per lex_next() call.
 *
 * Outside actions everything up to "{{" is text; "{{- " trims the spaces
 * before it and " -}}" those after, and a comment must fill its whole action.
 * Inside an action the tokens and the error messages are Go's
 * (text/template/parse/lex.go), so a bad template fails with the text docker
 * users see: "bad character U+007D '}'", "unclosed action", ... */
#include "template_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

void lex_init(lexer *l, const char *src, size_t len)
{
	*l = (lexer){.src = src, .len = len, .line = 1, .start_line = 1};
}

void lex_free(lexer *l)
{
	free(l->msg);
	l->msg = NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char peek_at(const lexer *l, size_t off)
{
	return l->pos + off < l->len ? l->src[l->pos + off] : '\0';
}

static bool has_prefix(const lexer *l, size_t at, const char *p)
{
	size_t n = strlen(p);
	return at + n <= l->len && !memcmp(l->src + at, p, n);
}

/* Moves pos to to, counting the newlines passed. */
static void move_to(lexer *l, size_t to)
{
	for (; l->pos < to; l->pos++)
		l->line += l->src[l->pos] == '\n';
}

static void ignore(lexer *l)
{
	l->start = l->pos;
	l->start_line = l->line;
}

static token emit(lexer *l, tok_type type)
{
	token t = {type, l->src + l->start, l->pos - l->start, l->start, l->start_line};
	ignore(l);
	return t;
}

static token lex_error(lexer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static token lex_error(lexer *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(l->msg);
	l->msg = xvasprintf(fmt, ap);
	va_end(ap);
	token t = {T_ERROR, l->msg, strlen(l->msg), l->start, l->start_line};
	l->pos = l->len; /* nothing more comes after an error */
	l->in_action = false;
	return t;
}

/* The rune at pos (U+FFFD for a bad byte); *n is its length. */
static uint32_t rune_at(const lexer *l, size_t pos, size_t *n)
{
	if (pos >= l->len) {
		*n = 0;
		return 0;
	}
	return utf8_decode(l->src + pos, l->len - pos, n);
}

/* unicode.IsLetter || IsDigit, approximated outside ASCII: most code points
 * from U+00C0 on are letters; the punctuation and symbol blocks are not. */
bool go_is_alnum(uint32_t r)
{
	if (r < 0x80)
		return r == '_' || (r >= '0' && r <= '9') || ((r | 0x20) >= 'a' && (r | 0x20) <= 'z');
	if (r == 0xAA || r == 0xB5 || r == 0xBA)
		return true;
	if (r < 0xC0 || r == 0xD7 || r == 0xF7 || r == UTF8_ERROR)
		return false;
	if ((r >= 0x2000 && r <= 0x2BFF) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFE00 && r <= 0xFE6F))
		return false;
	return r < 0x1F000 || r >= 0x20000;
}

static bool alnum_at(const lexer *l, size_t pos, size_t *n)
{
	uint32_t r = rune_at(l, pos, n);
	return *n > 0 && go_is_alnum(r);
}

static token bad_char(lexer *l)
{
	size_t n;
	uint32_t r = rune_at(l, l->pos, &n);
	strbuf sb = STRBUF_INIT;
	if (n == 0)
		sb_puts(&sb, "U+FFFFFFFF"); /* Go prints eof (-1) this way */
	else
		go_rune_desc(&sb, r);
	token t = lex_error(l, "bad character %s", sb.buf);
	sb_free(&sb);
	return t;
}

static bool at_right_delim(const lexer *l, bool *trim)
{
	*trim = is_space(peek_at(l, 0)) && peek_at(l, 1) == '-' && has_prefix(l, l->pos + 2, "}}");
	return *trim || has_prefix(l, l->pos, "}}");
}

static bool at_terminator(const lexer *l)
{
	char c = peek_at(l, 0);
	if (l->pos >= l->len || is_space(c) || strchr(".,|:)(", c))
		return true;
	return has_prefix(l, l->pos, "}}");
}

static size_t space_run(const lexer *l, size_t from)
{
	size_t n = 0;
	while (from + n < l->len && is_space(l->src[from + n]))
		n++;
	return n;
}

/* ---- outside actions ---- */

static token lex_text(lexer *l);

static token lex_comment(lexer *l)
{
	const char *end = memmem(l->src + l->pos + 2, l->len - l->pos - 2, "*/", 2);
	if (!end)
		return lex_error(l, "unclosed comment");
	move_to(l, (size_t)(end - l->src) + 2);
	bool trim;
	if (!at_right_delim(l, &trim))
		return lex_error(l, "comment ends before closing delimiter");
	move_to(l, l->pos + (trim ? 4 : 2));
	if (trim)
		move_to(l, l->pos + space_run(l, l->pos));
	ignore(l);
	return lex_text(l);
}

static token lex_left_delim(lexer *l)
{
	move_to(l, l->pos + 2);
	size_t after = peek_at(l, 0) == '-' && is_space(peek_at(l, 1)) ? 2 : 0;
	if (has_prefix(l, l->pos + after, "/*")) {
		move_to(l, l->pos + after);
		ignore(l);
		return lex_comment(l);
	}
	token t = emit(l, T_LEFT);
	move_to(l, l->pos + after);
	ignore(l);
	l->in_action = true;
	l->paren_depth = 0;
	return t;
}

static bool left_trim_at(const lexer *l, size_t delim)
{
	return delim + 3 < l->len && l->src[delim + 2] == '-' && is_space(l->src[delim + 3]);
}

static token lex_text(lexer *l)
{
	if (l->trim_after) {
		l->trim_after = false;
		move_to(l, l->pos + space_run(l, l->pos));
		ignore(l);
	}
	const char *x = memmem(l->src + l->pos, l->len - l->pos, "{{", 2);
	size_t delim = x ? (size_t)(x - l->src) : l->len;
	size_t end = delim;
	if (x && left_trim_at(l, delim))
		while (end > l->start && is_space(l->src[end - 1]))
			end--;
	if (end > l->start) {
		move_to(l, end);
		token t = emit(l, T_TEXT);
		move_to(l, delim); /* the trimmed spaces */
		ignore(l);
		return t;
	}
	move_to(l, delim);
	ignore(l);
	return x ? lex_left_delim(l) : emit(l, T_EOF);
}

/* ---- inside actions ---- */

static token lex_space(lexer *l)
{
	size_t n = space_run(l, l->pos);
	move_to(l, l->pos + n);
	/* the last space may belong to a " -}}" */
	if (peek_at(l, 0) == '-' && has_prefix(l, l->pos + 1, "}}")) {
		l->pos--;
		l->line -= l->src[l->pos] == '\n';
		if (n == 1)
			return lex_next(l);
	}
	return emit(l, T_SPACE);
}

/* Go's quoted forms: the offset just past the closing quote, or 0 when a
 * newline (not in raw strings) or the end comes first. */
static size_t scan_quoted(const lexer *l, char quote)
{
	for (size_t i = l->pos + 1; i < l->len; i++) {
		char c = l->src[i];
		if (quote != '`' && c == '\n')
			return 0;
		if (quote != '`' && c == '\\') {
			if (i + 1 >= l->len || l->src[i + 1] == '\n')
				return 0;
			i++;
		} else if (c == quote) {
			return i + 1;
		}
	}
	return 0;
}

static token lex_quote(lexer *l, char quote)
{
	size_t end = scan_quoted(l, quote);
	if (!end) {
		if (quote == '"')
			return lex_error(l, "unterminated quoted string");
		if (quote == '`')
			return lex_error(l, "unterminated raw quoted string");
		return lex_error(l, "unterminated character constant");
	}
	move_to(l, end);
	return emit(l, quote == '"' ? T_STRING : quote == '`' ? T_RAWSTRING : T_CHARCONST);
}

static bool accept(lexer *l, const char *set)
{
	if (l->pos < l->len && l->src[l->pos] && strchr(set, l->src[l->pos])) {
		l->pos++;
		return true;
	}
	return false;
}

static void accept_run(lexer *l, const char *set)
{
	while (accept(l, set))
		;
}

/* Go's scanNumber: sign, base prefix, digits, fraction, exponent, 'i'. */
static bool scan_number(lexer *l)
{
	const char *digits = "0123456789_";
	size_t n;
	accept(l, "+-");
	if (accept(l, "0")) {
		if (accept(l, "xX"))
			digits = "0123456789abcdefABCDEF_";
		else if (accept(l, "oO"))
			digits = "01234567_";
		else if (accept(l, "bB"))
			digits = "01_";
	}
	accept_run(l, digits);
	if (accept(l, "."))
		accept_run(l, digits);
	if (strlen(digits) == 11 && accept(l, "eE")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	if (strlen(digits) == 23 && accept(l, "pP")) {
		accept(l, "+-");
		accept_run(l, "0123456789_");
	}
	accept(l, "i");
	if (alnum_at(l, l->pos, &n)) {
		l->pos += n;
		return false;
	}
	return true;
}

static token bad_number(lexer *l)
{
	strbuf sb = STRBUF_INIT;
	go_quote(&sb, l->src + l->start, l->pos - l->start);
	token t = lex_error(l, "bad number syntax: %s", sb.buf);
	sb_free(&sb);
	return t;
}

static token lex_number(lexer *l)
{
	if (!scan_number(l))
		return bad_number(l);
	char c = peek_at(l, 0);
	if (c == '+' || c == '-') {
		if (!scan_number(l) || l->src[l->pos - 1] != 'i')
			return bad_number(l);
		return emit(l, T_COMPLEX);
	}
	return emit(l, T_NUMBER);
}

/* ".Name" or "$name"; "." and "$" alone when a terminator follows. */
static token lex_field_or_var(lexer *l, tok_type type)
{
	size_t n;
	l->pos++;
	if (at_terminator(l))
		return emit(l, type == T_VARIABLE ? T_VARIABLE : T_DOT);
	while (alnum_at(l, l->pos, &n))
		l->pos += n;
	if (!at_terminator(l))
		return bad_char(l);
	return emit(l, type);
}

static const struct {
	const char *word;
	tok_type type;
} keywords[] = {
	{"block", T_BLOCK}, {"break", T_BREAK}, {"continue", T_CONTINUE}, {"define", T_DEFINE},
	{"else", T_ELSE},   {"end", T_END},     {"if", T_IF},             {"nil", T_NIL},
	{"range", T_RANGE}, {"template", T_TEMPLATE}, {"with", T_WITH},
	{"true", T_BOOL},   {"false", T_BOOL},
};

static token lex_identifier(lexer *l)
{
	size_t n;
	while (alnum_at(l, l->pos, &n))
		l->pos += n;
	if (!at_terminator(l))
		return bad_char(l);
	size_t len = l->pos - l->start;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == len && !memcmp(keywords[i].word, l->src + l->start, len))
			return emit(l, keywords[i].type);
	return emit(l, T_IDENT);
}

static token lex_right_delim(lexer *l, bool trim)
{
	if (trim) {
		l->pos += 2;
		ignore(l);
	}
	l->pos += 2;
	token t = emit(l, T_RIGHT);
	l->in_action = false;
	l->trim_after = trim;
	return t;
}

/* One-character tokens and the cases that pick a longer scanner. */
static token lex_punct(lexer *l, char c)
{
	switch (c) {
	case '=': l->pos++; return emit(l, T_ASSIGN);
	case '|': l->pos++; return emit(l, T_PIPE);
	case ':':
		if (peek_at(l, 1) != '=') {
			l->pos += l->pos + 1 < l->len ? 2 : 1;
			return lex_error(l, "expected :=");
		}
		l->pos += 2;
		return emit(l, T_DECLARE);
	case '(':
		l->pos++;
		l->paren_depth++;
		return emit(l, T_LPAREN);
	case ')':
		l->pos++;
		l->paren_depth--;
		return emit(l, T_RPAREN);
	}
	if (c > ' ' && c < 0x7f) {
		l->pos++;
		return emit(l, T_CHAR);
	}
	size_t n;
	strbuf sb = STRBUF_INIT;
	go_rune_desc(&sb, rune_at(l, l->pos, &n));
	token t = lex_error(l, "unrecognized character in action: %s", sb.buf);
	sb_free(&sb);
	return t;
}

static token lex_inside(lexer *l)
{
	bool trim;
	if (l->paren_depth < 0)
		return lex_error(l, "unexpected right paren U+0029 ')'");
	if (at_right_delim(l, &trim)) {
		if (l->paren_depth == 0)
			return lex_right_delim(l, trim);
		return lex_error(l, "unclosed left paren");
	}
	if (l->pos >= l->len)
		return lex_error(l, "unclosed action");
	char c = l->src[l->pos];
	size_t n;
	if (is_space(c))
		return lex_space(l);
	if (c == '"' || c == '`' || c == '\'')
		return lex_quote(l, c);
	if (c == '$')
		return lex_field_or_var(l, T_VARIABLE);
	if (c == '.' && !(peek_at(l, 1) >= '0' && peek_at(l, 1) <= '9') && l->pos + 1 < l->len)
		return lex_field_or_var(l, T_FIELD);
	if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9'))
		return lex_number(l);
	if (alnum_at(l, l->pos, &n))
		return lex_identifier(l);
	return lex_punct(l, c);
}

token lex_next(lexer *l)
{
	ignore(l);
	if (l->pos >= l->len && !l->in_action && !l->trim_after)
		return emit(l, T_EOF);
	return l->in_action ? lex_inside(l) : lex_text(l);
}

void tok_describe(strbuf *sb, const token *t)
{
	if (t->type == T_EOF) {
		sb_puts(sb, "EOF");
	} else if (t->type == T_ERROR) {
		sb_append(sb, t->text, t->len);
	} else if (t->type >= T_KEYWORD || t->type == T_DOT || t->type == T_NIL) {
		sb_putc(sb, '<');
		sb_append(sb, t->text, t->len);
		sb_putc(sb, '>');
	} else if (utf8_runes(t->text, t->len) > 10) {
		go_quote(sb, t->text, utf8_prefix(t->text, t->len, 10));
		sb_puts(sb, "...");
	} else {
		go_quote(sb, t->text, t->len);
	}
}
