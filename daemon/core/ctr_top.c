/* ctr_top.c: GET /containers/{id}/top, as moby's daemon/top_unix.go does
 * it: `ps ARGS -q PIDS` (or plain `ps ARGS` when ps refuses -q with those
 * arguments), then the lines whose PID column is one of the container's
 * (the shim's `pids`: its cgroup) are kept, with thread lines ("-" PID)
 * following a kept process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "jsonutil.h"
#include "shim_client.h"
#include "strbuf.h"
#include "xalloc.h"

#define PS_OUTPUT_MAX (16u << 20)

extern char **environ;

/* moby's validatePSArgs: "x=PID..." renames of the PID column are refused. */
static int validate_args(const char *args, err_t **err)
{
	regex_t re;
	if (regcomp(&re, "[[:space:]]+([^[:space:]]*)=[[:space:]]*(PID[^[:space:]]*)", REG_EXTENDED) != 0)
		return 0;
	regmatch_t m[3];
	const char *p = args;
	int r = 0;
	while (regexec(&re, p, 3, m, 0) == 0) {
		_cleanup_free_ char *k = xstrndup(p + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
		_cleanup_free_ char *v = xstrndup(p + m[2].rm_so, (size_t)(m[2].rm_eo - m[2].rm_so));
		if (strcmp(k, "pid")) {
			r = err_invalid(err, "specifying \"%s=%s\" is not allowed", k, v);
			break;
		}
		p += m[0].rm_eo;
	}
	regfree(&re);
	return r;
}

/* Runs ps with argv; its stdout in *out, the first line of stderr in *why. */
static int run_ps(char **argv, strbuf *out, char **why, err_t **err)
{
	int o[2], e[2];
	if (pipe2(o, O_CLOEXEC) < 0)
		return err_sys(err, "pipe");
	if (pipe2(e, O_CLOEXEC) < 0) {
		close(o[0]);
		close(o[1]);
		return err_sys(err, "pipe");
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	pid_t pid;
	int r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(o[1]);
	close(e[1]);
	_cleanup_close_ int ofd = o[0], efd = e[0];
	if (r != 0)
		return err_set(err, ERR_SYSTEM, r, "ps");
	_cleanup_sb_ strbuf errs = STRBUF_INIT;
	struct pollfd p[2] = {{.fd = ofd, .events = POLLIN}, {.fd = efd, .events = POLLIN}};
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			char buf[16384];
			ssize_t n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				p[i].fd = -1;
				continue;
			}
			strbuf *to = i == 0 ? out : &errs;
			if (to->len + (size_t)n <= PS_OUTPUT_MAX)
				sb_append(to, buf, (size_t)n);
		}
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	*why = xstrndup(errs.buf ? errs.buf : "", errs.buf ? strcspn(errs.buf, "\n") : 0);
	return 1;
}

static bool has_pid(const pid_t *pids, size_t n, long p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

static char **split_fields(char *line, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	for (char *save = NULL, *f = strtok_r(line, " \t", &save); f; f = strtok_r(NULL, " \t", &save)) {
		v = xgrow(v, &cap, *n + 2, sizeof(char *));
		v[(*n)++] = f;
		v[*n] = NULL;
	}
	return v;
}

/* The fields of a process line as Titles-many columns: the overhanging
 * ones joined into the last (the command). */
static json_object *process_row(char **f, size_t nf, size_t ntitles)
{
	json_object *row = json_object_new_array();
	for (size_t i = 0; i + 1 < ntitles && i < nf; i++)
		json_object_array_add(row, jstr(f[i]));
	_cleanup_sb_ strbuf last = STRBUF_INIT;
	for (size_t i = ntitles - 1; i < nf; i++)
		sb_printf(&last, "%s%s", i > ntitles - 1 ? " " : "", f[i]);
	json_object_array_add(row, jstr(last.buf ? last.buf : ""));
	return row;
}

/* moby's parsePSOutput. */
static json_object *parse_ps(char *text, const pid_t *pids, size_t npids, err_t **err)
{
	char *save = NULL;
	char *head = strtok_r(text, "\n", &save);
	if (!head)
		return err_set(err, ERR_SYSTEM, 0, "Couldn't find PID field in ps output"), NULL;
	size_t nt = 0;
	_cleanup_free_ char **titles = split_fields(head, &nt);
	ssize_t pid_col = -1;
	for (size_t i = 0; i < nt && pid_col < 0; i++)
		if (!strcmp(titles[i], "PID"))
			pid_col = (ssize_t)i;
	if (pid_col < 0)
		return err_set(err, ERR_SYSTEM, 0, "Couldn't find PID field in ps output"), NULL;
	_cleanup_json_ json_object *procs = json_object_new_array();
	bool keep_threads = false;
	for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t nf = 0;
		_cleanup_free_ char **f = split_fields(line, &nf);
		if ((size_t)pid_col >= nf)
			continue;
		if (!strcmp(f[pid_col], "-")) {
			if (keep_threads)
				json_object_array_add(procs, process_row(f, nf, nt));
			continue;
		}
		char *end = NULL;
		long p = strtol(f[pid_col], &end, 10);
		if (!end || *end)
			return err_set(err, ERR_SYSTEM, 0, "Unexpected pid '%s'", f[pid_col]), NULL;
		keep_threads = has_pid(pids, npids, p);
		if (keep_threads)
			json_object_array_add(procs, process_row(f, nf, nt));
	}
	json_object *o = json_object_new_object();
	json_object *t = json_object_new_array();
	for (size_t i = 0; i < nt; i++)
		json_object_array_add(t, jstr(titles[i]));
	jset(o, "Titles", t);
	jset(o, "Processes", steal_ptr(&procs));
	return o;
}

static int container_pids(container *c, pid_t **pids, size_t *n, err_t **err)
{
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (shim_call(c->state_dir, "pids", &reply, &e) < 0)
		return err_conflict(err, "Container %s is not running", c->id);
	json_object *a = jget_arr(reply, "pids");
	*n = a ? json_object_array_length(a) : 0;
	*pids = xcalloc(*n + 1, sizeof(pid_t));
	for (size_t i = 0; i < *n; i++)
		(*pids)[i] = (pid_t)json_object_get_int64(json_object_array_get_idx(a, i));
	return 0;
}

json_object *ctr_top(ctr_table *t, container *c, const char *ps_args, err_t **err)
{
	(void)t;
	pthread_mutex_lock(&c->lock);
	bool live = c->state == CS_RUNNING || c->state == CS_PAUSED;
	bool restarting = c->state == CS_RESTARTING;
	pthread_mutex_unlock(&c->lock);
	if (restarting)
		return err_conflict(err, "Container %s is restarting, wait until the container is running", c->id), NULL;
	if (!live)
		return err_conflict(err, "Container %s is not running", c->id), NULL;
	const char *args = ps_args && *ps_args ? ps_args : "-ef";
	if (validate_args(args, err) < 0)
		return NULL;
	_cleanup_free_ pid_t *pids = NULL;
	size_t npids = 0;
	if (container_pids(c, &pids, &npids, err) < 0)
		return NULL;
	/* argv: ps, the arguments split at spaces, then -q PIDS. */
	_cleanup_free_ char *copy = xstrdup(args);
	size_t na = 0;
	_cleanup_free_ char **words = split_fields(copy, &na);
	char **argv = xcalloc(na + 3, sizeof(char *));
	argv[0] = (char *)"ps";
	for (size_t i = 0; i < na; i++)
		argv[i + 1] = words[i];
	_cleanup_sb_ strbuf q = STRBUF_INIT;
	sb_puts(&q, "-q");
	for (size_t i = 0; i < npids; i++)
		sb_printf(&q, "%s%d", i ? "," : "", (int)pids[i]);
	argv[na + 1] = q.buf;
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	_cleanup_free_ char *why = NULL;
	int r = npids ? run_ps(argv, &out, &why, err) : 1;
	if (r > 0) { /* some options (f) do not go with -q: without it */
		argv[na + 1] = NULL;
		sb_reset(&out);
		free(why);
		why = NULL;
		r = run_ps(argv, &out, &why, err);
	}
	free(argv);
	if (r < 0)
		return NULL;
	if (r > 0)
		return err_set(err, ERR_SYSTEM, 0, "%s", why && *why ? why : "ps failed"), NULL;
	return parse_ps(out.buf ? out.buf : (char *)"", pids, npids, err);
}
