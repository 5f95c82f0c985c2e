/* progress.c: the JSON message stream of pull, push, load and import, shown
 * as the docker CLI shows it: on a terminal one line per layer ID, rewritten
 * in place with ANSI cursor moves; otherwise one line per message. An
 * errorDetail ends the command with its message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "containers_cli.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

typedef struct progress {
	bool tty;
	char **ids;     /* layer lines on screen, top to bottom */
	size_t n, cap;
	strbuf line;    /* a partial JSON line */
	err_t *failed;
	const httpc_resp *resp; /* its status says whether the body is an error */
	strbuf errbody; /* the body of an error status, kept whole */
} progress;

static size_t line_of(progress *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->ids[i], id))
			return i;
	p->ids = xgrow(p->ids, &p->cap, p->n + 1, sizeof(char *));
	p->ids[p->n] = xstrdup(id);
	printf("\n");
	return p->n++;
}

static void show(progress *p, json_object *m)
{
	const char *id = jget_str(m, "id"), *status = jget_str(m, "status");
	const char *bar = jget_str(m, "progress");
	const char *stream = jget_str(m, "stream");
	if (stream) {
		fputs(stream, stdout);
		return;
	}
	if (!status)
		return;
	if (!id || !*id) {
		printf("%s\n", status);
		return;
	}
	if (!p->tty) {
		printf("%s: %s%s%s\n", id, status, bar ? " " : "", bar ? bar : "");
		return;
	}
	size_t at = line_of(p, id);
	size_t up = p->n - at;
	printf("\033[%zuA\r\033[2K%s: %s%s%s\033[%zuB\r", up, id, status, bar ? " " : "", bar ? bar : "", up);
}

static void take_line(progress *p, const char *text, size_t len)
{
	if (!len || p->failed)
		return;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *m = json_parse_strict(text, len, &err);
	if (!m)
		return;
	json_object *ed = jget_obj(m, "errorDetail");
	const char *emsg = ed ? jget_str(ed, "message") : jget_str(m, "error");
	if (emsg) {
		err_set(&p->failed, ERR_SYSTEM, 0, "%s", emsg);
		p->failed->errnum = -500; /* the daemon's words */
		return;
	}
	show(p, m);
	fflush(stdout);
}

static int on_data(void *ctx, const char *data, size_t n)
{
	progress *p = ctx;
	if (p->resp->status >= 400) {
		if (p->errbody.len < (64u << 10))
			sb_append(&p->errbody, data, n);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			take_line(p, sb_str(&p->line), p->line.len);
			sb_reset(&p->line);
		} else if (p->line.len < (16u << 20)) {
			sb_putc(&p->line, data[i]);
		}
	}
	return 0;
}

int cli_pull_stream(cli *c, const char *path, err_t **err)
{
	const char *auth[] = {"X-Registry-Auth: e30=", NULL};
	httpc_req req = {.method = "POST", .path = path, .body_fd = -1, .headers = auth};
	return cli_message_stream(c, &req, err);
}

int cli_message_stream(cli *c, const httpc_req *req, err_t **err)
{
	if (cli_negotiate(c, err) < 0)
		return -1;
	httpc_resp resp;
	progress p = {.tty = isatty(STDOUT_FILENO), .resp = &resp};
	int r = httpc_stream(c->http, req, &resp, on_data, &p, err);
	if (r == 0 && resp.status >= 400) {
		/* An error before the stream: the body was the JSON error. */
		sb_free(&resp.body);
		resp.body = p.errbody;
		p.errbody = (strbuf)STRBUF_INIT;
		cli_error_from_resp(&resp, err);
		r = -1;
	} else if (r == 0 && p.line.len) {
		take_line(&p, sb_str(&p.line), p.line.len);
	}
	if (r == 0 && p.failed) {
		*err = steal_ptr(&p.failed);
		r = -1;
	}
	httpc_resp_free(&resp);
	err_free(&p.failed);
	sb_free(&p.line);
	sb_free(&p.errbody);
	strv_free(p.ids);
	return r;
}
