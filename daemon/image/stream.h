/* stream.h: the byte-stream interfaces of the image library. Load and import
 * pull their input through an img_reader; save pushes its output through an
 * img_writer. Both wrap a callback so the HTTP layer can feed a request body
 * or drain a response without the library knowing about HTTP; the fd
 * adapters cover pipes and files. */
#ifndef ENGINE_IMAGE_STREAM_H
#define ENGINE_IMAGE_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* read: up to n bytes into buf; returns the count, 0 at end of stream, or
 * -1 with errno set. It may be called from another thread than the caller
 * of the library function (extraction runs in a helper thread whose root
 * directory is the layer being written): it must not open files by path. */
typedef struct img_reader {
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	void *ctx;
} img_reader;

/* write: up to n bytes; returns the count written (> 0) or -1 with errno. */
typedef struct img_writer {
	ssize_t (*write)(void *ctx, const void *buf, size_t n);
	void *ctx;
} img_writer;

/* Adapters over a file descriptor (not owned; EINTR retried). */
img_reader img_reader_fd(int fd);
img_writer img_writer_fd(int fd);

/* Reads until n bytes or end of stream; returns the count or -1. */
ssize_t img_read_full(const img_reader *r, void *buf, size_t n);
/* Writes all n bytes or fails with ERR_SYSTEM. */
int img_write_all(const img_writer *w, const void *buf, size_t n, err_t **err);

#endif
