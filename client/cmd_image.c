/* cmd_image.c: the image commands, as the docker CLI has them: `engine
 * images` / `image ls`, `image inspect`, `history`, `tag`, `rmi` / `image
 * rm`, `image prune`, `load`, `save`, `import`, and the `image` group.
 * Tables and --format go through output.h; the rows are built here with
 * the fields of docker's image and history formatter contexts. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "filters.h"
#include "containers_cli.h"
#include "jsonutil.h"
#include "output.h"
#include "reference.h"
#include "timeutil.h"
#include "units.h"
#include "xalloc.h"

/* ---- shared pieces ---- */

/* Go's text for an errno ("no such file or directory"): docker's messages
 * carry it, lower-case. */
static char *go_strerror(int e)
{
	char *m = xstrdup(strerror(e));
	if (m[0] >= 'A' && m[0] <= 'Z' && !(m[1] >= 'A' && m[1] <= 'Z'))
		m[0] = (char)(m[0] - 'A' + 'a');
	return m;
}

/* docker's "'docker history' requires 1 argument" usage error (exit 1). */
static int args_error(const cmd_usage *u, const char *cmd, const char *rule)
{
	fprintf(stderr, "engine: 'engine %s' requires %s\n\nUsage:  %s\n\nSee 'engine %s --help' for more information\n",
		cmd, rule, u->usage, cmd);
	return EXIT_DAEMON_ERROR;
}

/* A name in a URL path: slashes and colons stay (image names have them). */
static char *path_escape(const char *s)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.~/:@+", *p)) {
			sb_putc(&sb, (char)*p);
		} else {
			sb_putc(&sb, '%');
			sb_putc(&sb, hex[*p >> 4]);
			sb_putc(&sb, hex[*p & 15]);
		}
	}
	return sb_steal(&sb);
}

/* "--filter a=b" flags into the `filters` JSON the API takes ("" when
 * none); -1 after docker's flag error (exit 125). */
static int filters_json(char **args, const char *extra_key, const char *extra_val, const char *cmd,
			char **out)
{
	_cleanup_filters_ filters *f = filters_new();
	for (char **a = args; a && *a; a++) {
		_cleanup_err_ err_t *err = NULL;
		if (filters_add_arg(f, *a, &err) < 0) {
			fprintf(stderr, "invalid argument \"%s\" for \"-f, --filter\" flag: %s\nSee 'engine %s --help'.\n",
				*a, err_msg(err), cmd);
			return -1;
		}
	}
	if (extra_key)
		filters_add(f, extra_key, extra_val);
	*out = filters_to_json(f);
	return 0;
}

/* One error of a command that goes on with its other arguments, as
 * cli_report would print it. */
static void add_error(strbuf *errors, const err_t *err)
{
	if (err->errnum < 0)
		sb_printf(errors, "Error response from daemon: %s\n", err_msg(err));
	else
		sb_printf(errors, "%s\n", err_msg(err));
}

/* Appends "&key=<escaped value>". */
static void query_add(strbuf *q, const char *key, const char *value)
{
	_cleanup_free_ char *v = cli_escape(value);
	sb_printf(q, "%s%s=%s", q->len ? "&" : "?", key, v);
}

/* Go's time.Time.String() of a Unix time, in the local zone:
 * "2024-01-02 03:04:05 +0000 UTC". */
static char *go_time_string(int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char buf[96];
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	return xstrdup(buf);
}

/* Go's time.Unix(sec, 0).Format(time.RFC3339), local zone. */
static char *rfc3339_local(int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	localtime_r(&t, &tm);
	return time_format_rfc3339nano_zone(sec, 0, (int32_t)tm.tm_gmtoff);
}

/* units.HumanDuration(now - t) + " ago" */
static char *since(int64_t sec)
{
	_cleanup_free_ char *d = time_human_duration(now_ns() - sec * NS_PER_SEC);
	return xasprintf("%s ago", d);
}

static char *human(int64_t n)
{
	return units_human_size((double)n);
}

/* ---- image rows (docker's formatter.imageContext) ---- */

static json_object *image_header(void)
{
	json_object *h = json_object_new_object();
	jset_str(h, "Containers", "CONTAINERS");
	jset_str(h, "CreatedAt", "CREATED AT");
	jset_str(h, "CreatedSince", "CREATED");
	jset_str(h, "Digest", "DIGEST");
	jset_str(h, "ID", "IMAGE ID");
	jset_str(h, "Repository", "REPOSITORY");
	jset_str(h, "SharedSize", "SHARED SIZE");
	jset_str(h, "Size", "SIZE");
	jset_str(h, "Tag", "TAG");
	jset_str(h, "UniqueSize", "UNIQUE SIZE");
	jset_str(h, "VirtualSize", "SIZE");
	return h;
}

/* One row; members in the order Go's json of the context sorts them. */
static json_object *image_row(json_object *s, const char *repo, const char *tag, const char *digest,
			      bool trunc)
{
	const char *id = jget_str(s, "Id");
	int64_t created = jget_int(s, "Created", 0), size = jget_int(s, "Size", 0);
	int64_t shared = jget_int(s, "SharedSize", -1), ctrs = jget_int(s, "Containers", -1);
	json_object *r = json_object_new_object();
	_cleanup_free_ char *nc = ctrs == -1 ? xstrdup("N/A") : xasprintf("%lld", (long long)ctrs);
	jset_str(r, "Containers", nc);
	_cleanup_free_ char *at = go_time_string(created), *ago = since(created);
	jset_str(r, "CreatedAt", at);
	jset_str(r, "CreatedSince", ago);
	jset_str(r, "Digest", digest);
	_cleanup_free_ char *sid = trunc && id ? out_short_id(id) : xstrdup(id ? id : "");
	jset_str(r, "ID", sid);
	jset_str(r, "Repository", repo);
	_cleanup_free_ char *sh = shared == -1 ? xstrdup("N/A") : human(shared);
	jset_str(r, "SharedSize", sh);
	_cleanup_free_ char *sz = units_human_size_prec((double)size, 3);
	jset_str(r, "Size", sz);
	jset_str(r, "Tag", tag);
	_cleanup_free_ char *uq = size == -1 || shared == -1 ? xstrdup("N/A") : human(size - shared);
	jset_str(r, "UniqueSize", uq);
	_cleanup_free_ char *vs = human(size);
	jset_str(r, "VirtualSize", vs);
	return r;
}

static bool is_dangling(json_object *s)
{
	json_object *tags = jget_arr(s, "RepoTags"), *digs = jget_arr(s, "RepoDigests");
	size_t nt = tags ? json_object_array_length(tags) : 0, nd = digs ? json_object_array_length(digs) : 0;
	if (!nt && !nd)
		return true;
	return nt == 1 && nd == 1 &&
	       !strcmp(json_object_get_string(json_object_array_get_idx(tags, 0)), "<none>:<none>") &&
	       !strcmp(json_object_get_string(json_object_array_get_idx(digs, 0)), "<none>@<none>");
}

/* repo -> values, in first-seen order (docker uses Go maps: any order). */
typedef struct repo_group {
	char *repo;
	char **vals;
	size_t n;
	bool used;
} repo_group;

static void group_add(repo_group **g, size_t *n, const char *repo, const char *val)
{
	size_t i = 0;
	while (i < *n && strcmp((*g)[i].repo, repo))
		i++;
	if (i == *n) {
		*g = xrealloc(*g, (*n + 1) * sizeof(**g));
		(*g)[i] = (repo_group){xstrdup(repo), NULL, 0, false};
		(*n)++;
	}
	(*g)[i].vals = xrealloc((*g)[i].vals, ((*g)[i].n + 1) * sizeof(char *));
	(*g)[i].vals[(*g)[i].n++] = xstrdup(val);
}

static void groups_free(repo_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].repo);
		for (size_t k = 0; k < g[i].n; k++)
			free(g[i].vals[k]);
		free(g[i].vals);
	}
	free(g);
}

/* docker's imageFormatTaggedAndDigest: a row per tag (per tag and digest
 * when digests are shown), then digest-only repositories. */
static void tagged_rows(json_object *rows, json_object *s, bool trunc, bool show_digests,
			bool need_digest)
{
	repo_group *tags = NULL, *digs = NULL;
	size_t nt = 0, nd = 0;
	json_object *a = jget_arr(s, "RepoTags");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		_cleanup_ref_ reference *r = ref_parse_normalized(json_object_get_string(json_object_array_get_idx(a, i)), NULL);
		if (!r || !r->tag)
			continue;
		_cleanup_free_ char *fam = ref_familiar_name(r);
		group_add(&tags, &nt, fam, r->tag);
	}
	a = jget_arr(s, "RepoDigests");
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		_cleanup_ref_ reference *r = ref_parse_normalized(json_object_get_string(json_object_array_get_idx(a, i)), NULL);
		if (!r || !r->digest)
			continue;
		_cleanup_free_ char *fam = ref_familiar_name(r);
		group_add(&digs, &nd, fam, r->digest);
	}
	for (size_t i = 0; i < nt; i++) {
		repo_group *dg = NULL;
		for (size_t k = 0; k < nd; k++)
			if (!strcmp(digs[k].repo, tags[i].repo)) {
				dg = &digs[k];
				dg->used = true;
			}
		for (size_t t = 0; t < tags[i].n; t++) {
			if (!need_digest || !dg || !dg->n) {
				json_object_array_add(rows, image_row(s, tags[i].repo, tags[i].vals[t], "<none>", trunc));
				continue;
			}
			for (size_t k = 0; k < dg->n; k++)
				json_object_array_add(rows, image_row(s, tags[i].repo, tags[i].vals[t], dg->vals[k], trunc));
		}
	}
	for (size_t k = 0; k < nd; k++) {
		if (digs[k].used)
			continue;
		if (show_digests)
			for (size_t v = 0; v < digs[k].n; v++)
				json_object_array_add(rows, image_row(s, digs[k].repo, "<none>", digs[k].vals[v], trunc));
		else
			json_object_array_add(rows, image_row(s, digs[k].repo, "<none>", "", trunc));
	}
	groups_free(tags, nt);
	groups_free(digs, nd);
}

static json_object *image_rows(json_object *list, bool trunc, bool show_digests, bool need_digest)
{
	json_object *rows = json_object_new_array();
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *s = json_object_array_get_idx(list, i);
		if (is_dangling(s))
			json_object_array_add(rows, image_row(s, "<none>", "<none>", "<none>", trunc));
		else
			tagged_rows(rows, s, trunc, show_digests, need_digest);
	}
	return rows;
}

/* The images table of `system df -v`: one row per image, its first tag. */
json_object *image_df_rows(json_object *list)
{
	json_object *rows = json_object_new_array();
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *s = json_object_array_get_idx(list, i);
		json_object *tags = jget_arr(s, "RepoTags");
		_cleanup_free_ char *repo = xstrdup("<none>"), *tag = xstrdup("<none>");
		if (tags && json_object_array_length(tags) && !is_dangling(s)) {
			_cleanup_ref_ reference *r =
				ref_parse_normalized(json_object_get_string(json_object_array_get_idx(tags, 0)), NULL);
			if (r && r->tag) {
				free(repo);
				free(tag);
				repo = ref_familiar_name(r);
				tag = xstrdup(r->tag);
			}
		}
		json_object_array_add(rows, image_row(s, repo, tag, "", true));
	}
	return rows;
}

json_object *image_df_header(void)
{
	return image_header();
}

/* ---- engine images / image ls ---- */

/* docker's formatter.NewImageFormat */
static char *image_format(const char *source, bool quiet, bool digests)
{
	if (!source || !*source || !strcmp(source, "table")) {
		if (quiet)
			return xstrdup("{{.ID}}");
		return xstrdup(digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
				       : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}");
	}
	if (!strcmp(source, "raw")) {
		if (quiet)
			return xstrdup("image_id: {{.ID}}");
		return xstrdup(digests ? "repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\n"
					 "image_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n"
				       : "repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\n"
					 "created_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n");
	}
	if (!strncmp(source, "table", 5) && digests && !strstr(source, "{{.Digest}}"))
		return xasprintf("%s\t{{.Digest}}", source);
	return xstrdup(source);
}

typedef struct list_opts {
	bool all, quiet, digests, no_trunc;
	char **filter;
	const char *format;
} list_opts;

static int images_list(cli *c, const list_opts *o, const char *match, const char *name)
{
	_cleanup_free_ char *fj = NULL;
	if (filters_json(o->filter, match ? "reference" : NULL, match, name, &fj) < 0)
		return EXIT_USAGE;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	if (o->all)
		query_add(&q, "all", "1");
	if (*fj)
		query_add(&q, "filters", fj);
	if (cli_negotiate(c, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *path = cli_path(c, "/images/json%s", sb_str(&q));
	_cleanup_json_ json_object *list = NULL;
	if (cli_call(c, "GET", path, NULL, &list, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *f = image_format(o->format, o->quiet, o->digests);
	bool need_digest = o->digests || strstr(f, "{{.Digest}}");
	_cleanup_json_ json_object *rows = image_rows(list, !o->no_trunc, o->digests, need_digest);
	_cleanup_json_ json_object *header = image_header();
	return out_print_rows(f, f, rows, header) < 0 ? EXIT_DAEMON_ERROR : 0;
}

static int cmd_images_list(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	bool all = false, quiet = false, digests = false, no_trunc = false;
	char **filter = NULL;
	char *format = NULL;
	const flag_spec specs[] = {
		{"all", 'a', FLAG_BOOL, &all, "Show all images (default hides intermediate images)", NULL, NULL},
		{"digests", 0, FLAG_BOOL, &digests, "Show digests", NULL, NULL},
		{"filter", 'f', FLAG_LIST, &filter, "Filter output based on conditions provided", "filter", NULL},
		{"format", 0, FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"no-trunc", 0, FLAG_BOOL, &no_trunc, "Don't truncate output", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Only show image IDs", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {usage, "List images", "engine image ls, engine image list, engine images"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc;
	if (argc - first > 1)
		rc = args_error(&u, name, "at most 1 argument");
	else
		rc = images_list(c, &(list_opts){all, quiet, digests, no_trunc, filter, format},
				 first < argc ? argv[first] : NULL, name);
	flags_free(specs);
	return rc;
}

int cmd_images(cli *c, int argc, char **argv)
{
	return cmd_images_list(c, argc, argv, "images", "engine images [OPTIONS] [REPOSITORY[:TAG]]");
}

static int cmd_image_ls(cli *c, int argc, char **argv)
{
	return cmd_images_list(c, argc, argv, "image ls", "engine image ls [OPTIONS] [REPOSITORY[:TAG]]");
}

/* ---- inspect (containers_cli.h's cli_inspect, for images only) ---- */

static int cmd_image_inspect(cli *c, int argc, char **argv)
{
	char *format = NULL;
	const flag_spec specs[] = {
		{"format", 'f', FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {"engine image inspect [OPTIONS] IMAGE [IMAGE...]",
			     "Display detailed information on one or more images", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc = first == argc ? args_error(&u, "image inspect", "at least 1 argument")
			       : cli_inspect(c, argv + first, "image", format, false);
	flags_free(specs);
	return rc;
}

/* ---- history ---- */

static json_object *history_header(void)
{
	json_object *h = json_object_new_object();
	jset_str(h, "Comment", "COMMENT");
	jset_str(h, "CreatedAt", "CREATED AT");
	jset_str(h, "CreatedBy", "CREATED BY");
	jset_str(h, "CreatedSince", "CREATED");
	jset_str(h, "ID", "IMAGE");
	jset_str(h, "Size", "SIZE");
	return h;
}

/* docker's formatter.historyContext */
static json_object *history_row(json_object *h, bool trunc, bool hum)
{
	json_object *r = json_object_new_object();
	int64_t created = jget_int(h, "Created", 0), size = jget_int(h, "Size", 0);
	const char *id = jget_str(h, "Id");
	jset_str(r, "Comment", jget_str(h, "Comment"));
	_cleanup_free_ char *at = rfc3339_local(created);
	jset_str(r, "CreatedAt", at);
	_cleanup_free_ char *by = xstrdup(jget_str(h, "CreatedBy") ? jget_str(h, "CreatedBy") : "");
	for (char *p = by; *p; p++)
		if (*p == '\t')
			*p = ' ';
	_cleanup_free_ char *byt = trunc ? out_ellipsis(by, 45) : xstrdup(by);
	jset_str(r, "CreatedBy", byt);
	_cleanup_free_ char *ago = hum ? since(created) : xstrdup(at);
	jset_str(r, "CreatedSince", ago);
	_cleanup_free_ char *sid = trunc ? out_short_id(id ? id : "") : xstrdup(id ? id : "");
	jset_str(r, "ID", sid);
	_cleanup_free_ char *sz = hum ? units_human_size_prec((double)size, 3) : xasprintf("%lld", (long long)size);
	jset_str(r, "Size", sz);
	return r;
}

static int history(cli *c, const char *image, const char *format, bool trunc, bool hum)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *list = NULL;
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_free_ char *img = path_escape(image);
		_cleanup_free_ char *path = cli_path(c, "/images/%s/history", img);
		cli_call(c, "GET", path, NULL, &list, &err);
	}
	if (!list)
		return cli_report(err);
	_cleanup_json_ json_object *rows = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(list); i++)
		json_object_array_add(rows, history_row(json_object_array_get_idx(list, i), trunc, hum));
	_cleanup_json_ json_object *header = history_header();
	return out_print_rows(format, format, rows, header) < 0 ? EXIT_DAEMON_ERROR : 0;
}

static int cmd_history_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	bool hum = true, no_trunc = false, quiet = false;
	char *format = NULL;
	const flag_spec specs[] = {
		{"format", 0, FLAG_STRING, &format, "Format output using a custom template", NULL, NULL},
		{"human", 'H', FLAG_BOOL, &hum, "Print sizes and dates in human readable format (default true)",
		 NULL, NULL},
		{"no-trunc", 0, FLAG_BOOL, &no_trunc, "Don't truncate output", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Only show image IDs", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {usage, "Show the history of an image", "engine image history, engine history"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	const char *f = format && *format && strcmp(format, "table") ? format
		: quiet ? "{{.ID}}"
		: hum ? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
		: "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
	int rc = argc - first != 1 ? args_error(&u, name, "1 argument")
				   : history(c, argv[first], f, !no_trunc, hum);
	flags_free(specs);
	return rc;
}

int cmd_history(cli *c, int argc, char **argv)
{
	return cmd_history_run(c, argc, argv, "history", "engine history [OPTIONS] IMAGE");
}

static int cmd_image_history(cli *c, int argc, char **argv)
{
	return cmd_history_run(c, argc, argv, "image history", "engine image history [OPTIONS] IMAGE");
}

/* ---- tag ---- */

static int cmd_tag_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	const flag_spec specs[] = {{NULL, 0, 0, NULL, NULL, NULL, NULL}};
	const cmd_usage u = {usage, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
			     "engine image tag, engine tag"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	if (argc - first != 2)
		return args_error(&u, name, "exactly 2 arguments");
	const char *src = argv[first], *dst = argv[first + 1];
	_cleanup_err_ err_t *err = NULL;
	_cleanup_ref_ reference *s = ref_parse(src, &err);
	if (!s) {
		fprintf(stderr, "Error parsing reference: \"%s\" is not a valid repository/tag: %s\n", src, err_msg(err));
		return EXIT_DAEMON_ERROR;
	}
	_cleanup_ref_ reference *t = ref_parse_normalized(dst, &err);
	if (!t) {
		fprintf(stderr, "Error parsing reference: \"%s\" is not a valid repository/tag: %s\n", dst, err_msg(err));
		return EXIT_DAEMON_ERROR;
	}
	if (t->digest) {
		fprintf(stderr, "refusing to create a tag with a digest reference\n");
		return EXIT_DAEMON_ERROR;
	}
	ref_default_tag(t);
	_cleanup_free_ char *repo = ref_familiar_name(t);
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	query_add(&q, "repo", repo);
	query_add(&q, "tag", t->tag);
	if (cli_negotiate(c, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *img = path_escape(src);
	_cleanup_free_ char *path = cli_path(c, "/images/%s/tag%s", img, sb_str(&q));
	if (cli_call(c, "POST", path, NULL, NULL, &err) < 0)
		return cli_report(err);
	return 0;
}

int cmd_tag(cli *c, int argc, char **argv)
{
	return cmd_tag_run(c, argc, argv, "tag", "engine tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]");
}

static int cmd_image_tag(cli *c, int argc, char **argv)
{
	return cmd_tag_run(c, argc, argv, "image tag", "engine image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]");
}

/* ---- rmi ---- */

static void print_deletes(json_object *list, const char *deleted, const char *untagged)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *d = json_object_array_get_idx(list, i);
		const char *del = jget_str(d, "Deleted");
		if (del && *del)
			printf("%s%s\n", deleted, del);
		else
			printf("%s%s\n", untagged, jget_str(d, "Untagged") ? jget_str(d, "Untagged") : "");
	}
}

static int cmd_rmi_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	bool force = false, no_prune = false;
	const flag_spec specs[] = {
		{"force", 'f', FLAG_BOOL, &force, "Force removal of the image", NULL, NULL},
		{"no-prune", 0, FLAG_BOOL, &no_prune, "Do not delete untagged parents", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {usage, "Remove one or more images", "engine image rm, engine image remove, engine rmi"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	if (first == argc)
		return args_error(&u, name, "at least 1 argument");
	_cleanup_err_ err_t *err = NULL;
	if (cli_negotiate(c, &err) < 0)
		return cli_report(err);
	_cleanup_sb_ strbuf errors = STRBUF_INIT;
	for (int i = first; i < argc; i++) {
		_cleanup_free_ char *img = path_escape(argv[i]);
		_cleanup_free_ char *path = cli_path(c, "/images/%s%s%s", img, force ? "?force=1" : "",
						     no_prune ? (force ? "&noprune=1" : "?noprune=1") : "");
		_cleanup_json_ json_object *list = NULL;
		_cleanup_err_ err_t *e = NULL;
		if (cli_call(c, "DELETE", path, NULL, &list, &e) < 0)
			add_error(&errors, e);
		else
			print_deletes(list, "Deleted: ", "Untagged: ");
		fflush(stdout);
	}
	if (!errors.len)
		return 0;
	fputs(sb_str(&errors), stderr);
	return EXIT_DAEMON_ERROR;
}

int cmd_rmi(cli *c, int argc, char **argv)
{
	return cmd_rmi_run(c, argc, argv, "rmi", "engine rmi [OPTIONS] IMAGE [IMAGE...]");
}

static int cmd_image_rm(cli *c, int argc, char **argv)
{
	return cmd_rmi_run(c, argc, argv, "image rm", "engine image rm [OPTIONS] IMAGE [IMAGE...]");
}

/* ---- prune ---- */

static int prune(cli *c, bool all, bool force, char **filter)
{
	_cleanup_free_ char *fj = NULL;
	if (filters_json(filter, "dangling", all ? "false" : "true", "image prune", &fj) < 0)
		return EXIT_USAGE;
	const char *warning = all ? "WARNING! This will remove all images without at least one container associated to them."
				  : "WARNING! This will remove all dangling images.";
	if (!force && !cli_confirm(warning))
		return 0;
	_cleanup_err_ err_t *err = NULL;
	_cleanup_json_ json_object *report = NULL;
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_sb_ strbuf q = STRBUF_INIT;
		query_add(&q, "filters", fj);
		_cleanup_free_ char *path = cli_path(c, "/images/prune%s", sb_str(&q));
		cli_call(c, "POST", path, NULL, &report, &err);
	}
	if (!report)
		return cli_report(err);
	json_object *deleted = jget_arr(report, "ImagesDeleted");
	if (deleted && json_object_array_length(deleted)) {
		printf("Deleted Images:\n");
		print_deletes(deleted, "deleted: ", "untagged: ");
		printf("\n");
	}
	_cleanup_free_ char *total = human(jget_int(report, "SpaceReclaimed", 0));
	printf("Total reclaimed space: %s\n", total);
	return 0;
}

static int cmd_image_prune(cli *c, int argc, char **argv)
{
	bool all = false, force = false;
	char **filter = NULL;
	const flag_spec specs[] = {
		{"all", 'a', FLAG_BOOL, &all, "Remove all unused images, not just dangling ones", NULL, NULL},
		{"filter", 0, FLAG_LIST, &filter, "Provide filter values (e.g. \"until=<timestamp>\")", "filter", NULL},
		{"force", 'f', FLAG_BOOL, &force, "Do not prompt for confirmation", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {"engine image prune [OPTIONS]", "Remove unused images", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc;
	if (first != argc) {
		fprintf(stderr, "engine: 'engine image prune' accepts no arguments\n\nUsage:  %s\n\n"
			"See 'engine image prune --help' for more information\n", u.usage);
		rc = EXIT_DAEMON_ERROR;
	} else {
		rc = prune(c, all, force, filter);
	}
	flags_free(specs);
	return rc;
}

/* ---- streams ---- */

typedef struct stream_call {
	httpc_resp *resp;
	httpc_data_fn fn;
	void *ctx;
	strbuf errbody; /* the body of an error status */
} stream_call;

static int stream_cb(void *p, const char *data, size_t n)
{
	stream_call *s = p;
	if (s->resp->status >= 400) {
		if (s->errbody.len < (64u << 10))
			sb_append(&s->errbody, data, n);
		return 0;
	}
	return s->fn(s->ctx, data, n);
}

/* Sends req (negotiated path already in it); the body of a 2xx answer goes
 * to fn, an error status becomes *err with the daemon's message. */
static int call_stream(cli *c, const httpc_req *req, httpc_data_fn fn, void *ctx, err_t **err)
{
	httpc_resp resp;
	stream_call s = {&resp, fn, ctx, STRBUF_INIT};
	int rc = httpc_stream(c->http, req, &resp, stream_cb, &s, err);
	if (rc == 0 && resp.status >= 400) {
		sb_free(&resp.body);
		resp.body = s.errbody;
		s.errbody = (strbuf)STRBUF_INIT;
		cli_error_from_resp(&resp, err);
		rc = -1;
	}
	sb_free(&s.errbody);
	httpc_resp_free(&resp);
	return rc;
}

/* Streams fd up as the body of path and shows the JSON message answer
 * (import's last status is the new image's ID). */
static int upload_and_show(cli *c, const char *path, int fd, const char *ctype, err_t **err)
{
	httpc_req req = {.method = "POST", .path = path, .content_type = ctype, .body_fd = fd};
	return cli_message_stream(c, &req, err);
}

static int open_input(const char *path, err_t **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		_cleanup_free_ char *why = go_strerror(errno);
		return err_set(err, ERR_INVALID, 0, "open %s: %s", path, why);
	}
	return fd;
}

static int load(cli *c, const char *input, bool quiet)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_close_ int fd = -1;
	if (!input || !*input) {
		if (isatty(STDIN_FILENO)) {
			fprintf(stderr, "requested load from stdin, but stdin is empty\n");
			return EXIT_DAEMON_ERROR;
		}
		fd = dup(STDIN_FILENO);
	} else if ((fd = open_input(input, &err)) < 0) {
		return cli_report(err);
	}
	/* docker: without a terminal there is no one to show progress to */
	if (!isatty(STDOUT_FILENO))
		quiet = true;
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_free_ char *path = cli_path(c, "/images/load?quiet=%d", quiet ? 1 : 0);
		if (upload_and_show(c, path, fd, "application/x-tar", &err) == 0)
			return 0;
	}
	return cli_report(err);
}

static int cmd_load_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	char *input = NULL;
	bool quiet = false;
	const flag_spec specs[] = {
		{"input", 'i', FLAG_STRING, &input, "Read from tar archive file, instead of STDIN", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Suppress the load output", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {usage, "Load an image from a tar archive or STDIN", "engine image load, engine load"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc;
	if (first != argc) {
		fprintf(stderr, "engine: 'engine %s' accepts no arguments\n\nUsage:  %s\n\n"
			"See 'engine %s --help' for more information\n", name, u.usage, name);
		rc = EXIT_DAEMON_ERROR;
	} else {
		rc = load(c, input, quiet);
	}
	flags_free(specs);
	return rc;
}

int cmd_load(cli *c, int argc, char **argv)
{
	return cmd_load_run(c, argc, argv, "load", "engine load [OPTIONS]");
}

static int cmd_image_load(cli *c, int argc, char **argv)
{
	return cmd_load_run(c, argc, argv, "image load", "engine image load [OPTIONS]");
}

static int import(cli *c, const char *src, const char *ref, char **changes, const char *message,
		  const char *platform)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_close_ int fd = -1;
	if (ref && *ref) {
		_cleanup_ref_ reference *r = ref_parse_normalized(ref, &err);
		if (!r)
			return cli_report(err);
	}
	bool url = !strncmp(src, "http://", 7) || !strncmp(src, "https://", 8);
	if (!strcmp(src, "-"))
		fd = dup(STDIN_FILENO);
	else if (!url && (fd = open_input(src, &err)) < 0)
		return cli_report(err);
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	query_add(&q, "fromSrc", url ? src : "-");
	query_add(&q, "message", message ? message : "");
	query_add(&q, "repo", ref ? ref : "");
	query_add(&q, "tag", "");
	for (char **ch = changes; ch && *ch; ch++)
		query_add(&q, "changes", *ch);
	if (platform && *platform) {
		_cleanup_free_ char *low = xstrdup(platform);
		for (char *p = low; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		query_add(&q, "platform", low);
	}
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_free_ char *path = cli_path(c, "/images/create%s", sb_str(&q));
		if (fd < 0)
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (upload_and_show(c, path, fd, NULL, &err) == 0)
			return 0;
	}
	return cli_report(err);
}

static int cmd_import_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	char **changes = NULL;
	char *message = NULL, *platform = NULL;
	const flag_spec specs[] = {
		{"change", 'c', FLAG_LIST, &changes, "Apply Dockerfile instruction to the created image", "list", NULL},
		{"message", 'm', FLAG_STRING, &message, "Set commit message for imported image", NULL, NULL},
		{"platform", 0, FLAG_STRING, &platform, "Set platform if server is multi-platform capable", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {usage, "Import the contents from a tarball to create a filesystem image",
			     "engine image import, engine import"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc;
	if (argc - first < 1 || argc - first > 2)
		rc = args_error(&u, name, argc - first < 1 ? "at least 1 argument" : "at most 2 arguments");
	else
		rc = import(c, argv[first], first + 1 < argc ? argv[first + 1] : NULL, changes, message, platform);
	flags_free(specs);
	return rc;
}

int cmd_import(cli *c, int argc, char **argv)
{
	return cmd_import_run(c, argc, argv, "import", "engine import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]");
}

static int cmd_image_import(cli *c, int argc, char **argv)
{
	return cmd_import_run(c, argc, argv, "image import",
			      "engine image import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]");
}

/* ---- save: a tar stream down, into a file or stdout ---- */

typedef struct sink {
	int fd;
	int err; /* errno of a failed write */
} sink;

static int sink_write(void *ctx, const char *data, size_t n)
{
	sink *s = ctx;
	while (n) {
		ssize_t w = write(s->fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->err = w < 0 ? errno : EIO;
			return -1;
		}
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

/* docker's ValidateOutputPath */
static int check_output_path(const char *path, err_t **err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	struct stat st;
	if (strcmp(dir, ".") && stat(dir, &st) < 0) {
		_cleanup_free_ char *why = go_strerror(errno);
		return err_invalid(err, "failed to save image: invalid output path: stat %s: %s", dir, why);
	}
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return err_invalid(err, "failed to save image: invalid output path: \"%s\" must be a directory "
				   "or a regular file", path);
	return 0;
}

static int save_to(cli *c, const char *path, const char *out, err_t **err)
{
	_cleanup_free_ char *tmp = NULL;
	sink s = {STDOUT_FILENO, 0};
	if (out) {
		_cleanup_free_ char *copy = xstrdup(out);
		tmp = xasprintf("%s/.engine_temp_XXXXXX", dirname(copy));
		s.fd = mkostemp(tmp, O_CLOEXEC);
		if (s.fd < 0)
			return err_set(err, ERR_SYSTEM, 0, "open %s: %s", tmp, strerror(errno));
	}
	httpc_req req = {.method = "GET", .path = path, .body_fd = -1};
	int rc = call_stream(c, &req, sink_write, &s, err);
	if (rc == 0 && s.err)
		rc = err_set(err, ERR_SYSTEM, 0, "write %s: %s", out ? out : "stdout", strerror(s.err));
	if (out) {
		if (rc == 0 && close(s.fd) < 0)
			rc = err_set(err, ERR_SYSTEM, 0, "close %s: %s", tmp, strerror(errno));
		else if (rc < 0)
			close(s.fd);
		if (rc == 0 && rename(tmp, out) < 0)
			rc = err_set(err, ERR_SYSTEM, 0, "rename %s %s: %s", tmp, out, strerror(errno));
		if (rc < 0)
			unlink(tmp);
	}
	return rc;
}

static int save(cli *c, char **names, int n, const char *output)
{
	_cleanup_err_ err_t *err = NULL;
	if (!output && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
		return EXIT_DAEMON_ERROR;
	}
	if (output && check_output_path(output, &err) < 0)
		return cli_report(err);
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	for (int i = 0; i < n; i++)
		query_add(&q, "names", names[i]);
	if (cli_negotiate(c, &err) == 0) {
		_cleanup_free_ char *path = cli_path(c, "/images/get%s", sb_str(&q));
		if (save_to(c, path, output, &err) == 0)
			return 0;
	}
	return cli_report(err);
}

static int cmd_save_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	char *output = NULL;
	const flag_spec specs[] = {
		{"output", 'o', FLAG_STRING, &output, "Write to a file, instead of STDOUT", NULL, NULL},
		{NULL, 0, 0, NULL, NULL, NULL, NULL},
	};
	const cmd_usage u = {usage, "Save one or more images to a tar archive (streamed to STDOUT by default)",
			     "engine image save, engine save"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc = first == argc ? args_error(&u, name, "at least 1 argument")
			       : save(c, argv + first, argc - first, output && *output ? output : NULL);
	flags_free(specs);
	return rc;
}

int cmd_save(cli *c, int argc, char **argv)
{
	return cmd_save_run(c, argc, argv, "save", "engine save [OPTIONS] IMAGE [IMAGE...]");
}

static int cmd_image_save(cli *c, int argc, char **argv)
{
	return cmd_save_run(c, argc, argv, "image save", "engine image save [OPTIONS] IMAGE [IMAGE...]");
}

/* ---- the group ---- */

int cmd_image(cli *c, int argc, char **argv)
{
	static const cmd_entry table[] = {
		{"history", cmd_image_history, "Show the history of an image"},
		{"import", cmd_image_import, "Import the contents from a tarball to create a filesystem image"},
		{"inspect", cmd_image_inspect, "Display detailed information on one or more images"},
		{"list", cmd_image_ls, "List images"},
		{"load", cmd_image_load, "Load an image from a tar archive or STDIN"},
		{"ls", cmd_image_ls, "List images"},
		{"prune", cmd_image_prune, "Remove unused images"},
		{"remove", cmd_image_rm, "Remove one or more images"},
		{"rm", cmd_image_rm, "Remove one or more images"},
		{"save", cmd_image_save, "Save one or more images to a tar archive (streamed to STDOUT by default)"},
		{"tag", cmd_image_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
		{NULL, NULL, NULL},
	};
	return cli_dispatch_group(c, argc, argv, table, "image", "Manage images");
}
