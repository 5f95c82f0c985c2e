/* mounts.h: the spec's mounts inside the rootfs (proc, /dev tmpfs, devpts,
 * sysfs, mqueue, shm, cgroup, binds, tmpfs), and after pivot_root Docker's
 * masked and read-only paths. Runs in the child, in its mount namespace. */
#ifndef ENGINE_RT_MOUNTS_H
#define ENGINE_RT_MOUNTS_H

#include "cgroups.h"
#include "err.h"
#include "spec.h"

typedef struct mount_ctx {
	cg_mode cg_mode;
	char **cg_v1_names; /* v1 hierarchy directory names, for "cgroup" mounts */
	/* Called before the first cgroupfs mount: the container must sit in its
	 * cgroup (and cgroup namespace) by then. */
	int (*before_cgroup)(void *ctx, err_t **err);
	void *before_cgroup_ctx;
} mount_ctx;

/* Mounts s->mounts under s->root_path, in order, then creates /dev's nodes
 * when /dev is a fresh tmpfs. */
int mounts_setup(const rt_spec *s, const mount_ctx *ctx, err_t **err);
/* After pivot_root: masked paths get an empty ro tmpfs (dirs) or /dev/null
 * (files); read-only paths are bind-mounted read-only over themselves. */
int mounts_mask_and_protect(const rt_spec *s, err_t **err);

#endif
