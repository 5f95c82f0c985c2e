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
/* POST /images/create?fromImage=...: prints the progress stream (per layer
 * lines as docker does) and fails on an errorDetail. */
int cli_pull_stream(cli *c, const char *path, err_t **err);
/* docker ps's PORTS text for a container summary's Ports array. */
char *cli_ports_text(json_object *ports);

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

#endif
