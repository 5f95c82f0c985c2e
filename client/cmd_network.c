/* cmd_network.c: `engine network create/ls/inspect/rm/connect/disconnect/
 * prune` and `engine port`, with the docker CLI's flags, requests, output
 * (NETWORK ID, NAME, DRIVER, SCOPE; --format through outfmt) and exit
 * codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "containers_cli.h"
#include "filters.h"
#include "jsonutil.h"
#include "output.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xalloc.h"

#define END_FLAGS {NULL, 0, 0, NULL, NULL, NULL, NULL}

/* Parses flags; the first positional, or -(exit code) (-1000: --help). */
static int parse(int argc, char **argv, const flag_spec *specs, const cmd_usage *u, int min, int max)
{
	int first = flags_parse(argc, argv, specs, u, true);
	if (first == -2)
		return -1000;
	if (first < 0)
		return -EXIT_USAGE;
	int n = argc - first;
	if (n < min || (max >= 0 && n > max)) {
		const char *what = max == min ? "exactly" : n < min ? "at least" : "at most";
		int k = n < min ? min : max;
		fprintf(stderr, "\"%s\" requires %s %d argument%s.\nSee '%s --help'.\n\nUsage:  %s\n\n%s\n", u->usage,
			what, k, k == 1 ? "" : "s", u->usage, u->usage, u->summary);
		return -EXIT_USAGE;
	}
	return first;
}

static int done(const flag_spec *specs, int rc)
{
	flags_free(specs);
	return rc == -1000 ? 0 : rc < 0 ? -rc : rc;
}

static char *filters_query(char **args, err_t **err)
{
	_cleanup_filters_ filters *f = filters_new();
	for (char **a = args; a && *a; a++)
		if (filters_add_arg(f, *a, err) < 0)
			return NULL;
	_cleanup_free_ char *fj = filters_to_json(f);
	if (!*fj)
		return xstrdup("");
	_cleanup_free_ char *e = cli_escape(fj);
	return xasprintf("filters=%s", e);
}

/* ---- create ---- */

typedef struct create_opts {
	char *driver, *ipam_driver, *scope;
	char **subnet, **ip_range, **gateway, **label, **opt, **ipam_opt;
	bool internal, attachable, ipv6;
} create_opts;

static json_object *kv_map(char **list)
{
	json_object *o = json_object_new_object();
	for (char **e = list; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		_cleanup_free_ char *k = eq ? xstrndup(*e, (size_t)(eq - *e)) : xstrdup(*e);
		jset_str(o, k, eq ? eq + 1 : "");
	}
	return o;
}

static size_t count(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* docker/cli's consolidateIpam for one subnet or none. */
static json_object *ipam_config(const create_opts *o, err_t **err)
{
	json_object *cfgs = json_object_new_array();
	size_t ns = count(o->subnet);
	if (ns > 1) {
		json_object_put(cfgs);
		err_invalid(err, "engine networks have one IPv4 subnet (%zu given)", ns);
		return NULL;
	}
	if (!ns && (count(o->ip_range) || count(o->gateway))) {
		json_object_put(cfgs);
		err_invalid(err, "every ip-range or gateway must have a corresponding subnet");
		return NULL;
	}
	if (count(o->ip_range) > 1 || count(o->gateway) > 1) {
		json_object_put(cfgs);
		err_invalid(err, "cannot configure multiple ranges (or gateways) on the same subnet");
		return NULL;
	}
	if (ns) {
		json_object *c = json_object_new_object();
		jset_str(c, "Subnet", o->subnet[0]);
		if (o->ip_range)
			jset_str(c, "IPRange", o->ip_range[0]);
		if (o->gateway)
			jset_str(c, "Gateway", o->gateway[0]);
		jset(c, "AuxiliaryAddresses", json_object_new_object());
		json_object_array_add(cfgs, c);
	}
	return cfgs;
}

static json_object *create_body(const create_opts *o, const char *name, err_t **err)
{
	json_object *cfgs = ipam_config(o, err);
	if (!cfgs)
		return NULL;
	json_object *b = json_object_new_object();
	jset_str(b, "Name", name);
	jset_bool(b, "CheckDuplicate", true);
	jset_str(b, "Driver", o->driver ? o->driver : "bridge");
	jset_str(b, "Scope", o->scope ? o->scope : "");
	json_object *ipam = json_object_new_object();
	jset_str(ipam, "Driver", o->ipam_driver ? o->ipam_driver : "default");
	jset(ipam, "Config", cfgs);
	jset(ipam, "Options", kv_map(o->ipam_opt));
	jset(b, "IPAM", ipam);
	jset_bool(b, "Internal", o->internal);
	jset_bool(b, "Attachable", o->attachable);
	jset_bool(b, "EnableIPv6", o->ipv6);
	jset(b, "Options", kv_map(o->opt));
	jset(b, "Labels", kv_map(o->label));
	return b;
}

static int net_create_cmd(cli *c, int argc, char **argv)
{
	create_opts o = {0};
	const flag_spec specs[] = {
		{"attachable", 0, FLAG_BOOL, &o.attachable, "Enable manual container attachment", NULL, NULL},
		{"driver", 'd', FLAG_STRING, &o.driver, "Driver to manage the Network (default \"bridge\")", NULL, NULL},
		{"gateway", 0, FLAG_LIST, &o.gateway, "IPv4 or IPv6 Gateway for the master subnet", "strings", NULL},
		{"internal", 0, FLAG_BOOL, &o.internal, "Restrict external access to the network", NULL, NULL},
		{"ip-range", 0, FLAG_LIST, &o.ip_range, "Allocate container ip from a sub-range", "strings", NULL},
		{"ipam-driver", 0, FLAG_STRING, &o.ipam_driver, "IP Address Management Driver (default \"default\")", NULL, NULL},
		{"ipam-opt", 0, FLAG_LIST, &o.ipam_opt, "Set IPAM driver specific options", "map", NULL},
		{"ipv6", 0, FLAG_BOOL, &o.ipv6, "Enable IPv6 networking", NULL, NULL},
		{"label", 0, FLAG_LIST, &o.label, "Set metadata on a network", "list", NULL},
		{"opt", 'o', FLAG_LIST, &o.opt, "Set driver specific options", "map", NULL},
		{"scope", 0, FLAG_STRING, &o.scope, "Control the network's scope", NULL, NULL},
		{"subnet", 0, FLAG_LIST, &o.subnet, "Subnet in CIDR format that represents a network segment", "strings", NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine network create [OPTIONS] NETWORK", "Create a network", NULL};
	int first = parse(argc, argv, specs, &u, 1, 1);
	if (first < 0)
		return done(specs, first);
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *out = NULL;
	json_object *body = create_body(&o, argv[first], &err);
	_cleanup_free_ char *path = cli_path(c, "/networks/create");
	int rc = 0;
	if (!body || cli_call(c, "POST", path, body, &out, &err) < 0)
		rc = cli_report(err);
	else
		printf("%s\n", jget_str(out, "Id") ? jget_str(out, "Id") : "");
	return done(specs, rc);
}

/* ---- ls ---- */

static char *created_at(const char *rfc3339)
{
	int64_t sec = 0;
	int32_t nsec = 0;
	if (!rfc3339 || time_parse_rfc3339(rfc3339, &sec, &nsec, NULL) < 0)
		return xstrdup("");
	time_t t = (time_t)sec;
	struct tm tm;
	localtime_r(&t, &tm);
	char buf[64], zone[16];
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	char off[8];
	strftime(off, sizeof(off), "%z", &tm);
	strftime(zone, sizeof(zone), "%Z", &tm);
	_cleanup_free_ char *frac = nsec ? xasprintf(".%09d", nsec) : xstrdup("");
	for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
		frac[l - 1] = '\0';
	return xasprintf("%s%s %s %s", buf, frac, off, zone);
}

static char *labels_text(json_object *labels)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	json_object_object_foreach(jobj_or_empty(labels), k, v)
		sb_printf(&sb, "%s%s=%s", sb.len ? "," : "", k, json_object_get_string(v));
	return sb_steal(&sb);
}

static json_object *ls_row(json_object *n, bool trunc)
{
	json_object *r = json_object_new_object();
	const char *id = jget_str(n, "Id") ? jget_str(n, "Id") : "";
	_cleanup_free_ char *sid = trunc ? xstrndup(id, 12) : xstrdup(id);
	jset_str(r, "ID", sid);
	jset_str(r, "Name", jget_str(n, "Name"));
	jset_str(r, "Driver", jget_str(n, "Driver"));
	jset_str(r, "Scope", jget_str(n, "Scope"));
	jset_str(r, "IPv6", jget_bool(n, "EnableIPv6", false) ? "true" : "false");
	jset_str(r, "Internal", jget_bool(n, "Internal", false) ? "true" : "false");
	_cleanup_free_ char *labels = labels_text(jget_obj(n, "Labels"));
	jset_str(r, "Labels", labels);
	_cleanup_free_ char *ca = created_at(jget_str(n, "Created"));
	jset_str(r, "CreatedAt", ca);
	return r;
}

static json_object *ls_header(void)
{
	json_object *h = json_object_new_object();
	static const char *const cols[][2] = {
		{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"Scope", "SCOPE"},
		{"IPv6", "IPV6"}, {"Internal", "INTERNAL"}, {"Labels", "LABELS"}, {"CreatedAt", "CREATED AT"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		jset_str(h, cols[i][0], cols[i][1]);
	return h;
}

static int by_name(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	return strverscmp(jget_str(x, "Name") ? jget_str(x, "Name") : "", jget_str(y, "Name") ? jget_str(y, "Name") : "");
}

static int print_list(json_object *list, const char *format, bool quiet, bool trunc)
{
	size_t n = list ? json_object_array_length(list) : 0;
	_cleanup_free_ json_object **v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_object_array_get_idx(list, i);
	qsort(v, n, sizeof(*v), by_name);
	_cleanup_json_ json_object *rows = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(rows, ls_row(v[i], trunc));
	_cleanup_json_ json_object *hdr = ls_header();
	const char *def = quiet ? "{{.ID}}" : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
	return out_print_rows(quiet ? NULL : format, def, rows, hdr) < 0 ? EXIT_USAGE : 0;
}

static int net_ls_cmd(cli *c, int argc, char **argv)
{
	bool quiet = false, no_trunc = false;
	char *format = NULL;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"filter", 'f', FLAG_LIST, &filter, "Provide filter values (e.g. \"driver=bridge\")", "filter", NULL},
		{"format", 0, FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"no-trunc", 0, FLAG_BOOL, &no_trunc, "Do not truncate the output", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Only display network IDs", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine network ls [OPTIONS]", "List networks", "engine network ls, engine network list"};
	int first = parse(argc, argv, specs, &u, 0, 0);
	if (first < 0)
		return done(specs, first);
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *q = filters_query(filter, &err);
	int rc = 0;
	if (!q) {
		rc = cli_report(err);
	} else {
		_cleanup_free_ char *path = cli_path(c, "/networks%s%s", *q ? "?" : "", q);
		_cleanup_json_ json_object *list = NULL;
		rc = cli_call(c, "GET", path, NULL, &list, &err) < 0 ? cli_report(err)
								       : print_list(list, format, quiet, !no_trunc);
	}
	return done(specs, rc);
}

/* ---- inspect ---- */

static int net_inspect_cmd(cli *c, int argc, char **argv)
{
	char *format = NULL;
	bool verbose = false;
	const flag_spec specs[] = {
		{"format", 'f', FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"verbose", 'v', FLAG_BOOL, &verbose, "Verbose output for diagnostics", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine network inspect [OPTIONS] NETWORK [NETWORK...]",
			     "Display detailed information on one or more networks", NULL};
	int first = parse(argc, argv, specs, &u, 1, -1);
	if (first < 0)
		return done(specs, first);
	_cleanup_json_ json_object *items = json_object_new_array();
	int rc = 0;
	for (int i = first; i < argc; i++) {
		_cleanup_free_ char *e = cli_escape(argv[i]);
		_cleanup_free_ char *path = cli_path(c, "/networks/%s", e);
		json_object *o = NULL;
		_cleanup_err_ err_t *err = NULL;
		if (cli_call(c, "GET", path, NULL, &o, &err) < 0) {
			if (err->kind == ERR_NOT_FOUND)
				fprintf(stderr, "Error: No such network: %s\n", argv[i]);
			else
				cli_report(err);
			rc = 1;
			continue;
		}
		json_object_array_add(items, o);
	}
	if (json_object_array_length(items) && out_print_inspect(items, format) < 0)
		rc = EXIT_USAGE;
	return done(specs, rc);
}

/* ---- rm, connect, disconnect ---- */

static int net_rm_cmd(cli *c, int argc, char **argv)
{
	bool force = false;
	const flag_spec specs[] = {
		{"force", 'f', FLAG_BOOL, &force, "Do not error if the network does not exist", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine network rm NETWORK [NETWORK...]", "Remove one or more networks",
			     "engine network rm, engine network remove"};
	int first = parse(argc, argv, specs, &u, 1, -1);
	if (first < 0)
		return done(specs, first);
	int rc = 0;
	for (int i = first; i < argc; i++) {
		_cleanup_free_ char *e = cli_escape(argv[i]);
		_cleanup_free_ char *path = cli_path(c, "/networks/%s", e);
		_cleanup_err_ err_t *err = NULL;
		if (cli_call(c, "DELETE", path, NULL, NULL, &err) < 0) {
			if (!(force && err->kind == ERR_NOT_FOUND)) {
				cli_report(err);
				rc = 1;
			}
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return done(specs, rc);
}

static int net_connect_cmd(cli *c, int argc, char **argv)
{
	char *ip = NULL, *ip6 = NULL;
	char **alias = NULL, **driver_opt = NULL, **link = NULL;
	const flag_spec specs[] = {
		{"alias", 0, FLAG_LIST, &alias, "Add network-scoped alias for the container", "strings", NULL},
		{"driver-opt", 0, FLAG_LIST, &driver_opt, "driver options for the network", "strings", NULL},
		{"ip", 0, FLAG_STRING, &ip, "IPv4 address (e.g., \"172.30.100.104\")", NULL, NULL},
		{"ip6", 0, FLAG_STRING, &ip6, "IPv6 address (e.g., \"2001:db8::33\")", NULL, NULL},
		{"link", 0, FLAG_LIST, &link, "Add link to another container", "list", NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine network connect [OPTIONS] NETWORK CONTAINER", "Connect a container to a network", NULL};
	int first = parse(argc, argv, specs, &u, 2, 2);
	if (first < 0)
		return done(specs, first);
	json_object *body = json_object_new_object();
	jset_str(body, "Container", argv[first + 1]);
	json_object *ep = json_object_new_object();
	json_object *ipam = json_object_new_object();
	if (ip)
		jset_str(ipam, "IPv4Address", ip);
	if (ip6)
		jset_str(ipam, "IPv6Address", ip6);
	jset(ep, "IPAMConfig", ipam);
	jset(ep, "Aliases", alias ? jstrv(alias) : NULL);
	jset(ep, "Links", link ? jstrv(link) : NULL);
	jset(ep, "DriverOpts", kv_map(driver_opt));
	jset(body, "EndpointConfig", ep);
	_cleanup_free_ char *e = cli_escape(argv[first]);
	_cleanup_free_ char *path = cli_path(c, "/networks/%s/connect", e);
	_cleanup_err_ err_t *err = NULL;
	int rc = cli_call(c, "POST", path, body, NULL, &err) < 0 ? cli_report(err) : 0;
	return done(specs, rc);
}

static int net_disconnect_cmd(cli *c, int argc, char **argv)
{
	bool force = false;
	const flag_spec specs[] = {
		{"force", 'f', FLAG_BOOL, &force, "Force the container to disconnect from a network", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine network disconnect [OPTIONS] NETWORK CONTAINER",
			     "Disconnect a container from a network", NULL};
	int first = parse(argc, argv, specs, &u, 2, 2);
	if (first < 0)
		return done(specs, first);
	json_object *body = json_object_new_object();
	jset_str(body, "Container", argv[first + 1]);
	jset_bool(body, "Force", force);
	_cleanup_free_ char *e = cli_escape(argv[first]);
	_cleanup_free_ char *path = cli_path(c, "/networks/%s/disconnect", e);
	_cleanup_err_ err_t *err = NULL;
	int rc = cli_call(c, "POST", path, body, NULL, &err) < 0 ? cli_report(err) : 0;
	return done(specs, rc);
}

/* ---- prune ---- */

static int net_prune_cmd(cli *c, int argc, char **argv)
{
	bool force = false;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"filter", 0, FLAG_LIST, &filter, "Provide filter values (e.g. \"until=<timestamp>\")", "filter", NULL},
		{"force", 'f', FLAG_BOOL, &force, "Do not prompt for confirmation", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine network prune [OPTIONS]", "Remove all unused networks", NULL};
	int first = parse(argc, argv, specs, &u, 0, 0);
	if (first < 0)
		return done(specs, first);
	if (!force && !cli_confirm("WARNING! This will remove all custom networks not used by at least one container."))
		return done(specs, 0);
	const prune_req r = {.kind = "networks", .deleted_key = "NetworksDeleted", .title = "Deleted Networks:"};
	return done(specs, cli_prune(c, &r, filter));
}

int cmd_network(cli *c, int argc, char **argv)
{
	static const cmd_entry table[] = {
		{"connect", net_connect_cmd, "Connect a container to a network"},
		{"create", net_create_cmd, "Create a network"},
		{"disconnect", net_disconnect_cmd, "Disconnect a container from a network"},
		{"inspect", net_inspect_cmd, "Display detailed information on one or more networks"},
		{"list", net_ls_cmd, "List networks"},
		{"ls", net_ls_cmd, "List networks"},
		{"prune", net_prune_cmd, "Remove all unused networks"},
		{"remove", net_rm_cmd, "Remove one or more networks"},
		{"rm", net_rm_cmd, "Remove one or more networks"},
		{NULL, NULL, NULL},
	};
	return cli_dispatch_group(c, argc, argv, table, "network", "Manage networks");
}

/* ---- port ---- */

static char *join_host_port(const char *ip, const char *port)
{
	return strchr(ip, ':') ? xasprintf("[%s]:%s", ip, port) : xasprintf("%s:%s", ip, port);
}

static int by_natural(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* The lines `docker port` prints, naturally sorted; NULL-terminated. */
static char **port_lines(json_object *ports, const char *want, size_t *n)
{
	char **v = NULL;
	*n = 0;
	json_object_object_foreach(jobj_or_empty(ports), key, list) {
		if (want && strcmp(key, want))
			continue;
		for (size_t i = 0; list && json_object_is_type(list, json_type_array) && i < json_object_array_length(list); i++) {
			json_object *b = json_object_array_get_idx(list, i);
			_cleanup_free_ char *hp = join_host_port(jget_str(b, "HostIp") ? jget_str(b, "HostIp") : "",
								 jget_str(b, "HostPort") ? jget_str(b, "HostPort") : "");
			v = xrealloc(v, (*n + 2) * sizeof(char *));
			v[(*n)++] = want ? xstrdup(hp) : xasprintf("%s -> %s", key, hp);
			v[*n] = NULL;
		}
	}
	if (v)
		qsort(v, *n, sizeof(char *), by_natural);
	return v;
}

int cmd_port(cli *c, int argc, char **argv)
{
	const flag_spec specs[] = {END_FLAGS};
	const cmd_usage u = {"engine port CONTAINER [PRIVATE_PORT[/PROTO]]", "List port mappings or a specific mapping for the container",
			     "engine container port, engine port"};
	int first = parse(argc, argv, specs, &u, 1, 2);
	if (first < 0)
		return done(specs, first);
	_cleanup_free_ char *e = cli_escape(argv[first]);
	_cleanup_free_ char *path = cli_path(c, "/containers/%s/json", e);
	_cleanup_json_ json_object *o = NULL;
	_cleanup_err_ err_t *err = NULL;
	if (cli_call(c, "GET", path, NULL, &o, &err) < 0)
		return done(specs, cli_report(err));
	_cleanup_free_ char *want = NULL;
	if (first + 1 < argc)
		want = strchr(argv[first + 1], '/') ? xstrdup(argv[first + 1]) : xasprintf("%s/tcp", argv[first + 1]);
	size_t n = 0;
	_cleanup_strv_ char **lines = port_lines(jget_obj(jget_obj(o, "NetworkSettings"), "Ports"), want, &n);
	if (want && !n) {
		fprintf(stderr, "Error: No public port '%s' published for %s\n", want, argv[first]);
		return done(specs, 1);
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\n", lines[i]);
	return done(specs, 0);
}
