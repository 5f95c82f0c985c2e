/* rootfs.h: the container's root: mount propagation of the new mount
 * namespace, the overlay (or a bind of a prepared rootfs) on root.path,
 * pivot_root, and the read-only remount of "/". Runs in the child. */
#ifndef ENGINE_RT_ROOTFS_H
#define ENGINE_RT_ROOTFS_H

#include "err.h"
#include "spec.h"

/* Longest overlay mount data passed as is; longer lower-dir lists go through
 * short symlinks (the kernel copies at most one page of mount data). */
#define ROOTFS_MAX_MOUNT_DATA 4000

/* Makes our mounts private to the namespace (rslave by default: host mounts
 * still propagate in, nothing of ours propagates out), then mounts the root. */
int rootfs_prepare(const rt_spec *s, err_t **err);
int rootfs_pivot(const char *rootfs, err_t **err);
int rootfs_finish(const rt_spec *s, err_t **err);

/* The overlay mount data for lowers/upper/work; NULL when it would not fit
 * in ROOTFS_MAX_MOUNT_DATA. `short_names` uses "0:1:2..." for the lowers. */
char *rootfs_overlay_data(const rt_overlay *o, bool short_names);

#endif
