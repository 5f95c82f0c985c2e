/* containers_cli.h: what the container commands share across files:
 * creating a container (with the pull-and-retry of a missing image), the
 * attached and detached halves of `run`, inspect, prompts, pull progress
 * and the PORTS column. */
#ifndef ENGINE_CONTAINERS_CLI_H
#define ENGINE_CONTAINERS_CLI_H

#include <json-c/json.h>
#include <stdbool.h>

#include "cli.h"
#include "runopts.h"

int cli_create_container(cli *c, const runopts *o, const char *image, char *const *cmd,
			 char **id_out, err_t **err);
int cli_run_detached(cli *c, const runopts *o, const char *image, char *const *cmd);
/* run without -d: attach, start, stream, exit with the container's code. */
int cli_run_attached(cli *c, const runopts *o, const char *image, char *const *cmd);
/* start -a [-i]. */
int cli_start_attached(cli *c, const char *name, bool interactive, const char *detach_keys);
int cli_inspect(cli *c, char **names, const char *type, const char *format, bool size);
/* "...\nAre you sure you want to continue? [y/N]"; 1 for yes. */
int cli_confirm(const char *question);
/* The common part of container, volume and network prune: POST
 * /<kind>/prune with the --filter arguments (and extra_key=extra_val when
 * extra_key is set), then Docker's report: title and the IDs under
 * deleted_key, and with space a blank line and "Total reclaimed space".
 * Returns the exit code. */
typedef struct prune_req {
	const char *kind, *extra_key, *extra_val, *deleted_key, *title;
	bool space;
} prune_req;
int cli_prune(cli *c, const prune_req *r, char **filter_args);
/* POST /images/create?fromImage=...: prints the progress stream to out (per
 * layer lines as docker does) and fails on an errorDetail. auth is the
 * X-Registry-Auth value (NULL: "e30=", none). */
int cli_pull_stream(cli *c, const char *path, const char *auth, FILE *out, err_t **err);
/* docker ps's PORTS text for a container summary's Ports array. */
char *cli_ports_text(json_object *ports);

/* A hijacked attach or exec stream and what goes with it (cmd_attach.c). */
typedef struct cli_session {
	cli *c;
	const char *id;     /* the container's, or the exec's with exec */
	bool exec;          /* resizes go to /exec/{id}/resize */
	bool tty, in, out, err;
	bool proxy;         /* forward signals to the container (id is a container) */
	const char *keys;   /* detach keys as given; NULL: ctrl-p,ctrl-q */
	int sock;           /* the hijacked connection, -1 */
	strbuf extra;       /* bytes read past the 101 head */
} cli_session;
/* POST path (body taken) with Upgrade; on 101 the session holds the socket. */
int cli_session_open(cli_session *s, const char *path, json_object *body, err_t **err);
/* Streams until the end; STREAM_END, STREAM_DETACHED or -1 (stream.h). */
int cli_session_stream(cli_session *s, err_t **err);
void cli_session_done(cli_session *s);

int cmd_attach(cli *c, int argc, char **argv);
int cmd_exec(cli *c, int argc, char **argv);
int cmd_logs(cli *c, int argc, char **argv);
int cmd_top(cli *c, int argc, char **argv);
int cmd_run(cli *c, int argc, char **argv);
int cmd_create(cli *c, int argc, char **argv);
int cmd_start(cli *c, int argc, char **argv);
int cmd_stop(cli *c, int argc, char **argv);
int cmd_restart(cli *c, int argc, char **argv);
int cmd_kill(cli *c, int argc, char **argv);
int cmd_wait(cli *c, int argc, char **argv);
int cmd_rm(cli *c, int argc, char **argv);
int cmd_ps(cli *c, int argc, char **argv);
int cmd_inspect(cli *c, int argc, char **argv);
int cmd_pause(cli *c, int argc, char **argv);
int cmd_unpause(cli *c, int argc, char **argv);
int cmd_rename(cli *c, int argc, char **argv);
int cmd_container(cli *c, int argc, char **argv);
int cmd_volume(cli *c, int argc, char **argv);

#endif
