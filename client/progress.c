/* progress.c: the JSON message stream of pull, push, load and import,
 * shown as the docker CLI's jsonmessage package shows it. On a terminal a
 * message with an id and a progressDetail owns one line, rewritten in
 * place with ANSI cursor moves, and its bar is drawn from the detail
 * (current/total) at the terminal's width (the bar itself only above 110
 * columns); a message without them is a plain line and starts a new block.
 * Elsewhere, progress updates are skipped and the rest is one line each.
 * aux messages go to a callback; an errorDetail ends the command with its
 * message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "containers_cli.h"
#include "jsonutil.h"
#include "progress.h"
#include "strbuf.h"
#include "units.h"
#include "xalloc.h"

typedef struct progress {
	const cli_msg_opts *o;
	FILE *out;
	bool tty;
	int width;
	char **ids;     /* lines of the current block, top to bottom */
	size_t n, cap;
	strbuf line;    /* a partial JSON line */
	err_t *failed;
	const httpc_resp *resp; /* its status says whether the body is an error */
	strbuf errbody; /* the body of an error status, kept whole */
} progress;

static void forget_ids(progress *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->ids[i]);
	p->n = 0;
}

static size_t line_of(progress *p, const char *id, bool *fresh)
{
	*fresh = false;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->ids[i], id))
			return i;
	p->ids = xgrow(p->ids, &p->cap, p->n + 1, sizeof(char *));
	p->ids[p->n] = xstrdup(id);
	*fresh = true;
	return p->n++;
}

/* jsonmessage.JSONProgress.String() */
static char *bar_text(progress *p, json_object *d)
{
	return api_progress_bar(jget_int(d, "current", 0), jget_int(d, "total", 0), p->width > 110);
}

/* jsonmessage.JSONMessage.Display() */
static void display(progress *p, json_object *m)
{
	FILE *out = p->out;
	json_object *detail = jget_obj(m, "progressDetail");
	const char *id = jget_str(m, "id"), *status = jget_str(m, "status");
	const char *stream = jget_str(m, "stream");
	_cleanup_free_ char *bar = detail ? bar_text(p, detail) : NULL;
	const char *endl = "";
	if (p->tty && !stream && detail) {
		fputs("\033[2K\r", out);
		endl = "\r";
	} else if (detail && *bar) {
		return; /* no progress bars off a terminal */
	}
	if (id && *id)
		fprintf(out, "%s: ", id);
	if (detail && p->tty)
		fprintf(out, "%s %s%s", status ? status : "", bar, endl);
	else if (stream)
		fprintf(out, "%s%s", stream, endl);
	else
		fprintf(out, "%s%s\n", status ? status : "", endl);
}

/* jsonmessage.DisplayJSONMessagesStream, one message */
static void show(progress *p, json_object *m)
{
	json_object *aux = jget(m, "aux");
	if (aux) {
		if (p->o && p->o->aux)
			p->o->aux(p->o->aux_ctx, aux);
		return;
	}
	if (p->o && p->o->quiet)
		return;
	const char *id = jget_str(m, "id");
	size_t diff = 0;
	if (id && *id && jget(m, "progressDetail")) {
		bool fresh;
		size_t line = line_of(p, id, &fresh);
		if (fresh && p->tty)
			fputc('\n', p->out);
		diff = p->n - line;
		if (p->tty)
			fprintf(p->out, "\033[%zuA", diff);
	} else {
		forget_ids(p); /* a plain line: later updates belong to a new block */
	}
	display(p, m);
	if (id && *id && p->tty && diff)
		fprintf(p->out, "\033[%zuB", diff);
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
	fflush(p->out);
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

int cli_pull_stream(cli *c, const char *path, const char *auth, FILE *out, err_t **err)
{
	_cleanup_free_ char *hdr = xasprintf("X-Registry-Auth: %s", auth && *auth ? auth : "e30=");
	const char *headers[] = {hdr, NULL};
	httpc_req req = {.method = "POST", .path = path, .body_fd = -1, .headers = headers};
	cli_msg_opts o = {.out = out};
	return cli_message_stream_opts(c, &req, &o, err);
}

int cli_message_stream(cli *c, const httpc_req *req, err_t **err)
{
	return cli_message_stream_opts(c, req, NULL, err);
}

int cli_message_stream_opts(cli *c, const httpc_req *req, const cli_msg_opts *o, err_t **err)
{
	if (cli_negotiate(c, err) < 0)
		return -1;
	httpc_resp resp;
	FILE *out = o && o->out ? o->out : stdout;
	progress p = {.o = o, .out = out, .tty = isatty(fileno(out)), .resp = &resp, .width = 200};
	struct winsize ws;
	if (p.tty && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		p.width = ws.ws_col;
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
	forget_ids(&p);
	free(p.ids);
	return r;
}
