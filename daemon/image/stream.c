/* stream.c: fd adapters and loops for img_reader/img_writer (see stream.h). */
#include "stream.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

static ssize_t fd_read(void *ctx, void *buf, size_t n)
{
	ssize_t r;
	do
		r = read((int)(intptr_t)ctx, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static ssize_t fd_write(void *ctx, const void *buf, size_t n)
{
	ssize_t r;
	do
		r = write((int)(intptr_t)ctx, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

img_reader img_reader_fd(int fd)
{
	return (img_reader){fd_read, (void *)(intptr_t)fd};
}

img_writer img_writer_fd(int fd)
{
	return (img_writer){fd_write, (void *)(intptr_t)fd};
}

ssize_t img_read_full(const img_reader *r, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = r->read(r->ctx, (char *)buf + got, n - got);
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

int img_write_all(const img_writer *w, const void *buf, size_t n, err_t **err)
{
	const char *p = buf;
	while (n) {
		ssize_t k = w->write(w->ctx, p, n);
		if (k == 0)
			errno = EIO;
		if (k <= 0)
			return err_sys(err, "write output");
		p += k;
		n -= (size_t)k;
	}
	return 0;
}
