/* events.h: the event ring. The last EVENTS_CAP events in memory and in an
 * append-only journal in the data root (so `events --since` still sees them
 * after a restart), plus followers that block until something new arrives.
 * Events are immutable once published and shared by reference count. */
#ifndef ENGINE_EVENTS_H
#define ENGINE_EVENTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define EVENTS_CAP 1000

typedef struct event {
	int refs;           /* atomic */
	uint64_t seq;       /* strictly increasing, also across restarts */
	char *type;         /* container, image, network, volume, daemon, ... */
	char *action;       /* create, start, die, tag, reload, ... */
	char *actor_id;
	char *scope;        /* "local" */
	int64_t time_nano;
	json_object *attrs; /* string -> string, sorted keys; read-only after publish */
	char *line;         /* the JSON line as served, without newline */
} event;

typedef struct events_ring events_ring;

/* Opens (and replays) the journal at path; path NULL keeps the ring in memory. */
events_ring *events_open(const char *path, size_t cap, err_t **err);
void events_close(events_ring *r);

/* Publishes an event now. attrs (string values) is taken; NULL means none. */
void events_publish(events_ring *r, const char *type, const char *action, const char *actor_id,
		    json_object *attrs);
/* As events_publish, with an explicit time (journal replay, tests). */
void events_publish_at(events_ring *r, const char *type, const char *action, const char *actor_id,
		       json_object *attrs, int64_t time_nano);

void event_ref(event *e);
void event_unref(event *e);

/* A follower. It reads events with seq > its cursor, in order. Its fd becomes
 * readable when new events may be there (poll it together with the client). */
typedef struct events_sub events_sub;
events_sub *events_subscribe(events_ring *r);
void events_unsubscribe(events_sub *s);
int events_sub_fd(const events_sub *s);
/* Fills out[] with up to max events newer than the cursor (each referenced;
 * caller unrefs), advances the cursor, clears the wake-up fd. Returns count. */
size_t events_sub_take(events_sub *s, event **out, size_t max);
/* Sets the cursor so the next take starts at the first event at or after
 * since_nano still in the ring. */
void events_sub_seek(events_sub *s, int64_t since_nano);
size_t events_count(events_ring *r);

#endif
