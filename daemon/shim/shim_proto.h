/* shim_proto.h: what engine-shim and its clients (shim_client.h) agree on:
 * the state dir layout, reaching a socket whose path is longer than
 * sun_path, the exit file, and Docker's RFC 3339 time format.
 *
 * State dir (<exec-root>/<id>/, given to the shim):
 *   ctl.sock   control socket (AF_UNIX stream; protocol in ctl.h)
 *   shim.pid   the shim's pid, decimal
 *   pid        the container's first process (host pid), decimal
 *   exit       the exit file, written once, atomically (JSON, below)
 *   shim.log   the shim's own diagnostics (only written when there are some)
 *   exec-ID.json  an exec's process (engined writes it at exec create):
 *              {"args":[..],"env":[..],"cwd":"..","user":"..","terminal":B,
 *               "privileged":B,"console_size":[h,w]}; env is added to the
 *              container's (replacing keys), cwd and user default to the
 *              container's
 *
 * Exit file: {"exit_code":N,"signal":S,"oom_killed":B,"finished_at":"RFC3339Nano",
 *             "pid":P[,"error":"message"]} - exit_code is Docker's (128+S when
 * killed by signal S; 126/127/128 when the start failed, with "error"). */
#ifndef ENGINE_SHIM_PROTO_H
#define ENGINE_SHIM_PROTO_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "err.h"

#define SHIM_CTL_SOCK "ctl.sock"
#define SHIM_PID_FILE "shim.pid"
#define SHIM_CPID_FILE "pid"
#define SHIM_EXIT_FILE "exit"
#define SHIM_LOG_FILE "shim.log"

#define SHIM_KEYS_MAX 16         /* bytes in a detach key sequence */
#define SHIM_ID_MAX 64           /* an exec ID: [0-9a-zA-Z_.-], 1..64 */
#define SHIM_MAX_SPAWN_ATTACH 32 /* clients handed to a shim at its start */
#define SHIM_SPAWN_ATTACH_FD 4   /* the first of them: fds 4, 5, ... */

#define SHIM_TIME_LEN 40 /* "2006-01-02T15:04:05.999999999Z" + NUL, with room */

typedef struct shim_exit {
	int exit_code;
	int signal;
	bool oom_killed;
	int pid;
	char finished_at[SHIM_TIME_LEN];
	char *error; /* start failure message, or NULL */
} shim_exit;

/* Go's time.RFC3339Nano in UTC: trailing zeros of the fraction trimmed,
 * "2024-05-01T10:00:00.1234Z"; no fraction at all when it is zero. */
void shim_fmt_time(const struct timespec *ts, char out[SHIM_TIME_LEN]);

/* A sockaddr for path; paths longer than sun_path go through
 * /proc/self/fd/<dirfd>/<name> with *dirfd opened on the directory (close
 * it after bind/connect; -1 when unused). */
int shim_sockaddr(const char *path, struct sockaddr_un *sa, socklen_t *len, int *dirfd, err_t **err);

/* Exit file I/O: the writer renames a temp file in place (no fsync: the
 * exec-root is runtime state that a reboot clears anyway). */
char *shim_exit_json(const shim_exit *e);
int shim_exit_write(const char *state_dir, const shim_exit *e, err_t **err);
int shim_exit_parse(const char *text, size_t len, shim_exit *out, err_t **err);
void shim_exit_done(shim_exit *e);

/* "TERM", "SIGTERM", "15", "RTMIN+1" -> the signal number; -1 when unknown. */
int shim_signal_parse(const char *s);

/* Lower-case hex of n bytes, appended to sb. */
struct strbuf;
void shim_hex_encode(struct strbuf *sb, const void *data, size_t n);
/* Decodes hex text into sb; -1 on odd length or a non-hex digit. */
int shim_hex_decode(struct strbuf *sb, const char *hex, size_t len);
/* True for a valid exec ID (see SHIM_ID_MAX). */
bool shim_exec_id_valid(const char *id);
/* <state-dir>/exec-<id>.json: an exec's process, written by engined. */
char *shim_exec_path(const char *state_dir, const char *id);

/* Writes a small file via temp + rename (no fsync, see above). */
int shim_write_file(const char *dir, const char *name, const char *data, err_t **err);

#endif
