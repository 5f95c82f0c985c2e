/* cmd_volume.c: `engine volume create|ls|inspect|rm|prune`, printed as the
 * docker CLI prints them (DRIVER, VOLUME NAME). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "containers_cli.h"
#include "filters.h"
#include "jsonutil.h"
#include "output.h"
#include "units.h"
#include "xalloc.h"

#define END_FLAGS {NULL, 0, 0, NULL, NULL, NULL, NULL}

static int parse(int argc, char **argv, const flag_spec *specs, const cmd_usage *u, int min)
{
	int first = flags_parse(argc, argv, specs, u, true);
	if (first == -2)
		return -1000;
	if (first < 0)
		return -EXIT_USAGE;
	if (argc - first < min) {
		fprintf(stderr, "\"%s\" requires at least %d argument%s.\nSee '%s --help'.\n", u->usage, min,
			min == 1 ? "" : "s", u->usage);
		return -EXIT_USAGE;
	}
	return first;
}

static int parse_exit(int r)
{
	return r == -1000 ? 0 : -r;
}

static int filters_arg(char **args, char **json, err_t **err)
{
	_cleanup_filters_ filters *f = filters_new();
	for (char **a = args; a && *a; a++)
		if (filters_add_arg(f, *a, err) < 0)
			return -1;
	*json = filters_to_json(f);
	return 0;
}

static int vol_create_cmd(cli *c, int argc, char **argv)
{
	char *name = NULL, *driver = NULL;
	char **opts = NULL, **labels = NULL;
	const flag_spec specs[] = {
		{"driver", 'd', FLAG_STRING, &driver, "Specify volume driver name", NULL, NULL},
		{"label", 0, FLAG_LIST, &labels, "Set metadata for a volume", NULL, NULL},
		{"name", 0, FLAG_STRING, &name, "Specify volume name", NULL, NULL},
		{"opt", 'o', FLAG_LIST, &opts, "Set driver specific options", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine volume create [OPTIONS] [VOLUME]", "Create a volume", NULL};
	int first = parse(argc, argv, specs, &u, 0);
	if (first < 0) {
		flags_free(specs);
		return parse_exit(first);
	}
	json_object *body = json_object_new_object();
	jset_str(body, "Name", first < argc ? argv[first] : name ? name : "");
	jset_str(body, "Driver", driver ? driver : "local");
	json_object *o = json_object_new_object(), *l = json_object_new_object();
	for (char **kv = opts; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		_cleanup_free_ char *k = eq ? xstrndup(*kv, (size_t)(eq - *kv)) : xstrdup(*kv);
		jset_str(o, k, eq ? eq + 1 : "");
	}
	for (char **kv = labels; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		_cleanup_free_ char *k = eq ? xstrndup(*kv, (size_t)(eq - *kv)) : xstrdup(*kv);
		jset_str(l, k, eq ? eq + 1 : "");
	}
	jset(body, "DriverOpts", o);
	jset(body, "Labels", l);
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *out = NULL;
	_cleanup_free_ char *path = cli_path(c, "/volumes/create");
	int rc = 0;
	if (cli_call(c, "POST", path, body, &out, &err) < 0)
		rc = cli_report(err);
	else
		printf("%s\n", jget_str(out, "Name"));
	flags_free(specs);
	return rc;
}

static int vol_ls_cmd(cli *c, int argc, char **argv)
{
	bool quiet = false;
	char *format = NULL;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"filter", 'f', FLAG_LIST, &filter, "Provide filter values (e.g. \"dangling=true\")", "filter", NULL},
		{"format", 0, FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Only display volume names", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine volume ls [OPTIONS]", "List volumes", "engine volume ls, engine volume list"};
	int first = parse(argc, argv, specs, &u, 0);
	if (first < 0) {
		flags_free(specs);
		return parse_exit(first);
	}
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *fj = NULL;
	int rc = 0;
	if (filters_arg(filter, &fj, &err) < 0) {
		rc = cli_report(err);
	} else {
		_cleanup_free_ char *efj = cli_escape(fj);
		_cleanup_free_ char *path = cli_path(c, "/volumes%s%s", *fj ? "?filters=" : "", *fj ? efj : "");
		_cleanup_json_ json_object *out = NULL;
		if (cli_call(c, "GET", path, NULL, &out, &err) < 0) {
			rc = cli_report(err);
		} else {
			_cleanup_json_ json_object *rows = json_object_new_array();
			json_object *vols = jget_arr(out, "Volumes");
			for (size_t i = 0; vols && i < json_object_array_length(vols); i++) {
				json_object *v = json_object_array_get_idx(vols, i), *r = json_object_new_object();
				jset_str(r, "Driver", jget_str(v, "Driver"));
				jset_str(r, "Name", jget_str(v, "Name"));
				jset_str(r, "Mountpoint", jget_str(v, "Mountpoint"));
				jset_str(r, "Scope", jget_str(v, "Scope"));
				jset_str(r, "CreatedAt", jget_str(v, "CreatedAt"));
				json_object *labels = jget_obj(v, "Labels");
				_cleanup_sb_ strbuf lt = STRBUF_INIT;
				json_object_object_foreach(jobj_or_empty(labels), k, lv)
					sb_printf(&lt, "%s%s=%s", lt.len ? "," : "", k, json_object_get_string(lv));
				jset_str(r, "Labels", sb_str(&lt));
				json_object_array_add(rows, r);
			}
			_cleanup_json_ json_object *hdr = json_object_new_object();
			jset_str(hdr, "Driver", "DRIVER");
			jset_str(hdr, "Name", "VOLUME NAME");
			jset_str(hdr, "Mountpoint", "MOUNTPOINT");
			jset_str(hdr, "Scope", "SCOPE");
			jset_str(hdr, "Labels", "LABELS");
			jset_str(hdr, "CreatedAt", "CREATED");
			if (out_print_rows(quiet ? NULL : format, quiet ? "{{.Name}}" : "table {{.Driver}}\t{{.Name}}", rows, hdr) < 0)
				rc = EXIT_USAGE;
		}
	}
	flags_free(specs);
	return rc;
}

static int vol_inspect_cmd(cli *c, int argc, char **argv)
{
	char *format = NULL;
	const flag_spec specs[] = {
		{"format", 'f', FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine volume inspect [OPTIONS] VOLUME [VOLUME...]", "Display detailed information on one or more volumes", NULL};
	int first = parse(argc, argv, specs, &u, 1);
	if (first < 0) {
		flags_free(specs);
		return parse_exit(first);
	}
	int rc = 0;
	_cleanup_json_ json_object *items = json_object_new_array();
	for (int i = first; i < argc; i++) {
		_cleanup_err_ err_t *err = NULL;
		_cleanup_free_ char *en = cli_escape(argv[i]);
		_cleanup_free_ char *path = cli_path(c, "/volumes/%s", en);
		json_object *o = NULL;
		if (cli_call(c, "GET", path, NULL, &o, &err) < 0) {
			cli_report(err);
			rc = 1;
			continue;
		}
		json_object_array_add(items, o);
	}
	if ((json_object_array_length(items) || !format) && out_print_inspect(items, format) < 0)
		rc = 1;
	flags_free(specs);
	return rc;
}

static int vol_rm_cmd(cli *c, int argc, char **argv)
{
	bool force = false;
	const flag_spec specs[] = {
		{"force", 'f', FLAG_BOOL, &force, "Force the removal of one or more volumes", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine volume rm [OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes", "engine volume rm, engine volume remove"};
	int first = parse(argc, argv, specs, &u, 1);
	if (first < 0)
		return parse_exit(first);
	int rc = 0;
	for (int i = first; i < argc; i++) {
		_cleanup_err_ err_t *err = NULL;
		_cleanup_free_ char *en = cli_escape(argv[i]);
		_cleanup_free_ char *path = cli_path(c, "/volumes/%s?force=%d", en, force);
		if (cli_call(c, "DELETE", path, NULL, NULL, &err) < 0) {
			cli_report(err);
			rc = 1;
		} else {
			printf("%s\n", argv[i]);
		}
	}
	return rc;
}

static int vol_prune_cmd(cli *c, int argc, char **argv)
{
	bool force = false, all = false;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"all", 'a', FLAG_BOOL, &all, "Remove all unused volumes, not just anonymous ones", NULL, NULL},
		{"filter", 0, FLAG_LIST, &filter, "Provide filter values (e.g. \"label=<label>\")", "filter", NULL},
		{"force", 'f', FLAG_BOOL, &force, "Do not prompt for confirmation", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine volume prune [OPTIONS]", "Remove unused local volumes", NULL};
	int first = parse(argc, argv, specs, &u, 0);
	if (first < 0) {
		flags_free(specs);
		return parse_exit(first);
	}
	int rc = 0;
	if (force || cli_confirm(all ? "WARNING! This will remove all local volumes not used by at least one container."
				     : "WARNING! This will remove anonymous local volumes not used by at least one container.")) {
		const prune_req r = {.kind = "volumes", .extra_key = all ? "all" : NULL, .extra_val = "true",
				     .deleted_key = "VolumesDeleted", .title = "Deleted Volumes:", .space = true};
		rc = cli_prune(c, &r, filter);
	}
	flags_free(specs);
	return rc;
}

int cmd_volume(cli *c, int argc, char **argv)
{
	static const cmd_entry table[] = {
		{"create", vol_create_cmd, "Create a volume"},
		{"inspect", vol_inspect_cmd, "Display detailed information on one or more volumes"},
		{"list", vol_ls_cmd, "List volumes"},
		{"ls", vol_ls_cmd, "List volumes"},
		{"prune", vol_prune_cmd, "Remove unused local volumes"},
		{"remove", vol_rm_cmd, "Remove one or more volumes"},
		{"rm", vol_rm_cmd, "Remove one or more volumes"},
		{NULL, NULL, NULL},
	};
	return cli_dispatch_group(c, argc, argv, table, "volume", "Manage volumes");
}
