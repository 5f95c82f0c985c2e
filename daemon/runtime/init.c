/* init.c: engine-init, the PID 1 of `--init` containers (tini's role). It
 * forks the command, forwards every signal it gets to it, reaps whatever
 * gets reparented to it, and exits with the command's status (128+signal
 * when killed). Built static: it runs inside any image, exec'd by the
 * runtime from an fd opened on the host, so nothing is mounted for it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_child(char **argv, const sigset_t *old)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	sigprocmask(SIG_SETMASK, old, NULL);
	setpgid(0, 0);
	execvp(argv[0], argv);
	fprintf(stderr, "engine-init: exec %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Reaps every exited child; returns the command's exit status once it is gone. */
static int reap(pid_t child, int *status)
{
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p <= 0)
			return 0;
		if (p == child) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	int first = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
	if (first >= argc) {
		fprintf(stderr, "usage: engine-init [--] COMMAND [ARG...]\n");
		return 2;
	}
	prctl(PR_SET_NAME, "engine-init", 0, 0, 0);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t child = run_child(argv + first, &old);
	if (child < 0) {
		perror("engine-init: fork");
		return 1;
	}
	for (;;) {
		siginfo_t si;
		int status;
		if (sigwaitinfo(&all, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(child, si.si_signo);
			continue;
		}
		if (reap(child, &status))
			return status;
	}
}
