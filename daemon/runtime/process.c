/* process.c: from stdio to execve. The order matters: the bounding set is
 * dropped and keep-caps set while we are still root, then groups, gid and
 * uid change; the command is looked up as the target user; seccomp goes on
 * before the final capset (crun's order), with the effective set raised for
 * the load when no_new_privs is off; after the filter only capset, prctl,
 * umask, close_range and execve remain, all allowed by Docker's profile. */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "fsutil.h"
#include "pty.h"
#include "strbuf.h"
#include "user.h"
#include "xalloc.h"

/* Go spells errno texts in lower case ("permission denied"), and Docker's
 * messages come from Go. */
static const char *go_strerror(int e, char *buf, size_t n)
{
	snprintf(buf, n, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

static int exec_error(err_t **err, int e, const char *cmd)
{
	char buf[128];
	err_set(err, ERR_INVALID, 0, "exec: \"%s\": %s", cmd, go_strerror(e, buf, sizeof(buf)));
	if (err && *err)
		(*err)->errnum = e;
	return -1;
}

/* Go's findExecutable: a regular file with any execute bit. */
static int check_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return st.st_mode & 0111 ? 0 : -EACCES;
}

static const char *env_get(char *const *env, const char *key)
{
	size_t kl = strlen(key);
	for (; env && *env; env++)
		if (strncmp(*env, key, kl) == 0 && (*env)[kl] == '=')
			return *env + kl + 1;
	return NULL;
}

int process_lookup(const char *cmd, char *const *env, char **out, err_t **err)
{
	if (strchr(cmd, '/')) {
		int r = check_executable(cmd);
		if (r == -ENOENT) {
			err_set(err, ERR_INVALID, 0, "exec: \"%s\": stat %s: no such file or directory", cmd, cmd);
			if (err && *err)
				(*err)->errnum = ENOENT;
			return -1;
		}
		if (r < 0)
			return exec_error(err, -r, cmd);
		*out = xstrdup(cmd);
		return 0;
	}
	const char *path = env_get(env, "PATH");
	_cleanup_free_ char *dirs = xstrdup(path ? path : RT_DEFAULT_PATH);
	for (char *d = dirs, *next; d; d = next) {
		next = strchr(d, ':');
		if (next)
			*next++ = '\0';
		_cleanup_free_ char *cand = xasprintf("%s/%s", *d ? d : ".", cmd);
		if (check_executable(cand) == 0) {
			*out = steal_ptr(&cand);
			return 0;
		}
	}
	err_set(err, ERR_INVALID, 0, "exec: \"%s\": executable file not found in $PATH", cmd);
	if (err && *err)
		(*err)->errnum = ENOENT;
	return -1;
}

char **process_env(char *const *env, const char *home)
{
	size_t n = 0;
	while (env && env[n])
		n++;
	char **out = xcalloc(n + 3, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(env[i]);
	if (!env_get(env, "PATH"))
		out[n++] = xstrdup("PATH=" RT_DEFAULT_PATH);
	if (!env_get(env, "HOME") && home)
		out[n++] = xasprintf("HOME=%s", home);
	return out;
}

static int setup_tty(const proc_ctx *c, err_t **err)
{
	_cleanup_close_ int slave = -1;
	if (pty_open_in_container(c->console_sock, c->console_bind, &slave, err) < 0)
		return -1;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return err_sys(err, "make the pty the controlling terminal");
	const rt_process *p = c->proc;
	struct winsize ws = {.ws_row = p->console_height, .ws_col = p->console_width};
	if (p->console_height && p->console_width && ioctl(slave, TIOCSWINSZ, &ws) < 0)
		return err_sys(err, "set the pty's size");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return err_sys(err, "dup2");
	return 0;
}

/* dup2 the three fds into place, safe when they overlap 0..2. */
static int setup_stdio(const proc_ctx *c, err_t **err)
{
	if (c->proc->terminal)
		return setup_tty(c, err);
	const rt_stdio *s = c->stdio;
	int src[3] = {s->in, s->out, s->err}, tmp[3];
	for (int i = 0; i < 3; i++) {
		tmp[i] = src[i] >= 0 ? fcntl(src[i], F_DUPFD_CLOEXEC, 3)
				     : open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (tmp[i] < 0)
			return err_sys(err, "set up the stdio of the process");
	}
	for (int i = 0; i < 3; i++)
		if (dup2(tmp[i], i) < 0)
			return err_sys(err, "dup2");
	for (int i = 0; i < 3; i++)
		close(tmp[i]);
	return 0;
}

static int switch_user(const rt_ids *ids, err_t **err)
{
	gid_t *groups = xcalloc(ids->n_groups + 1, sizeof(gid_t));
	for (size_t i = 0; i < ids->n_groups; i++)
		groups[i] = ids->groups[i];
	int r = setgroups(ids->n_groups, groups);
	free(groups);
	if (r < 0)
		return err_sys(err, "setgroups");
	if (setresgid(ids->gid, ids->gid, ids->gid) < 0)
		return err_sys(err, "setgid %u", ids->gid);
	if (setresuid(ids->uid, ids->uid, ids->uid) < 0)
		return err_sys(err, "setuid %u", ids->uid);
	return 0;
}

static int resolve_user(const rt_process *p, rt_ids *ids, err_t **err)
{
	user_query q = {
		.spec = p->user.name, .uid = p->user.uid, .gid = p->user.gid,
		.add_gids = p->user.additional_gids, .n_add_gids = p->user.n_additional_gids,
		.add_names = p->user.group_add,
	};
	return user_resolve_in("/", &q, ids, err);
}

static int enter_cwd(const char *cwd, err_t **err)
{
	if (chdir(cwd) < 0) {
		char buf[128];
		return err_set(err, ERR_INVALID, 0, "chdir to cwd (\"%s\") set in config.json failed: %s", cwd,
			       go_strerror(errno, buf, sizeof(buf)));
	}
	return 0;
}

static int confine(const proc_ctx *c, const rt_ids *ids, err_t **err)
{
	if (c->proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_sys(err, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (c->filter) {
		if (ids->uid != 0 && !c->proc->no_new_privileges && caps_raise_effective(err) < 0)
			return -1;
		if (seccomp_install(c->filter, err) < 0)
			return -1;
	}
	return caps_apply_final(&c->caps, c->last_cap, err);
}

/* The caller's blocked and ignored signals survive execve: the shim blocks
 * SIGTERM and ignores SIGPIPE, which the container must not inherit. */
static void reset_signals(void)
{
	sigset_t none;
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int do_exec(const proc_ctx *c, const char *path, char **env, err_t **err)
{
	char *const *args = c->proc->args;
	umask(022);
	reset_signals();
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (c->init_fd >= 0) {
		size_t n = 0;
		while (args[n])
			n++;
		char **argv = xcalloc(n + 3, sizeof(char *));
		argv[0] = (char *)"engine-init";
		argv[1] = (char *)"--";
		memcpy(argv + 2, args, n * sizeof(char *));
		syscall(SYS_execveat, c->init_fd, "", argv, env, AT_EMPTY_PATH);
		return err_sys(err, "exec the init process");
	}
	execve(path, args, env);
	return exec_error(err, errno, args[0]);
}

int process_exec(const proc_ctx *c, err_t **err)
{
	const rt_process *p = c->proc;
	rt_ids ids = {0};
	_cleanup_free_ char *path = NULL;
	_cleanup_strv_ char **env = NULL;
	int r = -1;
	if (setup_stdio(c, err) < 0 || rlimits_apply(c->rlimits, c->n_rlimits, err) < 0 ||
	    resolve_user(p, &ids, err) < 0)
		goto out;
	env = process_env(p->env, ids.home);
	if (fs_mkdir_p(p->cwd, 0755, err) < 0 || caps_drop_bounding(&c->caps, c->last_cap, err) < 0 ||
	    switch_user(&ids, err) < 0 || enter_cwd(p->cwd, err) < 0 ||
	    process_lookup(p->args[0], env, &path, err) < 0 || confine(c, &ids, err) < 0)
		goto out;
	r = do_exec(c, path, env, err);
out:
	rt_ids_done(&ids);
	return r;
}
