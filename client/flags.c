/* flags.c: see flags.h. Error wording follows the docker CLI:
 * "unknown flag: --foo" / "unknown shorthand flag: 'x' in -x" followed by
 * "See 'engine run --help'." and exit status 125 from the caller. */
#include "flags.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

static const flag_spec *find_long(const flag_spec *s, const char *name, size_t len)
{
	for (; s->name; s++)
		if (strlen(s->name) == len && !strncmp(s->name, name, len))
			return s;
	return NULL;
}

static const flag_spec *find_short(const flag_spec *s, char c)
{
	for (; s->name; s++)
		if (s->shortname == c)
			return s;
	return NULL;
}

static void see_help(const cmd_usage *u)
{
	/* "engine run [OPTIONS]..." -> "engine run" */
	const char *p = u->usage;
	const char *stop = strstr(p, " [");
	const char *stop2 = strstr(p, " NAME");
	size_t n = strlen(p);
	if (stop && (size_t)(stop - p) < n)
		n = (size_t)(stop - p);
	if (stop2 && (size_t)(stop2 - p) < n)
		n = (size_t)(stop2 - p);
	fprintf(stderr, "See '%.*s --help'.\n", (int)n, p);
}

static int set_value(const flag_spec *f, const char *v, const cmd_usage *u)
{
	switch (f->type) {
	case FLAG_BOOL:
		if (!v || !strcmp(v, "true") || !strcmp(v, "1"))
			*(bool *)f->dest = true;
		else if (!strcmp(v, "false") || !strcmp(v, "0"))
			*(bool *)f->dest = false;
		else
			goto bad;
		break;
	case FLAG_STRING:
		free(*(char **)f->dest);
		*(char **)f->dest = xstrdup(v);
		break;
	case FLAG_LIST: {
		char ***lp = f->dest;
		size_t n = 0;
		while (*lp && (*lp)[n])
			n++;
		*lp = xrealloc(*lp, (n + 2) * sizeof(char *));
		(*lp)[n] = xstrdup(v);
		(*lp)[n + 1] = NULL;
		break;
	}
	case FLAG_INT: {
		char *end = NULL;
		errno = 0;
		long long n = strtoll(v, &end, 0);
		if (errno || !end || end == v || *end)
			goto bad;
		*(long long *)f->dest = n;
		break;
	}
	}
	if (f->set)
		*f->set = true;
	return 0;
bad:
	fprintf(stderr, "invalid argument \"%s\" for \"%s%c%s--%s\" flag: invalid syntax\n", v,
		f->shortname ? "-" : "", f->shortname ? f->shortname : ' ', f->shortname ? ", " : "",
		f->name);
	see_help(u);
	return -1;
}

/* Handles argv[*i] = "--name[=value]"; may consume argv[*i+1]. */
static int parse_long(int argc, char **argv, int *i, const flag_spec *specs, const cmd_usage *u)
{
	const char *a = argv[*i] + 2;
	const char *eq = strchr(a, '=');
	size_t len = eq ? (size_t)(eq - a) : strlen(a);
	const flag_spec *f = find_long(specs, a, len);
	if (!f) {
		fprintf(stderr, "unknown flag: --%.*s\n", (int)len, a);
		see_help(u);
		return -1;
	}
	if (eq)
		return set_value(f, eq + 1, u);
	if (f->type == FLAG_BOOL)
		return set_value(f, NULL, u);
	if (*i + 1 >= argc) {
		fprintf(stderr, "flag needs an argument: --%s\n", f->name);
		see_help(u);
		return -1;
	}
	return set_value(f, argv[++*i], u);
}

/* Handles "-abc", "-n5", "-n 5", "-d=false". */
static int parse_short(int argc, char **argv, int *i, const flag_spec *specs, const cmd_usage *u)
{
	const char *a = argv[*i] + 1;
	for (size_t k = 0; a[k]; k++) {
		const flag_spec *f = find_short(specs, a[k]);
		if (!f) {
			fprintf(stderr, "unknown shorthand flag: '%c' in -%s\n", a[k], a);
			see_help(u);
			return -1;
		}
		if (f->type == FLAG_BOOL) {
			if (a[k + 1] == '=')
				return set_value(f, a + k + 2, u);
			if (set_value(f, NULL, u) < 0)
				return -1;
			continue;
		}
		if (a[k + 1])
			return set_value(f, a[k + 1] == '=' ? a + k + 2 : a + k + 1, u);
		if (*i + 1 >= argc) {
			fprintf(stderr, "flag needs an argument: '%c' in -%c\n", a[k], a[k]);
			see_help(u);
			return -1;
		}
		return set_value(f, argv[++*i], u);
	}
	return 0;
}

int flags_parse(int argc, char **argv, const flag_spec *specs, const cmd_usage *u,
		bool interspersed)
{
	_cleanup_free_ char **pos = xcalloc((size_t)argc + 1, sizeof(char *));
	int npos = 0, i = 1;
	for (; i < argc; i++) {
		char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			flags_usage(specs, u, false);
			return -2;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (!interspersed)
				break;
			pos[npos++] = a;
			continue;
		}
		int r = a[1] == '-' ? parse_long(argc, argv, &i, specs, u)
				    : parse_short(argc, argv, &i, specs, u);
		if (r < 0)
			return -1;
	}
	/* Reorder: positionals gathered so far, then everything after the stop. */
	int first = argc - npos - (argc - i);
	for (int k = i; k < argc; k++)
		pos[npos++] = argv[k];
	for (int k = 0; k < npos; k++)
		argv[first + k] = pos[k];
	return first;
}

void flags_usage(const flag_spec *specs, const cmd_usage *u, bool to_stderr)
{
	FILE *out = to_stderr ? stderr : stdout;
	fprintf(out, "\nUsage:  %s\n\n%s\n", u->usage, u->summary);
	if (u->aliases)
		fprintf(out, "\nAliases:\n  %s\n", u->aliases);
	if (specs && specs->name) {
		fprintf(out, "\nOptions:\n");
		for (const flag_spec *s = specs; s->name; s++) {
			const char *arg = s->argname ? s->argname
				: s->type == FLAG_STRING ? "string" : s->type == FLAG_LIST ? "list"
				: s->type == FLAG_INT ? "int" : "";
			char left[64];
			if (s->shortname)
				snprintf(left, sizeof(left), "  -%c, --%s %s", s->shortname, s->name, arg);
			else
				snprintf(left, sizeof(left), "      --%s %s", s->name, arg);
			fprintf(out, "%-31s %s\n", left, s->help);
		}
	}
	fputc('\n', out);
}

void flags_free(const flag_spec *specs)
{
	for (const flag_spec *s = specs; s->name; s++) {
		if (s->type == FLAG_STRING) {
			free(*(char **)s->dest);
			*(char **)s->dest = NULL;
		} else if (s->type == FLAG_LIST) {
			strv_free(*(char ***)s->dest);
			*(char ***)s->dest = NULL;
		}
	}
}
