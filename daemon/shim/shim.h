/* shim.h: engine-shim's state, shared by its files (main.c: start-up,
 * monitor.c: the event loop and the exit, ctl.c: the control socket,
 * attach.c: output fan-out and stdin, exec.c: processes started in the
 * running container). One container per process, one thread, poll().
 *
 * A "process" here is a set of stdio streams clients attach to: index 0 is
 * the container's own process (its output also goes to the json-file log),
 * index i+1 is exec slot i. */
#ifndef ENGINE_SHIM_SHIM_H
#define ENGINE_SHIM_SHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "jsonlog.h"
#include "runtime.h"
#include "shim_proto.h"
#include "strbuf.h"

#define SHIM_MAX_CLIENTS 64
#define SHIM_MAX_REQUEST 4096
#define SHIM_MAX_EXECS 32       /* exec processes running at once */
#define SHIM_EXEC_HISTORY 128   /* finished execs whose exit codes are kept */
/* A process's output is not read while one of its attach clients has this
 * much queued (Docker's attach blocks the container the same way); the
 * hard limit only guards against a bug. */
#define SHIM_CLIENT_HIGH (1u << 20)
#define SHIM_CLIENT_BUF (4u << 20)
#define SHIM_PIPE_SIZE (1 << 20) /* F_SETPIPE_SZ of the output pipes */

typedef enum client_mode {
	CLIENT_FREE = 0,
	CLIENT_CMD,    /* request lines, one JSON reply each */
	CLIENT_WAIT,   /* waiting for the exit reply */
	CLIENT_ATTACH, /* output out (framed, or raw with a tty), raw stdin in */
	CLIENT_EVENTS, /* one JSON line per event, the exit last */
} client_mode;

typedef struct client {
	int fd;
	client_mode mode;
	int proc;                    /* attach: 0 the container's process, i+1 exec slot i */
	bool out_stdout, out_stderr; /* attach: which streams it gets */
	bool in_stdin, stdin_once;   /* attach: it feeds stdin; its EOF closes stdin */
	bool in_eof;                 /* it half-closed */
	bool ending;                 /* attach over: send what is queued, then close */
	unsigned char keys[SHIM_KEYS_MAX]; /* detach sequence (tty only), matched in stdin */
	uint8_t nkeys, matched;      /* its length; how much of it the last bytes matched */
	int passed_fd;               /* CMD: a socket that came with the request, -1 */
	strbuf in, out;
} client;

/* What attach options say, before they become a client. */
typedef struct attach_opts {
	bool in, out, err, stdin_once, detach;
	unsigned char keys[SHIM_KEYS_MAX];
	uint8_t nkeys;
	strbuf data; /* stdin bytes that came before the stream */
} attach_opts;

/* A process's stdio as the shim holds it. */
typedef struct pstdio {
	int out_fd, err_fd; /* our ends of stdout/stderr, -1 at EOF; out_fd is the pty master with a tty */
	int in_fd;          /* our end of stdin, -1 when closed or not open */
	int console;        /* the pty master (for resize), -1 */
	bool tty;
	strbuf in_pending;  /* stdin bytes the pipe did not take yet */
	int in_owner;       /* the client whose bytes are pending, -1 */
	bool in_close;      /* close stdin once in_pending went in */
} pstdio;

typedef struct sexec {
	char *id;           /* NULL: a free slot */
	pid_t pid;
	bool running;       /* not reaped yet */
	int exit_code;
	struct timespec exited_mono;
	pstdio io;
} sexec;

typedef struct exec_done {
	char id[SHIM_ID_MAX + 1];
	pid_t pid;
	int exit_code;
} exec_done;

typedef struct shim_attach_arg {
	int fd;
	const char *opts;
} shim_attach_arg;

typedef struct shim_opts {
	const char *id, *bundle, *state_dir, *log_path;
	long long log_max_size;
	int log_max_files;
	int sync_fd;
	bool open_stdin, detach;
	const char *cgroup_root, *cgroup_parent, *shim_cgroup, *init_path, *seccomp_cache;
	shim_attach_arg attach[SHIM_MAX_SPAWN_ATTACH]; /* clients attached before the start */
	int n_attach;
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
	pstdio io;          /* the container's own process */
	jsonlog *log;
	int listen_fd, sig_fd;
	ino_t sock_ino;    /* our ctl.sock, to remove only that one */
	int oom_fd;        /* cgroup_oom_watch(), from settling on; -1 */
	uint64_t oom_seen; /* OOM kills already reported */
	int oom_recheck;   /* rechecks left after a notification that came before its kill counted */
	struct timespec oom_checked; /* CLOCK_MONOTONIC of the last check */
	client clients[SHIM_MAX_CLIENTS];
	sexec execs[SHIM_MAX_EXECS];
	exec_done done[SHIM_EXEC_HISTORY]; /* a ring */
	size_t n_done;
	char **warnings;
} shim;

/* A container still running this long after its start gets the shim's
 * one-off chores (leaving engined's cgroup, trimming memory); a `run --rm
 * true` never pays for them. */
#define SHIM_SETTLE_MS 10
/* Output still open this long after a process exited is given up. */
#define SHIM_DRAIN_MS 2000

/* monitor.c */
int shim_run(shim *s);
int64_t shim_ms_since(const struct timespec *t);

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
/* A free client slot, NULL when all are taken. */
client *ctl_client_new(shim *s, int fd);
/* The exit as a JSON line, after `head` ("\"ok\":true" or "\"event\":\"exit\""). */
char *ctl_exit_json(const shim *s, const char *head);

/* attach.c */
void pstdio_init(pstdio *io);
void pstdio_close(pstdio *io);
/* The streams of process `proc` (0 or an exec slot + 1), NULL when it is gone. */
pstdio *proc_io(shim *s, int proc);
/* Parses attach options, words split by spaces or commas: stdin stdout stderr
 * stdin-once detach keys=HEX data=HEX. Returns -1 naming a bad word in *bad. */
int attach_opts_parse(attach_opts *a, const char *words, const char **bad);
void attach_opts_done(attach_opts *a);
/* Turns c into an attach client of proc with options a (a->data becomes stdin). */
void attach_begin(shim *s, client *c, int proc, attach_opts *a);
/* Output of proc's stream (JSONLOG_STDOUT/STDERR) to its attach clients. */
void attach_output(shim *s, int proc, int stream, const char *data, size_t n);
/* True while a client of proc has too much queued to read more output. */
bool attach_backlogged(const shim *s, int proc);
void attach_stdin_data(shim *s, client *c, const char *data, size_t n);
/* A client's stdin ended (it half-closed). */
void attach_stdin_eof(shim *s, client *c);
void attach_stdin_flush(shim *s, pstdio *io);
void attach_close_stdin(shim *s, pstdio *io);
/* Ends every attach of proc: what is queued still goes out. */
void attach_end_all(shim *s, int proc);

/* exec.c: `exec ID ...` starts <state>/exec-ID.json's process. */
void exec_start(shim *s, client *c, const char *id, attach_opts *a, int client_fd);
void exec_status(shim *s, client *c, const char *id);
/* SIGCHLD for a pid that is not the container's: true when it was an exec. */
bool exec_reaped(shim *s, pid_t pid, int status);
/* Finishes execs that exited and whose output is drained. */
void exec_reap_done(shim *s);
int exec_running_count(const shim *s);
sexec *exec_find(shim *s, const char *id);

/* Logs to <state>/shim.log (opened on first use). */
void shim_log(const shim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
