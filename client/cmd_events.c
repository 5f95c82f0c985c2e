/* cmd_events.c: `engine events` / `engine system events`. --since and
 * --until are turned into the API's "seconds.nanoseconds" as the docker CLI
 * does (durations, dates, RFC 3339, Unix times); each event is printed as
 * docker prints it ("2024-01-02T03:04:05.000000000Z container start ID
 * (image=busybox, name=web)") or through --format as it arrives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "filters.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "template.h"
#include "timeutil.h"
#include "xalloc.h"

typedef struct ev_print {
	tmpl_t *tmpl;      /* NULL: docker's default line */
	strbuf line;       /* a partial JSON line */
	err_t *failed;
} ev_print;

/* RFC3339NanoFixed in local time: nine fraction digits always. */
static void print_time(int64_t nano)
{
	time_t sec = (time_t)(nano / NS_PER_SEC);
	struct tm tm;
	localtime_r(&sec, &tm);
	char date[64], zone[16];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (tm.tm_gmtoff == 0)
		snprintf(zone, sizeof(zone), "Z");
	else
		snprintf(zone, sizeof(zone), "%c%02d:%02d", tm.tm_gmtoff < 0 ? '-' : '+',
			 (int)(labs(tm.tm_gmtoff) / 3600 % 100), (int)(labs(tm.tm_gmtoff) % 3600 / 60));
	printf("%s.%09lld%s ", date, (long long)(nano % NS_PER_SEC), zone);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_default(json_object *ev)
{
	print_time(jget_int(ev, "timeNano", 0));
	json_object *actor = jget_obj(ev, "Actor");
	printf("%s %s %s", jget_str(ev, "Type") ?: "", jget_str(ev, "Action") ?: "", jget_str(actor, "ID") ?: "");
	json_object *attrs = jobj_or_empty(jget_obj(actor, "Attributes"));
	size_t n = (size_t)json_object_object_length(attrs), i = 0;
	if (n) {
		char **keys = xcalloc(n, sizeof(char *));
		json_object_object_foreach(attrs, k, v) {
			(void)v;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(char *), cmp_str);
		printf(" (");
		for (i = 0; i < n; i++)
			printf("%s%s=%s", i ? ", " : "", keys[i], jget_str(attrs, keys[i]) ?: "");
		printf(")");
		free(keys);
	}
	printf("\n");
}

static void take_line(ev_print *p, const char *text, size_t len)
{
	if (!len || p->failed)
		return;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *ev = json_parse_strict(text, len, &err);
	if (!ev)
		return;
	if (!p->tmpl) {
		print_default(ev);
	} else {
		_cleanup_sb_ strbuf out = STRBUF_INIT;
		if (tmpl_exec(p->tmpl, ev, &out, &p->failed) < 0)
			return;
		printf("%s\n", sb_str(&out));
	}
	fflush(stdout);
}

static int on_data(void *ctx, const char *data, size_t n)
{
	ev_print *p = ctx;
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			take_line(p, sb_str(&p->line), p->line.len);
			sb_reset(&p->line);
		} else if (p->line.len < (1u << 20)) {
			sb_putc(&p->line, data[i]);
		}
	}
	return p->failed ? -1 : 0;
}

/* since/until as the API wants them. */
static int time_arg(const char *value, const char *flag, char **out, err_t **err)
{
	time_ref now = time_ref_now();
	if (time_get_timestamp(value, &now, out, err) < 0)
		return err_wrap(err, "invalid value for \"--%s\"", flag);
	return 0;
}

static int build_path(cli *c, const char *since, const char *until, char **filter, char **path, err_t **err)
{
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	_cleanup_free_ char *s = NULL, *u = NULL;
	if ((since && time_arg(since, "since", &s, err) < 0) || (until && time_arg(until, "until", &u, err) < 0))
		return -1;
	_cleanup_filters_ filters *f = filters_new();
	for (char **a = filter; a && *a; a++)
		if (filters_add_arg(f, *a, err) < 0)
			return -1;
	_cleanup_free_ char *fj = filters_to_json(f);
	_cleanup_free_ char *efj = cli_escape(fj);
	if (s)
		sb_printf(&q, "&since=%s", s);
	if (u)
		sb_printf(&q, "&until=%s", u);
	if (*fj)
		sb_printf(&q, "&filters=%s", efj);
	*path = cli_path(c, "/events%s%s", q.len ? "?" : "", q.len ? q.buf + 1 : "");
	return 0;
}

int cmd_events(cli *c, int argc, char **argv)
{
	char *since = NULL, *until = NULL, *format = NULL;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"filter", 'f', FLAG_LIST, &filter, "Filter output based on conditions provided", "filter", NULL},
		{"format", 0, FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"since", 0, FLAG_STRING, &since, "Show all events created since timestamp", NULL, NULL},
		{"until", 0, FLAG_STRING, &until, "Stream events until this timestamp", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {"engine events [OPTIONS]", "Get real time events from the server",
			     "engine system events, engine events"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0) {
		flags_free(specs);
		return first == -2 ? 0 : EXIT_USAGE;
	}
	ev_print p = {0};
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *path = NULL;
	int rc = 0;
	if (format && *format) {
		_cleanup_free_ char *src = tmpl_docker_source(format);
		if (tmpl_parse(src, &p.tmpl, &err) < 0) {
			fprintf(stderr, "template parsing error: %s\n", err->msg);
			flags_free(specs);
			return EXIT_USAGE;
		}
	}
	if (build_path(c, since, until, filter, &path, &err) < 0 || cli_negotiate(c, &err) < 0) {
		rc = cli_report(err);
	} else {
		httpc_req req = {.method = "GET", .path = path, .body_fd = -1};
		httpc_resp resp;
		if (httpc_stream(c->http, &req, &resp, on_data, &p, &err) < 0) {
			rc = cli_report(err);
		} else if (resp.status >= 400) {
			resp.body = p.line;
			p.line = (strbuf)STRBUF_INIT;
			cli_error_from_resp(&resp, &err);
			rc = cli_report(err);
		} else if (p.failed) {
			fprintf(stderr, "template: %s\n", p.failed->msg);
			rc = EXIT_USAGE;
		}
		httpc_resp_free(&resp);
	}
	tmpl_free(p.tmpl);
	sb_free(&p.line);
	err_free(&p.failed);
	flags_free(specs);
	return rc;
}
