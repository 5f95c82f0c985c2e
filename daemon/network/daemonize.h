/* daemonize.h: how the helper processes (engine-proxy, engine-dns) leave
 * engined's process tree and record their PID, so that they outlive it
 * and a restarted engined finds them. No libcommon: engine-proxy links
 * nothing but libc. */
#ifndef ENGINE_NET_DAEMONIZE_H
#define ENGINE_NET_DAEMONIZE_H

/* Forks away: the parent exits at once (engined reaps it), the child is
 * adopted by init or the nearest subreaper, in a session of its own. */
void helper_detach(void);
/* Writes "PID\n" to path through a temp file and a rename; path NULL is
 * nothing to do. 0, or -1 with errno. */
int helper_write_pidfile(const char *path);

#endif
