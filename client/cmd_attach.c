/* cmd_attach.c: the attached side of containers: `engine attach`, `engine
 * run` without -d, `engine start -a [-i]`, and the session machinery exec
 * shares (cli_session_*): the hijacked stream, the terminal in raw mode,
 * resizes on SIGWINCH, signals forwarded as POST /kill, and the exit code.
 *
 * `run` follows the docker CLI's order: create, attach, wait (its headers
 * come at once), start, resize, stream, then the wait's answer. The daemon
 * holds an attach made before the start for the container's shim, so not
 * a byte of a short command's output is lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "containers_cli.h"
#include "detachkeys.h"
#include "jsonutil.h"
#include "stream.h"
#include "xalloc.h"

#define END_FLAGS {NULL, 0, 0, NULL, NULL, NULL, NULL}

/* ---- the session ---- */

static int resize_to(cli_session *s, unsigned h, unsigned w)
{
	_cleanup_free_ char *eid = cli_escape(s->id);
	_cleanup_free_ char *path = cli_path(s->c, "/%s/%s/resize?h=%u&w=%u", s->exec ? "exec" : "containers", eid, h, w);
	_cleanup_err_ err_t *err = NULL;
	return cli_call(s->c, "POST", path, NULL, NULL, &err) < 0 ? -1 : 0;
}

static int resize(cli_session *s)
{
	unsigned h, w;
	if (!term_size(&h, &w) || (!h && !w))
		return 0;
	return resize_to(s, h, w);
}

/* docker's initTtySize: a failed first resize (the process may not be
 * there yet) is retried a few times. */
static void initial_resize(cli_session *s)
{
	for (int i = 0; i < 10 && resize(s) < 0; i++)
		usleep((useconds_t)(i + 1) * 10000);
}

static bool on_signal(void *ctx, int sig)
{
	cli_session *s = ctx;
	if (sig == SIGWINCH && s->tty) {
		resize(s);
		return false;
	}
	if (!s->proxy)
		return false;
	_cleanup_free_ char *eid = cli_escape(s->id);
	_cleanup_free_ char *path = cli_path(s->c, "/containers/%s/kill?signal=%d", eid, sig);
	_cleanup_err_ err_t *err = NULL;
	cli_call(s->c, "POST", path, NULL, NULL, &err);
	return false;
}

int cli_session_open(cli_session *s, const char *path, json_object *body, err_t **err)
{
	_cleanup_json_ json_object *b = body;
	if (cli_negotiate(s->c, err) < 0)
		return -1;
	const char *text = b ? jdump(b) : NULL;
	httpc_req req = {.method = "POST", .path = path, .content_type = b ? "application/json" : NULL,
			 .body = text, .body_len = text ? strlen(text) : 0, .body_fd = -1};
	httpc_resp resp;
	s->sock = httpc_hijack(s->c->http, &req, &resp, &s->extra, err);
	if (s->sock < 0 && resp.status >= 400)
		cli_error_from_resp(&resp, err);
	else if (s->sock < 0 && err && !*err)
		err_set(err, ERR_SYSTEM, 0, "unable to upgrade to tcp, received %d", resp.status);
	httpc_resp_free(&resp);
	return s->sock < 0 ? -1 : 0;
}

int cli_session_stream(cli_session *s, err_t **err)
{
	unsigned char keys[DETACH_KEYS_MAX];
	int nkeys = detach_keys_parse(s->keys && *s->keys ? s->keys : DETACH_KEYS_DEFAULT, keys, NULL);
	if (nkeys < 0)
		nkeys = detach_keys_parse(DETACH_KEYS_DEFAULT, keys, NULL);
	bool raw = s->tty && s->in && isatty(STDIN_FILENO);
	sigset_t sigs;
	stream_proxy_signals(&sigs, s->tty);
	if (!s->proxy) {
		sigemptyset(&sigs);
		if (s->tty)
			sigaddset(&sigs, SIGWINCH);
	} else if (s->tty) {
		sigaddset(&sigs, SIGWINCH);
	}
	if (raw && term_raw(err) < 0) {
		close(s->sock);
		return -1;
	}
	stream_opts o = {
		.sock = s->sock, .extra = &s->extra, .tty = s->tty, .in = s->in, .out = s->out, .err = s->err,
		.keys = keys, .nkeys = (size_t)nkeys, .signals = &sigs, .on_signal = on_signal, .ctx = s,
	};
	s->sock = -1;
	int r = stream_run(&o, err);
	if (raw)
		term_restore();
	return r;
}

void cli_session_done(cli_session *s)
{
	if (s->sock >= 0)
		close(s->sock);
	sb_free(&s->extra);
}

/* ---- waiting for the exit ---- */

typedef struct waiter {
	httpc *http;
	httpc_req req;
	char *path;
	httpc_resp resp;
	bool begun;
} waiter;

static int wait_begin(cli *c, waiter *w, const char *id, const char *cond, err_t **err)
{
	memset(w, 0, sizeof(*w));
	_cleanup_free_ char *eid = cli_escape(id);
	w->path = cond ? cli_path(c, "/containers/%s/wait?condition=%s", eid, cond)
		       : cli_path(c, "/containers/%s/wait", eid);
	w->http = httpc_new(c->host, err);
	if (!w->http)
		return -1;
	w->req = (httpc_req){.method = "POST", .path = w->path, .body_fd = -1};
	if (httpc_begin(w->http, &w->req, &w->resp, err) < 0)
		return -1;
	w->begun = true;
	if (w->resp.status >= 400) {
		httpc_finish(w->http, &w->req, &w->resp, NULL);
		return cli_error_from_resp(&w->resp, err);
	}
	return 0;
}

/* The container's exit code, or -1 with *err. */
static int wait_end(waiter *w, err_t **err)
{
	if (httpc_finish(w->http, &w->req, &w->resp, err) < 0)
		return -1;
	_cleanup_json_ json_object *o = json_parse_strict(w->resp.body.buf, w->resp.body.len, err);
	if (!o)
		return -1;
	const char *msg = jget_str(jget_obj(o, "Error"), "Message");
	if (msg && *msg)
		return err_set(err, ERR_SYSTEM, 0, "%s", msg);
	return (int)jget_int(o, "StatusCode", 0);
}

static void wait_free(waiter *w)
{
	if (w->begun)
		httpc_resp_free(&w->resp);
	httpc_free(w->http);
	free(w->path);
}

/* ---- run, start -a ---- */

static char *attach_path(cli *c, const char *id, bool in, bool out, bool err, const char *keys)
{
	_cleanup_free_ char *eid = cli_escape(id);
	_cleanup_free_ char *ek = keys && *keys ? cli_escape(keys) : NULL;
	return cli_path(c, "/containers/%s/attach?stream=1&stdin=%d&stdout=%d&stderr=%d%s%s", eid, in, out, err,
			ek ? "&detachKeys=" : "", ek ? ek : "");
}

static int check_keys(const char *keys)
{
	unsigned char k[DETACH_KEYS_MAX];
	_cleanup_err_ err_t *err = NULL;
	if (!keys || !*keys || detach_keys_parse(keys, k, &err) >= 0)
		return 0;
	fprintf(stderr, "invalid detach keys (%s): %s\n", keys, err_msg(err));
	return -1;
}

static int check_tty(bool in, bool tty)
{
	if (tty && in && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "the input device is not a TTY\n");
		return -1;
	}
	return 0;
}

/* docker/cli's toStatusError: 126/127 when the command could not run. */
static int start_failure_code(const err_t *err)
{
	const char *m = err_msg(err);
	if (strstr(m, "executable file not found") || strstr(m, "no such file or directory"))
		return 127;
	if (strstr(m, "permission denied") || strstr(m, "is a directory"))
		return 126;
	return 125;
}

static int streams_from(const runopts *o, bool *in, bool *out, bool *err)
{
	if (!o->attach) {
		*in = o->interactive;
		*out = *err = true;
		return 0;
	}
	*in = *out = *err = false;
	for (char **a = o->attach; *a; a++) {
		if (!strcasecmp(*a, "stdin"))
			*in = true;
		else if (!strcasecmp(*a, "stdout"))
			*out = true;
		else if (!strcasecmp(*a, "stderr"))
			*err = true;
		else {
			fprintf(stderr, "invalid argument \"%s\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR\n", *a);
			return -1;
		}
	}
	return 0;
}

/* Attach, wait, start, stream, exit code: what run, start -a and attach
 * share. cond: the wait condition (NULL: not-running). */
static int attach_and_start(cli *c, const char *id, cli_session *s, const char *cond, bool start)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *path = attach_path(c, id, s->in, s->out, s->err, s->keys);
	if (cli_session_open(s, path, NULL, &err) < 0) {
		cli_report(err);
		return EXIT_USAGE;
	}
	waiter w;
	if (wait_begin(c, &w, id, cond, &err) < 0) {
		cli_report(err);
		wait_free(&w);
		return EXIT_USAGE;
	}
	if (start) {
		_cleanup_free_ char *eid = cli_escape(id);
		_cleanup_free_ char *spath = cli_path(c, "/containers/%s/start", eid);
		if (cli_call(c, "POST", spath, NULL, NULL, &err) < 0) {
			fprintf(stderr, "engine: ");
			cli_report(err);
			wait_free(&w);
			return start_failure_code(err);
		}
	}
	unsigned th, tw;
	if (s->tty && isatty(STDOUT_FILENO) && !start && term_size(&th, &tw))
		resize_to(s, th + 1, tw + 1); /* a size change makes the shell redraw its prompt */
	if (s->tty && isatty(STDOUT_FILENO))
		initial_resize(s);
	int r = cli_session_stream(s, &err);
	if (r < 0) {
		cli_report(err);
		wait_free(&w);
		return EXIT_USAGE;
	}
	if (r == STREAM_DETACHED) {
		wait_free(&w);
		return 0;
	}
	int code = wait_end(&w, &err);
	wait_free(&w);
	if (code < 0) {
		cli_report(err);
		return EXIT_USAGE;
	}
	return code;
}

int cli_run_attached(cli *c, const runopts *o, const char *image, char *const *cmd)
{
	bool in, out, errs;
	if (streams_from(o, &in, &out, &errs) < 0)
		return EXIT_USAGE;
	if (o->rm && o->restart && strcmp(o->restart, "no")) {
		fprintf(stderr, "engine: Conflicting options: --restart and --rm.\nSee 'engine run --help'.\n");
		return EXIT_USAGE;
	}
	if (check_tty(in, o->tty) < 0 || check_keys(o->detach_keys) < 0)
		return 1;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *id = NULL;
	if (cli_create_container(c, o, image, cmd, &id, &err) < 0) {
		fprintf(stderr, "engine: ");
		cli_report(err);
		return EXIT_USAGE;
	}
	cli_session s = {.c = c, .id = id, .tty = o->tty, .in = in, .out = out, .err = errs,
			 .proxy = !o->sig_proxy_set || o->sig_proxy, .keys = o->detach_keys, .sock = -1};
	int rc = attach_and_start(c, id, &s, o->rm ? "removed" : "next-exit", true);
	cli_session_done(&s);
	return rc;
}

/* GET /containers/{id}/json. */
static json_object *inspect(cli *c, const char *name, err_t **err)
{
	_cleanup_free_ char *en = cli_escape(name);
	_cleanup_free_ char *path = cli_path(c, "/containers/%s/json", en);
	json_object *o = NULL;
	return cli_call(c, "GET", path, NULL, &o, err) < 0 ? NULL : o;
}

int cli_start_attached(cli *c, const char *name, bool interactive, const char *detach_keys)
{
	_cleanup_err_ err_t *err = NULL;
	if (check_keys(detach_keys) < 0)
		return 1;
	_cleanup_json_ json_object *info = inspect(c, name, &err);
	if (!info) {
		cli_report(err);
		return 1;
	}
	json_object *cfg = jget_obj(info, "Config");
	bool tty = jget_bool(cfg, "Tty", false);
	bool in = interactive && jget_bool(cfg, "OpenStdin", false);
	if (check_tty(in, tty) < 0)
		return 1;
	const char *id = jget_str(info, "Id");
	cli_session s = {.c = c, .id = id, .tty = tty, .in = in, .out = true, .err = true, .proxy = !tty,
			 .keys = detach_keys, .sock = -1};
	bool autoremove = jget_bool(jget_obj(info, "HostConfig"), "AutoRemove", false);
	int rc = attach_and_start(c, id, &s, autoremove ? "removed" : "next-exit", true);
	cli_session_done(&s);
	return rc;
}

/* ---- engine attach ---- */

static int attach_running(cli *c, const char *name, bool no_stdin, bool proxy, const char *keys)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *info = inspect(c, name, &err);
	if (!info)
		return cli_report(err);
	json_object *st = jget_obj(info, "State");
	const char *why = !jget_bool(st, "Running", false)    ? "cannot attach to a stopped container, start it first"
			  : jget_bool(st, "Paused", false)     ? "cannot attach to a paused container, unpause it first"
			  : jget_bool(st, "Restarting", false) ? "cannot attach to a restarting container, wait until it is running"
							       : NULL;
	if (why) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	json_object *cfg = jget_obj(info, "Config");
	bool tty = jget_bool(cfg, "Tty", false);
	bool in = !no_stdin && jget_bool(cfg, "OpenStdin", false);
	if (check_tty(!no_stdin, tty) < 0)
		return 1;
	const char *id = jget_str(info, "Id");
	cli_session s = {.c = c, .id = id, .tty = tty, .in = in, .out = true, .err = true, .proxy = proxy && !tty,
			 .keys = keys, .sock = -1};
	int rc = attach_and_start(c, id, &s, NULL, false);
	cli_session_done(&s);
	return rc;
}

int cmd_attach(cli *c, int argc, char **argv)
{
	bool no_stdin = false, proxy = true;
	char *keys = NULL;
	const flag_spec specs[] = {
		{"detach-keys", 0, FLAG_STRING, &keys, "Override the key sequence for detaching a container", NULL, NULL},
		{"no-stdin", 0, FLAG_BOOL, &no_stdin, "Do not attach STDIN", NULL, NULL},
		{"sig-proxy", 0, FLAG_BOOL, &proxy, "Proxy all received signals to the process", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine attach [OPTIONS] CONTAINER",
			     "Attach local standard input, output, and error streams to a running container",
			     "engine container attach, engine attach"};
	int first = flags_parse(argc, argv, specs, &u, true);
	int rc;
	if (first == -2)
		rc = 0;
	else if (first < 0)
		rc = EXIT_USAGE;
	else if (argc - first != 1) {
		fprintf(stderr, "\"engine attach\" requires exactly 1 argument.\nSee 'engine attach --help'.\n");
		rc = EXIT_USAGE;
	} else if (check_keys(keys) < 0) {
		rc = 1;
	} else {
		rc = attach_running(c, argv[first], no_stdin, proxy, keys);
	}
	flags_free(specs);
	return rc;
}
