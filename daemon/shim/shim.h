/* shim.h: engine-shim's state, shared by its files (main.c: start-up,
 * monitor.c: the event loop and the exit, ctl.c: the control socket,
 * attach.c: output fan-out and stdin). One container per process, one
 * thread, poll(). */
#ifndef ENGINE_SHIM_SHIM_H
#define ENGINE_SHIM_SHIM_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "jsonlog.h"
#include "runtime.h"
#include "shim_proto.h"
#include "strbuf.h"

#define SHIM_MAX_CLIENTS 64
#define SHIM_MAX_REQUEST 4096
#define SHIM_CLIENT_BUF (1u << 20) /* an attach client this far behind is dropped */

typedef enum client_mode {
	CLIENT_FREE = 0,
	CLIENT_CMD,    /* request lines, one JSON reply each */
	CLIENT_WAIT,   /* waiting for the exit reply */
	CLIENT_ATTACH, /* framed output out, raw stdin in */
	CLIENT_EVENTS, /* one JSON line per event, the exit last */
} client_mode;

typedef struct client {
	int fd;
	client_mode mode;
	bool out_stdout, out_stderr; /* attach: which streams it gets */
	bool in_stdin, stdin_once;   /* attach: it feeds stdin; its EOF closes stdin */
	bool in_eof;                 /* it half-closed */
	strbuf in, out;
} client;

typedef struct shim_opts {
	const char *id, *bundle, *state_dir, *log_path;
	long long log_max_size;
	int log_max_files;
	int sync_fd;
	bool open_stdin, detach;
	const char *cgroup_root, *cgroup_parent, *shim_cgroup, *init_path, *seccomp_cache;
} shim_opts;

typedef struct shim {
	const shim_opts *o;
	rt_spec *spec;
	rt_config cfg;
	rt_container *ctr;
	pid_t pid;
	struct timespec started;      /* CLOCK_REALTIME, for status */
	struct timespec started_mono; /* CLOCK_MONOTONIC, for the settle time */
	bool running, paused, exited;
	shim_exit exit;
	int out_fd, err_fd; /* our ends of the container's stdout/stderr, -1 at EOF */
	int in_fd;          /* our end of its stdin, -1 when closed or not open */
	int console;        /* the pty master with a terminal (also out_fd), -1 */
	strbuf in_pending;  /* stdin bytes the pipe did not take yet */
	int in_owner;       /* the client whose bytes are pending, -1 */
	jsonlog *log;
	int listen_fd, sig_fd;
	ino_t sock_ino;    /* our ctl.sock, to remove only that one */
	int oom_fd;        /* cgroup_oom_watch(), from settling on; -1 */
	uint64_t oom_seen; /* OOM kills already reported */
	client clients[SHIM_MAX_CLIENTS];
	char **warnings;
} shim;

/* A container still running this long after its start gets the shim's
 * one-off chores (leaving engined's cgroup, trimming memory); a `run --rm
 * true` never pays for them. */
#define SHIM_SETTLE_MS 10

/* monitor.c */
int shim_run(shim *s);

/* main.c */
void shim_settle(shim *s);

/* ctl.c */
int ctl_listen(shim *s, err_t **err);
void ctl_unlink(const shim *s);
void ctl_accept(shim *s);
void ctl_readable(shim *s, client *c);
void ctl_writable(shim *s, client *c);
void ctl_send(shim *s, client *c, const char *line);
void ctl_drop(shim *s, client *c);
void ctl_notify_exit(shim *s);
void ctl_notify_event(shim *s, const char *line);
/* The exit as a JSON line, after `head` ("\"ok\":true" or "\"event\":\"exit\""). */
char *ctl_exit_json(const shim *s, const char *head);

/* attach.c */
void attach_output(shim *s, int stream, const char *data, size_t n);
void attach_stdin_data(shim *s, client *c, const char *data, size_t n);
void attach_stdin_flush(shim *s);
void attach_close_stdin(shim *s);

/* Logs to <state>/shim.log (opened on first use). */
void shim_log(const shim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
