/* template_int.h: the pieces of the template engine shared by its files
 * (lexer, parser, values, printing, functions, executor). Not for callers:
 * template.h is the interface. */
#ifndef ENGINE_TEMPLATE_INT_H
#define ENGINE_TEMPLATE_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strbuf.h"
#include "template.h"

/* Deepest nesting of {{if}}/{{range}}/{{with}} and parentheses accepted. */
#define TMPL_MAX_DEPTH 100

/* ---- tokens (template_lex.c) ---- */

typedef enum tok_type {
	T_ERROR, /* text is the message */
	T_EOF,
	T_TEXT,
	T_LEFT,  /* {{ */
	T_RIGHT, /* }} */
	T_SPACE,
	T_BOOL,
	T_NUMBER,
	T_CHARCONST, /* 'a' */
	T_COMPLEX,
	T_STRING,    /* "..." */
	T_RAWSTRING, /* `...` */
	T_FIELD,     /* .Name */
	T_VARIABLE,  /* $ or $name */
	T_IDENT,     /* function name */
	T_DOT,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_DECLARE, /* := */
	T_ASSIGN,  /* = */
	T_CHAR,    /* any other printable ASCII, like ',' */
	T_NIL,
	/* keywords, each shown as <name> in messages */
	T_KEYWORD,
	T_BLOCK = T_KEYWORD,
	T_BREAK,
	T_CONTINUE,
	T_DEFINE,
	T_ELSE,
	T_END,
	T_IF,
	T_RANGE,
	T_TEMPLATE,
	T_WITH,
} tok_type;

typedef struct token {
	tok_type type;
	const char *text; /* into the source, or the message of a T_ERROR */
	size_t len;
	size_t pos; /* byte offset in the source */
	int line;
} token;

typedef struct lexer {
	const char *src;
	size_t len, pos, start;
	int line, start_line;
	bool in_action, trim_after; /* trim_after: skip spaces before the next text */
	int paren_depth;
	char *msg; /* the current error message */
} lexer;

void lex_init(lexer *l, const char *src, size_t len);
void lex_free(lexer *l);
token lex_next(lexer *l);
/* unicode.IsLetter(r) || unicode.IsDigit(r), approximated outside ASCII. */
bool go_is_alnum(uint32_t r);
/* Go's item.String(): EOF, <keyword>, "text" or "0123456789"... */
void tok_describe(strbuf *sb, const token *t);

/* ---- parse tree (template_parse.c) ---- */

typedef enum node_type {
	N_LIST,
	N_TEXT,
	N_ACTION,
	N_IF,
	N_RANGE,
	N_WITH,
	N_BREAK,
	N_CONTINUE,
	N_PIPE,
	N_COMMAND,
	N_FIELD,    /* .A.B: names A, B */
	N_VARIABLE, /* $x.A: names $x, A */
	N_CHAIN,    /* (pipe).A: sub is the pipe, names A */
	N_DOT,
	N_NIL,
	N_BOOL,
	N_NUMBER,
	N_STRING,
	N_IDENT, /* a function */
	N_END,   /* the parser's marks for {{end}} and {{else}}, never in a tree */
	N_ELSE,
} node_type;

typedef struct node node;

typedef struct nodelist {
	node **v;
	size_t n, cap;
} nodelist;

typedef struct number {
	bool is_int, is_float, is_uint, floaty; /* floaty: written as a float */
	int64_t i;
	uint64_t u;
	double f;
} number;

struct tfunc;

struct node {
	node_type type;
	size_t pos;
	node *pipe, *list, *else_list; /* control nodes, actions; chain: pipe */
	nodelist kids;                 /* list items, pipe commands, command args */
	char **names;                  /* field/variable names, pipe declarations */
	size_t nnames;
	bool flag; /* bool value; pipe: declared with = (assign) */
	char *str; /* text, string value, function name */
	size_t len;
	const char *src; /* original text of a literal */
	size_t srclen;
	number num;
	const struct tfunc *fn;
};

struct tmpl {
	char *src;
	size_t len;
	node *root;
	node **nodes; /* every node, for freeing */
	size_t nnodes, nodes_cap;
};

int tmpl_parse_tree(tmpl_t *t, err_t **err);
/* Go's Node.String(), for "at <...>" in messages. */
void node_describe(strbuf *sb, const node *n);

/* ---- values (template_val.c) ---- */

typedef enum vkind {
	V_MISSING, /* Go's invalid reflect.Value: a missing key, nothing yet */
	V_NIL,     /* a nil interface{} (JSON null) */
	V_BOOL,
	V_INT,
	V_FLOAT,
	V_STR,
	V_MAP,
	V_ARR,
} vkind;

typedef struct val {
	vkind k;
	bool boxed; /* read out of a map or array: Go sees an interface{} */
	bool goint; /* an int Go would type int (literals, len), not int64 */
	bool byte;  /* an int that is a byte of a string (index "s" 0): uint8 */
	union {
		bool b;
		int64_t i;
		double f;
		struct {
			char *p;
			size_t n;
		} s;
		json_object *j; /* V_MAP, V_ARR: a reference we hold */
	};
} val;

#define VAL_MISSING ((val){.k = V_MISSING})

val val_from_json(json_object *j, bool boxed);
val val_str(const char *s, size_t n);
val val_cstr(const char *s);
val val_int(int64_t i);
val val_bool(bool b);
val val_copy(const val *v);
void val_free(val *v);
/* The value a pipeline ends with: interface{} unwrapped, a nil one missing. */
void val_unbox(val *v);
bool val_truth(const val *v);
bool val_is_string_array(const val *v);
/* Go's name for the value's type: string, int64, map[string]interface {}, ... */
const char *val_type(const val *v);
/* fmt's %v (nil inside containers as <nil>). */
void val_print(strbuf *sb, const val *v);
/* JSON as docker's json function writes it. */
int val_json(strbuf *sb, const val *v, err_t **err);

static inline void cleanup_valp(val *v)
{
	val_free(v);
}
#define _cleanup_val_ __attribute__((cleanup(cleanup_valp)))

typedef struct state state;

/* ---- printing (template_print.c) ---- */

/* strconv.Quote. */
void go_quote(strbuf *sb, const char *s, size_t n);
/* strconv.IsPrint, approximated outside ASCII. */
bool go_is_print(uint32_t r);
/* %#U-style rune description for lexer messages: U+007D '}' */
void go_rune_desc(strbuf *sb, uint32_t r);
/* fmt.Sprint, fmt.Sprintln and fmt.Sprintf over values. */
void go_sprint(strbuf *sb, const val *args, size_t n);
void go_sprintln(strbuf *sb, const val *args, size_t n);
/* Stops early once it has written more than limit bytes. */
void go_sprintf(strbuf *sb, const char *fmt, size_t fmtlen, const val *args, size_t n, size_t limit);
/* The largest string a function may produce under the flags. */
size_t exec_string_limit(const state *s);

/* ---- execution (template_exec.c, template_funcs.c) ---- */

/* Parameter kinds, as Go's reflection sees a function's signature. */
typedef enum ptype {
	P_ANY,   /* interface{}: a missing value becomes nil */
	P_VALUE, /* reflect.Value: anything, missing stays missing */
	P_STRING,
	P_INT,
	P_STRINGS, /* []string */
	P_NONE,    /* no type at all: the base of a (pipe).Field chain */
} ptype;

typedef int (*tfunc_fn)(state *s, const node *cmd, val *args, size_t n, val *out);

typedef struct tfunc {
	const char *name;
	ptype params[3];
	int nparams;
	bool variadic; /* the last parameter repeats */
	tfunc_fn fn;
	bool shortcut; /* and/or: arguments evaluated lazily */
} tfunc;

const tfunc *tfunc_find(const char *name, size_t len);
/* docker's header functions (json, split, ... returning their first argument). */
const tfunc *tfunc_header(const tfunc *f);
/* Sets the error: template: :L:C: executing "" at <node>: message. */
int exec_fail(state *s, const node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The error of a function call: error calling NAME: message. */
int call_fail(state *s, const node *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
