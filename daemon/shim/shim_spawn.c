/* shim_spawn.c: shim_spawn() (see shim_client.h). The shim is started with
 * a vfork-style clone(CLONE_PARENT) so that it is born detached: the shim's
 * own detaching fork cost 1.5-2 ms of every start on this kind of machine.
 * Its one-line JSON reply on the sync pipe says how the start went. */
#include "shim_client.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

#define REPLY_MAX (64u << 10)

extern char **environ;

static void add_arg(char **argv, size_t *n, const char *flag, const char *value)
{
	if (!value)
		return;
	argv[(*n)++] = xstrdup(flag);
	argv[(*n)++] = xstrdup(value);
}

static char **build_argv(const shim_spawn_opts *o, int sync_fd)
{
	char **argv = xcalloc(40 + 2 * SHIM_MAX_SPAWN_ATTACH, sizeof(char *));
	size_t n = 0;
	char num[32];
	argv[n++] = xstrdup(o->shim_path ? o->shim_path : "engine-shim");
	add_arg(argv, &n, "--id", o->id);
	add_arg(argv, &n, "--bundle", o->bundle);
	add_arg(argv, &n, "--state-dir", o->state_dir);
	add_arg(argv, &n, "--log-path", o->log_path);
	snprintf(num, sizeof(num), "%d", sync_fd);
	add_arg(argv, &n, "--sync-fd", num);
	snprintf(num, sizeof(num), "%lld", o->log_max_size > 0 ? o->log_max_size : 0);
	add_arg(argv, &n, "--log-max-size", num);
	snprintf(num, sizeof(num), "%d", o->log_max_files > 0 ? o->log_max_files : 1);
	add_arg(argv, &n, "--log-max-file", num);
	if (o->open_stdin)
		argv[n++] = xstrdup("--stdin");
	add_arg(argv, &n, "--cgroup-root", o->cgroup_root);
	add_arg(argv, &n, "--cgroup-parent", o->cgroup_parent);
	add_arg(argv, &n, "--shim-cgroup", o->shim_cgroup);
	add_arg(argv, &n, "--init-path", o->init_path);
	add_arg(argv, &n, "--seccomp-cache", o->seccomp_cache);
	for (size_t i = 0; i < o->n_attach; i++) {
		argv[n++] = xstrdup("--attach");
		argv[n++] = xasprintf("%d:%s", SHIM_SPAWN_ATTACH_FD + (int)i, o->attach[i].opts);
	}
	return argv;
}

#define SYNC_FD 3
#define SPAWN_STACK (64 << 10)

/* The child runs instrumented code on our memory: under ASan its frames'
 * redzones poison the shadow of the mmap'd stack, which a later thread's
 * stack may reuse (a false "stack-buffer-underflow"). */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define STACK_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define STACK_UNPOISON(p, n) ((void)0)
#define NO_ASAN
#endif

/* Early attach clients go to fds 4, 5, ...: from copies at or above this,
 * so that no dup2 overwrites a source still to be moved. */
#define ATTACH_SRC_MIN 256

typedef struct spawn_args {
	const char *path;
	char **argv;
	int devnull, sync_fd;
	const int *attach; /* sources (>= ATTACH_SRC_MIN) */
	int n_attach;
	const sigset_t *mask;
} spawn_args;

/* The child of a CLONE_VM|CLONE_VFORK clone: it shares our memory until
 * execve, so it only makes system calls (what posix_spawn's child does). */
NO_ASAN static int spawn_child(void *arg)
{
	const spawn_args *a = arg;
	for (int sig = 1; sig < _NSIG; sig++) {
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL) {
			sa.sa_handler = SIG_DFL;
			sigaction(sig, &sa, NULL);
		}
	}
	sigprocmask(SIG_SETMASK, a->mask, NULL);
	if (dup2(a->devnull, 0) < 0 || dup2(0, 1) < 0 || dup2(0, 2) < 0 || dup2(a->sync_fd, SYNC_FD) < 0)
		_exit(127);
	for (int i = 0; i < a->n_attach; i++)
		if (dup2(a->attach[i], SHIM_SPAWN_ATTACH_FD + i) < 0)
			_exit(127);
	syscall(SYS_close_range, SHIM_SPAWN_ATTACH_FD + a->n_attach, ~0U, 0);
	execve(a->path, a->argv, environ);
	_exit(127);
}

/* Born a child of our parent (CLONE_PARENT), the shim is never ours: no
 * detaching fork needed in it, no zombie for us. EINVAL when we are a PID
 * namespace's init, which has no parent to hand it to. */
static pid_t clone_parent(const char *path, char **argv, int sync_wr, int devnull, const int *attach, int n_attach)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	spawn_args a = {path, argv, devnull, sync_wr, attach, n_attach, &old};
	char *stack = mmap(NULL, SPAWN_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid = -1;
	if (stack != MAP_FAILED) {
		pid = clone(spawn_child, stack + SPAWN_STACK, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD, &a);
		int saved = errno;
		STACK_UNPOISON(stack, SPAWN_STACK);
		munmap(stack, SPAWN_STACK);
		errno = saved;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return pid;
}

/* The fallback: an ordinary child that detaches by forking (--detach). */
static int spawn_plain(const char *path, char **argv, int sync_wr, const int *attach, int n_attach, pid_t *pid,
		       err_t **err)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_adddup2(&fa, 0, 2);
	posix_spawn_file_actions_adddup2(&fa, sync_wr, SYNC_FD); /* sync_wr > SYNC_FD: clears CLOEXEC */
	for (int i = 0; i < n_attach; i++)
		posix_spawn_file_actions_adddup2(&fa, attach[i], SHIM_SPAWN_ATTACH_FD + i);
	posix_spawn_file_actions_addclosefrom_np(&fa, SHIM_SPAWN_ATTACH_FD + n_attach);
	int r = posix_spawn(pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return err_set(err, ERR_SYSTEM, r, "start %s", path);
	return 0;
}

/* argv[0] as a path: as given when it has a '/', else found in $PATH. */
static char *find_shim(const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok(dirs, ":"); d; d = strtok(NULL, ":")) {
		char *cand = xasprintf("%s/%s", d, name);
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return xstrdup(name);
}

/* Starts the shim with the sync pipe on fd 3; *waitable says whether it is
 * our child (to reap once it detached). */
static int launch(const shim_spawn_opts *o, int sync_wr, pid_t *pid, bool *waitable, err_t **err)
{
	_cleanup_strv_ char **argv = build_argv(o, SYNC_FD);
	_cleanup_free_ char *path = find_shim(argv[0]);
	_cleanup_close_ int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return err_sys(err, "open /dev/null");
	int attach[SHIM_MAX_SPAWN_ATTACH];
	int n_attach = 0;
	for (size_t i = 0; i < o->n_attach && i < SHIM_MAX_SPAWN_ATTACH; i++) {
		attach[n_attach] = fcntl(o->attach[i].fd, F_DUPFD_CLOEXEC, ATTACH_SRC_MIN);
		if (attach[n_attach] < 0) {
			int e = errno;
			while (n_attach)
				close(attach[--n_attach]);
			return err_set(err, ERR_SYSTEM, e, "dup an attach socket");
		}
		n_attach++;
	}
	*pid = clone_parent(path, argv, sync_wr, devnull, attach, n_attach);
	*waitable = false;
	int r = 0;
	if (*pid > 0)
		goto out;
	if (errno != EINVAL) {
		r = err_sys(err, "start %s", path);
		goto out;
	}
	*waitable = true;
	size_t n = 0;
	while (argv[n])
		n++;
	argv = xrealloc(argv, (n + 2) * sizeof(char *));
	argv[n] = xstrdup("--detach");
	argv[n + 1] = NULL;
	r = spawn_plain(path, argv, sync_wr, attach, n_attach, pid, err);
out:
	while (n_attach)
		close(attach[--n_attach]);
	return r;
}

static int read_all(int fd, size_t max, strbuf *sb, err_t **err)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_sys(err, "read from the shim");
		if (n == 0)
			return 0;
		sb_append(sb, buf, (size_t)n);
		if (sb->len > max)
			return err_set(err, ERR_SYSTEM, 0, "the shim's reply is too long");
	}
}

static int parse_started(const strbuf *sb, shim_started *out, err_t **err)
{
	_cleanup_json_ json_object *o = json_parse_strict(sb->buf, sb->len, err);
	if (!o)
		return err_wrap(err, "the shim's reply");
	out->pid = (pid_t)jget_int(o, "pid", -1);
	out->shim_pid = (pid_t)jget_int(o, "shim_pid", -1);
	if (out->pid > 0) {
		_cleanup_err_ err_t *ignored = NULL;
		out->warnings = jarr_to_strv(jget_arr(o, "warnings"), "warnings", &ignored);
		return 0;
	}
	out->exit_code = (int)jget_int(o, "exit_code", 128);
	const char *msg = jget_str(o, "message");
	err_kind kind = out->exit_code == 126 || out->exit_code == 127 ? ERR_INVALID : ERR_SYSTEM;
	return err_set(err, kind, 0, "%s", msg ? msg : "the container failed to start");
}

int shim_spawn(const shim_spawn_opts *o, shim_started *out, err_t **err)
{
	memset(out, 0, sizeof(*out));
	out->exit_code = 128;
	if (!o->id || !o->bundle || !o->state_dir || !o->log_path)
		return err_invalid(err, "shim_spawn: id, bundle, state_dir and log_path are required");
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(err, "pipe");
	_cleanup_close_ int rd = p[0];
	_cleanup_close_ int wr = fcntl(p[1], F_DUPFD_CLOEXEC, SYNC_FD + 1);
	close(p[1]);
	pid_t pid;
	bool waitable = false;
	if (wr < 0 || launch(o, wr, &pid, &waitable, err) < 0)
		return wr < 0 ? err_sys(err, "dup") : -1;
	close(steal_fd(&wr));
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	int r = read_all(rd, REPLY_MAX, &sb, err);
	while (waitable && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	if (!sb.len)
		return err_set(err, ERR_SYSTEM, 0, "engine-shim exited without a reply (see %s/%s)", o->state_dir,
			       SHIM_LOG_FILE);
	return parse_started(&sb, out, err);
}

void shim_started_done(shim_started *s)
{
	strv_free(s->warnings);
	s->warnings = NULL;
}

