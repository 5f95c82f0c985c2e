/* daemonize.c: see daemonize.h. */
#include "daemonize.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void helper_detach(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
}

int helper_write_pidfile(const char *path)
{
	if (!path)
		return 0;
	char tmp[4096], buf[32];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	int n = snprintf(buf, sizeof(buf), "%d\n", getpid());
	bool ok = write(fd, buf, (size_t)n) == n;
	close(fd);
	return ok && rename(tmp, path) == 0 ? 0 : -1;
}
