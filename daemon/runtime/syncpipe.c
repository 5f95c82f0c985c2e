/* syncpipe.c: the child-to-parent error message. A fixed little header and
 * the text, sent with a single write so it arrives whole or not at all. */
#include "syncpipe.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define SYNC_MSG_MAX 4000 /* under PIPE_BUF: atomic */

struct sync_hdr {
	int32_t kind;
	int32_t errnum;
	uint32_t len;
};

void sync_send_error(int fd, const err_t *e)
{
	char buf[sizeof(struct sync_hdr) + SYNC_MSG_MAX];
	const char *msg = err_msg(e);
	size_t len = strlen(msg);
	if (len > SYNC_MSG_MAX)
		len = SYNC_MSG_MAX;
	struct sync_hdr h = {e ? (int32_t)e->kind : ERR_SYSTEM, e ? e->errnum : 0, (uint32_t)len};
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), msg, len);
	ssize_t r;
	do
		r = write(fd, buf, sizeof(h) + len);
	while (r < 0 && errno == EINTR);
}

int sync_wait_exec(int fd, err_t **err)
{
	char buf[sizeof(struct sync_hdr) + SYNC_MSG_MAX + 1];
	ssize_t n;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n < (ssize_t)sizeof(struct sync_hdr))
		return err_set(err, ERR_SYSTEM, n < 0 ? errno : 0, "container init: broken sync pipe");
	struct sync_hdr h;
	memcpy(&h, buf, sizeof(h));
	size_t len = (size_t)n - sizeof(h);
	buf[sizeof(h) + len] = '\0';
	err_kind kind = h.kind >= 0 && h.kind <= ERR_NOT_IMPLEMENTED ? (err_kind)h.kind : ERR_SYSTEM;
	int r = err_set(err, kind, 0, "%s", buf + sizeof(h));
	if (err && *err)
		(*err)->errnum = h.errnum;
	return r;
}
