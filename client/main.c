/* main.c: `engine`, the CLI. Reads the global options (as the docker CLI
 * has them), finds the daemon (-H, then ENGINE_HOST, then DOCKER_HOST, then
 * the default socket) and runs the command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "containers_cli.h"
#include "version.h"

#define DEFAULT_HOST "unix:///var/run/engine.sock"

static const cmd_entry commands[] = {
	{"attach", cmd_attach, "Attach local standard input, output, and error streams to a running container"},
	{"container", cmd_container, "Manage containers"},
	{"create", cmd_create, "Create a new container"},
	{"events", cmd_events, "Get real time events from the server"},
	{"exec", cmd_exec, "Execute a command in a running container"},
	{"history", cmd_history, "Show the history of an image"},
	{"image", cmd_image, "Manage images"},
	{"images", cmd_images, "List images"},
	{"import", cmd_import, "Import the contents from a tarball to create a filesystem image"},
	{"info", cmd_info, "Display system-wide information"},
	{"inspect", cmd_inspect, "Return low-level information on Docker objects"},
	{"kill", cmd_kill, "Kill one or more running containers"},
	{"network", cmd_network, "Manage networks"},
	{"load", cmd_load, "Load an image from a tar archive or STDIN"},
	{"login", cmd_login, "Authenticate to a registry"},
	{"logout", cmd_logout, "Log out from a registry"},
	{"logs", cmd_logs, "Fetch the logs of a container"},
	{"pause", cmd_pause, "Pause all processes within one or more containers"},
	{"port", cmd_port, "List port mappings or a specific mapping for the container"},
	{"ps", cmd_ps, "List containers"},
	{"pull", cmd_pull, "Download an image from a registry"},
	{"push", cmd_push, "Upload an image to a registry"},
	{"rename", cmd_rename, "Rename a container"},
	{"restart", cmd_restart, "Restart one or more containers"},
	{"rm", cmd_rm, "Remove one or more containers"},
	{"rmi", cmd_rmi, "Remove one or more images"},
	{"run", cmd_run, "Create and run a new container from an image"},
	{"search", cmd_search, "Search Docker Hub for images"},
	{"save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)"},
	{"start", cmd_start, "Start one or more stopped containers"},
	{"stop", cmd_stop, "Stop one or more running containers"},
	{"system", cmd_system, "Manage the engine"},
	{"tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
	{"top", cmd_top, "Display the running processes of a container"},
	{"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
	{"version", cmd_version, "Show the engine version information"},
	{"volume", cmd_volume, "Manage volumes"},
	{"wait", cmd_wait, "Block until one or more containers stop, then print their exit codes"},
	{NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	fputs("\nUsage:  engine [OPTIONS] COMMAND\n\n"
	      "A self-sufficient runtime for containers, compatible with Docker\n\n"
	      "Commands:\n", out);
	for (const cmd_entry *e = commands; e->name; e++)
		fprintf(out, "  %-11s %s\n", e->name, e->summary);
	fputs("\nGlobal Options:\n"
	      "  -D, --debug              Enable debug mode\n"
	      "  -H, --host string        Daemon socket to connect to (default: $ENGINE_HOST, $DOCKER_HOST, " DEFAULT_HOST ")\n"
	      "  -l, --log-level string   Set the logging level (accepted for docker compatibility)\n"
	      "  -v, --version            Print version information and quit\n"
	      "  -h, --help               Print usage\n"
	      "\nRun 'engine COMMAND --help' for more information on a command.\n\n", out);
}

static const char *pick_host(const char *flag)
{
	if (flag)
		return flag;
	const char *e = getenv("ENGINE_HOST");
	if (e && *e)
		return e;
	e = getenv("DOCKER_HOST");
	if (e && *e)
		return e;
	return DEFAULT_HOST;
}

/* Global options come before the command; returns the command's index. */
static int parse_globals(int argc, char **argv, cli *c, const char **host)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-H") || !strcmp(a, "--host")) {
			if (++i >= argc) {
				fprintf(stderr, "flag needs an argument: --host\n");
				return -1;
			}
			*host = argv[i];
		} else if (!strncmp(a, "--host=", 7)) {
			*host = a + 7;
		} else if (!strncmp(a, "-H", 2)) {
			*host = a + 2;
		} else if (!strcmp(a, "-D") || !strcmp(a, "--debug")) {
			c->debug = true;
		} else if (!strcmp(a, "-l") || !strcmp(a, "--log-level") || !strcmp(a, "--config")) {
			i++;
		} else if (!strncmp(a, "--log-level=", 12) || !strncmp(a, "--config=", 9)) {
			continue;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
			printf("engine version %s, API %s\n", ENGINE_VERSION, API_VERSION);
			exit(0);
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "unknown flag: %s\nSee 'engine --help'.\n", a);
			return -1;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	cli c = {0};
	const char *host_flag = NULL;
	int first = parse_globals(argc, argv, &c, &host_flag);
	if (first < 0)
		return EXIT_USAGE;
	if (first >= argc) {
		usage(stdout);
		return 0;
	}
	c.host = pick_host(host_flag);
	_cleanup_err_ err_t *err = NULL;
	c.http = httpc_new(c.host, &err);
	if (!c.http) {
		fprintf(stderr, "%s\n", err->msg);
		return EXIT_USAGE;
	}
	int rc = -1;
	for (const cmd_entry *e = commands; e->name; e++) {
		if (!strcmp(e->name, argv[first])) {
			rc = e->fn(&c, argc - first, argv + first);
			break;
		}
	}
	if (rc == -1) {
		fprintf(stderr, "engine: '%s' is not an engine command.\nSee 'engine --help'\n", argv[first]);
		rc = EXIT_USAGE;
	}
	httpc_free(c.http);
	return rc;
}
