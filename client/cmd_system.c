/* cmd_system.c: `engine version`, `engine info` and the `engine system`
 * group, laid out line for line as the docker CLI prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "cli.h"
#include "jsonutil.h"
#include "version.h"

static const char *s_or(json_object *o, const char *key, const char *def)
{
	const char *v = jget_str(o, key);
	return v ? v : def;
}

static void print_client_version(const cli *c)
{
	printf("Client: engine\n");
	printf(" Version:           %s\n", ENGINE_VERSION);
	printf(" API version:       %s%s%s%s\n", c->version[0] ? c->version : API_VERSION,
	       c->version[0] && strcmp(c->version, API_VERSION) ? " (downgraded from " : "",
	       c->version[0] && strcmp(c->version, API_VERSION) ? API_VERSION : "",
	       c->version[0] && strcmp(c->version, API_VERSION) ? ")" : "");
	printf(" Built:             %s %s\n", __DATE__, __TIME__);
	printf(" OS/Arch:           linux/amd64\n");
	printf(" Context:           default\n");
}

static void print_server_version(json_object *v)
{
	json_object *plat = jget_obj(v, "Platform");
	printf("\nServer: %s\n", s_or(plat, "Name", ""));
	json_object *comps = jget_arr(v, "Components");
	for (size_t i = 0; comps && i < json_object_array_length(comps); i++) {
		json_object *comp = json_object_array_get_idx(comps, i);
		json_object *d = jget_obj(comp, "Details");
		printf(" %s:\n", s_or(comp, "Name", ""));
		printf("  Version:          %s\n", s_or(comp, "Version", ""));
		if (!strcmp(s_or(comp, "Name", ""), "Engine")) {
			printf("  API version:      %s (minimum version %s)\n", s_or(d, "ApiVersion", ""),
			       s_or(d, "MinAPIVersion", ""));
			printf("  Go version:       %s\n", s_or(d, "GoVersion", ""));
			printf("  Git commit:       %s\n", s_or(d, "GitCommit", ""));
			printf("  Built:            %s\n", s_or(d, "BuildTime", ""));
			printf("  OS/Arch:          %s/%s\n", s_or(d, "Os", ""), s_or(d, "Arch", ""));
			printf("  Experimental:     %s\n", s_or(d, "Experimental", "false"));
		}
	}
}

int cmd_version(cli *c, int argc, char **argv)
{
	char *format = NULL;
	const flag_spec specs[] = {
		{"format", 'f', FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {"engine version [OPTIONS]", "Show the engine version information", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *v = NULL;
	int rc = 0;
	char *path = NULL;
	if (cli_negotiate(c, &err) == 0) {
		path = cli_path(c, "/version");
		cli_call(c, "GET", path, NULL, &v, &err);
	}
	print_client_version(c);
	if (v)
		print_server_version(v);
	else
		rc = cli_report(err);
	free(path);
	flags_free(specs);
	return rc;
}

static void print_info_server(json_object *i)
{
	printf("\nServer:\n");
	printf(" Containers: %lld\n", (long long)jget_int(i, "Containers", 0));
	printf("  Running: %lld\n", (long long)jget_int(i, "ContainersRunning", 0));
	printf("  Paused: %lld\n", (long long)jget_int(i, "ContainersPaused", 0));
	printf("  Stopped: %lld\n", (long long)jget_int(i, "ContainersStopped", 0));
	printf(" Images: %lld\n", (long long)jget_int(i, "Images", 0));
	printf(" Server Version: %s\n", s_or(i, "ServerVersion", ""));
	printf(" Storage Driver: %s\n", s_or(i, "Driver", ""));
	json_object *ds = jget_arr(i, "DriverStatus");
	for (size_t k = 0; ds && k < json_object_array_length(ds); k++) {
		json_object *p = json_object_array_get_idx(ds, k);
		printf("  %s: %s\n", json_object_get_string(json_object_array_get_idx(p, 0)),
		       json_object_get_string(json_object_array_get_idx(p, 1)));
	}
	printf(" Logging Driver: %s\n", s_or(i, "LoggingDriver", ""));
	printf(" Cgroup Driver: %s\n", s_or(i, "CgroupDriver", ""));
	printf(" Cgroup Version: %s\n", s_or(i, "CgroupVersion", ""));
	printf(" Swarm: %s\n", s_or(jget_obj(i, "Swarm"), "LocalNodeState", "inactive"));
	printf(" Default Runtime: %s\n", s_or(i, "DefaultRuntime", ""));
	printf(" Kernel Version: %s\n", s_or(i, "KernelVersion", ""));
	printf(" Operating System: %s\n", s_or(i, "OperatingSystem", ""));
	printf(" OSType: %s\n", s_or(i, "OSType", ""));
	printf(" Architecture: %s\n", s_or(i, "Architecture", ""));
	printf(" CPUs: %lld\n", (long long)jget_int(i, "NCPU", 0));
	printf(" Total Memory: %.4gGiB\n", (double)jget_int(i, "MemTotal", 0) / (1024.0 * 1024 * 1024));
	printf(" Name: %s\n", s_or(i, "Name", ""));
	printf(" ID: %s\n", s_or(i, "ID", ""));
	printf(" Docker Root Dir: %s\n", s_or(i, "DockerRootDir", ""));
	printf(" Debug Mode: %s\n", jget_bool(i, "Debug", false) ? "true" : "false");
	printf(" Experimental: false\n");
	json_object *cidrs = jget_arr(jget_obj(i, "RegistryConfig"), "InsecureRegistryCIDRs");
	if (cidrs && json_object_array_length(cidrs)) {
		printf(" Insecure Registries:\n");
		for (size_t k = 0; k < json_object_array_length(cidrs); k++)
			printf("  %s\n", json_object_get_string(json_object_array_get_idx(cidrs, k)));
	}
	printf(" Live Restore Enabled: %s\n", jget_bool(i, "LiveRestoreEnabled", false) ? "true" : "false");
	json_object *warn = jget_arr(i, "Warnings");
	for (size_t k = 0; warn && k < json_object_array_length(warn); k++)
		fprintf(stderr, "%s\n", json_object_get_string(json_object_array_get_idx(warn, k)));
}

int cmd_info(cli *c, int argc, char **argv)
{
	char *format = NULL;
	const flag_spec specs[] = {
		{"format", 'f', FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {"engine info [OPTIONS]", "Display system-wide information", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *i = NULL;
	int rc = 0;
	printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: %s\n", ENGINE_VERSION,
	       c->debug ? "true" : "false");
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_free_ char *path = cli_path(c, "/info");
		cli_call(c, "GET", path, NULL, &i, &err);
	}
	if (i)
		print_info_server(i);
	else
		rc = cli_report(err);
	flags_free(specs);
	return rc;
}

static int cmd_system_info(cli *c, int argc, char **argv)
{
	return cmd_info(c, argc, argv);
}

int cmd_system(cli *c, int argc, char **argv)
{
	static const cmd_entry table[] = {
		{"info", cmd_system_info, "Display system-wide information"},
		{NULL, NULL, NULL},
	};
	return cli_dispatch_group(c, argc, argv, table, "system", "Manage the engine");
}
