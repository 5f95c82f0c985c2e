/* flags.h: docker-style command-line flags (pflag's rules): --long=value,
 * --long value, -s value, -svalue, bundled short booleans (-itd), `--` ends
 * the flags. A command describes its flags in a table; the same table prints
 * the usage text. */
#ifndef ENGINE_FLAGS_H
#define ENGINE_FLAGS_H

#include <stdbool.h>

typedef enum flag_type {
	FLAG_BOOL,
	FLAG_STRING,
	FLAG_LIST,  /* repeatable string: char ** NULL-terminated */
	FLAG_INT,   /* long long */
} flag_type;

typedef struct flag_spec {
	const char *name;   /* long name without -- */
	char shortname;     /* 0: none */
	flag_type type;
	void *dest;         /* bool *, char **, char ***, long long * */
	const char *help;
	const char *argname; /* "string", "list", "int" shown in usage; NULL for defaults */
	bool *set;          /* optional: set to true when given */
} flag_spec;

typedef struct cmd_usage {
	const char *usage;  /* "engine run [OPTIONS] IMAGE [COMMAND] [ARG...]" */
	const char *summary;
	const char *aliases; /* "docker container run, docker run" style, or NULL */
} cmd_usage;

/* Parses argv[1..] (argv[0] is the command name). Returns the index of the
 * first positional argument (positionals end up at argv[ret..argc), reordered
 * when interspersed), or -1 after printing an error. With interspersed false,
 * parsing stops at the first positional (run, exec). --help/-h prints usage
 * and returns -2. */
int flags_parse(int argc, char **argv, const flag_spec *specs, const cmd_usage *u,
		bool interspersed);
void flags_usage(const flag_spec *specs, const cmd_usage *u, bool to_stderr);
/* Frees the strings and lists flags_parse stored. */
void flags_free(const flag_spec *specs);

#endif
