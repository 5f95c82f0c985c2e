/* netns.h: a container's network namespace as a file: a fresh namespace
 * bind-mounted (nsfs) on <exec-root>/netns/<container-id>, as `ip netns`
 * keeps its own. The runtime joins it by path (the OCI spec's
 * linux.namespaces network "path"), we configure it through that path, and
 * removing it is an unmount and an unlink. */
#ifndef ENGINE_NET_NETNS_H
#define ENGINE_NET_NETNS_H

#include "err.h"

/* Creates the namespace and its file (the parent directory must exist). */
int netns_create(const char *path, err_t **err);
/* Opens it (O_RDONLY|O_CLOEXEC) after checking it is a namespace mount. */
int netns_open(const char *path, err_t **err);
/* Unmounts and deletes; missing is fine. */
int netns_remove(const char *path, err_t **err);

#endif
