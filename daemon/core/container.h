/* container.h: one container's record: identity, the Config and HostConfig
 * it was created with (normalised, merged with its image), and its State.
 * The record is saved as containers/<id>/config.v2.json with every change
 * that an API call reports as done (temp + fsync + rename), so a kill -9 of
 * engined never loses a created container or a finished exit. */
#ifndef ENGINE_CONTAINER_H
#define ENGINE_CONTAINER_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

typedef enum cstate {
	CS_CREATED = 0,
	CS_RUNNING,
	CS_PAUSED,
	CS_RESTARTING,
	CS_REMOVING,
	CS_EXITED,
	CS_DEAD,
} cstate;

/* A client that attached while the container was not running: its socket
 * waits here and goes to the shim at the next start (engine-shim --attach),
 * before the container's process exists, so it misses no output. */
typedef struct ctr_pending {
	int fd;     /* the client's socket (our copy) */
	char *opts; /* shim_attach_words(..., ',') */
} ctr_pending;

#define CTR_MAX_PENDING 32 /* SHIM_MAX_SPAWN_ATTACH */

typedef struct container {
	int refs;                /* atomic */
	pthread_mutex_t lock;    /* guards everything below that changes */
	pthread_cond_t changed;  /* broadcast on every state change */

	char id[65];
	char *name;              /* with the leading '/' */
	char *created;           /* RFC 3339 nano */
	int64_t created_ns;
	char *image_id;          /* sha256:... */
	char *path;              /* the entrypoint's first word */
	char **args;             /* the rest */
	json_object *config;     /* normalised Config, merged with the image's */
	json_object *host_config;/* normalised HostConfig */
	json_object *networks;   /* NetworkSettings.Networks as known (may be NULL) */
	char *dir;               /* <data-root>/containers/<id> */
	char *state_dir;         /* <exec-root>/<id> (the shim's) */
	char *log_path;

	cstate state;
	int pid;
	int exit_code;
	bool oom_killed;
	char *error;
	int64_t started_ns, finished_ns; /* 0: Go's zero time */
	int restart_count;
	bool manually_stopped;   /* stop/kill by the user: restart policies hold off */
	bool has_been_started;
	bool removal_pending;    /* AutoRemove after the exit, or rm while removing */
	uint64_t exits;          /* counts exits, for wait condition=next-exit */
	bool removed;            /* gone from the table: waiters for "removed" return */
	int watch_fd;            /* the shim's exit watch, -1 when not watching */
	bool starting;           /* ctr_start is between taking `pending` and the shim's answer */
	ctr_pending *pending;    /* attached clients waiting for the start */
	size_t n_pending;
	int n_reserved;          /* attaches answered 101 whose socket is still to come */
} container;

/* Closes the pending clients' sockets (lock held). */
void container_drop_pending(container *c);

container *container_new(void);
void container_ref(container *c);
void container_unref(container *c);

const char *cstate_name(cstate s);
/* Docker's "Up 5 minutes", "Exited (0) 2 seconds ago", "Created", ... (lock held). */
char *container_status_text(const container *c, int64_t now_ns);

/* Persistence: to and from config.v2.json (lock held for save). */
int container_save(const container *c, err_t **err);
container *container_load(const char *dir, err_t **err);

/* The name without its leading slash. */
const char *container_short_name(const container *c);

#endif
