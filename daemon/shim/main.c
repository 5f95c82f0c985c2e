/* main.c: engine-shim, the per-container monitor (conmon's role). engined
 * starts it once per container start:
 *
 *   engine-shim --id ID --bundle DIR --state-dir DIR --log-path FILE
 *               [--sync-fd N] [--log-max-size BYTES] [--log-max-file N] [--stdin]
 *               [--cgroup-root DIR] [--cgroup-parent PATH] [--shim-cgroup PATH]
 *               [--init-path FILE] [--seccomp-cache DIR] [--detach]
 *               [--attach FD:OPTS]...
 *
 * It starts a new session as a child subreaper (with --detach it first forks
 * away from its parent; shim_client spares it that), creates the
 * container through the runtime library, answers on the sync fd with one
 * JSON line, {"pid":N,"shim_pid":M,"warnings":[...]} or {"pid":-1,
 * "exit_code":127,"message":"..."}, then monitors it (monitor.c) and moves
 * itself out of engined's cgroup so that engined can die or restart.
 *
 * --attach hands over clients that attached before the start (the docker
 * CLI attaches, then starts): FD is an inherited socket, OPTS the words of
 * the ctl `attach` command joined by commas. They are attached before the
 * container exists, so even a command that finishes at once loses no
 * output to them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "shim.h"
#include "xalloc.h"

static void usage(void)
{
	fputs("usage: engine-shim --id ID --bundle DIR --state-dir DIR --log-path FILE [--sync-fd N]\n"
	      "       [--log-max-size BYTES] [--log-max-file N] [--stdin] [--cgroup-root DIR]\n"
	      "       [--cgroup-parent PATH] [--shim-cgroup PATH] [--init-path FILE]\n"
	      "       [--seccomp-cache DIR] [--detach] [--attach FD:OPTS]...\n",
	      stderr);
}

static int parse_args(int argc, char **argv, shim_opts *o)
{
	static const struct option opts[] = {
		{"id", 1, 0, 'i'},          {"bundle", 1, 0, 'b'},        {"state-dir", 1, 0, 's'},
		{"log-path", 1, 0, 'l'},     {"sync-fd", 1, 0, 'y'},       {"log-max-size", 1, 0, 'm'},
		{"log-max-file", 1, 0, 'n'}, {"stdin", 0, 0, 'I'},         {"cgroup-root", 1, 0, 'r'},
		{"cgroup-parent", 1, 0, 'p'}, {"shim-cgroup", 1, 0, 'c'},   {"init-path", 1, 0, 'e'},
		{"seccomp-cache", 1, 0, 'C'}, {"detach", 0, 0, 'd'},        {"attach", 1, 0, 'a'},
		{0, 0, 0, 0},
	};
	int ch;
	o->sync_fd = -1;
	o->log_max_files = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': o->id = optarg; break;
		case 'b': o->bundle = optarg; break;
		case 's': o->state_dir = optarg; break;
		case 'l': o->log_path = optarg; break;
		case 'y': o->sync_fd = atoi(optarg); break;
		case 'm': o->log_max_size = atoll(optarg); break;
		case 'n': o->log_max_files = atoi(optarg); break;
		case 'I': o->open_stdin = true; break;
		case 'r': o->cgroup_root = optarg; break;
		case 'p': o->cgroup_parent = optarg; break;
		case 'c': o->shim_cgroup = optarg; break;
		case 'e': o->init_path = optarg; break;
		case 'C': o->seccomp_cache = optarg; break;
		case 'd': o->detach = true; break;
		case 'a': {
			char *end = NULL;
			long fd = strtol(optarg, &end, 10);
			if (end == optarg || *end != ':' || fd < 3 || o->n_attach == SHIM_MAX_SPAWN_ATTACH)
				return -1;
			o->attach[o->n_attach++] = (shim_attach_arg){(int)fd, end + 1};
			break;
		}
		default: return -1;
		}
	}
	if (!o->id || !o->bundle || !o->state_dir || !o->log_path || optind != argc)
		return -1;
	return 0;
}

/* Not engined's child any more: it may exit or be killed at any time.
 * shim_client starts us as a stranger already (CLONE_PARENT); --detach
 * asks for the classic fork when it could not. */
static int detach(const shim_opts *o)
{
	if (o->detach) {
		pid_t p = fork();
		if (p < 0)
			return -1;
		if (p > 0)
			_exit(0);
	}
	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (chdir("/") < 0)
		return -1;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		if (fd != o->sync_fd)
			dup2(null, fd);
	if (null > 2)
		close(null);
	return 0;
}

/* The clients of --attach become attach clients of the container's process
 * now; their stdin bytes wait until it has a stdin (attach_feed). */
static void attach_early(shim *s)
{
	for (int i = 0; i < s->o->n_attach; i++) {
		const shim_attach_arg *a = &s->o->attach[i];
		fcntl(a->fd, F_SETFD, FD_CLOEXEC);
		fcntl(a->fd, F_SETFL, fcntl(a->fd, F_GETFL) | O_NONBLOCK);
		attach_opts opts = {0};
		const char *bad = NULL;
		client *c = attach_opts_parse(&opts, a->opts, &bad) == 0 ? ctl_client_new(s, a->fd) : NULL;
		if (!c) {
			close(a->fd);
			attach_opts_done(&opts);
			continue;
		}
		c->mode = CLIENT_ATTACH;
		c->out_stdout = opts.out;
		c->out_stderr = opts.err;
		c->in_stdin = opts.in;
		c->stdin_once = opts.stdin_once;
		memcpy(c->keys, opts.keys, sizeof(c->keys));
		c->nkeys = opts.nkeys;
		sb_append(&c->in, opts.data.buf, opts.data.len);
		attach_opts_done(&opts);
	}
}

/* Once the container runs: early clients' stdin becomes real, or goes. */
static void attach_feed(shim *s)
{
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++) {
		client *c = &s->clients[i];
		if (c->mode != CLIENT_ATTACH)
			continue;
		c->in_stdin = c->in_stdin && s->io.in_fd >= 0;
		if (c->in.len && c->in_stdin)
			attach_stdin_data(s, c, c->in.buf, c->in.len);
		sb_free(&c->in);
	}
}

static int setup_signals(shim *s, err_t **err)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return err_sys(err, "sigprocmask");
	s->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return s->sig_fd < 0 ? err_sys(err, "signalfd") : 0;
}

static void warn_cb(void *ctx, const char *msg)
{
	shim *s = ctx;
	if (s->running) { /* an exec's: nobody reads the start's list any more */
		shim_log(s, "%s", msg);
		return;
	}
	size_t n = 0;
	while (s->warnings && s->warnings[n])
		n++;
	s->warnings = xrealloc(s->warnings, (n + 2) * sizeof(char *));
	s->warnings[n] = xstrdup(msg);
	s->warnings[n + 1] = NULL;
}

/* Our ends non-blocking and close-on-exec; the child's ends are returned. */
static int make_pipes(shim *s, rt_stdio *io, err_t **err)
{
	int out[2], er[2], in[2] = {-1, -1};
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0 || (s->o->open_stdin && pipe2(in, O_CLOEXEC) < 0))
		return err_sys(err, "pipe");
	s->io.out_fd = out[0];
	s->io.err_fd = er[0];
	s->io.in_fd = in[1];
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	/* Bigger pipes: a fast writer wakes us 16 times less often (attach
	 * throughput doubles); the pages exist only while data waits in them. */
	fcntl(out[0], F_SETPIPE_SZ, SHIM_PIPE_SIZE);
	fcntl(er[0], F_SETPIPE_SZ, SHIM_PIPE_SIZE);
	fcntl(er[0], F_SETFL, O_NONBLOCK);
	if (in[1] >= 0)
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	*io = (rt_stdio){.in = in[0], .out = out[1], .err = er[1]};
	return 0;
}

/* With a terminal the pty master replaces the pipes: it is the output (all
 * of it "stdout", as in Docker) and, with --stdin, the input. */
static int use_console(shim *s, err_t **err)
{
	int m = s->ctr->console;
	if (m < 0)
		return 0;
	close(s->io.out_fd);
	close(s->io.err_fd);
	if (s->io.in_fd >= 0)
		close(s->io.in_fd);
	fcntl(m, F_SETFL, O_NONBLOCK);
	s->io.out_fd = m;
	s->io.err_fd = -1;
	s->io.in_fd = s->o->open_stdin ? fcntl(m, F_DUPFD_CLOEXEC, 3) : -1;
	s->ctr->console = -1;
	s->io.console = m;
	s->io.tty = true;
	if (s->o->open_stdin && s->io.in_fd < 0)
		return err_sys(err, "dup the pty master");
	return 0;
}

static void close_child_ends(rt_stdio *io)
{
	int fds[3] = {io->in, io->out, io->err};
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int start_container(shim *s, err_t **err)
{
	rt_stdio io;
	_cleanup_free_ char *stale = fs_path_join(s->o->state_dir, SHIM_EXIT_FILE);
	unlink(stale); /* a previous run's exit must not pass for this one's */
	s->spec = spec_load(s->o->bundle, err);
	if (!s->spec)
		return -1;
	s->cfg = (rt_config){
		.id = s->o->id, .cgroup_root = s->o->cgroup_root, .cgroup_parent = s->o->cgroup_parent,
		.init_path = s->o->init_path, .cache_dir = s->o->seccomp_cache, .warn = warn_cb, .warn_ctx = s,
	};
	if (make_pipes(s, &io, err) < 0)
		return -1;
	/* --log-driver none: engined passes /dev/null, and nothing is formatted. */
	bool no_log = !strcmp(s->o->log_path, "/dev/null");
	if (!no_log)
		s->log = jsonlog_open(s->o->log_path, s->o->log_max_size, s->o->log_max_files, err);
	int r = s->log || no_log ? runtime_create(s->spec, &s->cfg, &io, &s->ctr, err) : -1;
	close_child_ends(&io);
	if (r < 0 || use_console(s, err) < 0)
		return -1;
	s->pid = s->ctr->pid;
	s->running = true;
	clock_gettime(CLOCK_REALTIME, &s->started);
	clock_gettime(CLOCK_MONOTONIC, &s->started_mono);
	return 0;
}

static void report(shim *s, const err_t *err)
{
	if (s->o->sync_fd < 0)
		return;
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_int(o, "pid", err ? -1 : s->pid);
	jset_int(o, "shim_pid", getpid());
	if (err) {
		jset_int(o, "exit_code", runtime_start_exit_code(err));
		jset_int(o, "status", err_http_status(err));
		jset_str(o, "message", err_msg(err));
	} else {
		jset(o, "warnings", jstrv(s->warnings));
	}
	_cleanup_free_ char *line = xasprintf("%s\n", jdump(o));
	(void)!write(s->o->sync_fd, line, strlen(line));
	close(s->o->sync_fd);
}

/* Off the start's critical path: leave engined's cgroup, so that stopping
 * engined's service (KillMode=control-group) does not stop the containers. */
static void leave_cgroup(shim *s)
{
	const char *path = s->o->shim_cgroup;
	if (!path || !*path)
		return;
	_cleanup_err_ err_t *err = NULL;
	const char *root = s->o->cgroup_root ? s->o->cgroup_root : CGROUP_ROOT;
	cg_mode mode;
	_cleanup_cgroup_ cgroup *cg = NULL;
	if (cgroup_detect(root, &mode, &err) < 0 || !(cg = cgroup_create(root, mode, path, NULL, &err)) ||
	    cgroup_add_pid(cg, getpid(), &err) < 0)
		shim_log(s, "leave engined's cgroup: %s", err_msg(err));
}

static void write_pid_files(shim *s)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	shim_write_file(s->o->state_dir, SHIM_PID_FILE, buf, NULL);
	snprintf(buf, sizeof(buf), "%d\n", (int)s->pid);
	shim_write_file(s->o->state_dir, SHIM_CPID_FILE, buf, NULL);
}

/* A start that failed still leaves an exit file, for an engined that
 * restarted before it read the reply. */
static void record_start_failure(shim *s, const err_t *err)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	s->exit.exit_code = runtime_start_exit_code(err);
	s->exit.error = xstrdup(err_msg(err));
	shim_fmt_time(&now, s->exit.finished_at);
	shim_exit_write(s->o->state_dir, &s->exit, NULL);
	shim_log(s, "start failed: %s", err_msg(err));
}

/* The start touched most of libc, json-c and libseccomp; the monitor needs
 * little of that. Dropping our text's page-table entries (they refault from
 * the page cache when used) and the heap's free tail keeps an idle shim's
 * RSS to what the loop really uses. */
extern const char __executable_start[], etext[];
static void trim_memory(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)__executable_start & ~(uintptr_t)(page - 1);
	uintptr_t end = ((uintptr_t)etext + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);
	madvise((void *)start, end - start, MADV_DONTNEED);
	malloc_trim(0);
}

/* OOM kills become live events from here on (earlier ones are in the exit). */
static void watch_oom(shim *s)
{
	_cleanup_err_ err_t *err = NULL;
	s->oom_fd = cgroup_oom_watch(s->ctr->cg, &err);
	if (s->oom_fd < 0)
		shim_log(s, "watch OOM kills: %s", err_msg(err));
	cgroup_oom_kills(s->ctr->cg, &s->oom_seen, NULL);
}

void shim_settle(shim *s)
{
	leave_cgroup(s);
	watch_oom(s);
	trim_memory();
}

static void shim_done(shim *s)
{
	rt_container_free(s->ctr);
	spec_free(s->spec);
	strv_free(s->warnings);
	shim_exit_done(&s->exit);
	pstdio_close(&s->io);
	jsonlog_close(s->log);
	for (int i = 0; i < SHIM_MAX_EXECS; i++) {
		pstdio_close(&s->execs[i].io);
		free(s->execs[i].id);
	}
	for (size_t i = 0; i < SHIM_MAX_CLIENTS; i++)
		if (s->clients[i].mode != CLIENT_FREE)
			ctl_drop(s, &s->clients[i]);
	if (s->oom_fd >= 0)
		close(s->oom_fd);
}

int main(int argc, char **argv)
{
	shim_opts o = {0};
	if (parse_args(argc, argv, &o) < 0) {
		usage();
		return 2;
	}
	shim s = {.o = &o, .listen_fd = -1, .oom_fd = -1};
	pstdio_init(&s.io);
	for (int i = 0; i < SHIM_MAX_EXECS; i++)
		pstdio_init(&s.execs[i].io);
	_cleanup_err_ err_t *err = NULL;
	attach_early(&s);
	if (detach(&o) < 0 || fs_mkdir_p(o.state_dir, 0700, &err) < 0 || setup_signals(&s, &err) < 0 ||
	    ctl_listen(&s, &err) < 0 || start_container(&s, &err) < 0) {
		if (!err)
			err_sys(&err, "detach");
		record_start_failure(&s, err);
		report(&s, err);
		ctl_unlink(&s);
		shim_done(&s);
		return 1;
	}
	report(&s, NULL);
	attach_feed(&s);
	write_pid_files(&s);
	shim_run(&s);
	shim_done(&s);
	return 0;
}
