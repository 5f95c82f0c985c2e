/* sdproto.h: the three systemd protocols engined speaks, written out
 * rather than taken from libsystemd (whose dependency chain, libgcrypt,
 * lz4, zstd, lzma and libcap, cost 0.9 MB of resident pages in an idle
 * daemon for a few datagrams): sd_notify(3) state messages, socket
 * activation (sd_listen_fds(3)), and the journal's native protocol. All
 * three are documented, stable interfaces (systemd's "Interface Portability
 * and Stability" promise). */
#ifndef ENGINE_SDPROTO_H
#define ENGINE_SDPROTO_H

#include <stdbool.h>

#define SDP_LISTEN_FDS_START 3

/* Sends state ("READY=1", "STOPPING=1", ...) to $NOTIFY_SOCKET; a no-op
 * when systemd did not start us. Returns 1 when sent, 0 when not asked for,
 * -1 on failure. */
int sdp_notify(const char *state);
/* The number of sockets systemd passed (fds 3..3+n-1), 0 when none or when
 * they were meant for another process; with unset, clears the variables. */
int sdp_listen_fds(bool unset);
/* True when fd is a listening (or not, per listening) SOCK_STREAM unix socket. */
bool sdp_is_unix_stream(int fd, bool listening);
/* One journal entry: MESSAGE, PRIORITY, CODE_FILE, CODE_LINE,
 * SYSLOG_IDENTIFIER. Returns -1 when the journal socket is not there. */
int sdp_journal(int priority, const char *file, int line, const char *ident, const char *msg);

#endif
