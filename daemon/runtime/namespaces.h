/* namespaces.h: which namespaces a container gets. A spec entry without a
 * path is a new namespace (clone flag), one with a path is joined (setns);
 * no entry shares the host's (network "host"). A new network namespace gets
 * its loopback up, as Docker's "none" network has. */
#ifndef ENGINE_RT_NAMESPACES_H
#define ENGINE_RT_NAMESPACES_H

#include <stdbool.h>

#include "err.h"
#include "spec.h"

/* "pid", "network", "mount", "ipc", "uts", "cgroup", "user", "time" -> CLONE_NEW*, 0 if unknown. */
int ns_from_name(const char *name);
const char *ns_to_name(int type);
/* The /proc/<pid>/ns/ file name of a type ("net" for network). */
const char *ns_proc_name(int type);

/* The clone flags for the namespaces the spec creates (CLONE_NEWCGROUP is left
 * out: it is unshared in the child once it sits in its cgroup). */
int ns_clone_flags(const rt_spec *s);
/* Opens the paths of the namespaces to join (fds[i] for spec namespace i, -1
 * when there is nothing to join); in the parent, before clone. */
int ns_open_joins(const rt_spec *s, int *fds, err_t **err);
/* setns() into the opened ones; in the child. */
int ns_join(const rt_spec *s, const int *fds, err_t **err);
/* Brings up "lo" in the current network namespace. */
int ns_loopback_up(err_t **err);

#endif
