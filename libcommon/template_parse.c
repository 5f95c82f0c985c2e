/* template_parse.c: tokens to a parse tree, following Go's
 * text/template/parse (the same grammar, lookahead and messages).
 *
 * Go's parser stops at the first error by panicking; this one does the same
 * with longjmp back to tmpl_parse_tree(). That is safe because nothing here
 * owns memory on the C stack: every node is recorded in the template as soon
 * as it exists (and freed with it), and the scope list and lexer live in the
 * parser struct, which the landing site cleans up. Nesting is bounded by
 * TMPL_MAX_DEPTH, which bounds the recursion here and in the executor. */
#include "template_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

typedef struct parser {
	tmpl_t *t;
	lexer lex;
	token tok[3]; /* Go's three-token lookahead */
	int peeked;
	int line;        /* line of the last token read */
	int action_line; /* line of the {{ of the action being read */
	char **vars;     /* variables in scope, innermost last */
	size_t nvars, vars_cap;
	int range_depth, depth;
	err_t **err;
	jmp_buf fail;
} parser;

/* ---- errors ---- */

static _Noreturn void fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static _Noreturn void fail(parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	err_set(p->err, ERR_INVALID, 0, "template: :%d: %s", p->line, msg);
	free(msg);
	longjmp(p->fail, 1);
}

static _Noreturn void lex_failed(parser *p, const token *t);

/* Go's unexpected(): a lexer error reads as itself. */
static _Noreturn void unexpected(parser *p, const token *t, const char *context)
{
	if (t->type == T_ERROR)
		lex_failed(p, t);
	strbuf sb = STRBUF_INIT;
	tok_describe(&sb, t);
	char *what = sb_steal(&sb);
	char *msg = xasprintf("unexpected %s in %s", what, context);
	free(what);
	err_set(p->err, ERR_INVALID, 0, "template: :%d: %s", p->line, msg);
	free(msg);
	longjmp(p->fail, 1);
}

/* A lexer error, with Go's note when the action began on another line. */
static _Noreturn void lex_failed(parser *p, const token *t)
{
	if (p->action_line && p->action_line != t->line) {
		bool is_action = t->len >= 7 && !memcmp(t->text + t->len - 7, " action", 7);
		fail(p, "%.*s%s started at :%d", (int)t->len, t->text, is_action ? "" : " in action",
		     p->action_line);
	}
	fail(p, "%.*s", (int)t->len, t->text);
}

/* ---- tokens ---- */

static token next(parser *p)
{
	if (p->peeked > 0)
		return p->tok[--p->peeked];
	p->tok[0] = lex_next(&p->lex);
	p->line = p->tok[0].line;
	return p->tok[0];
}

static void backup(parser *p)
{
	p->peeked++;
}

/* Puts t back (t was read before the current token, which is also put back). */
static void backup2(parser *p, token t)
{
	p->tok[1] = t;
	p->peeked = 2;
}

static void backup3(parser *p, token t2, token t1)
{
	p->tok[1] = t1;
	p->tok[2] = t2;
	p->peeked = 3;
}

static token peek(parser *p)
{
	if (p->peeked > 0)
		return p->tok[p->peeked - 1];
	p->peeked = 1;
	p->tok[0] = lex_next(&p->lex);
	p->line = p->tok[0].line;
	return p->tok[0];
}

static token next_non_space(parser *p)
{
	token t;
	do
		t = next(p);
	while (t.type == T_SPACE);
	return t;
}

static token peek_non_space(parser *p)
{
	token t = next_non_space(p);
	backup(p);
	return t;
}

static token expect(parser *p, tok_type type, const char *context)
{
	token t = next_non_space(p);
	if (t.type != type)
		unexpected(p, &t, context);
	return t;
}

/* ---- nodes ---- */

static node *new_node(parser *p, node_type type, size_t pos)
{
	tmpl_t *t = p->t;
	node *n = xcalloc(1, sizeof(*n));
	n->type = type;
	n->pos = pos;
	t->nodes = xgrow(t->nodes, &t->nodes_cap, t->nnodes + 1, sizeof(node *));
	t->nodes[t->nnodes++] = n;
	return n;
}

static void add_kid(node *n, node *kid)
{
	n->kids.v = xgrow(n->kids.v, &n->kids.cap, n->kids.n + 1, sizeof(node *));
	n->kids.v[n->kids.n++] = kid;
}

static void add_name(node *n, const char *s, size_t len)
{
	n->names = xrealloc(n->names, (n->nnames + 1) * sizeof(char *));
	n->names[n->nnames++] = xstrndup(s, len);
}

/* Splits "$x.A.B" or ".A.B" into names: "$x", "A", "B" (or "A", "B"). */
static void add_dotted(node *n, const char *s, size_t len)
{
	size_t i = 0;
	if (len && s[0] == '.')
		i = 1;
	while (i <= len) {
		size_t j = i;
		while (j < len && s[j] != '.')
			j++;
		add_name(n, s + i, j - i);
		i = j + 1;
	}
}

/* ---- scope ---- */

static void push_var(parser *p, const char *name, size_t len)
{
	p->vars = xgrow(p->vars, &p->vars_cap, p->nvars + 1, sizeof(char *));
	p->vars[p->nvars++] = xstrndup(name, len);
}

static void pop_vars(parser *p, size_t to)
{
	while (p->nvars > to)
		free(p->vars[--p->nvars]);
}

static node *use_var(parser *p, const token *t)
{
	node *v = new_node(p, N_VARIABLE, t->pos);
	add_dotted(v, t->text, t->len);
	for (size_t i = p->nvars; i-- > 0;)
		if (!strcmp(p->vars[i], v->names[0]))
			return v;
	strbuf sb = STRBUF_INIT;
	go_quote(&sb, v->names[0], strlen(v->names[0]));
	char *q = sb_steal(&sb);
	/* q is lost to the jump unless freed first */
	char *msg = xasprintf("undefined variable %s", q);
	free(q);
	err_set(p->err, ERR_INVALID, 0, "template: :%d: %s", p->line, msg);
	free(msg);
	longjmp(p->fail, 1);
}

static void enter(parser *p)
{
	if (++p->depth > TMPL_MAX_DEPTH)
		fail(p, "too deeply nested (more than %d levels)", TMPL_MAX_DEPTH);
}

/* ---- literals ---- */

static bool is_hex(int c)
{
	return isxdigit(c) != 0;
}

/* One character of a Go quoted literal (strconv.UnquoteChar) at *s. */
static bool unquote_char(const char **s, const char *end, char quote, strbuf *out)
{
	const char *c = *s;
	size_t used;
	if (*c == quote && quote != '`')
		return false;
	if ((unsigned char)*c >= 0x80) {
		utf8_encode(out, utf8_decode(c, (size_t)(end - c), &used));
		*s = c + used;
		return true;
	}
	if (*c != '\\') {
		sb_putc(out, *c);
		*s = c + 1;
		return true;
	}
	if (++c >= end)
		return false;
	static const char esc_in[] = "abfnrtv\\'\"", esc_out[] = "\a\b\f\n\r\t\v\\'\"";
	const char *e = strchr(esc_in, *c);
	if (e && *c) {
		if ((*c == '\'' || *c == '"') && *c != quote)
			return false;
		sb_putc(out, esc_out[e - esc_in]);
		*s = c + 1;
		return true;
	}
	int digits = *c == 'x' ? 2 : *c == 'u' ? 4 : *c == 'U' ? 8 : 0;
	if (digits) {
		uint32_t v = 0;
		for (int i = 1; i <= digits; i++) {
			if (c + i >= end || !is_hex((unsigned char)c[i]))
				return false;
			v = v * 16 + (uint32_t)(isdigit((unsigned char)c[i]) ? c[i] - '0' : (c[i] | 0x20) - 'a' + 10);
		}
		if (*c == 'x')
			sb_putc(out, (char)v);
		else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return false;
		else
			utf8_encode(out, v);
		*s = c + 1 + digits;
		return true;
	}
	if (*c >= '0' && *c <= '7') {
		unsigned v = 0;
		for (int i = 0; i < 3; i++) {
			if (c + i >= end || c[i] < '0' || c[i] > '7')
				return false;
			v = v * 8 + (unsigned)(c[i] - '0');
		}
		if (v > 255)
			return false;
		sb_putc(out, (char)v);
		*s = c + 3;
		return true;
	}
	return false;
}

/* strconv.Unquote of a "..." or `...` token into n->str. */
static void unquote_string(parser *p, node *n, const token *t)
{
	strbuf out = STRBUF_INIT;
	const char *s = t->text + 1, *end = t->text + t->len - 1;
	bool ok = true;
	if (t->type == T_RAWSTRING) {
		for (; s < end; s++)
			if (*s != '\r')
				sb_putc(&out, *s);
	} else {
		while (ok && s < end)
			ok = unquote_char(&s, end, '"', &out);
	}
	n->len = out.len;
	n->str = sb_steal(&out);
	if (!ok)
		fail(p, "invalid syntax");
}

/* Go's underscoreOK: '_' only between digits or after a base prefix. */
static bool underscores_ok(const char *s, size_t n)
{
	char saw = '^';
	size_t i = 0;
	bool hex = false;
	if (n && (s[0] == '-' || s[0] == '+'))
		s++, n--;
	if (n >= 2 && s[0] == '0' && strchr("bBoOxX", s[1])) {
		i = 2;
		saw = '0';
		hex = (s[1] | 0x20) == 'x';
	}
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]) || (hex && isxdigit((unsigned char)s[i]))) {
			saw = '0';
		} else if (s[i] == '_') {
			if (saw != '0')
				return false;
			saw = '_';
		} else {
			if (saw == '_')
				return false;
			saw = '!';
		}
	}
	return saw != '_';
}

/* Go's strconv.ParseUint(text, 0, 64) digits, after any sign. */
static bool parse_uint_base0(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	if (n > 1 && s[0] == '0') {
		char b = (char)(s[1] | 0x20);
		bool prefixed = b == 'x' || b == 'o' || b == 'b';
		base = b == 'x' ? 16 : b == 'b' ? 2 : 8;
		s += prefixed ? 2 : 1;
		n -= prefixed ? 2 : 1;
	}
	uint64_t v = 0;
	bool digits = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_')
			continue;
		unsigned d = isdigit((unsigned char)s[i]) ? (unsigned)(s[i] - '0')
			   : isalpha((unsigned char)s[i]) ? (unsigned)((s[i] | 0x20) - 'a' + 10) : 99;
		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		digits = true;
	}
	*out = v;
	return digits || base == 8; /* "0" alone is octal zero */
}

static void parse_int_forms(node *n, const char *s, size_t len)
{
	bool neg = len && s[0] == '-';
	size_t skip = len && (s[0] == '-' || s[0] == '+');
	uint64_t u;
	if (!underscores_ok(s, len) || !parse_uint_base0(s + skip, len - skip, &u))
		return;
	if (!skip || s[0] == '+') {
		n->num.is_uint = true;
		n->num.u = u;
	}
	if (neg ? u <= (uint64_t)INT64_MAX + 1 : u <= (uint64_t)INT64_MAX) {
		n->num.is_int = true;
		n->num.i = neg ? (int64_t)(0 - u) : (int64_t)u;
		if (n->num.i == 0)
			n->num.is_uint = true;
	}
}

static void parse_float_form(parser *p, node *n, const char *s, size_t len)
{
	if (!underscores_ok(s, len))
		return;
	strbuf plain = STRBUF_INIT;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			sb_putc(&plain, s[i]);
	char *end;
	errno = 0;
	double f = strtod(sb_str(&plain), &end);
	bool ok = *end == '\0' && plain.len > 0 && !(errno == ERANGE && f != 0);
	sb_free(&plain);
	if (!ok)
		return;
	if (!memchr(s, '.', len) && !strpbrk(s, "eEpP") && !(len > 1 && (s[1] | 0x20) == 'x'))
		fail(p, "integer overflow: \"%.*s\"", (int)len, s);
	n->num.is_float = true;
	n->num.f = f;
	if (fabs(f) < 9.2e18 && f == (double)(int64_t)f) {
		n->num.is_int = true;
		n->num.i = (int64_t)f;
	}
}

static node *number_node(parser *p, const token *t)
{
	node *n = new_node(p, N_NUMBER, t->pos);
	n->src = t->text;
	n->srclen = t->len;
	char *text = xstrndup(t->text, t->len);
	n->str = text; /* freed with the node */
	if (t->type == T_COMPLEX || text[t->len - 1] == 'i')
		fail(p, "complex numbers are not supported: %s", text);
	if (t->type == T_CHARCONST) {
		strbuf out = STRBUF_INIT;
		const char *s = text + 1, *end = text + t->len;
		size_t used;
		bool ok = unquote_char(&s, end, '\'', &out);
		uint32_t r = out.len ? utf8_decode(out.buf, out.len, &used) : 0;
		if (ok && out.len == 1)
			r = (unsigned char)out.buf[0];
		sb_free(&out);
		if (!ok)
			fail(p, "invalid syntax");
		if (s != end - 1)
			fail(p, "malformed character constant: %s", text);
		n->num = (number){.is_int = true, .is_uint = true, .is_float = true, .i = r, .u = r, .f = r};
		return n;
	}
	parse_int_forms(n, text, t->len);
	n->num.floaty = strpbrk(text, ".eEpP") && !(t->len > 1 && (text[1] | 0x20) == 'x' && !strpbrk(text, ".pP"));
	if (n->num.is_int || n->num.is_uint) {
		n->num.is_float = true;
		n->num.f = n->num.is_int ? (double)n->num.i : (double)n->num.u;
	} else {
		parse_float_form(p, n, text, t->len);
	}
	if (!n->num.is_int && !n->num.is_uint && !n->num.is_float) {
		strbuf sb = STRBUF_INIT;
		go_quote(&sb, text, t->len);
		char *q = sb_steal(&sb);
		char *msg = xasprintf("illegal number syntax: %s", q);
		free(q);
		err_set(p->err, ERR_INVALID, 0, "template: :%d: %s", p->line, msg);
		free(msg);
		longjmp(p->fail, 1);
	}
	return n;
}

/* ---- grammar ---- */

static node *pipeline(parser *p, const char *context, tok_type end);
static node *item_list(parser *p, node **next_node);

static node *term(parser *p)
{
	token t = next_non_space(p);
	node *n;
	switch (t.type) {
	case T_IDENT:
		if (!tfunc_find(t.text, t.len))
			fail(p, "function \"%.*s\" not defined", (int)t.len, t.text);
		n = new_node(p, N_IDENT, t.pos);
		n->str = xstrndup(t.text, t.len);
		n->fn = tfunc_find(t.text, t.len);
		return n;
	case T_DOT: return new_node(p, N_DOT, t.pos);
	case T_NIL: return new_node(p, N_NIL, t.pos);
	case T_VARIABLE: return use_var(p, &t);
	case T_FIELD:
		n = new_node(p, N_FIELD, t.pos);
		add_dotted(n, t.text, t.len);
		return n;
	case T_BOOL:
		n = new_node(p, N_BOOL, t.pos);
		n->flag = t.text[0] == 't';
		return n;
	case T_CHARCONST:
	case T_COMPLEX:
	case T_NUMBER: return number_node(p, &t);
	case T_LPAREN:
		enter(p);
		n = pipeline(p, "parenthesized pipeline", T_RPAREN);
		p->depth--;
		return n;
	case T_STRING:
	case T_RAWSTRING:
		n = new_node(p, N_STRING, t.pos);
		n->src = t.text;
		n->srclen = t.len;
		unquote_string(p, n, &t);
		return n;
	default:
		backup(p);
		return NULL;
	}
}

/* A term and the .Field chain that may follow it. */
static node *operand(parser *p)
{
	node *n = term(p);
	if (!n || peek(p).type != T_FIELD)
		return n;
	size_t pos = peek(p).pos;
	if (n->type == N_FIELD || n->type == N_VARIABLE) {
		n->pos = pos;
		while (peek(p).type == T_FIELD) {
			token f = next(p);
			add_name(n, f.text + 1, f.len - 1);
		}
		return n;
	}
	if (n->type == N_BOOL || n->type == N_STRING || n->type == N_NUMBER || n->type == N_NIL ||
	    n->type == N_DOT) {
		strbuf sb = STRBUF_INIT;
		node_describe(&sb, n);
		strbuf q = STRBUF_INIT;
		go_quote(&q, sb.buf, sb.len);
		sb_free(&sb);
		char *msg = xasprintf("unexpected . after term %s", q.buf);
		sb_free(&q);
		err_set(p->err, ERR_INVALID, 0, "template: :%d: %s", p->line, msg);
		free(msg);
		longjmp(p->fail, 1);
	}
	node *chain = new_node(p, N_CHAIN, pos);
	chain->pipe = n;
	while (peek(p).type == T_FIELD) {
		token f = next(p);
		add_name(chain, f.text + 1, f.len - 1);
	}
	return chain;
}

static node *command(parser *p)
{
	node *cmd = new_node(p, N_COMMAND, peek_non_space(p).pos);
	for (;;) {
		peek_non_space(p);
		node *op = operand(p);
		if (op)
			add_kid(cmd, op);
		token t = next(p);
		if (t.type == T_SPACE)
			continue;
		if (t.type == T_RIGHT || t.type == T_RPAREN)
			backup(p);
		else if (t.type != T_PIPE)
			unexpected(p, &t, "operand");
		break;
	}
	if (cmd->kids.n == 0)
		fail(p, "empty command");
	return cmd;
}

static void check_pipeline(parser *p, node *pipe, const char *context)
{
	if (pipe->kids.n == 0)
		fail(p, "missing value for %s", context);
	for (size_t i = 1; i < pipe->kids.n; i++) {
		node_type first = pipe->kids.v[i]->kids.v[0]->type;
		if (first == N_BOOL || first == N_DOT || first == N_NIL || first == N_NUMBER || first == N_STRING)
			fail(p, "non executable command in pipeline stage %zu", i + 1);
	}
}

static bool starts_command(tok_type type)
{
	switch (type) {
	case T_BOOL: case T_CHARCONST: case T_COMPLEX: case T_DOT: case T_FIELD: case T_IDENT:
	case T_NUMBER: case T_NIL: case T_RAWSTRING: case T_STRING: case T_VARIABLE: case T_LPAREN:
		return true;
	default:
		return false;
	}
}

/* "$x :=", "$x =", "$i, $e :=" before a pipeline; false when none. */
static bool declaration(parser *p, node *pipe, const char *context)
{
	token v = peek_non_space(p);
	if (v.type != T_VARIABLE)
		return false;
	next_non_space(p);
	token after = peek(p);
	token nx = peek_non_space(p);
	if (nx.type == T_ASSIGN || nx.type == T_DECLARE) {
		pipe->flag = nx.type == T_ASSIGN;
		next_non_space(p);
		add_name(pipe, v.text, v.len);
		push_var(p, v.text, v.len);
		return false;
	}
	if (nx.type == T_CHAR && nx.len == 1 && nx.text[0] == ',') {
		next_non_space(p);
		add_name(pipe, v.text, v.len);
		push_var(p, v.text, v.len);
		if (!strcmp(context, "range") && pipe->nnames < 2) {
			tok_type t = peek_non_space(p).type;
			if (t == T_VARIABLE || t == T_RIGHT || t == T_RPAREN)
				return true;
			fail(p, "range can only initialize variables");
		}
		fail(p, "too many declarations in %s", context);
	}
	if (after.type == T_SPACE)
		backup3(p, v, after);
	else
		backup2(p, v);
	return false;
}

static node *pipeline(parser *p, const char *context, tok_type end)
{
	node *pipe = new_node(p, N_PIPE, peek_non_space(p).pos);
	while (declaration(p, pipe, context))
		;
	for (;;) {
		token t = next_non_space(p);
		if (t.type == end) {
			check_pipeline(p, pipe, context);
			return pipe;
		}
		if (!starts_command(t.type))
			unexpected(p, &t, context);
		backup(p);
		add_kid(pipe, command(p));
	}
}

static node *if_control(parser *p);
static node *with_control(parser *p);

/* {{if pipe}} list [{{else}} list] {{end}}, and range, with. */
static node *control(parser *p, node_type type, const char *context)
{
	size_t scope = p->nvars;
	enter(p);
	node *n = new_node(p, type, 0);
	n->pipe = pipeline(p, context, T_RIGHT);
	n->pos = n->pipe->pos;
	node *next_node;
	p->range_depth += type == N_RANGE;
	n->list = item_list(p, &next_node);
	p->range_depth -= type == N_RANGE;
	if (next_node->type == N_ELSE) {
		if (type == N_IF && peek(p).type == T_IF) {
			next(p);
			n->else_list = new_node(p, N_LIST, next_node->pos);
			add_kid(n->else_list, if_control(p));
		} else if (type == N_WITH && peek(p).type == T_WITH) {
			next(p);
			n->else_list = new_node(p, N_LIST, next_node->pos);
			add_kid(n->else_list, with_control(p));
		} else {
			n->else_list = item_list(p, &next_node);
			if (next_node->type != N_END)
				fail(p, "expected end; found {{else}}");
		}
	}
	pop_vars(p, scope);
	p->depth--;
	return n;
}

static node *if_control(parser *p)
{
	return control(p, N_IF, "if");
}

static node *with_control(parser *p)
{
	return control(p, N_WITH, "with");
}

static node *branch(parser *p, node_type type, const char *word)
{
	token t = next_non_space(p);
	if (t.type != T_RIGHT)
		unexpected(p, &t, type == N_BREAK ? "{{break}}" : "{{continue}}");
	if (p->range_depth == 0)
		fail(p, "{{%s}} outside {{range}}", word);
	return new_node(p, type, t.pos);
}

static node *action(parser *p)
{
	token t = next_non_space(p);
	switch (t.type) {
	case T_BREAK: return branch(p, N_BREAK, "break");
	case T_CONTINUE: return branch(p, N_CONTINUE, "continue");
	case T_ELSE: {
		token nx = peek_non_space(p);
		if (nx.type == T_IF || nx.type == T_WITH)
			return new_node(p, N_ELSE, nx.pos);
		return new_node(p, N_ELSE, expect(p, T_RIGHT, "else").pos);
	}
	case T_END: return new_node(p, N_END, expect(p, T_RIGHT, "end").pos);
	case T_IF: return if_control(p);
	case T_RANGE: return control(p, N_RANGE, "range");
	case T_WITH: return with_control(p);
	case T_BLOCK:
	case T_DEFINE:
	case T_TEMPLATE: fail(p, "{{%.*s}} is not supported", (int)t.len, t.text);
	default: break;
	}
	backup(p);
	node *a = new_node(p, N_ACTION, peek(p).pos);
	a->pipe = pipeline(p, "command", T_RIGHT);
	return a;
}

static node *text_or_action(parser *p)
{
	token t = next_non_space(p);
	if (t.type == T_TEXT) {
		node *n = new_node(p, N_TEXT, t.pos);
		n->str = xstrndup(t.text, t.len);
		n->len = t.len;
		return n;
	}
	if (t.type != T_LEFT)
		unexpected(p, &t, "input");
	p->action_line = t.line;
	node *n = action(p);
	p->action_line = 0;
	return n;
}

static bool is_marker(const node *n)
{
	return n->type == N_END || n->type == N_ELSE;
}

/* Nodes up to an {{end}} or {{else}}, which *next_node gets. */
static node *item_list(parser *p, node **next_node)
{
	node *list = new_node(p, N_LIST, peek_non_space(p).pos);
	while (peek_non_space(p).type != T_EOF) {
		node *n = text_or_action(p);
		if (is_marker(n)) {
			*next_node = n;
			return list;
		}
		add_kid(list, n);
	}
	fail(p, "unexpected EOF");
}

static void parse_top(parser *p)
{
	node *root = new_node(p, N_LIST, 0);
	p->t->root = root;
	while (peek(p).type != T_EOF) {
		node *n = text_or_action(p);
		if (is_marker(n))
			fail(p, "unexpected %s", n->type == N_END ? "{{end}}" : "{{else}}");
		add_kid(root, n);
	}
}

int tmpl_parse_tree(tmpl_t *t, err_t **err)
{
	parser *p = xcalloc(1, sizeof(*p));
	p->t = t;
	p->err = err;
	p->line = 1;
	lex_init(&p->lex, t->src, t->len);
	push_var(p, "$", 1);
	int r = 0;
	if (setjmp(p->fail) == 0)
		parse_top(p);
	else
		r = -1;
	pop_vars(p, 0);
	free(p->vars);
	lex_free(&p->lex);
	free(p);
	return r;
}

/* ---- Node.String() ---- */

static void describe_names(strbuf *sb, const node *n, size_t from, bool lead_dot)
{
	for (size_t i = from; i < n->nnames; i++) {
		if (i > from || lead_dot)
			sb_putc(sb, '.');
		sb_puts(sb, n->names[i]);
	}
}

static void describe_arg(strbuf *sb, const node *n)
{
	if (n->type == N_PIPE) {
		sb_putc(sb, '(');
		node_describe(sb, n);
		sb_putc(sb, ')');
	} else {
		node_describe(sb, n);
	}
}

void node_describe(strbuf *sb, const node *n)
{
	switch (n->type) {
	case N_FIELD: describe_names(sb, n, 0, true); break;
	case N_VARIABLE:
		sb_puts(sb, n->names[0]);
		describe_names(sb, n, 1, true);
		break;
	case N_CHAIN:
		describe_arg(sb, n->pipe);
		describe_names(sb, n, 0, true);
		break;
	case N_DOT: sb_putc(sb, '.'); break;
	case N_NIL: sb_puts(sb, "nil"); break;
	case N_BOOL: sb_puts(sb, n->flag ? "true" : "false"); break;
	case N_NUMBER:
	case N_STRING: sb_append(sb, n->src, n->srclen); break;
	case N_IDENT: sb_puts(sb, n->str); break;
	case N_COMMAND:
		for (size_t i = 0; i < n->kids.n; i++) {
			if (i)
				sb_putc(sb, ' ');
			describe_arg(sb, n->kids.v[i]);
		}
		break;
	case N_PIPE:
		for (size_t i = 0; i < n->nnames; i++)
			sb_printf(sb, "%s%s", i ? ", " : "", n->names[i]);
		if (n->nnames)
			sb_puts(sb, " := ");
		for (size_t i = 0; i < n->kids.n; i++) {
			if (i)
				sb_puts(sb, " | ");
			node_describe(sb, n->kids.v[i]);
		}
		break;
	case N_ACTION:
		sb_puts(sb, "{{");
		node_describe(sb, n->pipe);
		sb_puts(sb, "}}");
		break;
	case N_RANGE:
	case N_IF:
	case N_WITH:
		sb_printf(sb, "{{%s ", n->type == N_RANGE ? "range" : n->type == N_IF ? "if" : "with");
		node_describe(sb, n->pipe);
		sb_puts(sb, "}}");
		break;
	default: break;
	}
}
