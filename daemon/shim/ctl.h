/* ctl.h: the shim's control protocol (AF_UNIX stream socket
 * <state-dir>/ctl.sock). A client writes one request per line; each gets one
 * JSON line back, {"ok":true,...} or {"ok":false,"error":"..."}:
 *
 *   status                 {"ok":true,"id":..,"pid":N,"shim_pid":M,"running":B,
 *                           "paused":B,"started_at":".."} (+ the exit fields once exited)
 *   kill SIG [all]         signal the first process (all: every process in the
 *                          cgroup); SIG is a number or a name (TERM, SIGTERM)
 *   wait                   the reply comes when the container has exited:
 *                          {"ok":true,"exit_code":N,"signal":S,"oom_killed":B,
 *                           "finished_at":"..","pid":P}; the connection then closes
 *   events                 {"ok":true}, then one line per event: {"event":"oom"} when
 *                          the OOM killer acted (watched once the container has run
 *                          10 ms; earlier kills show in the exit's oom_killed), and
 *                          last {"event":"exit",<the exit fields>}
 *   pause | resume         freeze / thaw the cgroup
 *   pids                   {"ok":true,"pids":[..]} host PIDs, for `top`
 *   close-stdin            close the container's stdin
 *   attach WORDS           WORDS: stdin stdout stderr stdin-once keys=HEX data=HEX
 *                          (detach keys and stdin bytes that came before, hex).
 *                          {"ok":true}, then a stream: with a socket passed along
 *                          the request (SCM_RIGHTS) that socket carries it (this
 *                          connection stays a command one), else this connection.
 *                          shim -> client: Docker's multiplexed frames (8-byte
 *                          header: stream 1=stdout 2=stderr, 3 zero bytes,
 *                          big-endian uint32 length; then the bytes), or the raw
 *                          pty bytes with a tty; live output only (history is in
 *                          the log file). client -> shim: raw stdin bytes, matched
 *                          against the detach keys with a tty (the sequence ends the
 *                          attach and emits {"event":"detach"}). Its EOF
 *                          (shutdown(SHUT_WR)) closes the container's stdin with
 *                          stdin-once and no tty, else ends that attach (moby's
 *                          rule). The shim closes the stream after the container
 *                          exited and its output was sent.
 *   resize H W [EXEC-ID]   set the pty's window size (an error without a tty)
 *   exec ID WORDS          start <state>/exec-ID.json's process in the container
 *                          (WORDS as for attach, plus "detach": no client); the
 *                          passed socket, if any, carries its stream. Reply
 *                          {"ok":true,"pid":N}, or {"ok":true,"pid":-1,"exit_code":
 *                          127,"error":".."} when it could not start (the error
 *                          also went to the stream, as moby writes it). At its end
 *                          the events stream gets {"event":"exec-exit","id":ID,
 *                          "exit_code":N,"pid":P}.
 *   exec-status ID         {"ok":true,"running":B,"pid":N[,"exit_code":N]}, for
 *                          running execs and the last SHIM_EXEC_HISTORY finished
 *
 * Clients that attached before the start come as inherited sockets
 * (engine-shim --attach FD:WORDS).
 *
 * The socket disappears when the shim exits; the exit file stays. */
#ifndef ENGINE_SHIM_CTL_H
#define ENGINE_SHIM_CTL_H

#include "shim_proto.h" /* shim_signal_parse() */

#endif
