/* pty.h: the terminal of a process.terminal container. The pty must come
 * from the container's own devpts instance (a host pty cannot even be
 * bind-mounted into another mount namespace), so the child opens it and
 * hands the master to the runtime's caller over a socket (SCM_RIGHTS), the
 * way OCI runtimes use --console-socket. */
#ifndef ENGINE_RT_PTY_H
#define ENGINE_RT_PTY_H

#include <stdbool.h>

#include "err.h"

/* In the child, inside the container's root: opens a pty on /dev/ptmx, binds
 * the slave on /dev/console when console is true, sends the master on sock
 * and returns the slave fd (for stdio and the controlling terminal). */
int pty_open_in_container(int sock, bool console, int *slave, err_t **err);
/* In the parent: the master the child sent. */
int pty_recv_master(int sock, int *master, err_t **err);

#endif
