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

/* ---- stdio: attach, resize (ctr_attach.c) ---- */

typedef struct ctr_attach_opts {
	bool in, out, err;          /* the streams the client wants */
	const unsigned char *keys;  /* detach sequence (matched only with a tty) */
	size_t nkeys;
	const char *data;           /* stdin bytes that came before the stream */
	size_t ndata;
} ctr_attach_opts;

/* moby's refusals before an attach: paused or restarting (409). */
int ctr_attach_check(container *c, err_t **err);
/* Before the 101 goes out: a client of a container that is not running
 * reserves its place, so that a start that the client sends as soon as it
 * reads the 101 waits for the socket (ctr_attach) or the client's end
 * (ctr_attach_unreserve). True when reserved. */
bool ctr_attach_reserve(container *c);
void ctr_attach_unreserve(container *c);
/* Hands the client's socket (fd: ours, always consumed) to the container's
 * shim, which serves the stream from then on; to a container that is not
 * running it waits for the next start (see ctr_attach.c). reserved: it
 * fills the place ctr_attach_reserve() took. */
int ctr_attach(ctr_table *t, container *c, int fd, const ctr_attach_opts *o, bool reserved, err_t **err);
/* The pty's size, of the container or of exec_id (NULL); no tty is no error. */
int ctr_resize(ctr_table *t, container *c, const char *exec_id, unsigned h, unsigned w, err_t **err);

/* ---- exec (execs.c) ---- */

typedef struct ctr_exec {
	int refs;                /* atomic */
	char id[65];
	container *c;            /* referenced */
	json_object *config;     /* Cmd, Env, WorkingDir, User, Privileged, Tty, Attach*, DetachKeys, ConsoleSize */
	uint64_t seq;
	/* Guarded by the exec table's lock: */
	bool started, running, has_exit;
	int exit_code;
	int pid;
} ctr_exec;

/* POST /containers/{id}/exec: the new exec's ID (exec_create event). */
char *ctr_exec_create(ctr_table *t, container *c, json_object *body, err_t **err);
/* Referenced; ERR_NOT_FOUND "No such exec instance: x". */
ctr_exec *ctr_exec_find(ctr_table *t, const char *id, err_t **err);
void ctr_exec_unref(ctr_exec *e);
bool ctr_exec_tty(ctr_exec *e);
/* Started (or over) already: a start is a conflict. */
bool ctr_exec_started(ctr_table *t, ctr_exec *e);
/* POST /exec/{id}/start: fd (ours, consumed; -1 when detached) becomes the
 * stream. console_size [h,w] overrides the create's. A process that cannot
 * start is not an error with a stream (the message went into it). */
int ctr_exec_start(ctr_table *t, ctr_exec *e, int fd, bool detach, json_object *console_size, err_t **err);
json_object *ctr_exec_inspect(ctr_table *t, ctr_exec *e);
int ctr_exec_resize(ctr_table *t, ctr_exec *e, unsigned h, unsigned w, err_t **err);

/* ---- logs and top (ctr_logs.c, ctr_top.c) ---- */

typedef struct ctr_logs_opts {
	bool out, err, follow, timestamps, details;
	int64_t tail;            /* entries from the end; < 0: all */
	int64_t since_ns, until_ns; /* 0: unbounded */
} ctr_logs_opts;
typedef struct ctr_logs ctr_logs;
/* Opens the container's json-file log (and its rotated files). 501 for the
 * "none" driver. *tty says which framing the reader produces. */
ctr_logs *ctr_logs_open(ctr_table *t, container *c, const ctr_logs_opts *o, bool *tty, err_t **err);
/* The next bytes of the stream: Docker's frames without a tty, raw with.
 * Following, it blocks (inotify, the shim's exit) until there is more, the
 * container stopped and the log is drained (0), or cancel_fd hung up (-1). */
ssize_t ctr_logs_read(ctr_logs *l, char *buf, size_t n, int cancel_fd);
void ctr_logs_free(ctr_logs *l);

/* GET /containers/{id}/top: {Titles, Processes} from ps over the container's pids. */
json_object *ctr_top(ctr_table *t, container *c, const char *ps_args, err_t **err);

/* Counts for /info. */
void ctr_counts(ctr_table *t, int64_t *total, int64_t *running, int64_t *paused, int64_t *stopped);

#endif
