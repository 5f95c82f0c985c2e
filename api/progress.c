/* api/progress.c: see progress.h. Objects are built in JSONMessage's field
 * order (stream, status, progressDetail, progress, id, errorDetail, error)
 * and written by gojson with Go's HTML escaping. */
#include "progress.h"

#include <string.h>

#include "cleanup.h"
#include "gojson.h"
#include "jsonutil.h"
#include "units.h"
#include "xalloc.h"

static void put(strbuf *sb, json_object *o)
{
	gojson_value(sb, o, GOJSON_ESCAPE_HTML, NULL);
	sb_puts(sb, "\r\n");
	json_object_put(o);
}

void api_msg_stream(strbuf *sb, const char *text)
{
	json_object *o = json_object_new_object();
	jset_str(o, "stream", text);
	put(sb, o);
}

void api_msg_status(strbuf *sb, const char *id, const char *status)
{
	json_object *o = json_object_new_object();
	jset_str(o, "status", status);
	if (id && *id)
		jset_str(o, "id", id);
	put(sb, o);
}

char *api_progress_bar(int64_t current, int64_t total, bool with_bar)
{
	if (current <= 0 && total <= 0)
		return xstrdup("");
	_cleanup_free_ char *cur = units_human_size((double)current);
	if (total <= 0)
		return xasprintf("%8s", cur);
	int pct = (int)((double)current / (double)total * 100) / 2;
	if (pct > 50)
		pct = 50;
	strbuf sb = STRBUF_INIT;
	if (with_bar) {
		sb_putc(&sb, '[');
		for (int i = 0; i < pct; i++)
			sb_putc(&sb, '=');
		sb_putc(&sb, '>');
		for (int i = pct; i < 50; i++)
			sb_putc(&sb, ' ');
		sb_puts(&sb, "] ");
	}
	_cleanup_free_ char *tot = units_human_size((double)total);
	if (current > total)
		sb_printf(&sb, "%8s", cur);
	else
		sb_printf(&sb, "%8s/%s", cur, tot);
	return sb_steal(&sb);
}

void api_msg_progress(strbuf *sb, const char *id, const char *action, int64_t current,
		      int64_t total)
{
	json_object *o = json_object_new_object();
	jset_str(o, "status", action);
	json_object *d = json_object_new_object();
	if (current)
		jset_int(d, "current", current);
	if (total)
		jset_int(d, "total", total);
	jset(o, "progressDetail", d);
	_cleanup_free_ char *bar = api_progress_bar(current, total, true);
	if (*bar)
		jset_str(o, "progress", bar);
	if (id && *id)
		jset_str(o, "id", id);
	put(sb, o);
}

void api_msg_status_detail(strbuf *sb, const char *id, const char *status)
{
	json_object *o = json_object_new_object();
	jset_str(o, "status", status);
	jset(o, "progressDetail", json_object_new_object());
	if (id && *id)
		jset_str(o, "id", id);
	put(sb, o);
}

void api_msg_aux(strbuf *sb, json_object *aux)
{
	json_object *o = json_object_new_object();
	jset(o, "progressDetail", json_object_new_object());
	jset(o, "aux", json_object_get(aux));
	put(sb, o);
}

void api_msg_error(strbuf *sb, const char *message)
{
	json_object *o = json_object_new_object();
	json_object *d = json_object_new_object();
	jset_str(d, "message", message);
	jset(o, "errorDetail", d);
	jset_str(o, "error", message);
	put(sb, o);
}
