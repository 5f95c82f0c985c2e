/* listen.h: the daemon's listening sockets from -H values: unix:///path
 * (created with mode 0660 and the configured group, refusing to replace a
 * socket a live daemon answers on) and fd:// (systemd socket activation). */
#ifndef ENGINE_LISTEN_H
#define ENGINE_LISTEN_H

#include <stddef.h>

#include "err.h"

typedef struct listeners {
	int fds[16];
	char *paths[16]; /* unix socket paths we created (NULL for fd://) */
	size_t n;
} listeners;

int listeners_open(listeners *l, char *const *hosts, const char *group, err_t **err);
/* Closes the sockets and unlinks the paths this process created. */
void listeners_close(listeners *l);

#endif
