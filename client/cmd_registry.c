/* cmd_registry.c: the commands that reach registries through the daemon:
 * pull, push, search, login and logout (and `image pull`, `image push`),
 * with the docker CLI's flags, messages and exit codes. Credentials come
 * from and go to the docker config file (dockercfg.h) and travel in
 * X-Registry-Auth, "e30=" ({}) when there are none. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "containers_cli.h"
#include "dockercfg.h"
#include "filters.h"
#include "jsonutil.h"
#include "output.h"
#include "reference.h"
#include "xalloc.h"

#define END_FLAGS {NULL, 0, 0, NULL, NULL, NULL, NULL}

/* docker's "'docker pull' requires exactly 1 argument" (exit 1). */
static int args_error(const cmd_usage *u, const char *cmd, const char *rule)
{
	fprintf(stderr, "engine: 'engine %s' requires %s\n\nUsage:  %s\n\nSee 'engine %s --help' for more information\n",
		cmd, rule, u->usage, cmd);
	return EXIT_DAEMON_ERROR;
}

/* A local error (no "Error response from daemon"), exit 1. */
static int local_error(const char *fmt, const char *arg)
{
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return EXIT_DAEMON_ERROR;
}

/* ---- pull ---- */

/* getAPITagFromNamedRef: the digest, the tag, or "latest". */
static const char *api_tag(const reference *r)
{
	return r->digest ? r->digest : r->tag ? r->tag : "latest";
}

/* The reference pull and push take: -a wants a bare repository; without
 * it a missing tag is "latest", said as docker says it. NULL with *rc. */
static reference *transfer_ref(const char *image, bool all, bool quiet, int *rc)
{
	_cleanup_err_ err_t *err = NULL;
	reference *ref = ref_parse_normalized(image, &err);
	if (!ref) {
		*rc = local_error("%s", err->msg);
		return NULL;
	}
	if (all && (ref->tag || ref->digest)) {
		ref_free(ref);
		*rc = local_error("%s", "tag can't be used with --all-tags/-a");
		return NULL;
	}
	if (!all && !ref->tag && !ref->digest) {
		ref_default_tag(ref);
		if (!quiet)
			printf("Using default tag: %s\n", ref->tag);
	}
	return ref;
}

/* POSTs path with the user's credentials for domain (X-Registry-Auth) and
 * shows the message stream. */
static int post_with_auth(cli *c, const char *path, const char *domain, bool quiet, err_t **err)
{
	_cleanup_free_ char *auth = dcfg_auth_header(domain);
	_cleanup_free_ char *hdr = xasprintf("X-Registry-Auth: %s", auth);
	const char *headers[] = {hdr, NULL};
	httpc_req req = {.method = "POST", .path = path, .body_fd = -1, .headers = headers};
	cli_msg_opts o = {.quiet = quiet};
	return cli_message_stream_opts(c, &req, &o, err);
}

static int pull(cli *c, const char *image, bool all, const char *platform, bool quiet)
{
	_cleanup_err_ err_t *err = NULL;
	int rc = 0;
	_cleanup_ref_ reference *ref = transfer_ref(image, all, quiet, &rc);
	if (!ref)
		return rc;
	if (cli_negotiate(c, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *fam = ref_familiar_name(ref), *efam = cli_escape(fam);
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	sb_printf(&q, "/images/create?fromImage=%s", efam);
	if (!all) {
		_cleanup_free_ char *et = cli_escape(api_tag(ref));
		sb_printf(&q, "&tag=%s", et);
	}
	if (platform && *platform) {
		_cleanup_free_ char *low = xstrdup(platform);
		for (char *p = low; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		_cleanup_free_ char *ep = cli_escape(low);
		sb_printf(&q, "&platform=%s", ep);
	}
	_cleanup_free_ char *path = cli_path(c, "%s", sb_str(&q));
	if (post_with_auth(c, path, ref->domain, quiet, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *full = all ? ref_name(ref) : ref_string(ref);
	printf("%s\n", full);
	return 0;
}

static int cmd_pull_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	bool all = false, quiet = false, dct = true;
	char *platform = NULL;
	const flag_spec specs[] = {
		{"all-tags", 'a', FLAG_BOOL, &all, "Download all tagged images in the repository", NULL, NULL},
		{"disable-content-trust", 0, FLAG_BOOL, &dct, "Skip image verification (default true)", NULL, NULL},
		{"platform", 0, FLAG_STRING, &platform, "Set platform if server is multi-platform capable", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Suppress verbose output", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {usage, "Download an image from a registry", "engine image pull, engine pull"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc = argc - first != 1 ? args_error(&u, name, "exactly 1 argument")
				   : pull(c, argv[first], all, platform, quiet);
	flags_free(specs);
	return rc;
}

int cmd_pull(cli *c, int argc, char **argv)
{
	return cmd_pull_run(c, argc, argv, "pull", "engine pull [OPTIONS] NAME[:TAG|@DIGEST]");
}

int cmd_image_pull(cli *c, int argc, char **argv)
{
	return cmd_pull_run(c, argc, argv, "image pull", "engine image pull [OPTIONS] NAME[:TAG|@DIGEST]");
}

/* The pull `run` and `create` do for a missing image: progress on stderr. */
int cli_pull_image(cli *c, const char *image, err_t **err)
{
	_cleanup_ref_ reference *ref = ref_parse_normalized(image, err);
	if (!ref)
		return -1;
	_cleanup_free_ char *name = ref_familiar_name(ref), *ename = cli_escape(name);
	_cleanup_free_ char *etag = cli_escape(api_tag(ref));
	if (cli_negotiate(c, err) < 0)
		return -1;
	_cleanup_free_ char *path = cli_path(c, "/images/create?fromImage=%s&tag=%s", ename, etag);
	_cleanup_free_ char *auth = dcfg_auth_header(ref->domain);
	return cli_pull_stream(c, path, auth, stderr, err);
}

/* ---- push ---- */

static int push(cli *c, const char *image, bool all, bool quiet)
{
	_cleanup_err_ err_t *err = NULL;
	int rc = 0;
	_cleanup_ref_ reference *ref = transfer_ref(image, all, quiet, &rc);
	if (!ref)
		return rc;
	if (cli_negotiate(c, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *fam = ref_familiar_name(ref);
	_cleanup_free_ char *et = cli_escape(ref->tag ? ref->tag : "");
	_cleanup_free_ char *path = cli_path(c, "/images/%s/push?tag=%s", fam, et);
	if (post_with_auth(c, path, ref->domain, quiet, &err) < 0)
		return cli_report(err);
	if (quiet) {
		_cleanup_free_ char *full = ref_string(ref);
		printf("%s\n", full);
	}
	return 0;
}

static int cmd_push_run(cli *c, int argc, char **argv, const char *name, const char *usage)
{
	bool all = false, quiet = false, dct = true;
	const flag_spec specs[] = {
		{"all-tags", 'a', FLAG_BOOL, &all, "Push all tags of an image to the repository", NULL, NULL},
		{"disable-content-trust", 0, FLAG_BOOL, &dct, "Skip image signing (default true)", NULL, NULL},
		{"quiet", 'q', FLAG_BOOL, &quiet, "Suppress verbose output", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {usage, "Upload an image to a registry", "engine image push, engine push"};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc = argc - first != 1 ? args_error(&u, name, "exactly 1 argument")
				   : push(c, argv[first], all, quiet);
	flags_free(specs);
	return rc;
}

int cmd_push(cli *c, int argc, char **argv)
{
	return cmd_push_run(c, argc, argv, "push", "engine push [OPTIONS] NAME[:TAG]");
}

int cmd_image_push(cli *c, int argc, char **argv)
{
	return cmd_push_run(c, argc, argv, "image push", "engine image push [OPTIONS] NAME[:TAG]");
}

/* ---- search ---- */

static json_object *search_header(void)
{
	json_object *h = json_object_new_object();
	jset_str(h, "Description", "DESCRIPTION");
	jset_str(h, "IsAutomated", "AUTOMATED");
	jset_str(h, "IsOfficial", "OFFICIAL");
	jset_str(h, "Name", "NAME");
	jset_str(h, "StarCount", "STARS");
	return h;
}

/* docker's searchContext: description on one line, cut to 45 columns. */
static json_object *search_row(json_object *r, bool trunc)
{
	json_object *o = json_object_new_object();
	_cleanup_free_ char *desc = xstrdup(jget_str(r, "description") ? jget_str(r, "description") : "");
	for (char *p = desc; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	_cleanup_free_ char *cut = trunc ? out_ellipsis(desc, 45) : xstrdup(desc);
	jset_str(o, "Description", cut);
	jset_str(o, "IsAutomated", jget_bool(r, "is_automated", false) ? "[OK]" : "");
	jset_str(o, "IsOfficial", jget_bool(r, "is_official", false) ? "[OK]" : "");
	jset_str(o, "Name", jget_str(r, "name"));
	_cleanup_free_ char *stars = xasprintf("%lld", (long long)jget_int(r, "star_count", 0));
	jset_str(o, "StarCount", stars);
	return o;
}

static int search(cli *c, const char *term, long long limit, bool limit_set, char **filter_args,
		  bool no_trunc, const char *format)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_filters_ filters *f = filters_new();
	for (char **a = filter_args; a && *a; a++) {
		_cleanup_err_ err_t *ferr = NULL;
		if (filters_add_arg(f, *a, &ferr) < 0) {
			fprintf(stderr, "invalid argument \"%s\" for \"-f, --filter\" flag: %s\nSee 'engine search --help'.\n",
				*a, err_msg(ferr));
			return EXIT_USAGE;
		}
	}
	if (cli_negotiate(c, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *eterm = cli_escape(term), *fj = filters_to_json(f);
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	sb_printf(&q, "/images/search?term=%s", eterm);
	if (limit_set)
		sb_printf(&q, "&limit=%lld", limit);
	if (*fj) {
		_cleanup_free_ char *ef = cli_escape(fj);
		sb_printf(&q, "&filters=%s", ef);
	}
	_cleanup_free_ char *path = cli_path(c, "%s", sb_str(&q));
	_cleanup_ref_ reference *r = NULL;
	json_object *out = NULL;
	if (cli_call(c, "GET", path, NULL, &out, &err) < 0)
		return cli_report(err);
	_cleanup_json_ json_object *res = out;
	json_object *rows = json_object_new_array();
	for (size_t i = 0; res && i < json_object_array_length(res); i++)
		json_object_array_add(rows, search_row(json_object_array_get_idx(res, i), !no_trunc));
	_cleanup_json_ json_object *hdr = search_header();
	int rc = out_print_rows(format, "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}",
				rows, hdr);
	json_object_put(rows);
	return rc < 0 ? EXIT_DAEMON_ERROR : 0;
}

int cmd_search(cli *c, int argc, char **argv)
{
	char **filter_args = NULL;
	char *format = NULL;
	long long limit = 0;
	bool limit_set = false, no_trunc = false;
	const flag_spec specs[] = {
		{"filter", 'f', FLAG_LIST, &filter_args, "Filter output based on conditions provided", "filter", NULL},
		{"format", 0, FLAG_STRING, &format, "Pretty-print search using a Go template", NULL, NULL},
		{"limit", 0, FLAG_INT, &limit, "Max number of search results", NULL, &limit_set},
		{"no-trunc", 0, FLAG_BOOL, &no_trunc, "Don't truncate output", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine search [OPTIONS] TERM", "Search Docker Hub for images", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc = argc - first != 1 ? args_error(&u, "search", "exactly 1 argument")
				   : search(c, argv[first], limit, limit_set, filter_args, no_trunc, format);
	flags_free(specs);
	return rc;
}

/* ---- login and logout ---- */

/* One line from the terminal (echo off for secrets); NULL at EOF. */
static char *prompt(const char *label, bool secret)
{
	fputs(label, stdout);
	fflush(stdout);
	struct termios old, quiet;
	bool tty = secret && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stdout);
	}
	if (n < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static int login(cli *c, const char *server, char *user, char *password, bool password_stdin)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_free_ char *key = dcfg_key(server);
	bool hub = !strcmp(key, DCFG_HUB_KEY);
	_cleanup_free_ char *pw = password ? xstrdup(password) : NULL, *u = user ? xstrdup(user) : NULL;
	if (password && *password)
		fputs("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n", stderr);
	if (password_stdin) {
		if (!u || !*u)
			return local_error("%s", "Must provide --username with --password-stdin");
		if (pw)
			return local_error("%s", "--password and --password-stdin are mutually exclusive");
		_cleanup_sb_ strbuf sb = STRBUF_INIT;
		char buf[4096];
		ssize_t n;
		while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
			sb_append(&sb, buf, (size_t)n);
		while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r'))
			sb.len--;
		pw = xstrndup(sb.len ? sb.buf : "", sb.len);
	}
	if (!u || !*u || !pw) {
		if (!isatty(STDIN_FILENO))
			return local_error("%s", "Error: Cannot perform an interactive login from a non TTY device");
		if (!u || !*u) {
			free(u);
			u = prompt("Username: ", false);
			if (!u || !*u)
				return local_error("%s", "Error: Non-null Username Required");
		}
		if (!pw) {
			pw = prompt("Password: ", true);
			if (!pw || !*pw)
				return local_error("%s", "Error: Password Required");
		}
	}
	if (cli_negotiate(c, &err) < 0)
		return cli_report(err);
	json_object *body = json_object_new_object();
	jset_str(body, "username", u);
	jset_str(body, "password", pw);
	jset_str(body, "serveraddress", hub ? DCFG_HUB_KEY : key);
	_cleanup_free_ char *path = cli_path(c, "/auth");
	json_object *out = NULL;
	if (cli_call(c, "POST", path, body, &out, &err) < 0)
		return cli_report(err);
	_cleanup_json_ json_object *resp = out;
	const char *token = jget_str(resp, "IdentityToken");
	if (dcfg_store(key, u, pw, token && *token ? token : NULL, &err) < 0)
		return cli_report(err);
	_cleanup_free_ char *cfgpath = dcfg_path();
	fprintf(stderr, "\nWARNING! Your credentials are stored unencrypted in '%s'.\n"
		"Configure a credential helper to remove this warning. See\n"
		"https://docs.docker.com/go/credential-store/\n\n", cfgpath);
	const char *status = jget_str(resp, "Status");
	printf("%s\n", status && *status ? status : "Login Succeeded");
	return 0;
}

int cmd_login(cli *c, int argc, char **argv)
{
	char *user = NULL, *password = NULL;
	bool password_stdin = false;
	const flag_spec specs[] = {
		{"password", 'p', FLAG_STRING, &password, "Password or Personal Access Token (PAT)", NULL, NULL},
		{"password-stdin", 0, FLAG_BOOL, &password_stdin, "Take the Password or Personal Access Token (PAT) from stdin", NULL, NULL},
		{"username", 'u', FLAG_STRING, &user, "Username", NULL, NULL},
		END_FLAGS,
	};
	const cmd_usage u = {"engine login [OPTIONS] [SERVER]", "Authenticate to a registry", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	int rc = argc - first > 1 ? args_error(&u, "login", "at most 1 argument")
				  : login(c, first < argc ? argv[first] : NULL, user, password, password_stdin);
	flags_free(specs);
	return rc;
}

int cmd_logout(cli *c, int argc, char **argv)
{
	(void)c;
	const flag_spec specs[] = {END_FLAGS};
	const cmd_usage u = {"engine logout [SERVER]", "Log out from a registry", NULL};
	int first = flags_parse(argc, argv, specs, &u, true);
	if (first < 0)
		return first == -2 ? 0 : EXIT_USAGE;
	if (argc - first > 1)
		return args_error(&u, "logout", "at most 1 argument");
	_cleanup_free_ char *key = dcfg_key(first < argc ? argv[first] : NULL);
	_cleanup_err_ err_t *err = NULL;
	bool had;
	printf("Removing login credentials for %s\n", !strcmp(key, DCFG_HUB_KEY) ? "https://index.docker.io/v1/" : key);
	if (dcfg_erase(key, &had, &err) < 0)
		return cli_report(err);
	return 0;
}
