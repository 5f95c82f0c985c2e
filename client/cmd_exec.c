/* cmd_exec.c: `engine exec`, as docker/cli's exec.go: inspect (so a missing
 * container is the error you see), the tty check, POST /containers/{id}/exec,
 * then POST /exec/{id}/start detached (-d) or hijacked (the stream, raw
 * mode with -t, resizes on SIGWINCH), and the exit code from
 * GET /exec/{id}/json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "containers_cli.h"
#include "detachkeys.h"
#include "jsonutil.h"
#include "runopts.h"
#include "stream.h"
#include "xalloc.h"

#define END_FLAGS {NULL, 0, 0, NULL, NULL, NULL, NULL}

typedef struct exec_opts {
	bool detach, interactive, tty, privileged;
	char *user, *workdir, *keys;
	char **env, **env_file;
} exec_opts;

static json_object *console_size(bool tty)
{
	unsigned h = 0, w = 0;
	if (!tty || !term_size(&h, &w))
		return NULL;
	json_object *cs = json_object_new_array();
	json_object_array_add(cs, json_object_new_int((int)h));
	json_object_array_add(cs, json_object_new_int((int)w));
	return cs;
}

static json_object *create_body(const exec_opts *o, char **cmd, err_t **err)
{
	json_object *env = runopts_env(o->env_file, o->env, err);
	if (!env)
		return NULL;
	json_object *b = json_object_new_object();
	jset_str(b, "User", o->user ? o->user : "");
	jset_bool(b, "Privileged", o->privileged);
	jset_bool(b, "Tty", o->tty);
	jset_bool(b, "AttachStdin", !o->detach && o->interactive);
	jset_bool(b, "AttachStdout", !o->detach);
	jset_bool(b, "AttachStderr", !o->detach);
	jset_str(b, "DetachKeys", o->keys ? o->keys : "");
	jset(b, "Env", env);
	jset_str(b, "WorkingDir", o->workdir ? o->workdir : "");
	jset(b, "Cmd", jstrv(cmd));
	jset(b, "ConsoleSize", console_size(o->tty));
	return b;
}

static int exit_code(cli *c, const char *id, err_t **err)
{
	_cleanup_free_ char *path = cli_path(c, "/exec/%s/json", id);
	_cleanup_json_ json_object *o = NULL;
	if (cli_call(c, "GET", path, NULL, &o, err) < 0)
		return -1;
	return (int)jget_int(o, "ExitCode", 0);
}

static int run_exec(cli *c, const exec_opts *o, const char *name, char **cmd)
{
	_cleanup_err_ err_t *err = NULL;
	unsigned char k[DETACH_KEYS_MAX];
	if (o->keys && *o->keys && detach_keys_parse(o->keys, k, &err) < 0) {
		fprintf(stderr, "invalid detach keys (%s): %s\n", o->keys, err_msg(err));
		return 1;
	}
	_cleanup_free_ char *en = cli_escape(name);
	_cleanup_free_ char *ipath = cli_path(c, "/containers/%s/json", en);
	_cleanup_json_ json_object *info = NULL;
	if (cli_call(c, "GET", ipath, NULL, &info, &err) < 0)
		return cli_report(err);
	if (!o->detach && o->tty && o->interactive && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "the input device is not a TTY\n");
		return 1;
	}
	json_object *body = create_body(o, cmd, &err);
	if (!body)
		return cli_report(err);
	_cleanup_free_ char *cpath = cli_path(c, "/containers/%s/exec", en);
	_cleanup_json_ json_object *created = NULL;
	if (cli_call(c, "POST", cpath, body, &created, &err) < 0)
		return cli_report(err);
	const char *id = jget_str(created, "Id");
	if (!id || !*id) {
		fprintf(stderr, "exec ID empty\n");
		return 1;
	}
	_cleanup_free_ char *spath = cli_path(c, "/exec/%s/start", id);
	json_object *start = json_object_new_object();
	jset_bool(start, "Detach", o->detach);
	jset_bool(start, "Tty", o->tty);
	jset(start, "ConsoleSize", console_size(o->tty));
	if (o->detach)
		return cli_call(c, "POST", spath, start, NULL, &err) < 0 ? cli_report(err) : 0;
	cli_session s = {.c = c, .id = id, .exec = true, .tty = o->tty, .in = o->interactive, .out = true,
			 .err = true, .proxy = false, .keys = o->keys, .sock = -1};
	int rc;
	if (cli_session_open(&s, spath, start, &err) < 0) {
		rc = cli_report(err);
	} else {
		int r = cli_session_stream(&s, &err);
		if (r < 0)
			rc = cli_report(err);
		else if (r == STREAM_DETACHED)
			rc = 0;
		else if ((rc = exit_code(c, id, &err)) < 0)
			rc = cli_report(err);
	}
	cli_session_done(&s);
	return rc;
}

int cmd_exec(cli *c, int argc, char **argv)
{
	exec_opts o = {0};
	const flag_spec specs[] = {
		{"detach", 'd', FLAG_BOOL, &o.detach, "Detached mode: run command in the background", NULL, NULL},
		{"detach-keys", 0, FLAG_STRING, &o.keys, "Override the key sequence for detaching a container", NULL, NULL},
		{"env", 'e', FLAG_LIST, &o.env, "Set environment variables", NULL, NULL},
		{"env-file", 0, FLAG_LIST, &o.env_file, "Read in a file of environment variables", NULL, NULL},
		{"interactive", 'i', FLAG_BOOL, &o.interactive, "Keep STDIN open even if not attached", NULL, NULL},
		{"privileged", 0, FLAG_BOOL, &o.privileged, "Give extended privileges to the command", NULL, NULL},
		{"tty", 't', FLAG_BOOL, &o.tty, "Allocate a pseudo-TTY", NULL, NULL},
		{"user", 'u', FLAG_STRING, &o.user, "Username or UID (format: \"<name|uid>[:<group|gid>]\")", NULL, NULL},
		{"workdir", 'w', FLAG_STRING, &o.workdir, "Working directory inside the container", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine exec [OPTIONS] CONTAINER COMMAND [ARG...]",
			     "Execute a command in a running container", "engine container exec, engine exec"};
	int first = flags_parse(argc, argv, specs, &u, false);
	int rc;
	if (first == -2) {
		rc = 0;
	} else if (first < 0) {
		rc = EXIT_USAGE;
	} else if (argc - first < 2) {
		fprintf(stderr, "\"engine exec\" requires at least 2 arguments.\nSee 'engine exec --help'.\n\n"
				"Usage:  %s\n\n%s\n", u.usage, u.summary);
		rc = 1;
	} else {
		rc = run_exec(c, &o, argv[first], argv + first + 1);
	}
	flags_free(specs);
	return rc;
}
