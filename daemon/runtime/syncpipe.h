/* syncpipe.h: how a child tells its parent that setting up the container
 * failed. The pipe is close-on-exec: EOF without a message means execve
 * succeeded; otherwise one message (one write, under PIPE_BUF) carries the
 * error kind, errno and text. */
#ifndef ENGINE_RT_SYNCPIPE_H
#define ENGINE_RT_SYNCPIPE_H

#include "err.h"

/* In the child: sends e (or a generic message when e is NULL). */
void sync_send_error(int fd, const err_t *e);
/* In the parent: 0 on EOF (the child exec'd), -1 with *err from the child's
 * message (or a generic error when the pipe broke). */
int sync_wait_exec(int fd, err_t **err);

#endif
