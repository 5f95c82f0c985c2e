/* jsonmsg.c: see jsonmsg.h. Display follows docker's
 * jsonmessage.JSONMessage.Display; a line longer than 1 MiB (no daemon
 * sends one) is an error rather than unbounded memory. */
#include "jsonmsg.h"

#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "progress.h"
#include "xalloc.h"

#define LINE_MAX_BYTES (1u << 20)

void jsonmsg_init(jsonmsg *m, FILE *out)
{
	memset(m, 0, sizeof(*m));
	m->out = out;
	m->tty = isatty(fileno(out));
}

void jsonmsg_free(jsonmsg *m)
{
	sb_free(&m->line);
	err_free(&m->err);
	free(m->last_status);
}

static void end_progress(jsonmsg *m)
{
	if (m->progress_open)
		fputc('\n', m->out);
	m->progress_open = false;
}

static void show(jsonmsg *m, json_object *o)
{
	json_object *detail = jget_obj(o, "errorDetail");
	const char *emsg = jget_str(detail, "message");
	if (!emsg)
		emsg = jget_str(o, "error");
	if (emsg) {
		end_progress(m);
		err_set(&m->err, ERR_SYSTEM, 0, "%s", emsg);
		return;
	}
	const char *id = jget_str(o, "id"), *status = jget_str(o, "status");
	const char *stream = jget_str(o, "stream");
	json_object *pd = jget_obj(o, "progressDetail");
	int64_t cur = jget_int(pd, "current", 0), total = jget_int(pd, "total", 0);
	if (status) {
		free(m->last_status);
		m->last_status = xstrdup(status);
	}
	if (pd && (cur > 0 || total > 0)) {
		/* docker shows bars only on a terminal */
		if (!m->tty)
			return;
		_cleanup_free_ char *bar = api_progress_bar(cur, total);
		fprintf(m->out, "\r\033[2K%s%s%s %s", id ? id : "", id ? ": " : "", status ? status : "", bar);
		m->progress_open = true;
		fflush(m->out);
		return;
	}
	end_progress(m);
	if (id && *id)
		fprintf(m->out, "%s: ", id);
	if (stream)
		fputs(stream, m->out);
	else
		fprintf(m->out, "%s\n", status ? status : "");
	fflush(m->out);
}

static void take_line(jsonmsg *m, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (!n || m->err)
		return;
	_cleanup_err_ err_t *perr = NULL;
	_cleanup_json_ json_object *o = json_parse_strict(s, n, &perr);
	if (!o || !json_object_is_type(o, json_type_object)) {
		err_set(&m->err, ERR_SYSTEM, 0, "invalid message from the daemon: %s",
			perr ? perr->msg : "not an object");
		return;
	}
	show(m, o);
}

int jsonmsg_feed(void *ctx, const char *data, size_t n)
{
	jsonmsg *m = ctx;
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		if (m->line.len + take > LINE_MAX_BYTES) {
			err_set(&m->err, ERR_SYSTEM, 0, "a message from the daemon is too long");
			return -1;
		}
		sb_append(&m->line, data, take);
		if (!nl)
			break;
		take_line(m, m->line.buf, m->line.len);
		sb_reset(&m->line);
		data += take + 1;
		n -= take + 1;
	}
	return m->err ? -1 : 0;
}

int jsonmsg_finish(jsonmsg *m, err_t **err)
{
	if (m->line.len)
		take_line(m, m->line.buf, m->line.len);
	sb_reset(&m->line);
	end_progress(m);
	if (!m->err)
		return 0;
	if (err && !*err)
		*err = steal_ptr(&m->err);
	return -1;
}
