/* cli.h: what every command shares: the connection to the daemon, the
 * negotiated API version, JSON calls with docker's error reporting, and the
 * command table. */
#ifndef ENGINE_CLI_H
#define ENGINE_CLI_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "flags.h"
#include "httpc.h"

typedef struct cli {
	httpc *http;
	const char *host;
	char version[16];     /* negotiated API version, "" until pinged */
	bool debug;
} cli;

/* Exit codes as the docker CLI uses them. */
enum { EXIT_DAEMON_ERROR = 1, EXIT_USAGE = 125 };

/* Ensures the API version is negotiated (HEAD /_ping once). */
int cli_negotiate(cli *c, err_t **err);
/* Builds "/v1.NN" + path (path may contain printf formatting of its own, use %%). */
char *cli_path(cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Percent-encodes s for a query string. */
char *cli_escape(const char *s);

/* A JSON call: sends body (may be NULL; taken), returns the status and the
 * parsed answer in *out (NULL for empty bodies). Statuses >= 400 become an
 * error with the daemon's message; ERR_* kinds follow the status. */
int cli_call(cli *c, const char *method, const char *path, json_object *body, json_object **out,
	     err_t **err);
/* Like cli_call but returns the raw response (caller frees). */
int cli_call_raw(cli *c, const char *method, const char *path, json_object *body,
		 httpc_resp *resp, err_t **err);
/* Turns an error response into err (message from {"message": ...}). */
int cli_error_from_resp(const httpc_resp *resp, err_t **err);

/* Prints "Error response from daemon: msg" (or the plain message for local
 * errors) to stderr. Returns the exit code to use. */
int cli_report(const err_t *err);

typedef int (*cmd_fn)(cli *c, int argc, char **argv);
typedef struct cmd_entry {
	const char *name;
	cmd_fn fn;
	const char *summary;
} cmd_entry;

/* Runs the subcommand named by argv[1] from table (docker's "engine system df"). */
int cli_dispatch_group(cli *c, int argc, char **argv, const cmd_entry *table, const char *group,
		       const char *summary);

/* Command groups (cmd_*.c). */
int cmd_version(cli *c, int argc, char **argv);
int cmd_info(cli *c, int argc, char **argv);
int cmd_system(cli *c, int argc, char **argv);
int cmd_network(cli *c, int argc, char **argv);
int cmd_port(cli *c, int argc, char **argv);
int cmd_events(cli *c, int argc, char **argv);
/* Sends req (its body, if any, from req->body_fd) and shows the JSON
 * message stream of the answer as docker does (progress.c); an error
 * status or an errorDetail becomes *err. */
int cli_message_stream(cli *c, const httpc_req *req, err_t **err);
typedef struct cli_msg_opts {
	FILE *out;     /* stdout when NULL */
	bool quiet;    /* show nothing (errors still end the command) */
	/* push's {"aux":{Tag,Digest,Size}} messages */
	void (*aux)(void *ctx, json_object *aux);
	void *aux_ctx;
} cli_msg_opts;
int cli_message_stream_opts(cli *c, const httpc_req *req, const cli_msg_opts *o, err_t **err);
/* cmd_image.c */
int cmd_image(cli *c, int argc, char **argv);
int cmd_images(cli *c, int argc, char **argv);
int cmd_history(cli *c, int argc, char **argv);
int cmd_import(cli *c, int argc, char **argv);
int cmd_load(cli *c, int argc, char **argv);
int cmd_rmi(cli *c, int argc, char **argv);
int cmd_save(cli *c, int argc, char **argv);
int cmd_tag(cli *c, int argc, char **argv);
/* cmd_registry.c */
int cmd_pull(cli *c, int argc, char **argv);
int cmd_image_pull(cli *c, int argc, char **argv);
int cmd_push(cli *c, int argc, char **argv);
int cmd_image_push(cli *c, int argc, char **argv);
int cmd_search(cli *c, int argc, char **argv);
int cmd_login(cli *c, int argc, char **argv);
int cmd_logout(cli *c, int argc, char **argv);
/* Pulls image (a missing image of run/create), progress on stderr. */
int cli_pull_image(cli *c, const char *image, err_t **err);
/* The images part of `system df -v`: rows and column titles. */
json_object *image_df_rows(json_object *summaries);
json_object *image_df_header(void);

#endif
