/* engine.h: the daemon's state, one object that owns every table (events
 * and images now; containers, networks as their issues land). The HTTP layer
 * holds a pointer to it and calls core functions; nothing in here knows HTTP. */
#ifndef ENGINE_ENGINE_H
#define ENGINE_ENGINE_H

#include <pthread.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "events.h"

struct img_store;
struct net_store;

typedef struct engine {
	pthread_mutex_t cfg_lock;
	engine_config *cfg;  /* replaced whole on reload; read with engine_config_get() */
	char *data_root;     /* fixed for the life of the process */
	char *exec_root;
	char *id;            /* stable ID stored in the data root */
	int lock_fd;         /* flock on <data-root>/engine.lock */
	int64_t started_ns;
	events_ring *events;
	struct img_store *images;     /* daemon/image */
	struct ctr_table *containers; /* containers.h */
	struct net_store *networks;   /* daemon/network */
	struct vol_table *volumes;    /* volumes.h */
} engine;

/* Creates the data and exec roots, takes the data-root lock (refusing when
 * another engined holds it), loads the ID and the event journal. Takes cfg. */
engine *engine_open(engine_config *cfg, err_t **err);
void engine_close(engine *e);

/* A referenced copy of the current configuration; free with config_free(). */
engine_config *engine_config_get(engine *e);
/* Re-reads the config file; on success swaps it in and emits daemon reload. */
int engine_reload(engine *e, err_t **err);

/* Publishes a daemon-scoped event (Type "daemon") with the daemon's attributes. */
void engine_emit_daemon_event(engine *e, const char *action);

#endif
