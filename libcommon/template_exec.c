/* template_exec.c: runs a parsed template over json-c data, as Go's
 * text/template/exec.go does: the same evaluation order, the same treatment
 * of missing and nil values, and errors that name the node being evaluated
 * ("template: :1:2: executing \"\" at <.X>: ...").
 *
 * Every evaluation returns 0 or -1 (error set) and hands back an owned val.
 * Walking a list returns WALK_BREAK / WALK_CONTINUE for {{break}} and
 * {{continue}}. Recursion follows the parse tree, whose depth is bounded. */
#include "template_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "xalloc.h"

#define WALK_BREAK 1
#define WALK_CONTINUE 2

/* Limits under TMPL_LIMITED (see template.h); strings are always capped. */
#define LIMITED_STEPS 1000000
#define LIMITED_OUTPUT (1 << 20)
#define MAX_STRING (64u << 20)
#define LIMITED_STRING (1u << 20)

struct var {
	const char *name;
	val v;
};

struct state {
	const tmpl_t *t;
	strbuf *out;
	size_t out_start;
	unsigned flags;
	const node *at;      /* the node errors are reported at (Go's s.node) */
	const char *calling; /* the function being called, for "error calling" */
	struct var *vars;
	size_t nvars, vars_cap;
	size_t steps;
	err_t **err;
};

/* ---- errors ---- */

static int vfail(state *s, const char *prefix, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	strbuf sb = STRBUF_INIT;
	if (s->at) {
		size_t line = 1, col = s->at->pos;
		for (size_t i = 0; i < s->at->pos; i++)
			if (s->t->src[i] == '\n')
				line++, col = s->at->pos - i - 1;
		sb_printf(&sb, "template: :%zu:%zu: executing \"\" at <", line, col);
		node_describe(&sb, s->at);
		sb_puts(&sb, ">: ");
	} else {
		sb_puts(&sb, "template: : ");
	}
	err_set(s->err, ERR_INVALID, 0, "%s%s%s", sb.buf, prefix, msg);
	sb_free(&sb);
	free(msg);
	return -1;
}

int exec_fail(state *s, const node *at, const char *fmt, ...)
{
	va_list ap;
	if (at)
		s->at = at;
	va_start(ap, fmt);
	vfail(s, "", fmt, ap);
	va_end(ap);
	return -1;
}

int call_fail(state *s, const node *cmd, const char *fmt, ...)
{
	va_list ap;
	char *prefix = xasprintf("error calling %s: ", s->calling);
	s->at = cmd;
	va_start(ap, fmt);
	vfail(s, prefix, fmt, ap);
	va_end(ap);
	free(prefix);
	return -1;
}

size_t exec_string_limit(const state *s)
{
	return (s->flags & TMPL_LIMITED) ? LIMITED_STRING : MAX_STRING;
}

static void at(state *s, const node *n)
{
	s->at = n;
}

static int step(state *s)
{
	if ((s->flags & TMPL_LIMITED) && ++s->steps > LIMITED_STEPS)
		return exec_fail(s, NULL, "execution stopped after %d steps", LIMITED_STEPS);
	if ((s->flags & TMPL_LIMITED) && s->out->len - s->out_start > LIMITED_OUTPUT)
		return exec_fail(s, NULL, "output larger than %d bytes", LIMITED_OUTPUT);
	return 0;
}

/* ---- variables ---- */

static void push_var(state *s, const char *name, val v)
{
	s->vars = xgrow(s->vars, &s->vars_cap, s->nvars + 1, sizeof(struct var));
	s->vars[s->nvars++] = (struct var){name, v};
}

static void pop_vars(state *s, size_t mark)
{
	while (s->nvars > mark)
		val_free(&s->vars[--s->nvars].v);
}

static int set_var(state *s, const char *name, val v)
{
	for (size_t i = s->nvars; i-- > 0;) {
		if (!strcmp(s->vars[i].name, name)) {
			val_free(&s->vars[i].v);
			s->vars[i].v = v;
			return 0;
		}
	}
	val_free(&v);
	return exec_fail(s, NULL, "undefined variable: %s", name);
}

/* Go's setTopVar: n = 1 is the innermost. */
static void set_top_var(state *s, size_t n, val v)
{
	val_free(&s->vars[s->nvars - n].v);
	s->vars[s->nvars - n].v = v;
}

static int var_value(state *s, const char *name, val *out)
{
	for (size_t i = s->nvars; i-- > 0;) {
		if (!strcmp(s->vars[i].name, name)) {
			*out = val_copy(&s->vars[i].v);
			return 0;
		}
	}
	return exec_fail(s, NULL, "undefined variable: %s", name);
}

/* ---- evaluation ---- */

static int eval_pipeline(state *s, const val *dot, const node *pipe, val *out);
static int eval_arg(state *s, const val *dot, ptype t, const node *n, val *out);

static size_t cmd_args(const node *cmd)
{
	return cmd ? cmd->kids.n - 1 : 0;
}

static int not_a_function(state *s, const node *cmd, const val *final)
{
	if (cmd_args(cmd) > 0 || final) {
		strbuf sb = STRBUF_INIT;
		node_describe(&sb, cmd->kids.v[0]);
		exec_fail(s, NULL, "can't give argument to non-function %s", sb.buf);
		sb_free(&sb);
		return -1;
	}
	return 0;
}

static const char *recv_type(const val *v)
{
	return v->boxed ? "interface {}" : val_type(v);
}

static const char *ptype_name(ptype t)
{
	switch (t) {
	case P_STRING: return "string";
	case P_INT: return "int";
	case P_STRINGS: return "[]string";
	case P_VALUE: return "reflect.Value";
	default: return "interface {}";
	}
}

/* Go's validateType: does v fit a parameter of type t? */
static int validate(state *s, val *v, ptype t)
{
	if (v->k == V_MISSING) {
		if (t == P_ANY)
			v->k = V_NIL;
		if (t == P_STRING || t == P_INT)
			return exec_fail(s, NULL, "invalid value; expected %s", ptype_name(t));
		return 0;
	}
	bool ok = t == P_ANY || t == P_VALUE || (t == P_STRING && v->k == V_STR) ||
		  (t == P_INT && v->k == V_INT) || (t == P_STRINGS && val_is_string_array(v));
	if (!ok) {
		const char *got = v->k == V_NIL ? "interface {}" : val_type(v);
		int r = exec_fail(s, NULL, "wrong type for value; expected %s; got %s", ptype_name(t), got);
		val_free(v);
		return r;
	}
	return 0;
}

static int ideal_constant(state *s, const node *n, val *out)
{
	at(s, n);
	if (n->num.is_float && n->num.floaty) {
		*out = (val){.k = V_FLOAT, .f = n->num.f};
		return 0;
	}
	if (n->num.is_int) {
		*out = val_int(n->num.i);
		return 0;
	}
	return exec_fail(s, NULL, "%s overflows int", n->str);
}

static json_object *labels_from_text(const char *text)
{
	json_object *o = json_object_new_object();
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		json_object_object_add(o, kv, json_object_new_string(eq ? eq + 1 : ""));
	}
	return o;
}

/* {{.Label "k"}}: a method docker's contexts have, read from "Labels". */
static int method_like(state *s, const val *dot, const char *name, const node *cmd,
		       const val *final, json_object *m, val *out)
{
	_cleanup_free_ char *plural = xasprintf("%s%s", name, "s");
	json_object *labels = NULL;
	bool has_plural = json_object_object_get_ex(m, plural, &labels);
	bool one_arg = cmd_args(cmd) + (final ? 1 : 0) == 1;
	/* List contexts (ps, images) show Labels as "k=v,k2=v2": read that too. */
	_cleanup_json_ json_object *parsed = NULL;
	if (labels && json_object_is_type(labels, json_type_string)) {
		parsed = labels_from_text(json_object_get_string(labels));
		labels = parsed;
	}
	if (json_object_object_get_ex(m, name, NULL) || !has_plural || !one_arg ||
	    (labels && !json_object_is_type(labels, json_type_object)))
		return exec_fail(s, NULL, "%s is not a method but has arguments", name);
	val key = VAL_MISSING;
	int r = final ? (key = val_copy(final), validate(s, &key, P_STRING))
		      : eval_arg(s, dot, P_STRING, cmd->kids.v[1], &key);
	if (r < 0)
		return -1;
	json_object *v = labels ? json_object_object_get(labels, key.s.p) : NULL;
	*out = v ? val_from_json(v, false) : val_str("", 0);
	val_free(&key);
	return 0;
}

/* One .Name step on receiver (consumed); args only on the last step. */
static int eval_field(state *s, const val *dot, const char *name, const node *cmd,
		      const val *final, val *recv, val *out)
{
	_cleanup_val_ val r = *recv;
	*recv = VAL_MISSING;
	if (r.k == V_MISSING) {
		if (s->flags & TMPL_MISSINGKEY_ERROR)
			return exec_fail(s, NULL, "nil data; no entry for key \"%s\"", name);
		*out = VAL_MISSING;
		return 0;
	}
	if (r.k == V_NIL)
		return exec_fail(s, NULL, "nil pointer evaluating interface {}.%s", name);
	if (r.k != V_MAP)
		return exec_fail(s, NULL, "can't evaluate field %s in type %s", name, recv_type(&r));
	json_object *v = NULL;
	bool found = json_object_object_get_ex(r.j, name, &v);
	if (cmd_args(cmd) > 0 || final) {
		if ((s->flags & TMPL_HEADER) && found) {
			*out = val_from_json(v, true);
			return 0;
		}
		return method_like(s, dot, name, cmd, final, r.j, out);
	}
	if (!found && (s->flags & TMPL_MISSINGKEY_ERROR))
		return exec_fail(s, NULL, "map has no entry for key \"%s\"", name);
	*out = found ? val_from_json(v, true) : VAL_MISSING;
	return 0;
}

static int eval_field_chain(state *s, const val *dot, val recv, char **names, size_t n,
			    const node *cmd, const val *final, val *out)
{
	for (size_t i = 0; i + 1 < n; i++) {
		val next;
		if (eval_field(s, dot, names[i], NULL, NULL, &recv, &next) < 0)
			return -1;
		recv = next;
	}
	return eval_field(s, dot, names[n - 1], cmd, final, &recv, out);
}

static int eval_field_node(state *s, const val *dot, const node *f, const node *cmd,
			   const val *final, val *out)
{
	at(s, f);
	return eval_field_chain(s, dot, val_copy(dot), f->names, f->nnames, cmd, final, out);
}

static int eval_chain_node(state *s, const val *dot, const node *c, const node *cmd,
			   const val *final, val *out)
{
	at(s, c);
	if (c->pipe->type == N_NIL) {
		strbuf sb = STRBUF_INIT;
		node_describe(&sb, c);
		exec_fail(s, NULL, "indirection through explicit nil in %s", sb.buf);
		sb_free(&sb);
		return -1;
	}
	val base;
	if (eval_arg(s, dot, P_NONE, c->pipe, &base) < 0)
		return -1;
	return eval_field_chain(s, dot, base, c->names, c->nnames, cmd, final, out);
}

static int eval_variable_node(state *s, const val *dot, const node *v, const node *cmd,
			      const val *final, val *out)
{
	at(s, v);
	val value;
	if (var_value(s, v->names[0], &value) < 0)
		return -1;
	if (v->nnames == 1) {
		if (cmd && not_a_function(s, cmd, final) < 0) {
			val_free(&value);
			return -1;
		}
		*out = value;
		return 0;
	}
	return eval_field_chain(s, dot, value, v->names + 1, v->nnames - 1, cmd, final, out);
}

/* ---- calls ---- */

static void free_vals(val *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		val_free(&v[i]);
	free(v);
}

static int check_arity(state *s, const tfunc *f, size_t given, size_t with_final)
{
	size_t fixed = f->variadic ? (size_t)f->nparams - 1 : (size_t)f->nparams;
	if (f->variadic && with_final < fixed)
		return exec_fail(s, NULL, "wrong number of args for %s: want at least %zu got %zu", f->name,
				 fixed, given);
	if (!f->variadic && with_final != fixed)
		return exec_fail(s, NULL, "wrong number of args for %s: want %zu got %zu", f->name, fixed,
				 with_final);
	return 0;
}

static ptype param_type(const tfunc *f, size_t i)
{
	return i < (size_t)f->nparams ? f->params[i] : f->params[f->nparams - 1];
}

/* and/or: stop at the first argument that decides. */
static int call_shortcut(state *s, const val *dot, const tfunc *f, const node *cmd,
			 const val *final, val *out)
{
	bool is_or = !strcmp(f->name, "or");
	val v = VAL_MISSING;
	for (size_t i = 1; cmd && i < cmd->kids.n; i++) {
		val_free(&v);
		if (eval_arg(s, dot, P_VALUE, cmd->kids.v[i], &v) < 0)
			return -1;
		val probe = v;
		val_unbox(&probe);
		if (val_truth(&probe) == is_or) {
			*out = v;
			return 0;
		}
	}
	if (final) {
		val_free(&v);
		v = val_copy(final);
	}
	*out = v;
	return 0;
}

static int eval_call(state *s, const val *dot, const tfunc *f, const node *cmd,
		     const node *errnode, const val *final, val *out)
{
	size_t given = cmd_args(cmd), total = given + (final ? 1 : 0);
	if (check_arity(s, f, given, total) < 0)
		return -1;
	if (f->shortcut)
		return call_shortcut(s, dot, f, cmd, final, out);
	val *argv = xcalloc(total + 1, sizeof(val));
	for (size_t i = 0; i < given; i++) {
		if (eval_arg(s, dot, param_type(f, i), cmd->kids.v[i + 1], &argv[i]) < 0) {
			free_vals(argv, total);
			return -1;
		}
	}
	if (final) {
		argv[given] = val_copy(final);
		if (validate(s, &argv[given], param_type(f, given)) < 0) {
			free_vals(argv, total);
			return -1;
		}
	}
	s->calling = f->name;
	*out = VAL_MISSING;
	int r = f->fn(s, errnode, argv, total, out);
	free_vals(argv, total);
	if (r == 0 && out->k == V_STR && out->s.n > exec_string_limit(s)) {
		val_free(out);
		return call_fail(s, errnode, "result larger than %zu bytes", exec_string_limit(s));
	}
	return r;
}

static int eval_function(state *s, const val *dot, const node *ident, const node *cmd,
			 const node *errnode, const val *final, val *out)
{
	at(s, ident);
	const tfunc *f = ident->fn;
	if ((s->flags & TMPL_HEADER) && tfunc_header(f))
		f = tfunc_header(f);
	return eval_call(s, dot, f, cmd, errnode, final, out);
}

/* Go's evalArg: an argument of a call, checked against its parameter type. */
static int eval_arg(state *s, const val *dot, ptype t, const node *n, val *out)
{
	at(s, n);
	int r = 0;
	*out = VAL_MISSING;
	switch (n->type) {
	case N_DOT: *out = val_copy(dot); break;
	case N_NIL:
		if (t == P_STRING || t == P_INT)
			return exec_fail(s, NULL, "cannot assign nil to %s", ptype_name(t));
		if (t == P_ANY)
			out->k = V_NIL;
		return 0;
	case N_FIELD: r = eval_field_node(s, dot, n, NULL, NULL, out); break;
	case N_VARIABLE: r = eval_variable_node(s, dot, n, NULL, NULL, out); break;
	case N_PIPE: r = eval_pipeline(s, dot, n, out); break;
	case N_IDENT: r = eval_function(s, dot, n, NULL, n, NULL, out); break;
	case N_CHAIN: r = eval_chain_node(s, dot, n, NULL, NULL, out); break;
	default: goto literal;
	}
	if (r < 0)
		return -1;
	return t == P_NONE ? 0 : validate(s, out, t);
literal:
	if (t == P_STRINGS) {
		strbuf sb = STRBUF_INIT;
		node_describe(&sb, n);
		exec_fail(s, NULL, "can't handle %s for arg of type []string", sb.buf);
		sb_free(&sb);
		return -1;
	}
	if (t == P_STRING && n->type != N_STRING) {
		strbuf sb = STRBUF_INIT;
		node_describe(&sb, n);
		exec_fail(s, NULL, "expected string; found %s", sb.buf);
		sb_free(&sb);
		return -1;
	}
	if (t == P_INT && !(n->type == N_NUMBER && n->num.is_int)) {
		strbuf sb = STRBUF_INIT;
		node_describe(&sb, n);
		exec_fail(s, NULL, "expected integer; found %s", sb.buf);
		sb_free(&sb);
		return -1;
	}
	if (n->type == N_BOOL)
		*out = val_bool(n->flag);
	else if (n->type == N_STRING)
		*out = val_str(n->str, n->len);
	else if (t == P_INT)
		*out = val_int(n->num.i);
	else
		return ideal_constant(s, n, out);
	return 0;
}

static int eval_command(state *s, const val *dot, const node *cmd, const val *final, val *out)
{
	const node *first = cmd->kids.v[0];
	if (step(s) < 0)
		return -1;
	switch (first->type) {
	case N_FIELD: return eval_field_node(s, dot, first, cmd, final, out);
	case N_CHAIN: return eval_chain_node(s, dot, first, cmd, final, out);
	case N_IDENT: return eval_function(s, dot, first, cmd, cmd, final, out);
	case N_VARIABLE: return eval_variable_node(s, dot, first, cmd, final, out);
	case N_PIPE:
		if (not_a_function(s, cmd, final) < 0)
			return -1;
		return eval_pipeline(s, dot, first, out);
	default: break;
	}
	at(s, first);
	if (not_a_function(s, cmd, final) < 0)
		return -1;
	switch (first->type) {
	case N_BOOL: *out = val_bool(first->flag); return 0;
	case N_DOT: *out = val_copy(dot); return 0;
	case N_NUMBER: return ideal_constant(s, first, out);
	case N_STRING: *out = val_str(first->str, first->len); return 0;
	default: return exec_fail(s, NULL, "nil is not a command");
	}
}

static int eval_pipeline(state *s, const val *dot, const node *pipe, val *out)
{
	at(s, pipe);
	val value = VAL_MISSING;
	for (size_t i = 0; i < pipe->kids.n; i++) {
		val next;
		int r = eval_command(s, dot, pipe->kids.v[i], i ? &value : NULL, &next);
		val_free(&value);
		if (r < 0)
			return -1;
		value = next;
		val_unbox(&value);
	}
	for (size_t i = 0; i < pipe->nnames; i++) {
		if (!pipe->flag)
			push_var(s, pipe->names[i], val_copy(&value));
		else if (set_var(s, pipe->names[i], val_copy(&value)) < 0)
			return val_free(&value), -1;
	}
	*out = value;
	return 0;
}

/* ---- walking ---- */

static int walk(state *s, const val *dot, const node *n);

static int walk_if_with(state *s, const val *dot, const node *n)
{
	size_t mark = s->nvars;
	_cleanup_val_ val v = VAL_MISSING;
	int r = 0;
	if (eval_pipeline(s, dot, n->pipe, &v) < 0)
		r = -1;
	else if (val_truth(&v))
		r = walk(s, n->type == N_WITH ? &v : dot, n->list);
	else if (n->else_list)
		r = walk(s, dot, n->else_list);
	pop_vars(s, mark);
	return r;
}

/* One pass of a range body with dot elem (consumed) and index. */
static int range_once(state *s, const node *n, val index, val elem, size_t mark)
{
	const node *pipe = n->pipe;
	int r = 0;
	if (pipe->nnames > 0) {
		if (!pipe->flag)
			set_top_var(s, 1, val_copy(&elem));
		else
			r = set_var(s, pipe->names[0], val_copy(pipe->nnames > 1 ? &index : &elem));
	}
	if (r == 0 && pipe->nnames > 1) {
		if (!pipe->flag)
			set_top_var(s, 2, val_copy(&index));
		else
			r = set_var(s, pipe->names[1], val_copy(&elem));
	}
	if (r == 0)
		r = walk(s, &elem, n->list);
	pop_vars(s, mark);
	val_free(&index);
	val_free(&elem);
	return r == WALK_CONTINUE ? 0 : r;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int range_map(state *s, const node *n, json_object *m, size_t mark)
{
	size_t count = (size_t)json_object_object_length(m), i = 0;
	const char **keys = xcalloc(count + 1, sizeof(char *));
	json_object_object_foreach(m, k, unused) {
		(void)unused;
		keys[i++] = k;
	}
	qsort(keys, count, sizeof(char *), cmp_keys);
	int r = 0;
	for (i = 0; i < count && r == 0; i++)
		r = range_once(s, n, val_cstr(keys[i]), val_from_json(json_object_object_get(m, keys[i]), true),
			       mark);
	free(keys);
	return r;
}

/* Iterates v; *ran says whether the body ran at all. */
static int range_over(state *s, const node *n, const val *v, bool *ran)
{
	size_t mark = s->nvars;
	int r = 0;
	*ran = true;
	if (v->k == V_ARR && json_object_array_length(v->j) > 0) {
		for (size_t i = 0; i < json_object_array_length(v->j) && r == 0; i++)
			r = range_once(s, n, val_int((int64_t)i),
				       val_from_json(json_object_array_get_idx(v->j, i), true), mark);
	} else if (v->k == V_MAP && json_object_object_length(v->j) > 0) {
		r = range_map(s, n, v->j, mark);
	} else if (v->k == V_INT && v->i > 0) {
		if (n->pipe->nnames > 1)
			return exec_fail(s, NULL, "can't use %lld to iterate over more than one variable",
					 (long long)v->i);
		for (int64_t i = 0; i < v->i && r == 0; i++) {
			val idx = *v; /* an int: nothing to copy or free */
			idx.i = i;
			r = range_once(s, n, idx, idx, mark);
			if (r == 0)
				r = step(s);
		}
	} else if (v->k == V_ARR || v->k == V_MAP || v->k == V_INT || v->k == V_MISSING) {
		*ran = false;
	} else {
		strbuf sb = STRBUF_INIT;
		val_print(&sb, v);
		exec_fail(s, NULL, "range can't iterate over %s", sb.buf);
		sb_free(&sb);
		return -1;
	}
	return r == WALK_BREAK ? 0 : r;
}

static int walk_range(state *s, const val *dot, const node *n)
{
	at(s, n);
	size_t mark = s->nvars;
	_cleanup_val_ val v = VAL_MISSING;
	bool ran = false;
	int r = eval_pipeline(s, dot, n->pipe, &v);
	if (r == 0)
		r = range_over(s, n, &v, &ran);
	if (r == 0 && !ran && n->else_list)
		r = walk(s, dot, n->else_list);
	pop_vars(s, mark);
	return r;
}

static int walk_action(state *s, const val *dot, const node *n)
{
	_cleanup_val_ val v = VAL_MISSING;
	if (eval_pipeline(s, dot, n->pipe, &v) < 0)
		return -1;
	if (n->pipe->nnames > 0)
		return 0;
	at(s, n);
	if (v.k == V_MISSING)
		sb_puts(s->out, "<no value>");
	else
		val_print(s->out, &v);
	return step(s);
}

static int walk(state *s, const val *dot, const node *n)
{
	at(s, n);
	switch (n->type) {
	case N_ACTION: return walk_action(s, dot, n);
	case N_BREAK: return WALK_BREAK;
	case N_CONTINUE: return WALK_CONTINUE;
	case N_IF:
	case N_WITH: return walk_if_with(s, dot, n);
	case N_RANGE: return walk_range(s, dot, n);
	case N_TEXT:
		sb_append(s->out, n->str, n->len);
		return step(s);
	case N_LIST:
		for (size_t i = 0; i < n->kids.n; i++) {
			int r = walk(s, dot, n->kids.v[i]);
			if (r != 0)
				return r;
		}
		return 0;
	default: return exec_fail(s, NULL, "unknown node");
	}
}

int tmpl_exec_flags(const tmpl_t *t, json_object *data, unsigned flags, strbuf *out, err_t **err)
{
	state s = {.t = t, .out = out, .out_start = out->len, .flags = flags, .err = err};
	val dot = data ? val_from_json(data, false) : VAL_MISSING; /* Go's Execute(w, nil) */
	push_var(&s, "$", val_copy(&dot));
	sb_append(out, "", 0); /* out->buf is never NULL after this */
	int r = walk(&s, &dot, t->root);
	pop_vars(&s, 0);
	free(s.vars);
	val_free(&dot);
	return r < 0 ? -1 : 0;
}

int tmpl_exec(const tmpl_t *t, json_object *data, strbuf *out, err_t **err)
{
	return tmpl_exec_flags(t, data, 0, out, err);
}
