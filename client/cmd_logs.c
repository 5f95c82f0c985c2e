/* cmd_logs.c: what a container printed and runs: `engine logs` (-f, --tail,
 * -t, --since, --until, --details; frames split to stdout and stderr
 * without a tty, raw with one) and `engine top` (ps columns in docker's
 * tabwriter layout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "containers_cli.h"
#include "jsonutil.h"
#include "stream.h"
#include "tabwriter.h"
#include "timeutil.h"
#include "xalloc.h"

#define END_FLAGS {NULL, 0, 0, NULL, NULL, NULL, NULL}

typedef struct logs_sink {
	bool tty;
	demux d;
	err_t *err;
} logs_sink;

static int on_data(void *ctx, const char *data, size_t n)
{
	logs_sink *k = ctx;
	if (k->tty) {
		fwrite(data, 1, n, stdout);
		fflush(stdout);
		return 0;
	}
	return demux_feed(&k->d, data, n, &k->err);
}

/* --since/--until as the docker client sends them. */
static int add_time(strbuf *q, const char *key, const char *value, err_t **err)
{
	if (!value || !*value)
		return 0;
	time_ref now = time_ref_now();
	_cleanup_free_ char *ts = NULL;
	if (time_get_timestamp(value, &now, &ts, err) < 0)
		return err_wrap(err, "invalid value for \"%s\"", key);
	_cleanup_free_ char *e = cli_escape(ts);
	sb_printf(q, "&%s=%s", key, e);
	return 0;
}

typedef struct logs_opts {
	bool follow, timestamps, details;
	char *since, *until, *tail;
} logs_opts;

static int run_logs(cli *c, const logs_opts *o, const char *name)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *en = cli_escape(name);
	_cleanup_free_ char *ipath = cli_path(c, "/containers/%s/json", en);
	_cleanup_json_ json_object *info = NULL;
	if (cli_call(c, "GET", ipath, NULL, &info, &err) < 0)
		return cli_report(err);
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	sb_puts(&q, "stdout=1&stderr=1");
	if (add_time(&q, "since", o->since, &err) < 0 || add_time(&q, "until", o->until, &err) < 0)
		return cli_report(err);
	if (o->timestamps)
		sb_puts(&q, "&timestamps=1");
	if (o->details)
		sb_puts(&q, "&details=1");
	if (o->follow)
		sb_puts(&q, "&follow=1");
	if (o->tail && *o->tail && strcmp(o->tail, "all")) {
		_cleanup_free_ char *et = cli_escape(o->tail);
		sb_printf(&q, "&tail=%s", et);
	}
	_cleanup_free_ char *eid = cli_escape(jget_str(info, "Id"));
	_cleanup_free_ char *path = cli_path(c, "/containers/%s/logs?%s", eid, q.buf);
	logs_sink k = {.tty = jget_bool(jget_obj(info, "Config"), "Tty", false)};
	httpc_req req = {.method = "GET", .path = path, .body_fd = -1};
	httpc_resp resp;
	int rc = 0;
	if (httpc_begin(c->http, &req, &resp, &err) < 0) {
		rc = cli_report(err);
	} else if (resp.status >= 400) {
		httpc_finish(c->http, &req, &resp, NULL);
		cli_error_from_resp(&resp, &err);
		rc = cli_report(err);
	} else if (httpc_finish_stream(c->http, &req, &resp, on_data, &k, &err) < 0) {
		rc = cli_report(err);
	} else if (k.err) {
		rc = cli_report(k.err);
	}
	fflush(stdout);
	demux_done(&k.d);
	err_free(&k.err);
	httpc_resp_free(&resp);
	return rc;
}

int cmd_logs(cli *c, int argc, char **argv)
{
	logs_opts o = {0};
	const flag_spec specs[] = {
		{"details", 0, FLAG_BOOL, &o.details, "Show extra details provided to logs", NULL, NULL},
		{"follow", 'f', FLAG_BOOL, &o.follow, "Follow log output", NULL, NULL},
		{"since", 0, FLAG_STRING, &o.since, "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)", NULL, NULL},
		{"tail", 'n', FLAG_STRING, &o.tail, "Number of lines to show from the end of the logs", NULL, NULL},
		{"timestamps", 't', FLAG_BOOL, &o.timestamps, "Show timestamps", NULL, NULL},
		{"until", 0, FLAG_STRING, &o.until, "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine logs [OPTIONS] CONTAINER", "Fetch the logs of a container",
			     "engine container logs, engine logs"};
	int first = flags_parse(argc, argv, specs, &u, true);
	int rc;
	if (first == -2) {
		rc = 0;
	} else if (first < 0) {
		rc = EXIT_USAGE;
	} else if (argc - first != 1) {
		fprintf(stderr, "\"engine logs\" requires exactly 1 argument.\nSee 'engine logs --help'.\n\n"
				"Usage:  %s\n\n%s\n", u.usage, u.summary);
		rc = 1;
	} else {
		rc = run_logs(c, &o, argv[first]);
	}
	flags_free(specs);
	return rc;
}

/* ---- top ---- */

static int run_top(cli *c, const char *name, char **ps_args)
{
	_cleanup_sb_ strbuf args = STRBUF_INIT;
	for (char **a = ps_args; a && *a; a++)
		sb_printf(&args, "%s%s", args.len ? " " : "", *a);
	_cleanup_free_ char *en = cli_escape(name);
	_cleanup_free_ char *ea = args.len ? cli_escape(args.buf) : NULL;
	_cleanup_free_ char *path = ea ? cli_path(c, "/containers/%s/top?ps_args=%s", en, ea)
				       : cli_path(c, "/containers/%s/top", en);
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *o = NULL;
	if (cli_call(c, "GET", path, NULL, &o, &err) < 0)
		return cli_report(err);
	_cleanup_tw_ tabwriter *tw = tw_new(20, 1, 3, ' ', 0);
	json_object *titles = jget_arr(o, "Titles"), *procs = jget_arr(o, "Processes");
	for (size_t i = 0; titles && i < json_object_array_length(titles); i++) {
		if (i)
			tw_puts(tw, "\t");
		tw_puts(tw, json_object_get_string(json_object_array_get_idx(titles, i)));
	}
	tw_puts(tw, "\n");
	for (size_t i = 0; procs && i < json_object_array_length(procs); i++) {
		json_object *row = json_object_array_get_idx(procs, i);
		for (size_t j = 0; j < json_object_array_length(row); j++) {
			if (j)
				tw_puts(tw, "\t");
			tw_puts(tw, json_object_get_string(json_object_array_get_idx(row, j)));
		}
		tw_puts(tw, "\n");
	}
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	tw_flush(tw, &out);
	fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
	return 0;
}

int cmd_top(cli *c, int argc, char **argv)
{
	const flag_spec specs[] = {END_FLAGS};
	const cmd_usage u = {"engine top CONTAINER [ps OPTIONS]", "Display the running processes of a container",
			     "engine container top, engine top"};
	int first = flags_parse(argc, argv, specs, &u, false);
	if (first == -2)
		return 0;
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first < 1) {
		fprintf(stderr, "\"engine top\" requires at least 1 argument.\nSee 'engine top --help'.\n\n"
				"Usage:  %s\n\n%s\n", u.usage, u.summary);
		return 1;
	}
	return run_top(c, argv[first], argv + first + 1);
}
