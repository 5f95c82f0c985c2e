/* containers.h: the container table and every operation on containers, as
 * plain C calls the HTTP handlers make. One mutex guards the table (IDs and
 * names); each container has its own lock for its state. Nothing slow (a
 * start, a stop timeout, removing a tree) runs with the table lock held. */
#ifndef ENGINE_CONTAINERS_H
#define ENGINE_CONTAINERS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "container.h"
#include "err.h"

struct engine;
typedef struct ctr_table ctr_table;

/* Loads every record under <data-root>/containers, re-adopts running ones
 * (their shims outlived us) and catches up with those that exited. */
ctr_table *ctr_table_open(struct engine *e, err_t **err);
void ctr_table_close(ctr_table *t);

/* Finds by full ID, unique ID prefix, or name (with or without '/').
 * ERR_NOT_FOUND "No such container: x". The result is referenced. */
container *ctr_find(ctr_table *t, const char *ref, err_t **err);

/* POST /containers/create. body: the create JSON (Config fields, HostConfig,
 * NetworkingConfig); name may be NULL. Returns the new container (referenced)
 * and warnings (NULL-terminated, may be NULL). */
container *ctr_create(ctr_table *t, const char *name, json_object *body, char ***warnings,
		      err_t **err);
int ctr_start(ctr_table *t, container *c, err_t **err);
/* timeout < 0: the container's StopTimeout or 10 s. sig NULL: its StopSignal. */
int ctr_stop(ctr_table *t, container *c, int timeout, const char *sig, err_t **err);
int ctr_restart(ctr_table *t, container *c, int timeout, const char *sig, err_t **err);
int ctr_kill(ctr_table *t, container *c, const char *sig, err_t **err);
int ctr_pause(ctr_table *t, container *c, bool pause, err_t **err);
int ctr_rename(ctr_table *t, container *c, const char *name, err_t **err);
int ctr_remove(ctr_table *t, container *c, bool force, bool volumes, err_t **err);
/* POST /containers/prune: {ContainersDeleted, SpaceReclaimed}. */
json_object *ctr_prune(ctr_table *t, const char *filters, err_t **err);

typedef enum wait_cond { WAIT_NOT_RUNNING, WAIT_NEXT_EXIT, WAIT_REMOVED } wait_cond;
/* Blocks until cond holds or cancel_fd (the client's socket) hangs up.
 * Returns 0 with the exit code and error text, or -1. */
int ctr_wait(ctr_table *t, container *c, wait_cond cond, int cancel_fd, int *exit_code,
	     char **error, err_t **err);

/* GET /containers/json: summaries after filters (all, limit, size). */
json_object *ctr_list(ctr_table *t, bool all, int64_t limit, bool size, const char *filters,
		      err_t **err);
/* GET /containers/{id}/json. */
json_object *ctr_inspect(ctr_table *t, container *c, bool size, err_t **err);

/* Counts for /info. */
void ctr_counts(ctr_table *t, int64_t *total, int64_t *running, int64_t *paused, int64_t *stopped);

#endif
