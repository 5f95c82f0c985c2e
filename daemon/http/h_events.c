/* h_events.c: GET /events. Replays the ring from `since`, then follows new
 * events until `until` passes or the client goes away. One chunked JSON line
 * per event. The follower waits in poll() on its wake-up fd and on the
 * client's socket, so an idle follower costs no CPU and a vanished client
 * frees its thread at once. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "event_filter.h"
#include "internal.h"
#include "timeutil.h"
#include "cleanup.h"
#include "xalloc.h"

typedef struct events_stream {
	http_req *req;
	int conn_fd;
	events_sub *sub;
	event_query q;
	event *batch[64];
	size_t nbatch, pos;
	size_t off; /* bytes of batch[pos]'s line already sent */
} events_stream;

static void stream_free(void *ctx)
{
	events_stream *s = ctx;
	for (size_t i = s->pos; i < s->nbatch; i++)
		event_unref(s->batch[i]);
	events_unsubscribe(s->sub);
	event_query_free(&s->q);
	free(s);
}

/* Copies as much of the current batch as fits; returns bytes written. */
static size_t copy_out(events_stream *s, char *buf, size_t n)
{
	size_t w = 0;
	while (s->pos < s->nbatch && w < n) {
		event *e = s->batch[s->pos];
		if (s->off == 0 && s->q.has_until && e->time_nano > s->q.until_nano) {
			s->pos = s->nbatch; /* past until: the stream ends */
			s->q.done = true;
			break;
		}
		size_t len = strlen(e->line) + 1; /* with the newline */
		size_t take = len - s->off < n - w ? len - s->off : n - w;
		for (size_t i = 0; i < take; i++) {
			size_t at = s->off + i;
			buf[w + i] = at < len - 1 ? e->line[at] : '\n';
		}
		w += take;
		s->off += take;
		if (s->off == len) {
			event_unref(e);
			s->pos++;
			s->off = 0;
		}
	}
	return w;
}

/* Fills the batch with matching events; blocks until there is one, the
 * until time passes, or the client leaves. Returns -1 to end, -2 to abort. */
static int refill(events_stream *s)
{
	for (;;) {
		s->nbatch = s->pos = 0;
		event *got[64];
		size_t n = events_sub_take(s->sub, got, ARRAY_SIZE(got));
		for (size_t i = 0; i < n; i++) {
			if (event_query_match(&s->q, got[i]))
				s->batch[s->nbatch++] = got[i];
			else
				event_unref(got[i]);
		}
		if (s->nbatch)
			return 0;
		if (s->q.done)
			return -1;
		int timeout = -1;
		if (s->q.has_until) {
			int64_t left = s->q.until_nano - now_ns();
			if (left <= 0)
				return -1;
			timeout = (int)(left / 1000000) + 1;
		}
		struct pollfd p[2] = {{.fd = events_sub_fd(s->sub), .events = POLLIN},
				      {.fd = s->conn_fd, .events = POLLRDHUP}};
		int r = poll(p, 2, timeout);
		if (r > 0 && (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR)))
			return -2;
	}
}

static ssize_t stream_read(void *ctx, char *buf, size_t n)
{
	events_stream *s = ctx;
	if (s->pos >= s->nbatch) {
		int r = refill(s);
		if (r < 0)
			return r;
	}
	return (ssize_t)copy_out(s, buf, n);
}

int h_events(http_req *req)
{
	_cleanup_err_ err_t *err = NULL;
	events_stream *s = xcalloc(1, sizeof(*s));
	if (event_query_parse(&s->q, http_query(req, "since"), http_query(req, "until"),
			      http_query(req, "filters"), &err) < 0) {
		event_query_free(&s->q);
		free(s);
		return http_reply_error(req, err);
	}
	s->req = req;
	s->conn_fd = http_conn_fd(req);
	s->sub = events_subscribe(req->eng->events);
	if (s->q.has_since)
		events_sub_seek(s->sub, s->q.since_nano);
	return http_reply_stream(req, 200, "application/json", stream_read, s, stream_free);
}
