/* events.c: the event ring and its journal (see events.h).
 *
 * Memory: a circular array of `cap` event pointers; the oldest is dropped
 * when a new one arrives. Disk: one JSON line per event appended with
 * O_APPEND (a kill -9 keeps every line the kernel accepted; a torn last line
 * is skipped on replay). When the journal holds twice `cap` lines it is
 * rewritten atomically from the ring. Followers each own an eventfd that the
 * publisher bumps, so a waiting follower costs nothing until there is news. */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"

struct events_sub {
	events_ring *ring;
	uint64_t cursor;
	int fd;
	struct events_sub *next;
};

struct events_ring {
	pthread_mutex_t lock;
	event **slots;
	size_t cap, count, head; /* head: index of the oldest */
	uint64_t next_seq;
	char *path;
	int journal_fd;
	size_t journal_lines;
	events_sub *subs;
};

void event_ref(event *e)
{
	__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
}

void event_unref(event *e)
{
	if (!e || __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(e->type);
	free(e->action);
	free(e->actor_id);
	free(e->scope);
	if (e->attrs)
		json_object_put(e->attrs);
	free(e->line);
	free(e);
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Attributes with sorted keys, as Go's encoding/json writes a map. */
static json_object *sorted_attrs(json_object *in)
{
	json_object *out = json_object_new_object();
	if (!in)
		return out;
	size_t n = (size_t)json_object_object_length(in), i = 0;
	char **keys = xcalloc(n + 1, sizeof(char *));
	json_object_object_foreach(in, k, v) {
		(void)v;
		keys[i++] = k;
	}
	qsort(keys, n, sizeof(char *), cmp_keys);
	for (i = 0; i < n; i++)
		json_object_object_add(out, keys[i], json_object_get(jget(in, keys[i])));
	free(keys);
	return out;
}

/* The wire shape: legacy status/id/from for containers and images, as Docker. */
static char *render_line(const event *e)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	bool legacy = !strcmp(e->type, "container") || !strcmp(e->type, "image");
	if (legacy) {
		jset_str(o, "status", e->action);
		jset_str(o, "id", e->actor_id);
		const char *from = jget_str(e->attrs, "image");
		if (!strcmp(e->type, "container") && from)
			jset_str(o, "from", from);
	}
	jset_str(o, "Type", e->type);
	jset_str(o, "Action", e->action);
	json_object *actor = json_object_new_object();
	jset_str(actor, "ID", e->actor_id);
	jset(actor, "Attributes", jclone(e->attrs));
	jset(o, "Actor", actor);
	jset_str(o, "scope", e->scope);
	jset_int(o, "time", e->time_nano / 1000000000);
	jset_int(o, "timeNano", e->time_nano);
	return xstrdup(jdump(o));
}

static event *event_new(uint64_t seq, const char *type, const char *action, const char *id,
			json_object *attrs, int64_t time_nano)
{
	event *e = xcalloc(1, sizeof(*e));
	e->refs = 1;
	e->seq = seq;
	e->type = xstrdup(type);
	e->action = xstrdup(action);
	e->actor_id = xstrdup(id ? id : "");
	e->scope = xstrdup("local");
	e->time_nano = time_nano;
	e->attrs = sorted_attrs(attrs);
	e->line = render_line(e);
	return e;
}

static int64_t now_nano(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Appends to the ring (lock held); the ring takes e's reference. */
static void ring_push(events_ring *r, event *e)
{
	if (r->count == r->cap) {
		event_unref(r->slots[r->head]);
		r->slots[r->head] = e;
		r->head = (r->head + 1) % r->cap;
	} else {
		r->slots[(r->head + r->count) % r->cap] = e;
		r->count++;
	}
}

static void journal_compact(events_ring *r)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < r->count; i++) {
		event *e = r->slots[(r->head + i) % r->cap];
		sb_printf(&sb, "%" PRIu64 " %s\n", e->seq, e->line);
	}
	_cleanup_err_ err_t *err = NULL;
	if (fs_write_atomic(r->path, sb_str(&sb), sb.len, 0600, &err) < 0) {
		log_warn("events journal: %s", err->msg);
		return;
	}
	if (r->journal_fd >= 0)
		close(r->journal_fd);
	r->journal_fd = open(r->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	r->journal_lines = r->count;
}

static void journal_append(events_ring *r, const event *e)
{
	if (r->journal_fd < 0)
		return;
	_cleanup_free_ char *l = xasprintf("%" PRIu64 " %s\n", e->seq, e->line);
	size_t n = strlen(l);
	if (write(r->journal_fd, l, n) != (ssize_t)n)
		log_warn("events journal: write: %s", strerror(errno));
	if (++r->journal_lines >= 2 * r->cap)
		journal_compact(r);
}

static void wake_subs(events_ring *r)
{
	uint64_t one = 1;
	for (events_sub *s = r->subs; s; s = s->next)
		if (write(s->fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_debug("events: wake: %s", strerror(errno));
}

void events_publish_at(events_ring *r, const char *type, const char *action, const char *actor_id,
		       json_object *attrs, int64_t time_nano)
{
	pthread_mutex_lock(&r->lock);
	event *e = event_new(r->next_seq++, type, action, actor_id, attrs, time_nano);
	ring_push(r, e);
	journal_append(r, e);
	wake_subs(r);
	pthread_mutex_unlock(&r->lock);
	if (attrs)
		json_object_put(attrs);
}

void events_publish(events_ring *r, const char *type, const char *action, const char *actor_id,
		    json_object *attrs)
{
	events_publish_at(r, type, action, actor_id, attrs, now_nano());
}

/* One journal line: "<seq> <json>". Torn or foreign lines are skipped. */
static void replay_line(events_ring *r, char *line)
{
	char *sp = strchr(line, ' ');
	if (!sp)
		return;
	*sp = '\0';
	char *end = NULL;
	unsigned long long seq = strtoull(line, &end, 10);
	if (!end || *end)
		return;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *o = json_parse_strict(sp + 1, strlen(sp + 1), &err);
	json_object *actor = jget_obj(o, "Actor");
	const char *type = jget_str(o, "Type"), *action = jget_str(o, "Action");
	if (!o || !actor || !type || !action)
		return;
	event *e = event_new(seq, type, action, jget_str(actor, "ID"), jget_obj(actor, "Attributes"),
			     jget_int(o, "timeNano", 0));
	ring_push(r, e);
	if (seq >= r->next_seq)
		r->next_seq = seq + 1;
}

static void journal_replay(events_ring *r)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_err_ err_t *err = NULL;
	if (fs_read_file(r->path, 64u << 20, &buf, NULL, &err) < 0) {
		if (err->kind != ERR_NOT_FOUND)
			log_warn("events journal: %s", err->msg);
		return;
	}
	char *save = NULL;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		replay_line(r, l);
}

events_ring *events_open(const char *path, size_t cap, err_t **err)
{
	events_ring *r = xcalloc(1, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->cap = cap ? cap : EVENTS_CAP;
	r->slots = xcalloc(r->cap, sizeof(event *));
	r->next_seq = 1;
	r->journal_fd = -1;
	if (!path)
		return r;
	r->path = xstrdup(path);
	journal_replay(r);
	journal_compact(r);
	if (r->journal_fd < 0) {
		err_sys(err, "open events journal %s", path);
		events_close(r);
		return NULL;
	}
	return r;
}

void events_close(events_ring *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		event_unref(r->slots[(r->head + i) % r->cap]);
	if (r->journal_fd >= 0)
		close(r->journal_fd);
	pthread_mutex_destroy(&r->lock);
	free(r->slots);
	free(r->path);
	free(r);
}

events_sub *events_subscribe(events_ring *r)
{
	events_sub *s = xcalloc(1, sizeof(*s));
	s->ring = r;
	s->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->fd < 0)
		abort(); /* out of file descriptors is not something a follower can recover from */
	pthread_mutex_lock(&r->lock);
	s->cursor = r->next_seq - 1; /* only what comes next, until seeked */
	s->next = r->subs;
	r->subs = s;
	pthread_mutex_unlock(&r->lock);
	return s;
}

void events_unsubscribe(events_sub *s)
{
	if (!s)
		return;
	events_ring *r = s->ring;
	pthread_mutex_lock(&r->lock);
	for (events_sub **pp = &r->subs; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	close(s->fd);
	free(s);
}

int events_sub_fd(const events_sub *s)
{
	return s->fd;
}

void events_sub_seek(events_sub *s, int64_t since_nano)
{
	events_ring *r = s->ring;
	pthread_mutex_lock(&r->lock);
	s->cursor = r->next_seq - 1;
	for (size_t i = 0; i < r->count; i++) {
		event *e = r->slots[(r->head + i) % r->cap];
		if (e->time_nano >= since_nano) {
			s->cursor = e->seq - 1;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
}

size_t events_sub_take(events_sub *s, event **out, size_t max)
{
	uint64_t junk;
	if (read(s->fd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		log_debug("events: read wake fd: %s", strerror(errno));
	events_ring *r = s->ring;
	size_t n = 0;
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->count && n < max; i++) {
		event *e = r->slots[(r->head + i) % r->cap];
		if (e->seq <= s->cursor)
			continue;
		event_ref(e);
		out[n++] = e;
		s->cursor = e->seq;
	}
	bool more = false;
	if (r->count && r->slots[(r->head + r->count - 1) % r->cap]->seq > s->cursor)
		more = true;
	pthread_mutex_unlock(&r->lock);
	if (more) {
		uint64_t one = 1;
		if (write(s->fd, &one, sizeof(one)) < 0)
			log_debug("events: rewake: %s", strerror(errno));
	}
	return n;
}

size_t events_count(events_ring *r)
{
	pthread_mutex_lock(&r->lock);
	size_t n = r->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}
