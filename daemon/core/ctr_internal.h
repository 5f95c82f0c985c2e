/* ctr_internal.h: what the container modules share: the table itself and
 * the helpers that move a container between states. containers.c owns the
 * table (create, find, rename, remove, list), lifecycle.c the processes
 * (start, stop, kill, pause, wait, restart policies), monitor.c the thread
 * that learns about exits from the shims. */
#ifndef ENGINE_CTR_INTERNAL_H
#define ENGINE_CTR_INTERNAL_H

#include <pthread.h>

#include "containers.h"
#include "engine.h"

typedef struct exec_table exec_table;

struct ctr_table {
	struct engine *eng;
	pthread_mutex_t lock;  /* guards items/n/cap (IDs and names) */
	container **items;
	size_t n, cap;
	char *root;            /* <data-root>/containers */
	char *shim_path;       /* engine-shim next to engined */
	char *init_path;       /* engine-init next to engined */
	struct ctr_monitor *monitor;
	exec_table *execs;     /* execs.c */
};

/* containers.c */
/* Drops c from the table and deletes its files (state already REMOVING). */
void ctr_destroy(ctr_table *t, container *c);
/* Emits a container event with Docker's attributes (image, name, labels, extra). */
void ctr_event(ctr_table *t, container *c, const char *action, json_object *extra);
/* Saves the record, logging a failure (state changes that must not fail the caller). */
void ctr_save_or_log(container *c);

/* lifecycle.c */
/* Called by the monitor with the shim's exit record. */
void ctr_on_exit(ctr_table *t, container *c, int exit_code, bool oom, const char *finished_at,
		 const char *error);
/* Re-adopts or catches up with a container found at start-up. */
void ctr_adopt(ctr_table *t, container *c);

/* execs.c */
exec_table *exec_table_new(void);
void exec_table_free(exec_table *x);
/* The container's exec IDs as a JSON array, NULL when none (inspect's ExecIDs). */
json_object *ctr_exec_ids(ctr_table *t, container *c);
/* The shim reported an exec's end (exec_die). */
void ctr_exec_on_exit(ctr_table *t, container *c, const char *id, int exit_code);
/* Forgets c's execs (it stopped, or is removed). */
void ctr_execs_drop(ctr_table *t, container *c);
/* A running container found at start-up: its execs' records from the state dir. */
void ctr_execs_adopt(ctr_table *t, container *c);

/* monitor.c */
struct ctr_monitor *ctr_monitor_start(ctr_table *t, err_t **err);
void ctr_monitor_stop(struct ctr_monitor *m);
/* Watches c's shim; the monitor holds a reference until the exit. */
int ctr_monitor_watch(struct ctr_monitor *m, container *c, err_t **err);

#endif
