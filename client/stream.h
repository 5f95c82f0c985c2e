/* stream.h: the client side of a hijacked attach or exec stream, and the
 * local terminal around it.
 *
 * stream_run() is one poll() loop: the daemon's bytes to stdout/stderr
 * (Docker's 8-byte frames demultiplexed, or raw with a tty), stdin to the
 * daemon (half-closing the socket at stdin's EOF; in tty mode matched
 * against the detach keys first, as the docker CLI does), and signals from
 * a signalfd handed to the caller (SIGWINCH for resizes, the rest for
 * --sig-proxy). Nothing in it blocks on one side while the other has work.
 *
 * term_raw() puts the terminal in raw mode; it is restored by term_restore(),
 * at exit(), and from fatal signal handlers: on every way out. */
#ifndef ENGINE_STREAM_H
#define ENGINE_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "strbuf.h"

/* Raw mode on stdin (a terminal) until term_restore() or exit. */
int term_raw(err_t **err);
void term_restore(void);
/* The size of the terminal on stdout (else stdin); false when neither is one. */
bool term_size(unsigned *h, unsigned *w);

enum { STREAM_END = 0, STREAM_DETACHED = 1, STREAM_STOP = 2 };

typedef struct stream_opts {
	int sock;                  /* the hijacked connection (taken: closed by stream_run) */
	const strbuf *extra;       /* bytes that came after the 101 head */
	bool tty;                  /* raw bytes, not frames */
	bool in;                   /* forward stdin */
	bool out, err;             /* print these streams (frames for others are dropped) */
	const unsigned char *keys; /* detach sequence, matched in tty mode with stdin */
	size_t nkeys;
	const sigset_t *signals;   /* caught while streaming (may be NULL) */
	/* A caught signal; return true to stop streaming (STREAM_STOP). */
	bool (*on_signal)(void *ctx, int sig);
	void *ctx;
} stream_opts;

/* Streams until the daemon closes the output (STREAM_END), the user typed
 * the detach keys (STREAM_DETACHED) or on_signal asked to stop. */
int stream_run(const stream_opts *o, err_t **err);

/* The signals the docker CLI forwards (all it can catch but SIGCHLD,
 * SIGPIPE and SIGURG); with a tty, SIGWINCH is for resizing instead. */
void stream_proxy_signals(sigset_t *set, bool tty);

/* A frame decoder for non-tty output in any pieces (logs): stream 1 and 0
 * to stdout, 2 to stderr. Returns -1 on a systemerr frame (its text in *err). */
typedef struct demux {
	unsigned char hdr[8];
	size_t have;  /* header bytes so far */
	size_t left;  /* payload bytes left in the current frame */
	int stream;
	strbuf syserr;
} demux;
int demux_feed(demux *d, const char *data, size_t n, err_t **err);
void demux_done(demux *d);

#endif
