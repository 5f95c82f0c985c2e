/* shim_client.h: what engined uses to run containers through engine-shim:
 * spawn a shim and get the container's pid (or Docker's 126/127 start
 * error), find it again by its state dir after an engined restart, signal
 * it, learn about its exit promptly (a watch fd to poll) or after the fact
 * (the exit file). Thread-safe: no shared state; the spawn is a vfork-style
 * clone with only system calls in the child.
 *
 * The shim is created as a child of engined's parent (CLONE_PARENT: under
 * systemd that is PID 1, which reaps it), so it never was engined's child;
 * when engined is a PID namespace's init it falls back to an ordinary child
 * that detaches with a fork of its own. */
#ifndef ENGINE_SHIM_CLIENT_H
#define ENGINE_SHIM_CLIENT_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "jsonutil.h"
#include "shim_proto.h"

/* A client that attached before the start (see engine-shim --attach). */
typedef struct shim_spawn_attach {
	int fd;           /* its socket; the caller keeps (and closes) its own copy */
	const char *opts; /* shim_attach_words() with ',' */
} shim_spawn_attach;

typedef struct shim_spawn_opts {
	const char *shim_path; /* engine-shim binary; NULL: "engine-shim" from $PATH */
	const char *id, *bundle, *state_dir, *log_path; /* required */
	long long log_max_size; /* json-file max-size in bytes; <= 0: unlimited */
	int log_max_files;      /* json-file max-file; 0 means 1 */
	bool open_stdin;        /* keep the container's stdin open (OpenStdin) */
	const char *cgroup_root, *cgroup_parent; /* NULL: /sys/fs/cgroup, "engine" */
	const char *shim_cgroup;   /* where the shim moves itself; NULL: stays */
	const char *init_path;     /* engine-init for --init */
	const char *seccomp_cache; /* compiled seccomp filters; NULL: none */
	const shim_spawn_attach *attach; /* up to SHIM_MAX_SPAWN_ATTACH */
	size_t n_attach;
} shim_spawn_opts;

typedef struct shim_started {
	pid_t pid;       /* the container's first process */
	pid_t shim_pid;
	char **warnings; /* NULL-terminated, may be NULL */
	int exit_code;   /* on failure: Docker's 126 / 127 / 128 */
} shim_started;

/* Starts a shim and waits until the container runs or failed to start; on
 * failure *err has the runtime's message (`exec: "foo": executable file not
 * found in $PATH`) with ERR_INVALID for 126/127 and out->exit_code is set. */
int shim_spawn(const shim_spawn_opts *o, shim_started *out, err_t **err);
void shim_started_done(shim_started *s);

typedef struct shim_status {
	pid_t pid, shim_pid;
	bool running, paused;
	char started_at[SHIM_TIME_LEN];
} shim_status;

/* A connection to the shim's control socket. ERR_NOT_FOUND when the shim is gone. */
int shim_connect(const char *state_dir, err_t **err);
/* One request line, one JSON reply (10 s timeout). {"ok":false} becomes an error. */
int shim_call(const char *state_dir, const char *request, json_object **reply, err_t **err);
int shim_status_get(const char *state_dir, shim_status *out, err_t **err);
/* ERR_CONFLICT "container is not running" when it has exited. */
int shim_kill(const char *state_dir, int sig, bool all, err_t **err);
int shim_pause(const char *state_dir, bool pause, err_t **err);

/* The exit file; ERR_NOT_FOUND while the container runs. */
int shim_read_exit(const char *state_dir, shim_exit *out, err_t **err);
/* Registers for the exit: the fd turns readable when the container has
 * exited (poll it with others); then shim_watch_result() reads the exit,
 * from the reply or, when the shim went away, from the exit file. */
int shim_watch(const char *state_dir, err_t **err);
int shim_watch_result(int fd, const char *state_dir, shim_exit *out, err_t **err);
/* Blocks until the exit. */
int shim_wait(const char *state_dir, shim_exit *out, err_t **err);

/* Subscribes to the container's events (ctl.h): returns a fd to poll; each
 * shim_event_read() gives one event object ({"event":"oom"}, and last
 * {"event":"exit",...}); ERR_NOT_FOUND once the shim closed the stream. */
int shim_events(const char *state_dir, err_t **err);
int shim_event_read(int fd, json_object **event, err_t **err);

/* Switches a connection to an attach stream (see ctl.h); returns the fd. */
int shim_attach(const char *state_dir, bool in, bool out, bool err_stream, bool stdin_once, err_t **err);

/* The words of an attach (ctl.h), separated by sep (' ' for the ctl
 * command, ',' for --attach): streams, stdin-once, detach keys, and stdin
 * bytes that came before the stream (data). */
typedef struct shim_attach_spec {
	bool in, out, err, stdin_once, detach;
	const unsigned char *keys;
	size_t nkeys;
	const char *data;
	size_t ndata;
} shim_attach_spec;
char *shim_attach_words(const shim_attach_spec *a, char sep);

/* Hands a client's socket to the running shim, which serves the attach
 * from then on (engined keeps nothing of it): opts from shim_attach_words. */
int shim_attach_fd(const char *state_dir, int fd, const char *opts, err_t **err);

/* Starts exec `id` (<state>/exec-ID.json) with fd (or -1) as its client's
 * stream. A process that could not start (command not found) is not an
 * error: *pid is -1, *exit_code Docker's 126/127 and *error the message
 * (the shim already wrote it to the client). */
int shim_exec_start(const char *state_dir, const char *id, int fd, const char *opts, pid_t *pid,
		    int *exit_code, char **error, err_t **err);
typedef struct shim_exec_state {
	bool running;
	pid_t pid;
	int exit_code; /* once !running */
} shim_exec_state;
/* ERR_NOT_FOUND when the shim does not know the exec (or is gone). */
int shim_exec_status(const char *state_dir, const char *id, shim_exec_state *out, err_t **err);
/* The pty's size of the container (exec_id NULL) or of an exec; ERR_INVALID without a tty. */
int shim_resize(const char *state_dir, const char *exec_id, unsigned h, unsigned w, err_t **err);

#endif
