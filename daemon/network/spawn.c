/* spawn.c: starting our helper programs (engine-proxy, engine-dns) so that
 * they outlive engined: posix_spawn with /dev/null on stdio and a sync
 * pipe on fd 3, the helper forks itself away (its first process exits at
 * once and we reap it), and its one reply on the pipe says whether it
 * works ("0\n") or why not ("1\n<message>"). Also finding a helper's
 * binary (next to engined in the build tree, or in libexec) and finding a
 * running helper again by its pid file. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "net_internal.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xalloc.h"

extern char **environ;

#define SYNC_FD 3
#define REPLY_TIMEOUT_MS 10000

static int launch(const char *path, char *const *argv, int wr, pid_t *pid, err_t **err)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_adddup2(&fa, 0, 2);
	posix_spawn_file_actions_adddup2(&fa, wr, SYNC_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, SYNC_FD + 1);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	int r = posix_spawn(pid, path, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (r != 0)
		return err_set(err, ERR_SYSTEM, r, "start %s", path);
	return 0;
}

static int read_reply(int fd, strbuf *sb, err_t **err)
{
	int64_t deadline = mono_ns() / 1000000 + REPLY_TIMEOUT_MS;
	char buf[1024];
	for (;;) {
		int left = (int)(deadline - mono_ns() / 1000000);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) == 0)
			return err_set(err, ERR_SYSTEM, 0, "no answer from the helper within %d s", REPLY_TIMEOUT_MS / 1000);
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		sb_append(sb, buf, (size_t)n);
		if (sb->len > 65536)
			return 0;
	}
}

int helper_spawn(const char *path, char *const *argv, char **reply, err_t **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(err, "pipe");
	pid_t pid = -1;
	int r = launch(path, argv, p[1], &pid, err);
	close(p[1]);
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	if (r == 0)
		r = read_reply(p[0], &sb, err);
	close(p[0]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (r < 0)
		return -1;
	const char *s = sb_str(&sb);
	if (!strncmp(s, "0\n", 2)) {
		if (reply)
			*reply = xstrdup(s + 2);
		return 0;
	}
	if (!strncmp(s, "1\n", 2))
		return err_set(err, ERR_SYSTEM, 0, "%s", s + 2);
	return err_set(err, ERR_SYSTEM, 0, "%s did not start", path);
}

int pidfile_alive(const char *path, const char *name)
{
	_cleanup_free_ char *text = NULL;
	if (fs_read_file(path, 64, &text, NULL, NULL) < 0)
		return 0;
	int pid = atoi(text);
	if (pid <= 1 || kill(pid, 0) < 0)
		return 0;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%d/cmdline", pid);
	_cleanup_free_ char *cmd = NULL;
	if (fs_read_file(proc, 4096, &cmd, NULL, NULL) < 0)
		return 0;
	const char *base = strrchr(cmd, '/');
	base = base ? base + 1 : cmd;
	return strstr(base, name) ? pid : 0;
}

char *helper_path(const char *name)
{
	return fs_helper_path(name, ENGINE_LIBEXECDIR);
}
