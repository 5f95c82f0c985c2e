/* cmd_system.c: `engine version`, `engine info` and the `engine system`
 * group, laid out line for line as the docker CLI prints them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "cli.h"
#include "jsonutil.h"
#include "output.h"
#include "reference.h"
#include "timeutil.h"
#include "units.h"
#include "version.h"
#include "xalloc.h"

static const char *s_or(json_object *o, const char *key, const char *def)
{
	const char *v = jget_str(o, key);
	return v ? v : def;
}

/* One template over one object, as `docker version/info --format` print. */
static int print_formatted(const char *format, json_object *data)
{
	_cleanup_json_ json_object *items = json_object_new_array();
	json_object_array_add(items, json_object_get(data));
	return out_print_inspect(items, format);
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
	if (format && *format) {
		/* docker's version struct: {{.Client.Version}}, {{.Server.Version}}, ... */
		_cleanup_json_ json_object *data = json_object_new_object();
		json_object *client = json_object_new_object();
		jset_str(client, "Version", ENGINE_VERSION);
		jset_str(client, "ApiVersion", c->version[0] ? c->version : API_VERSION);
		jset_str(client, "DefaultAPIVersion", API_VERSION);
		jset_str(client, "Os", "linux");
		jset_str(client, "Arch", "amd64");
		jset_str(client, "BuildTime", __DATE__ " " __TIME__);
		jset(data, "Client", client);
		jset(data, "Server", v ? json_object_get(v) : NULL);
		if (print_formatted(format, data) < 0)
			rc = EXIT_USAGE;
		if (!v)
			rc = cli_report(err);
	} else {
		print_client_version(c);
		if (v)
			print_server_version(v);
		else
			rc = cli_report(err);
	}
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
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_free_ char *path = cli_path(c, "/info");
		cli_call(c, "GET", path, NULL, &i, &err);
	}
	if (format && *format) {
		/* docker's info struct: the server's fields at the top, ClientInfo beside. */
		if (!i) {
			flags_free(specs);
			return cli_report(err);
		}
		json_object *client = json_object_new_object();
		jset_str(client, "Version", ENGINE_VERSION);
		jset_str(client, "Context", "default");
		jset_bool(client, "Debug", c->debug);
		jset(i, "ClientInfo", client);
		if (print_formatted(format, i) < 0)
			rc = EXIT_USAGE;
		flags_free(specs);
		return rc;
	}
	printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: %s\n", ENGINE_VERSION,
	       c->debug ? "true" : "false");
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

/* ---- system df: docker's formatter.DiskUsageContext ---- */

static char *fmt_int(int64_t n)
{
	return xasprintf("%lld", (long long)n);
}

static char *human(int64_t n)
{
	return units_human_size((double)n);
}

/* "1.2MB (50%)", or just the size when the total is 0 */
static char *reclaimable(int64_t reclaim, int64_t total)
{
	_cleanup_free_ char *h = human(reclaim);
	if (total > 0)
		return xasprintf("%s (%lld%%)", h, (long long)(reclaim * 100 / total));
	return xstrdup(h);
}

static size_t len_of(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static json_object *df_row(const char *type, size_t total, int64_t active, const char *size,
			   const char *reclaim)
{
	json_object *r = json_object_new_object();
	_cleanup_free_ char *t = fmt_int((int64_t)total), *a = fmt_int(active);
	jset_str(r, "Active", a);
	jset_str(r, "Reclaimable", reclaim);
	jset_str(r, "Size", size);
	jset_str(r, "TotalCount", t);
	jset_str(r, "Type", type);
	return r;
}

static json_object *df_images_row(json_object *df)
{
	json_object *imgs = jget_arr(df, "Images");
	int64_t total = jget_int(df, "LayersSize", 0), used = 0, active = 0;
	for (size_t i = 0; i < len_of(imgs); i++) {
		json_object *im = json_object_array_get_idx(imgs, i);
		int64_t ctrs = jget_int(im, "Containers", 0), size = jget_int(im, "Size", -1);
		int64_t shared = jget_int(im, "SharedSize", -1);
		if (ctrs > 0)
			active++;
		if (ctrs != 0 && size != -1 && shared != -1)
			used += size - shared;
	}
	_cleanup_free_ char *sz = human(total), *rc = reclaimable(total - used, total);
	return df_row("Images", len_of(imgs), active, sz, rc);
}

static bool ctr_active(json_object *ct)
{
	const char *st = jget_str(ct, "State");
	return st && (strstr(st, "running") || strstr(st, "paused") || strstr(st, "restarting"));
}

static json_object *df_containers_row(json_object *df)
{
	json_object *ctrs = jget_arr(df, "Containers");
	int64_t size = 0, reclaim = 0, active = 0;
	for (size_t i = 0; i < len_of(ctrs); i++) {
		json_object *ct = json_object_array_get_idx(ctrs, i);
		int64_t rw = jget_int(ct, "SizeRw", 0);
		size += rw;
		if (ctr_active(ct))
			active++;
		else
			reclaim += rw;
	}
	_cleanup_free_ char *sz = human(size), *rc = reclaimable(reclaim, size);
	return df_row("Containers", len_of(ctrs), active, sz, rc);
}

static json_object *df_volumes_row(json_object *df)
{
	json_object *vols = jget_arr(df, "Volumes");
	int64_t size = 0, reclaim = 0, active = 0;
	for (size_t i = 0; i < len_of(vols); i++) {
		json_object *u = jget_obj(json_object_array_get_idx(vols, i), "UsageData");
		int64_t refs = jget_int(u, "RefCount", 0), sz = jget_int(u, "Size", -1);
		if (refs > 0)
			active++;
		if (sz != -1) {
			size += sz;
			if (refs == 0)
				reclaim += sz;
		}
	}
	_cleanup_free_ char *sz = human(size), *rc = reclaimable(reclaim, size);
	return df_row("Local Volumes", len_of(vols), active, sz, rc);
}

static json_object *df_cache_row(json_object *df)
{
	json_object *bc = jget_arr(df, "BuildCache");
	int64_t size = 0, reclaim = 0, active = 0;
	for (size_t i = 0; i < len_of(bc); i++) {
		json_object *b = json_object_array_get_idx(bc, i);
		bool in_use = jget_bool(b, "InUse", false), shared = jget_bool(b, "Shared", false);
		int64_t sz = jget_int(b, "Size", 0);
		active += in_use;
		if (!shared)
			size += sz;
		if (!in_use && !shared)
			reclaim += sz;
	}
	_cleanup_free_ char *sz = human(size), *rc = human(reclaim);
	return df_row("Build Cache", len_of(bc), active, sz, rc);
}

/* Go's strconv.Quote, for the COMMAND column. */
static char *go_quote(const char *s)
{
	strbuf sb = STRBUF_INIT;
	sb_putc(&sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_puts(&sb, "\\\""); break;
		case '\\': sb_puts(&sb, "\\\\"); break;
		case '\n': sb_puts(&sb, "\\n"); break;
		case '\t': sb_puts(&sb, "\\t"); break;
		case '\r': sb_puts(&sb, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_printf(&sb, "\\x%02x", *p);
			else
				sb_putc(&sb, (char)*p);
		}
	}
	sb_putc(&sb, '"');
	return sb_steal(&sb);
}

/* docker's containerContext.Image() with truncation */
static char *ctr_image(json_object *ct)
{
	const char *image = jget_str(ct, "Image"), *id = jget_str(ct, "ImageID");
	if (!image || !*image)
		return xstrdup("<no image>");
	_cleanup_free_ char *tid = out_short_id(id ? id : ""), *timg = out_short_id(image);
	if (!strcmp(tid, timg))
		return xstrdup(tid);
	_cleanup_ref_ reference *r = ref_parse_normalized(image, NULL);
	if (!r)
		return xstrdup(image);
	free(r->digest);
	r->digest = NULL;
	return ref_familiar_string(r);
}

static json_object *df_container_row(json_object *ct)
{
	json_object *r = json_object_new_object();
	_cleanup_free_ char *cmd = out_ellipsis(jget_str(ct, "Command") ? jget_str(ct, "Command") : "", 20);
	_cleanup_free_ char *qcmd = go_quote(cmd);
	jset_str(r, "Command", qcmd);
	_cleanup_free_ char *id = out_short_id(jget_str(ct, "Id") ? jget_str(ct, "Id") : "");
	jset_str(r, "ID", id);
	_cleanup_free_ char *img = ctr_image(ct);
	jset_str(r, "Image", img);
	int64_t nvol = 0;
	json_object *mounts = jget_arr(ct, "Mounts");
	for (size_t i = 0; i < len_of(mounts); i++) {
		const char *drv = jget_str(json_object_array_get_idx(mounts, i), "Driver");
		nvol += drv && !strcmp(drv, "local");
	}
	_cleanup_free_ char *nv = fmt_int(nvol);
	jset_str(r, "LocalVolumes", nv);
	_cleanup_sb_ strbuf names = STRBUF_INIT;
	json_object *na = jget_arr(ct, "Names");
	for (size_t i = 0; i < len_of(na); i++) {
		const char *n = json_object_get_string(json_object_array_get_idx(na, i));
		n += n[0] == '/';
		if (!strchr(n, '/')) {
			sb_puts(&names, n);
			break;
		}
	}
	jset_str(r, "Names", sb_str(&names));
	_cleanup_free_ char *d = time_human_duration(now_ns() - jget_int(ct, "Created", 0) * NS_PER_SEC);
	_cleanup_free_ char *ago = xasprintf("%s ago", d);
	jset_str(r, "RunningFor", ago);
	_cleanup_free_ char *rw = units_human_size_prec((double)jget_int(ct, "SizeRw", 0), 3);
	int64_t rootfs = jget_int(ct, "SizeRootFs", 0);
	_cleanup_free_ char *vs = units_human_size_prec((double)rootfs, 3);
	_cleanup_free_ char *size = rootfs > 0 ? xasprintf("%s (virtual %s)", rw, vs) : xstrdup(rw);
	jset_str(r, "Size", size);
	jset_str(r, "Status", jget_str(ct, "Status"));
	return r;
}

static json_object *df_volume_row(json_object *v)
{
	json_object *r = json_object_new_object(), *u = jget_obj(v, "UsageData");
	_cleanup_free_ char *links = u ? fmt_int(jget_int(u, "RefCount", 0)) : xstrdup("N/A");
	_cleanup_free_ char *size = u ? human(jget_int(u, "Size", 0)) : xstrdup("N/A");
	jset_str(r, "Links", links);
	jset_str(r, "Name", jget_str(v, "Name"));
	jset_str(r, "Size", size);
	return r;
}

static json_object *df_cache_entry_row(json_object *b)
{
	json_object *r = json_object_new_object();
	_cleanup_free_ char *id = xstrndup(jget_str(b, "ID") ? jget_str(b, "ID") : "", 12);
	_cleanup_free_ char *fid = jget_bool(b, "InUse", false) ? xasprintf("%s*", id) : xstrdup(id);
	jset_str(r, "CacheType", jget_str(b, "Type"));
	jset_str(r, "ID", fid);
	_cleanup_free_ char *sz = units_human_size_prec((double)jget_int(b, "Size", 0), 3);
	jset_str(r, "Size", sz);
	_cleanup_free_ char *n = fmt_int(jget_int(b, "UsageCount", 0));
	jset_str(r, "UsageCount", n);
	jset_str(r, "Shared", jget_bool(b, "Shared", false) ? "true" : "false");
	return r;
}

static json_object *header_of(const char *const *kv)
{
	json_object *h = json_object_new_object();
	for (; kv[0]; kv += 2)
		jset_str(h, kv[0], kv[1]);
	return h;
}

static const char *const df_header[] = {"Type", "TYPE", "TotalCount", "TOTAL", "Active", "ACTIVE",
					"Size", "SIZE", "Reclaimable", "RECLAIMABLE", NULL};
static const char *const ctr_header[] = {"ID", "CONTAINER ID", "Image", "IMAGE", "Command", "COMMAND",
					 "LocalVolumes", "LOCAL VOLUMES", "Size", "SIZE", "RunningFor",
					 "CREATED", "Status", "STATUS", "Names", "NAMES", NULL};
static const char *const vol_header[] = {"Name", "VOLUME NAME", "Links", "LINKS", "Size", "SIZE", NULL};
static const char *const cache_header[] = {"ID", "CACHE ID", "CacheType", "CACHE TYPE", "Size", "SIZE",
					   "CreatedSince", "CREATED", "LastUsedSince", "LAST USED",
					   "UsageCount", "USAGE", "Shared", "SHARED", NULL};

static json_object *rows_of(json_object *a, json_object *(*row)(json_object *))
{
	json_object *rows = json_object_new_array();
	for (size_t i = 0; i < len_of(a); i++)
		json_object_array_add(rows, row(json_object_array_get_idx(a, i)));
	return rows;
}

static int section(const char *title, const char *format, json_object *rows, const char *const *hdr)
{
	fputs(title, stdout);
	fflush(stdout);
	_cleanup_json_ json_object *h = header_of(hdr);
	int rc = out_print_rows(format, format, rows, h);
	fflush(stdout);
	return rc;
}

/* docker's verboseWriteTable */
static int df_verbose(json_object *df)
{
	_cleanup_json_ json_object *imgs = image_df_rows(jget_arr(df, "Images"));
	_cleanup_json_ json_object *ih = image_df_header();
	fputs("Images space usage:\n\n", stdout);
	fflush(stdout);
	if (out_print_rows("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t"
			   "{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}", NULL, imgs, ih) < 0)
		return -1;
	_cleanup_json_ json_object *ctrs = rows_of(jget_arr(df, "Containers"), df_container_row);
	if (section("\nContainers space usage:\n\n", "table {{.ID}}\t{{.Image}}\t{{.Command}}\t"
		    "{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}", ctrs, ctr_header) < 0)
		return -1;
	_cleanup_json_ json_object *vols = rows_of(jget_arr(df, "Volumes"), df_volume_row);
	if (section("\nLocal Volumes space usage:\n\n", "table {{.Name}}\t{{.Links}}\t{{.Size}}", vols,
		    vol_header) < 0)
		return -1;
	json_object *bc = jget_arr(df, "BuildCache");
	int64_t bsize = 0;
	for (size_t i = 0; i < len_of(bc); i++)
		bsize += jget_int(json_object_array_get_idx(bc, i), "Size", 0);
	_cleanup_free_ char *bh = human(bsize);
	_cleanup_free_ char *title = xasprintf("\nBuild cache usage: %s\n\n", bh);
	_cleanup_json_ json_object *cache = rows_of(bc, df_cache_entry_row);
	return section(title, "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t"
		       "{{.UsageCount}}\t{{.Shared}}", cache, cache_header);
}

static int system_df(cli *c, bool verbose, const char *format)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *df = NULL;
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_free_ char *path = cli_path(c, "/system/df");
		cli_call(c, "GET", path, NULL, &df, &err);
	}
	if (!df)
		return cli_report(err);
	bool table = !format || !*format || !strcmp(format, "table");
	if (verbose && table)
		return df_verbose(df) < 0 ? EXIT_DAEMON_ERROR : 0;
	if (verbose) {
		/* a custom format runs once over the four lists */
		json_object *ctx = json_object_new_object();
		jset(ctx, "Images", image_df_rows(jget_arr(df, "Images")));
		jset(ctx, "Containers", rows_of(jget_arr(df, "Containers"), df_container_row));
		jset(ctx, "Volumes", rows_of(jget_arr(df, "Volumes"), df_volume_row));
		jset(ctx, "BuildCache", rows_of(jget_arr(df, "BuildCache"), df_cache_entry_row));
		_cleanup_json_ json_object *one = json_object_new_array();
		json_object_array_add(one, ctx);
		return out_print_inspect(one, format) < 0 ? EXIT_DAEMON_ERROR : 0;
	}
	_cleanup_json_ json_object *rows = json_object_new_array();
	json_object_array_add(rows, df_images_row(df));
	json_object_array_add(rows, df_containers_row(df));
	json_object_array_add(rows, df_volumes_row(df));
	json_object_array_add(rows, df_cache_row(df));
	_cleanup_json_ json_object *h = header_of(df_header);
	return out_print_rows(format, "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
			      rows, h) < 0 ? EXIT_DAEMON_ERROR : 0;
}

static int cmd_system_df(cli *c, int argc, char **argv)
{
	bool verbose = false;
	char *format = NULL;
	const flag_spec specs[] = {
		{"format", 0, FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"verbose", 'v', FLAG_BOOL, &verbose, "Show detailed information on space usage", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {"engine system df [OPTIONS]", "Show engine disk usage", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc;
	if (first != argc) {
		fprintf(stderr, "engine: 'engine system df' accepts no arguments\n\nUsage:  %s\n\n"
			"See 'engine system df --help' for more information\n", u.usage);
		rc = EXIT_DAEMON_ERROR;
	} else {
		rc = system_df(c, verbose, format);
	}
	flags_free(specs);
	return rc;
}

int cmd_system(cli *c, int argc, char **argv)
{
	static const cmd_entry table[] = {
		{"events", cmd_events, "Get real time events from the server"},
		{"df", cmd_system_df, "Show engine disk usage"},
		{"info", cmd_system_info, "Display system-wide information"},
		{NULL, NULL, NULL},
	};
	return cli_dispatch_group(c, argc, argv, table, "system", "Manage the engine");
}
