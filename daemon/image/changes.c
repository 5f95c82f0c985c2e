/* changes.c: the `changes` of import and commit: Dockerfile instructions
 * (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL,
 * USER, VOLUME, WORKDIR; Docker's validCommitCommands) applied to a
 * container config, as moby's BuildFromConfig does: JSON or shell form for
 * commands, $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} expansion and quoting for
 * the word-taking instructions, ENTRYPOINT clearing a CMD not set before
 * it. */
#include "changes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

typedef struct chstate {
	json_object *cfg;
	bool cmd_set;
} chstate;

/* ---- words ---- */

static const char *env_lookup(json_object *cfg, const char *name, size_t n)
{
	json_object *env = jget_arr(cfg, "Env");
	for (size_t i = env ? json_object_array_length(env) : 0; i-- > 0;) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (e && !strncmp(e, name, n) && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}

/* Expands one $... at *p into sb; returns -1 on a malformed ${...}. */
static int expand_var(json_object *cfg, const char **p, strbuf *sb)
{
	const char *s = *p + 1;
	if (*s == '{') {
		const char *end = strchr(s, '}');
		if (!end)
			return -1;
		const char *colon = memchr(s + 1, ':', (size_t)(end - s - 1));
		size_t nlen = (size_t)((colon ? colon : end) - s - 1);
		const char *v = env_lookup(cfg, s + 1, nlen);
		if (colon && (colon[1] == '-' || colon[1] == '+')) {
			bool use_alt = colon[1] == '-' ? !(v && *v) : (v && *v);
			if (use_alt)
				sb_append(sb, colon + 2, (size_t)(end - colon - 2));
			else if (colon[1] == '-' && v)
				sb_puts(sb, v);
		} else if (colon) {
			return -1;
		} else if (v) {
			sb_puts(sb, v);
		}
		*p = end + 1;
		return 0;
	}
	size_t n = 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	if (!n) {
		sb_putc(sb, '$');
		*p = s;
		return 0;
	}
	const char *v = env_lookup(cfg, s, n);
	if (v)
		sb_puts(sb, v);
	*p = s + n;
	return 0;
}

/* Splits line into shell words with quotes, escapes and (if expand)
 * variables. NULL-terminated; NULL on a syntax error. */
static char **split_words(json_object *cfg, const char *line, bool expand)
{
	size_t cap = 0, n = 0;
	char **v = NULL;
	const char *p = line;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		_cleanup_sb_ strbuf w = STRBUF_INIT;
		char quote = 0;
		sb_puts(&w, "");
		while (*p && (quote || !isspace((unsigned char)*p))) {
			if (!quote && (*p == '"' || *p == '\'')) {
				quote = *p++;
			} else if (quote && *p == quote) {
				quote = 0;
				p++;
			} else if (*p == '\\' && quote != '\'' && p[1]) {
				sb_putc(&w, p[1]);
				p += 2;
			} else if (*p == '$' && quote != '\'' && expand) {
				if (expand_var(cfg, &p, &w) < 0)
					goto bad;
			} else {
				sb_putc(&w, *p++);
			}
		}
		if (quote)
			goto bad;
		v = xgrow(v, &cap, n + 2, sizeof(char *));
		v[n++] = sb_steal(&w);
		v[n] = NULL;
	}
	if (!v)
		v = xcalloc(1, sizeof(char *));
	return v;
bad:
	if (v)
		v[n] = NULL;
	strv_free(v);
	return NULL;
}

/* JSON form ["a","b"] when the text parses as an array of strings. */
static json_object *json_form(const char *rest)
{
	if (*rest != '[')
		return NULL;
	json_object *o = json_parse_strict(rest, strlen(rest), NULL);
	if (!o || !json_object_is_type(o, json_type_array)) {
		if (o)
			json_object_put(o);
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(o); i++) {
		if (!json_object_is_type(json_object_array_get_idx(o, i), json_type_string)) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* A command line: JSON form, or the shell form under Shell (/bin/sh -c). */
static json_object *command_line(json_object *cfg, const char *rest)
{
	json_object *j = json_form(rest);
	if (j)
		return j;
	json_object *a = json_object_new_array();
	json_object *shell = jget_arr(cfg, "Shell");
	if (shell && json_object_array_length(shell)) {
		for (size_t i = 0; i < json_object_array_length(shell); i++)
			json_object_array_add(a, json_object_get(json_object_array_get_idx(shell, i)));
	} else {
		json_object_array_add(a, json_object_new_string("/bin/sh"));
		json_object_array_add(a, json_object_new_string("-c"));
	}
	json_object_array_add(a, json_object_new_string(rest));
	return a;
}

/* ---- instructions ---- */

static int do_cmd(chstate *st, const char *rest, err_t **err)
{
	(void)err;
	jset(st->cfg, "Cmd", command_line(st->cfg, rest));
	if (*rest)
		st->cmd_set = true;
	return 0;
}

static int do_entrypoint(chstate *st, const char *rest, err_t **err)
{
	(void)err;
	jset(st->cfg, "Entrypoint", command_line(st->cfg, rest));
	if (!st->cmd_set)
		jset(st->cfg, "Cmd", NULL);
	return 0;
}

static void set_env(json_object *cfg, const char *key, const char *val)
{
	json_object *env = jget_arr(cfg, "Env");
	if (!env) {
		env = json_object_new_array();
		jset(cfg, "Env", env);
	}
	_cleanup_free_ char *kv = xasprintf("%s=%s", key, val);
	size_t klen = strlen(key);
	for (size_t i = 0; i < json_object_array_length(env); i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(env, i));
		if (e && !strncmp(e, key, klen) && e[klen] == '=') {
			json_object_array_put_idx(env, i, json_object_new_string(kv));
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
}

/* key=value pairs, or the legacy "key value..." form; calls put for each. */
static int name_values(chstate *st, const char *what, const char *rest,
		       void (*put)(json_object *, const char *, const char *), err_t **err)
{
	_cleanup_strv_ char **w = split_words(st->cfg, rest, true);
	if (!w)
		return err_invalid(err, "%s: unbalanced quotes or bad variable", what);
	if (!w[0])
		return err_invalid(err, "%s requires at least one argument", what);
	if (!strchr(w[0], '=')) {
		if (!w[1])
			return err_invalid(err, "%s must have two arguments", what);
		_cleanup_sb_ strbuf val = STRBUF_INIT;
		for (size_t i = 1; w[i]; i++)
			sb_printf(&val, "%s%s", i > 1 ? " " : "", w[i]);
		put(st->cfg, w[0], sb_str(&val));
		return 0;
	}
	for (size_t i = 0; w[i]; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq || eq == w[i])
			return err_invalid(err, "%s names can not be blank", what);
		*eq = '\0';
		put(st->cfg, w[i], eq + 1);
	}
	return 0;
}

static int do_env(chstate *st, const char *rest, err_t **err)
{
	return name_values(st, "ENV", rest, set_env, err);
}

static void set_label(json_object *cfg, const char *key, const char *val)
{
	json_object *labels = jget_obj(cfg, "Labels");
	if (!labels) {
		labels = json_object_new_object();
		jset(cfg, "Labels", labels);
	}
	jset_str(labels, key, val);
}

static int do_label(chstate *st, const char *rest, err_t **err)
{
	return name_values(st, "LABEL", rest, set_label, err);
}

static int port_spec(const char *w, json_object *ports, err_t **err)
{
	_cleanup_free_ char *spec = xstrdup(w);
	char *slash = strchr(spec, '/');
	const char *proto = slash ? slash + 1 : "tcp";
	if (slash)
		*slash = '\0';
	char *end;
	long lo = strtol(spec, &end, 10), hi = lo;
	if (*end == '-')
		hi = strtol(end + 1, &end, 10);
	if (!*spec || *end || lo < 1 || hi > 65535 || hi < lo)
		return err_invalid(err, "invalid containerPort: %s", spec);
	if (strcasecmp(proto, "tcp") && strcasecmp(proto, "udp") && strcasecmp(proto, "sctp"))
		return err_invalid(err, "invalid proto: %s", proto);
	for (long p = lo; p <= hi; p++) {
		_cleanup_free_ char *key = xasprintf("%ld/%s", p, proto);
		for (char *c = key; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		jset(ports, key, json_object_new_object());
	}
	return 0;
}

static int do_expose(chstate *st, const char *rest, err_t **err)
{
	_cleanup_strv_ char **w = split_words(st->cfg, rest, true);
	if (!w || !w[0])
		return err_invalid(err, "EXPOSE requires at least one argument");
	json_object *ports = jget_obj(st->cfg, "ExposedPorts");
	if (!ports) {
		ports = json_object_new_object();
		jset(st->cfg, "ExposedPorts", ports);
	}
	for (size_t i = 0; w[i]; i++) {
		_cleanup_strv_ char **sub = split_words(st->cfg, w[i], false);
		for (size_t j = 0; sub && sub[j]; j++)
			if (port_spec(sub[j], ports, err) < 0)
				return -1;
	}
	return 0;
}

/* path.Clean for absolute paths. */
static char *clean_abs(const char *p)
{
	_cleanup_strv_ char **parts = xcalloc(strlen(p) + 2, sizeof(char *));
	size_t n = 0;
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 2 && !strncmp(p, "..", 2)) {
			if (n)
				free(parts[--n]), parts[n] = NULL;
		} else if (len && !(len == 1 && *p == '.')) {
			parts[n++] = xstrndup(p, len);
		}
		p += len;
		while (*p == '/')
			p++;
	}
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "/%s", parts[i]);
	return sb.len ? sb_steal(&sb) : xstrdup("/");
}

static char *single_word(chstate *st, const char *what, const char *rest, err_t **err)
{
	_cleanup_strv_ char **w = split_words(st->cfg, rest, true);
	if (!w || !w[0] || w[1]) {
		err_invalid(err, "%s requires exactly one argument", what);
		return NULL;
	}
	return xstrdup(w[0]);
}

static int do_workdir(chstate *st, const char *rest, err_t **err)
{
	_cleanup_free_ char *dir = single_word(st, "WORKDIR", rest, err);
	if (!dir)
		return -1;
	const char *cur = jget_str(st->cfg, "WorkingDir");
	_cleanup_free_ char *joined = dir[0] == '/' ? xstrdup(dir)
				     : xasprintf("%s/%s", cur && *cur ? cur : "/", dir);
	_cleanup_free_ char *clean = clean_abs(joined);
	jset_str(st->cfg, "WorkingDir", clean);
	return 0;
}

static int do_user(chstate *st, const char *rest, err_t **err)
{
	_cleanup_free_ char *u = single_word(st, "USER", rest, err);
	if (!u)
		return -1;
	jset_str(st->cfg, "User", u);
	return 0;
}

static int do_volume(chstate *st, const char *rest, err_t **err)
{
	json_object *arr = json_form(rest);
	_cleanup_strv_ char **w = arr ? jarr_to_strv(arr, "VOLUME", err) : split_words(st->cfg, rest, true);
	if (arr)
		json_object_put(arr);
	if (!w || !w[0])
		return err_invalid(err, "VOLUME requires at least one argument");
	json_object *vols = jget_obj(st->cfg, "Volumes");
	if (!vols) {
		vols = json_object_new_object();
		jset(st->cfg, "Volumes", vols);
	}
	for (size_t i = 0; w[i]; i++) {
		if (!*w[i])
			return err_invalid(err, "VOLUME specified can not be an empty string");
		jset(vols, w[i], json_object_new_object());
	}
	return 0;
}

static bool valid_signal(const char *s)
{
	static const char *const names[] = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
		"KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP",
		"TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR",
		"SYS", "POLL", "IOT", "RTMIN", "RTMAX"};
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n <= 64;
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return !strncasecmp(name, "RTMIN+", 6) || !strncasecmp(name, "RTMAX-", 6);
}

static int do_stopsignal(chstate *st, const char *rest, err_t **err)
{
	_cleanup_free_ char *sig = single_word(st, "STOPSIGNAL", rest, err);
	if (!sig)
		return -1;
	if (!valid_signal(sig))
		return err_invalid(err, "Invalid signal: %s", sig);
	jset_str(st->cfg, "StopSignal", sig);
	return 0;
}

static int do_onbuild(chstate *st, const char *rest, err_t **err)
{
	size_t kw = strcspn(rest, " \t");
	if (!kw)
		return err_invalid(err, "ONBUILD requires at least one argument");
	if (!strncasecmp(rest, "ONBUILD", kw) && kw == 7)
		return err_invalid(err, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if ((kw == 4 && !strncasecmp(rest, "FROM", 4)) || (kw == 10 && !strncasecmp(rest, "MAINTAINER", 10)))
		return err_invalid(err, "%.*s isn't allowed as an ONBUILD trigger", (int)kw, rest);
	_cleanup_free_ char *expr = xstrdup(rest);
	for (size_t i = 0; i < kw; i++)
		expr[i] = (char)toupper((unsigned char)expr[i]);
	json_object *ob = jget_arr(st->cfg, "OnBuild");
	if (!ob) {
		ob = json_object_new_array();
		jset(st->cfg, "OnBuild", ob);
	}
	json_object_array_add(ob, json_object_new_string(expr));
	return 0;
}

/* Go durations ("30s", "1m30s") in nanoseconds. */
static int duration_ns(const char *s, int64_t *out)
{
	static const struct { const char *u; int64_t ns; } units[] = {
		{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000LL},
		{"m", 60000000000LL}, {"h", 3600000000000LL},
	};
	int64_t total = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		size_t best = ARRAY_SIZE(units), blen = 0;
		for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(end, units[i].u, l) && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (!blen)
			return -1;
		total += (int64_t)(v * (double)units[best].ns);
		s = end + blen;
	}
	*out = total;
	return 0;
}

static int health_flag(json_object *hc, const char *flag, err_t **err)
{
	static const struct { const char *flag, *key; } durs[] = {
		{"--interval=", "Interval"}, {"--timeout=", "Timeout"},
		{"--start-period=", "StartPeriod"}, {"--start-interval=", "StartInterval"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(durs); i++) {
		size_t l = strlen(durs[i].flag);
		if (strncmp(flag, durs[i].flag, l))
			continue;
		int64_t ns;
		if (duration_ns(flag + l, &ns) < 0)
			return err_invalid(err, "HEALTHCHECK: invalid duration %s", flag + l);
		jset_int(hc, durs[i].key, ns);
		return 0;
	}
	if (!strncmp(flag, "--retries=", 10)) {
		char *end;
		long n = strtol(flag + 10, &end, 10);
		if (*end || n < 0)
			return err_invalid(err, "HEALTHCHECK: invalid retries %s", flag + 10);
		jset_int(hc, "Retries", n);
		return 0;
	}
	return err_invalid(err, "HEALTHCHECK: unknown flag %s", flag);
}

static int do_healthcheck(chstate *st, const char *rest, err_t **err)
{
	json_object *hc = json_object_new_object();
	while (!strncmp(rest, "--", 2)) {
		size_t n = strcspn(rest, " \t");
		_cleanup_free_ char *flag = xstrndup(rest, n);
		if (health_flag(hc, flag, err) < 0) {
			json_object_put(hc);
			return -1;
		}
		rest += n;
		while (isspace((unsigned char)*rest))
			rest++;
	}
	json_object *test = json_object_new_array();
	if (!strcasecmp(rest, "NONE")) {
		json_object_array_add(test, json_object_new_string("NONE"));
	} else if (!strncasecmp(rest, "CMD", 3) && (!rest[3] || isspace((unsigned char)rest[3]))) {
		const char *cmd = rest + 3;
		while (isspace((unsigned char)*cmd))
			cmd++;
		json_object *j = json_form(cmd);
		json_object_array_add(test, json_object_new_string(j ? "CMD" : "CMD-SHELL"));
		for (size_t i = 0; j && i < json_object_array_length(j); i++)
			json_object_array_add(test, json_object_get(json_object_array_get_idx(j, i)));
		if (!j)
			json_object_array_add(test, json_object_new_string(cmd));
		if (j)
			json_object_put(j);
	} else {
		json_object_put(test);
		json_object_put(hc);
		return err_invalid(err, "Unknown type \"%s\" in HEALTHCHECK (try CMD)", rest);
	}
	jset(hc, "Test", test);
	jset(st->cfg, "Healthcheck", hc);
	return 0;
}

/* ---- dispatch ---- */

typedef int (*instr_fn)(chstate *, const char *, err_t **);

static const struct { const char *name; instr_fn fn; } instrs[] = {
	{"cmd", do_cmd}, {"entrypoint", do_entrypoint}, {"env", do_env}, {"expose", do_expose},
	{"healthcheck", do_healthcheck}, {"label", do_label}, {"onbuild", do_onbuild},
	{"stopsignal", do_stopsignal}, {"user", do_user}, {"volume", do_volume},
	{"workdir", do_workdir},
};

static int apply_line(chstate *st, const char *line, err_t **err)
{
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	size_t n = strcspn(line, " \t");
	_cleanup_free_ char *kw = xstrndup(line, n);
	for (char *c = kw; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	const char *rest = line + n;
	while (isspace((unsigned char)*rest))
		rest++;
	for (size_t i = 0; i < ARRAY_SIZE(instrs); i++)
		if (!strcmp(kw, instrs[i].name))
			return instrs[i].fn(st, rest, err);
	return err_invalid(err, "%s is not a valid change command", kw);
}

/* Joins backslash-continued lines, trims the end of each instruction. */
static char **instructions(char *const *changes)
{
	_cleanup_sb_ strbuf all = STRBUF_INIT;
	for (size_t i = 0; changes && changes[i]; i++)
		sb_printf(&all, "%s\n", changes[i]);
	size_t cap = 0, n = 0;
	char **v = xcalloc(1, sizeof(char *));
	_cleanup_sb_ strbuf cur = STRBUF_INIT;
	for (const char *p = sb_str(&all); *p;) {
		size_t len = strcspn(p, "\n");
		size_t t = len;
		while (t && isspace((unsigned char)p[t - 1]))
			t--;
		bool cont = t && p[t - 1] == '\\';
		sb_append(&cur, p, cont ? t - 1 : t);
		if (!cont) {
			v = xgrow(v, &cap, n + 2, sizeof(char *));
			v[n++] = sb_steal(&cur);
			v[n] = NULL;
		}
		p += len + (p[len] == '\n');
	}
	if (cur.len) {
		v = xgrow(v, &cap, n + 2, sizeof(char *));
		v[n++] = sb_steal(&cur);
		v[n] = NULL;
	}
	return v;
}

int img_apply_changes(json_object *cfg, char *const *changes, err_t **err)
{
	chstate st = {cfg, false};
	_cleanup_strv_ char **lines = instructions(changes);
	for (size_t i = 0; lines[i]; i++)
		if (apply_line(&st, lines[i], err) < 0)
			return -1;
	return 0;
}
