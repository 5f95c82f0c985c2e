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
 *   attach [stdin] [stdout] [stderr] [stdin-once]
 *                          {"ok":true}, then the connection carries a stream:
 *                          shim -> client: Docker's multiplexed frames (8-byte
 *                          header: stream 1=stdout 2=stderr, 3 zero bytes,
 *                          big-endian uint32 length; then the bytes), live
 *                          output only (history is in the log file);
 *                          client -> shim: raw stdin bytes; shutdown(SHUT_WR)
 *                          ends them (and closes the container's stdin with
 *                          stdin-once). The shim closes the stream after the
 *                          container exited and its output was sent.
 *   resize H W             set the pty's window size (an error without a tty)
 *
 * The socket disappears when the shim exits; the exit file stays. */
#ifndef ENGINE_SHIM_CTL_H
#define ENGINE_SHIM_CTL_H

#include "shim_proto.h" /* shim_signal_parse() */

#endif
