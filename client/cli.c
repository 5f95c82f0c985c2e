/* cli.c: the shared CLI machinery (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "version.h"
#include "xalloc.h"

int cli_negotiate(cli *c, err_t **err)
{
	if (c->version[0])
		return 0;
	const char *pinned = getenv("DOCKER_API_VERSION");
	if (pinned && *pinned) {
		snprintf(c->version, sizeof(c->version), "%s", pinned);
		return 0;
	}
	httpc_req req = {.method = "HEAD", .path = "/_ping", .body_fd = -1};
	httpc_resp resp;
	if (httpc_do(c->http, &req, &resp, err) < 0)
		return -1;
	const char *server = resp.api_version ? resp.api_version : "1.24";
	if (api_version_cmp(server, API_MIN_VERSION) < 0) {
		err_set(err, ERR_INVALID, 0, "the daemon's API version %s is older than the oldest this client speaks (%s)",
			server, API_MIN_VERSION);
		httpc_resp_free(&resp);
		return -1;
	}
	snprintf(c->version, sizeof(c->version), "%s",
		 api_version_cmp(server, API_VERSION) < 0 ? server : API_VERSION);
	httpc_resp_free(&resp);
	return 0;
}

char *cli_path(cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	char *full = xasprintf("/v%s%s", c->version[0] ? c->version : API_VERSION, p);
	free(p);
	return full;
}

char *cli_escape(const char *s)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~", *p)) {
			sb_putc(&sb, (char)*p);
		} else {
			sb_putc(&sb, '%');
			sb_putc(&sb, hex[*p >> 4]);
			sb_putc(&sb, hex[*p & 15]);
		}
	}
	return sb_steal(&sb);
}

static err_kind kind_of(int status)
{
	switch (status) {
	case 400: return ERR_INVALID;
	case 401: return ERR_UNAUTHORIZED;
	case 403: return ERR_FORBIDDEN;
	case 404: return ERR_NOT_FOUND;
	case 409: return ERR_CONFLICT;
	case 304: return ERR_NOT_MODIFIED;
	case 501: return ERR_NOT_IMPLEMENTED;
	case 503: return ERR_UNAVAILABLE;
	default: return ERR_SYSTEM;
	}
}

int cli_error_from_resp(const httpc_resp *resp, err_t **err)
{
	_cleanup_err_ err_t *perr = NULL;
	_cleanup_json_ json_object *o = NULL;
	if (resp->body.len)
		o = json_parse_strict(resp->body.buf, resp->body.len, &perr);
	const char *m = jget_str(o, "message");
	err_t *e = NULL;
	if (m)
		err_set(&e, kind_of(resp->status), 0, "%s", m);
	else if (resp->body.len)
		err_set(&e, kind_of(resp->status), 0, "%.*s", (int)(resp->body.len > 512 ? 512 : resp->body.len),
			resp->body.buf);
	else
		err_set(&e, kind_of(resp->status), 0, "the daemon answered %d", resp->status);
	/* Mark the message as the daemon's, for cli_report. */
	e->errnum = -resp->status;
	if (err && !*err)
		*err = e;
	else
		err_free(&e);
	return -1;
}

int cli_call_raw(cli *c, const char *method, const char *path, json_object *body,
		 httpc_resp *resp, err_t **err)
{
	_cleanup_json_ json_object *b = body;
	if (cli_negotiate(c, err) < 0)
		return -1;
	const char *text = b ? jdump(b) : NULL;
	httpc_req req = {
		.method = method,
		.path = path,
		.content_type = b ? "application/json" : NULL,
		.body = text,
		.body_len = text ? strlen(text) : 0,
		.body_fd = -1,
	};
	if (httpc_do(c->http, &req, resp, err) < 0)
		return -1;
	return resp->status;
}

int cli_call(cli *c, const char *method, const char *path, json_object *body, json_object **out,
	     err_t **err)
{
	httpc_resp resp;
	if (out)
		*out = NULL;
	int status = cli_call_raw(c, method, path, body, &resp, err);
	if (status < 0)
		return -1;
	if (status >= 400) {
		cli_error_from_resp(&resp, err);
		httpc_resp_free(&resp);
		return -1;
	}
	if (out && resp.body.len) {
		*out = json_parse_strict(resp.body.buf, resp.body.len, err);
		if (!*out) {
			httpc_resp_free(&resp);
			return -1;
		}
	}
	httpc_resp_free(&resp);
	return status;
}

int cli_report(const err_t *err)
{
	if (err && err->errnum < 0)
		fprintf(stderr, "Error response from daemon: %s\n", err_msg(err));
	else
		fprintf(stderr, "%s\n", err_msg(err));
	return EXIT_DAEMON_ERROR;
}

static void group_usage(const cmd_entry *table, const char *group, const char *summary, FILE *out)
{
	fprintf(out, "\nUsage:  engine %s COMMAND\n\n%s\n\nCommands:\n", group, summary);
	for (const cmd_entry *e = table; e->name; e++)
		fprintf(out, "  %-11s %s\n", e->name, e->summary);
	fprintf(out, "\nRun 'engine %s COMMAND --help' for more information on a command.\n", group);
}

int cli_dispatch_group(cli *c, int argc, char **argv, const cmd_entry *table, const char *group,
		       const char *summary)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		group_usage(table, group, summary, argc < 2 ? stderr : stdout);
		return argc < 2 ? 0 : 0;
	}
	for (const cmd_entry *e = table; e->name; e++)
		if (!strcmp(e->name, argv[1]))
			return e->fn(c, argc - 1, argv + 1);
	fprintf(stderr, "engine: '%s %s' is not an engine command.\nSee 'engine %s --help'\n", group,
		argv[1], group);
	return EXIT_USAGE;
}
