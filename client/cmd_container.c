/* cmd_container.c: the container commands of the CLI: run, create, start,
 * stop, restart, kill, wait, rm, ps, inspect, pause, unpause, rename,
 * container prune, and the `engine container` group. Output and exit codes
 * are the docker CLI's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "containers_cli.h"
#include "filters.h"
#include "gojson.h"
#include "jsonutil.h"
#include "output.h"
#include "reference.h"
#include "runopts.h"
#include "strbuf.h"
#include "timeutil.h"
#include "units.h"
#include "xalloc.h"

#define END_FLAGS {NULL, 0, 0, NULL, NULL, NULL, NULL}

/* Parses flags; returns the first positional, or a negative exit code. */
static int parse(int argc, char **argv, const flag_spec *specs, const cmd_usage *u,
		 bool interspersed, int min_args)
{
	int first = flags_parse(argc, argv, specs, u, interspersed);
	if (first == -2)
		return -1000; /* --help printed: exit 0 */
	if (first < 0)
		return -EXIT_USAGE;
	if (argc - first < min_args) {
		fprintf(stderr, "\"%s\" requires at least %d argument%s.\nSee '%s --help'.\n\nUsage:  %s\n\n%s\n",
			u->usage, min_args, min_args == 1 ? "" : "s", u->usage, u->usage, u->summary);
		return -EXIT_USAGE;
	}
	return first;
}

static int parse_exit(int r)
{
	return r == -1000 ? 0 : -r;
}

/* ---- create and run ---- */

static int pull_image(cli *c, const char *image, err_t **err)
{
	return cli_pull_image(c, image, err);
}

int cli_create_container(cli *c, const runopts *o, const char *image, char *const *cmd,
			 char **id_out, err_t **err)
{
	_cleanup_json_ json_object *body = runopts_body(o, image, cmd, err);
	if (!body)
		return -1;
	_cleanup_free_ char *ename = o->name ? cli_escape(o->name) : NULL;
	_cleanup_free_ char *path = ename ? cli_path(c, "/containers/create?name=%s", ename)
					  : cli_path(c, "/containers/create");
	bool always = o->pull && !strcmp(o->pull, "always");
	if (o->pull && strcmp(o->pull, "always") && strcmp(o->pull, "missing") && strcmp(o->pull, "never"))
		return err_invalid(err, "invalid pull option: '%s': must be one of \"always\", \"missing\" or \"never\"", o->pull);
	if (always && pull_image(c, image, err) < 0)
		return -1;
	for (int attempt = 0;; attempt++) {
		json_object *out = NULL;
		_cleanup_err_ err_t *cerr = NULL;
		if (cli_call(c, "POST", path, json_object_get(body), &out, &cerr) >= 0) {
			*id_out = xstrdup(jget_str(out, "Id") ? jget_str(out, "Id") : "");
			json_object *w = jget_arr(out, "Warnings");
			for (size_t i = 0; w && i < json_object_array_length(w); i++)
				fprintf(stderr, "WARNING: %s\n", json_object_get_string(json_object_array_get_idx(w, i)));
			json_object_put(out);
			return 0;
		}
		bool missing = cerr->kind == ERR_NOT_FOUND && strstr(cerr->msg, "No such image");
		if (!missing || attempt > 0 || always || (o->pull && !strcmp(o->pull, "never"))) {
			*err = steal_ptr(&cerr);
			return -1;
		}
		_cleanup_ref_ reference *ref = ref_parse_normalized(image, NULL);
		_cleanup_free_ char *fam = ref ? ref_familiar_string(ref) : xstrdup(image);
		fprintf(stderr, "Unable to find image '%s%s' locally\n", fam,
			ref && !ref->tag && !ref->digest ? ":latest" : "");
		if (pull_image(c, image, err) < 0)
			return -1;
	}
}

static const cmd_usage create_usage = {"engine create [OPTIONS] IMAGE [COMMAND] [ARG...]",
				       "Create a new container", "engine container create, engine create"};
static const cmd_usage run_usage = {"engine run [OPTIONS] IMAGE [COMMAND] [ARG...]",
				    "Create and run a new container from an image", "engine container run, engine run"};

int cmd_create(cli *c, int argc, char **argv)
{
	runopts o = {0};
	int first = parse(argc, argv, runopts_flags(&o, false), &create_usage, false, 1);
	if (first < 0) {
		runopts_free(&o);
		return parse_exit(first);
	}
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *id = NULL;
	int rc = 0;
	if (cli_create_container(c, &o, argv[first], argv + first + 1, &id, &err) < 0)
		rc = cli_report(err) == 1 ? EXIT_USAGE : EXIT_USAGE;
	else
		printf("%s\n", id);
	runopts_free(&o);
	return rc;
}

static int start_one(cli *c, const char *id, err_t **err)
{
	_cleanup_free_ char *eid = cli_escape(id);
	_cleanup_free_ char *path = cli_path(c, "/containers/%s/start", eid);
	return cli_call(c, "POST", path, NULL, NULL, err);
}

/* docker/cli maps a start failure to the exit code of the command it names. */
static int start_failure_code(const err_t *err)
{
	const char *m = err_msg(err);
	if (strstr(m, "executable file not found") || strstr(m, "no such file or directory"))
		return 127;
	if (strstr(m, "permission denied") || strstr(m, "is a directory"))
		return 126;
	return EXIT_USAGE;
}

int cmd_run(cli *c, int argc, char **argv)
{
	runopts o = {0};
	int first = parse(argc, argv, runopts_flags(&o, true), &run_usage, false, 1);
	if (first < 0) {
		runopts_free(&o);
		return parse_exit(first);
	}
	int rc;
	if (o.detach)
		rc = cli_run_detached(c, &o, argv[first], argv + first + 1);
	else
		rc = cli_run_attached(c, &o, argv[first], argv + first + 1);
	runopts_free(&o);
	return rc;
}

int cli_run_detached(cli *c, const runopts *o, const char *image, char *const *cmd)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *id = NULL;
	if (o->rm && o->restart && strcmp(o->restart, "no")) {
		fprintf(stderr, "engine: Conflicting options: --restart and --rm.\nSee 'engine run --help'.\n");
		return EXIT_USAGE;
	}
	if (cli_create_container(c, o, image, cmd, &id, &err) < 0) {
		fprintf(stderr, "engine: ");
		cli_report(err);
		return EXIT_USAGE;
	}
	if (start_one(c, id, &err) < 0) {
		fprintf(stderr, "engine: ");
		cli_report(err);
		return start_failure_code(err);
	}
	printf("%s\n", id);
	return 0;
}

/* ---- commands over one or more containers ---- */

typedef int (*each_fn)(cli *c, const char *name, void *ctx, err_t **err);

/* Runs fn for each name, printing the name on success as docker does; the
 * exit code is 1 when any failed. */
static int for_each(cli *c, char **names, each_fn fn, void *ctx, bool echo)
{
	int rc = 0;
	for (char **n = names; *n; n++) {
		_cleanup_err_ err_t *err = NULL;
		if (fn(c, *n, ctx, &err) < 0) {
			cli_report(err);
			rc = 1;
		} else if (echo) {
			printf("%s\n", *n);
		}
	}
	return rc;
}

static int simple_post(cli *c, const char *name, const char *action, const char *query, err_t **err)
{
	_cleanup_free_ char *en = cli_escape(name);
	_cleanup_free_ char *path = cli_path(c, "/containers/%s/%s%s%s", en, action, query ? "?" : "", query ? query : "");
	return cli_call(c, "POST", path, NULL, NULL, err);
}

static int do_start(cli *c, const char *name, void *ctx, err_t **err)
{
	(void)ctx;
	_cleanup_err_ err_t *e = NULL;
	if (start_one(c, name, &e) < 0 && e->kind != ERR_NOT_MODIFIED) {
		*err = steal_ptr(&e);
		return -1;
	}
	return 0;
}

int cmd_start(cli *c, int argc, char **argv)
{
	bool attach = false, interactive = false;
	char *detach_keys = NULL;
	const flag_spec specs[] = {
		{"attach", 'a', FLAG_BOOL, &attach, "Attach STDOUT/STDERR and forward signals", NULL, NULL},
		{"detach-keys", 0, FLAG_STRING, &detach_keys, "Override the key sequence for detaching a container", NULL, NULL},
		{"interactive", 'i', FLAG_BOOL, &interactive, "Attach container's STDIN", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine start [OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers", "engine container start, engine start"};
	int first = parse(argc, argv, specs, &u, true, 1);
	int rc;
	if (first < 0)
		rc = parse_exit(first);
	else if ((attach || interactive) && argc - first > 1) {
		fprintf(stderr, "engine: you cannot start and attach multiple containers at once\n");
		rc = 1;
	} else if (attach || interactive)
		rc = cli_start_attached(c, argv[first], interactive, detach_keys);
	else
		rc = for_each(c, argv + first, do_start, NULL, true);
	flags_free(specs);
	return rc;
}

typedef struct stop_opts {
	const char *action;
	long long timeout;
	bool timeout_set;
	char *signal;
} stop_opts;

static int do_stop(cli *c, const char *name, void *ctx, err_t **err)
{
	stop_opts *o = ctx;
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	if (o->timeout_set)
		sb_printf(&q, "t=%lld", o->timeout);
	if (o->signal) {
		_cleanup_free_ char *es = cli_escape(o->signal);
		sb_printf(&q, "%ssignal=%s", q.len ? "&" : "", es);
	}
	_cleanup_err_ err_t *e = NULL;
	if (simple_post(c, name, o->action, q.len ? q.buf : NULL, &e) < 0 && e->kind != ERR_NOT_MODIFIED) {
		*err = steal_ptr(&e);
		return -1;
	}
	return 0;
}

static int stop_like(cli *c, int argc, char **argv, const char *action, const cmd_usage *u)
{
	stop_opts o = {.action = action};
	const flag_spec specs[] = {
		{"signal", 's', FLAG_STRING, &o.signal, "Signal to send to the container", NULL, NULL},
		{"time", 't', FLAG_INT, &o.timeout, "Seconds to wait before killing the container", NULL, &o.timeout_set},
		END_FLAGS,
	};
	int first = parse(argc, argv, specs, u, true, 1);
	int rc = first < 0 ? parse_exit(first) : for_each(c, argv + first, do_stop, &o, true);
	flags_free(specs);
	return rc;
}

int cmd_stop(cli *c, int argc, char **argv)
{
	const cmd_usage u = {"engine stop [OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers", "engine container stop, engine stop"};
	return stop_like(c, argc, argv, "stop", &u);
}

int cmd_restart(cli *c, int argc, char **argv)
{
	const cmd_usage u = {"engine restart [OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers", "engine container restart, engine restart"};
	return stop_like(c, argc, argv, "restart", &u);
}

static int do_kill(cli *c, const char *name, void *ctx, err_t **err)
{
	const char *sig = ctx;
	_cleanup_free_ char *es = sig ? cli_escape(sig) : NULL;
	_cleanup_free_ char *q = es ? xasprintf("signal=%s", es) : NULL;
	return simple_post(c, name, "kill", q, err);
}

int cmd_kill(cli *c, int argc, char **argv)
{
	char *sig = NULL;
	const flag_spec specs[] = {
		{"signal", 's', FLAG_STRING, &sig, "Signal to send to the container", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine kill [OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers", "engine container kill, engine kill"};
	int first = parse(argc, argv, specs, &u, true, 1);
	int rc = first < 0 ? parse_exit(first) : for_each(c, argv + first, do_kill, sig, true);
	flags_free(specs);
	return rc;
}

static int do_pause(cli *c, const char *name, void *ctx, err_t **err)
{
	return simple_post(c, name, ctx, NULL, err);
}

static int pause_like(cli *c, int argc, char **argv, const char *action, const cmd_usage *u)
{
	const flag_spec specs[] = {END_FLAGS};
	int first = parse(argc, argv, specs, u, true, 1);
	return first < 0 ? parse_exit(first) : for_each(c, argv + first, do_pause, (void *)action, true);
}

int cmd_pause(cli *c, int argc, char **argv)
{
	const cmd_usage u = {"engine pause CONTAINER [CONTAINER...]", "Pause all processes within one or more containers", "engine container pause, engine pause"};
	return pause_like(c, argc, argv, "pause", &u);
}

int cmd_unpause(cli *c, int argc, char **argv)
{
	const cmd_usage u = {"engine unpause CONTAINER [CONTAINER...]", "Unpause all processes within one or more containers", "engine container unpause, engine unpause"};
	return pause_like(c, argc, argv, "unpause", &u);
}

static int do_wait(cli *c, const char *name, void *ctx, err_t **err)
{
	(void)ctx;
	_cleanup_json_ json_object *out = NULL;
	_cleanup_free_ char *en = cli_escape(name);
	_cleanup_free_ char *path = cli_path(c, "/containers/%s/wait", en);
	if (cli_call(c, "POST", path, NULL, &out, err) < 0)
		return -1;
	printf("%lld\n", (long long)jget_int(out, "StatusCode", 0));
	return 0;
}

int cmd_wait(cli *c, int argc, char **argv)
{
	const flag_spec specs[] = {END_FLAGS};
	const cmd_usage u = {"engine wait CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes", "engine container wait, engine wait"};
	int first = parse(argc, argv, specs, &u, true, 1);
	return first < 0 ? parse_exit(first) : for_each(c, argv + first, do_wait, NULL, false);
}

typedef struct rm_opts {
	bool force, volumes, link;
} rm_opts;

static int do_rm(cli *c, const char *name, void *ctx, err_t **err)
{
	rm_opts *o = ctx;
	_cleanup_free_ char *en = cli_escape(name);
	_cleanup_free_ char *path = cli_path(c, "/containers/%s?force=%d&v=%d", en, o->force, o->volumes);
	return cli_call(c, "DELETE", path, NULL, NULL, err);
}

int cmd_rm(cli *c, int argc, char **argv)
{
	rm_opts o = {0};
	const flag_spec specs[] = {
		{"force", 'f', FLAG_BOOL, &o.force, "Force the removal of a running container (uses SIGKILL)", NULL, NULL},
		{"link", 'l', FLAG_BOOL, &o.link, "Remove the specified link", NULL, NULL},
		{"volumes", 'v', FLAG_BOOL, &o.volumes, "Remove anonymous volumes associated with the container", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine rm [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers", "engine container rm, engine container remove, engine rm"};
	int first = parse(argc, argv, specs, &u, true, 1);
	return first < 0 ? parse_exit(first) : for_each(c, argv + first, do_rm, &o, true);
}

int cmd_rename(cli *c, int argc, char **argv)
{
	const flag_spec specs[] = {END_FLAGS};
	const cmd_usage u = {"engine rename CONTAINER NEW_NAME", "Rename a container", "engine container rename, engine rename"};
	int first = parse(argc, argv, specs, &u, true, 2);
	if (first < 0)
		return parse_exit(first);
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *en = cli_escape(argv[first + 1]);
	_cleanup_free_ char *q = xasprintf("name=%s", en);
	if (simple_post(c, argv[first], "rename", q, &err) < 0)
		return cli_report(err);
	return 0;
}

/* ---- ps ---- */

static char *ps_image(json_object *s, bool trunc)
{
	const char *image = jget_str(s, "Image"), *id = jget_str(s, "ImageID");
	if (!image || !*image)
		return xstrdup("<no image>");
	if (!trunc)
		return xstrdup(image);
	_cleanup_free_ char *a = out_short_id(id ? id : ""), *b = out_short_id(image);
	if (!strcmp(a, b))
		return xstrdup(a);
	_cleanup_ref_ reference *ref = ref_parse_normalized(image, NULL);
	if (!ref)
		return xstrdup(image);
	free(ref->digest);
	ref->digest = NULL;
	return ref_familiar_string(ref);
}

static char *ps_names(json_object *s)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	json_object *names = jget_arr(s, "Names");
	for (size_t i = 0; names && i < json_object_array_length(names); i++) {
		const char *n = json_object_get_string(json_object_array_get_idx(names, i));
		if (n[0] == '/')
			n++;
		if (strchr(n, '/'))
			continue; /* legacy link names */
		sb_printf(&sb, "%s%s", sb.len ? "," : "", n);
	}
	return sb_steal(&sb);
}

static char *ps_labels(json_object *s)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	json_object_object_foreach(jobj_or_empty(jget_obj(s, "Labels")), k, v)
		sb_printf(&sb, "%s%s=%s", sb.len ? "," : "", k, json_object_get_string(v));
	return sb_steal(&sb);
}

static char *ps_command(json_object *s, bool trunc)
{
	_cleanup_free_ char *cmd = trunc ? out_ellipsis(jget_str(s, "Command") ?: "", 20)
					 : xstrdup(jget_str(s, "Command") ?: "");
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	gojson_string(&sb, cmd, strlen(cmd), 0);
	return sb_steal(&sb);
}

static char *ps_created_at(int64_t secs)
{
	time_t t = (time_t)secs;
	struct tm tm;
	localtime_r(&t, &tm);
	char buf[64], zone[16];
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm);
	strftime(zone, sizeof(zone), "%Z", &tm);
	return xasprintf("%s %s", buf, zone);
}

static json_object *ps_row(json_object *s, bool trunc)
{
	json_object *r = json_object_new_object();
	_cleanup_free_ char *cmd = ps_command(s, trunc);
	jset_str(r, "Command", cmd);
	int64_t created = jget_int(s, "Created", 0);
	_cleanup_free_ char *created_at = ps_created_at(created);
	jset_str(r, "CreatedAt", created_at);
	_cleanup_free_ char *id = trunc ? out_short_id(jget_str(s, "Id") ?: "") : xstrdup(jget_str(s, "Id") ?: "");
	jset_str(r, "ID", id);
	_cleanup_free_ char *image = ps_image(s, trunc);
	jset_str(r, "Image", image);
	_cleanup_free_ char *labels = ps_labels(s);
	jset_str(r, "Labels", labels);
	jset_str(r, "LocalVolumes", "0");
	jset_str(r, "Mounts", "");
	_cleanup_free_ char *names = ps_names(s);
	jset_str(r, "Names", names);
	jset_str(r, "Networks", jget_str(jget_obj(s, "HostConfig"), "NetworkMode") ?: "");
	_cleanup_free_ char *ports = cli_ports_text(jget_arr(s, "Ports"));
	jset_str(r, "Ports", ports);
	_cleanup_free_ char *ago = time_human_duration(now_ns() - created * NS_PER_SEC);
	_cleanup_free_ char *running_for = xasprintf("%s ago", ago);
	jset_str(r, "RunningFor", running_for);
	if (jget(s, "SizeRw")) {
		_cleanup_free_ char *rw = units_human_size_prec((double)jget_int(s, "SizeRw", 0), 3);
		_cleanup_free_ char *v = units_human_size_prec((double)jget_int(s, "SizeRootFs", 0), 3);
		_cleanup_free_ char *size = xasprintf("%s (virtual %s)", rw, v);
		jset_str(r, "Size", size);
	} else {
		jset_str(r, "Size", "0B");
	}
	jset_str(r, "State", jget_str(s, "State") ?: "");
	jset_str(r, "Status", jget_str(s, "Status") ?: "");
	return r;
}

static json_object *ps_header(void)
{
	json_object *h = json_object_new_object();
	static const char *const cols[][2] = {
		{"ID", "CONTAINER ID"}, {"Image", "IMAGE"}, {"Command", "COMMAND"},
		{"CreatedAt", "CREATED AT"}, {"RunningFor", "CREATED"}, {"Ports", "PORTS"},
		{"State", "STATE"}, {"Status", "STATUS"}, {"Size", "SIZE"}, {"Names", "NAMES"},
		{"Labels", "LABELS"}, {"Mounts", "MOUNTS"}, {"Networks", "NETWORKS"},
		{"LocalVolumes", "LOCAL VOLUMES"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		jset_str(h, cols[i][0], cols[i][1]);
	return h;
}

int cmd_ps(cli *c, int argc, char **argv)
{
	bool all = false, quiet = false, size = false, no_trunc = false, latest = false;
	long long last = -1;
	char *format = NULL;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"all", 'a', FLAG_BOOL, &all, "Show all containers (default shows just running)", NULL, NULL},
		{"filter", 'f', FLAG_LIST, &filter, "Filter output based on conditions provided", "filter", NULL},
		{"format", 0, FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"last", 'n', FLAG_INT, &last, "Show n last created containers (includes all states)", NULL, NULL},
		{"latest", 'l', FLAG_BOOL, &latest, "Show the latest created container (includes all states)", NULL, NULL},
		{"no-trunc", 0, FLAG_BOOL, &no_trunc, "Don't truncate output", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Only display container IDs", NULL, NULL},
		{"size", 's', FLAG_BOOL, &size, "Display total file sizes", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine ps [OPTIONS]", "List containers", "engine container ls, engine container list, engine container ps, engine ps"};
	int first = parse(argc, argv, specs, &u, true, 0);
	if (first < 0) {
		flags_free(specs);
		return parse_exit(first);
	}
	int rc = 0;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_filters_ filters *f = filters_new();
	for (char **a = filter; a && *a && rc == 0; a++)
		if (filters_add_arg(f, *a, &err) < 0)
			rc = cli_report(err);
	if (rc == 0) {
		_cleanup_free_ char *fj = filters_to_json(f);
		_cleanup_free_ char *efj = cli_escape(fj);
		long long limit = latest ? 1 : last;
		_cleanup_free_ char *path = cli_path(c, "/containers/json?all=%d&size=%d&limit=%lld%s%s", all, size,
						     limit, *fj ? "&filters=" : "", *fj ? efj : "");
		_cleanup_json_ json_object *list = NULL;
		if (cli_call(c, "GET", path, NULL, &list, &err) < 0) {
			rc = cli_report(err);
		} else {
			_cleanup_json_ json_object *rows = json_object_new_array();
			for (size_t i = 0; list && i < json_object_array_length(list); i++)
				json_object_array_add(rows, ps_row(json_object_array_get_idx(list, i), !no_trunc));
			_cleanup_json_ json_object *hdr = ps_header();
			const char *def = quiet ? "{{.ID}}"
				: size ? "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}"
				       : "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
			if (out_print_rows(quiet ? NULL : format, def, rows, hdr) < 0)
				rc = EXIT_USAGE;
		}
	}
	flags_free(specs);
	return rc;
}

/* ---- inspect ---- */

static json_object *inspect_one(cli *c, const char *name, const char *type, bool size, err_t **err)
{
	_cleanup_free_ char *en = cli_escape(name);
	bool try_ctr = !type || !strcmp(type, "container"), try_img = !type || !strcmp(type, "image");
	if (try_ctr) {
		_cleanup_free_ char *path = cli_path(c, "/containers/%s/json?size=%d", en, size);
		json_object *o = NULL;
		_cleanup_err_ err_t *e = NULL;
		if (cli_call(c, "GET", path, NULL, &o, &e) >= 0)
			return o;
		if (e->kind != ERR_NOT_FOUND || !try_img) {
			*err = steal_ptr(&e);
			return NULL;
		}
	}
	_cleanup_free_ char *path = cli_path(c, "/images/%s/json", en);
	json_object *o = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (cli_call(c, "GET", path, NULL, &o, &e) >= 0)
		return o;
	if (e->kind == ERR_NOT_FOUND && !type)
		err_set(err, ERR_NOT_FOUND, 0, "Error: No such object: %s", name);
	else
		*err = steal_ptr(&e);
	return NULL;
}

int cli_inspect(cli *c, char **names, const char *type, const char *format, bool size)
{
	_cleanup_json_ json_object *items = json_object_new_array();
	int rc = 0;
	for (char **n = names; *n; n++) {
		_cleanup_err_ err_t *err = NULL;
		json_object *o = inspect_one(c, *n, type, size, &err);
		if (!o) {
			if (err->errnum < 0 || strncmp(err->msg, "Error: ", 7))
				cli_report(err);
			else
				fprintf(stderr, "%s\n", err->msg);
			rc = 1;
			continue;
		}
		json_object_array_add(items, o);
	}
	if (json_object_array_length(items) || !format)
		if (out_print_inspect(items, format) < 0)
			rc = 1;
	return rc;
}

int cmd_inspect(cli *c, int argc, char **argv)
{
	char *format = NULL, *type = NULL;
	bool size = false;
	const flag_spec specs[] = {
		{"format", 'f', FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"size", 's', FLAG_BOOL, &size, "Display total file sizes if the type is container", NULL, NULL},
		{"type", 0, FLAG_STRING, &type, "Return JSON for specified type", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine inspect [OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on Docker objects", NULL};
	int first = parse(argc, argv, specs, &u, true, 1);
	int rc;
	if (first < 0)
		rc = parse_exit(first);
	else if (type && strcmp(type, "container") && strcmp(type, "image")) {
		fprintf(stderr, "\"%s\" is not a valid value for --type\n", type);
		rc = EXIT_USAGE;
	} else
		rc = cli_inspect(c, argv + first, type, format, size);
	flags_free(specs);
	return rc;
}

static int cmd_container_inspect(cli *c, int argc, char **argv)
{
	char *format = NULL;
	bool size = false;
	const flag_spec specs[] = {
		{"format", 'f', FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"size", 's', FLAG_BOOL, &size, "Display total file sizes", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine container inspect [OPTIONS] CONTAINER [CONTAINER...]", "Display detailed information on one or more containers", NULL};
	int first = parse(argc, argv, specs, &u, true, 1);
	int rc = first < 0 ? parse_exit(first) : cli_inspect(c, argv + first, "container", format, size);
	flags_free(specs);
	return rc;
}

/* ---- prune ---- */

int cli_confirm(const char *question)
{
	fprintf(stdout, "%s\nAre you sure you want to continue? [y/N] ", question);
	fflush(stdout);
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	/* docker: the whole answer, lower-cased, must be "y" */
	line[strcspn(line, "\r\n")] = '\0';
	return !strcmp(line, "y") || !strcmp(line, "Y");
}

static int cmd_container_prune(cli *c, int argc, char **argv)
{
	bool force = false;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"filter", 0, FLAG_LIST, &filter, "Provide filter values (e.g. \"until=<timestamp>\")", "filter", NULL},
		{"force", 'f', FLAG_BOOL, &force, "Do not prompt for confirmation", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine container prune [OPTIONS]", "Remove all stopped containers", NULL};
	int first = parse(argc, argv, specs, &u, true, 0);
	if (first < 0) {
		flags_free(specs);
		return parse_exit(first);
	}
	int rc = 0;
	if (force || cli_confirm("WARNING! This will remove all stopped containers.")) {
		const prune_req r = {.kind = "containers", .deleted_key = "ContainersDeleted",
				     .title = "Deleted Containers:", .space = true};
		rc = cli_prune(c, &r, filter);
	}
	flags_free(specs);
	return rc;
}

static int cmd_container_ls(cli *c, int argc, char **argv)
{
	return cmd_ps(c, argc, argv);
}

int cmd_container(cli *c, int argc, char **argv)
{
	static const cmd_entry table[] = {
		{"attach", cmd_attach, "Attach local standard input, output, and error streams to a running container"},
		{"create", cmd_create, "Create a new container"},
		{"exec", cmd_exec, "Execute a command in a running container"},
		{"inspect", cmd_container_inspect, "Display detailed information on one or more containers"},
		{"kill", cmd_kill, "Kill one or more running containers"},
		{"list", cmd_container_ls, "List containers"},
		{"logs", cmd_logs, "Fetch the logs of a container"},
		{"ls", cmd_container_ls, "List containers"},
		{"pause", cmd_pause, "Pause all processes within one or more containers"},
		{"port", cmd_port, "List port mappings or a specific mapping for the container"},
		{"prune", cmd_container_prune, "Remove all stopped containers"},
		{"ps", cmd_container_ls, "List containers"},
		{"remove", cmd_rm, "Remove one or more containers"},
		{"rename", cmd_rename, "Rename a container"},
		{"restart", cmd_restart, "Restart one or more containers"},
		{"rm", cmd_rm, "Remove one or more containers"},
		{"run", cmd_run, "Create and run a new container from an image"},
		{"start", cmd_start, "Start one or more stopped containers"},
		{"stop", cmd_stop, "Stop one or more running containers"},
		{"top", cmd_top, "Display the running processes of a container"},
		{"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
		{"wait", cmd_wait, "Block until one or more containers stop, then print their exit codes"},
		{NULL, NULL, NULL},
	};
	return cli_dispatch_group(c, argc, argv, table, "container", "Manage containers");
}
