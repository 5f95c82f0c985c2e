/* fsutil.h: file-system helpers with the crash-safety rules of the data root:
 * a file that must survive a crash is written to a temp name, fsynced, renamed
 * over the target and its folder fsynced, so readers see the old or the new
 * content, never half of one. */
#ifndef ENGINE_FSUTIL_H
#define ENGINE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Writes data to path atomically (temp + fsync + rename + fsync dir). */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, err_t **err);
/* fs_write_atomic with a weaker promise for power loss (a crash of the
 * process always leaves the old or the new whole file):
 * FS_ATOMIC_VOLATILE: no fsync at all, for files rebuilt from other records
 *   (the exec root, /etc/hosts and resolv.conf written at every start);
 * FS_ATOMIC_OLD_OR_NEW: the data is synced, but a file that replaces one
 *   already there is not followed by a sync of its directory: after a power
 *   loss it is the old or the new file, both whole (what moby's atomic
 *   writer promises; state records that are saved at every transition). */
enum { FS_ATOMIC_VOLATILE = 1 << 0, FS_ATOMIC_OLD_OR_NEW = 1 << 1 };
int fs_write_atomic_ex(const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		       err_t **err);
/* Reads a whole file; fails with ERR_TOO_LARGE past max bytes. *out is NUL-terminated. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len, err_t **err);
/* mkdir -p; existing directories are fine. */
int fs_mkdir_p(const char *path, mode_t mode, err_t **err);
/* rm -rf that stays on one file system and never follows symlinks. Missing is fine. */
int fs_rm_rf(const char *path, err_t **err);
int fs_fsync_dir(const char *dir);
/* Returns a newly allocated "a/b" (one slash between). */
char *fs_path_join(const char *a, const char *b);
/* Disk use of a tree in bytes (st_blocks based, hard links counted once per tree walk). */
long long fs_tree_size(const char *path);
int fs_exists(const char *path);
/* One of our helper programs (engine-shim, engine-init, engine-proxy,
 * engine-fetch...): next to the running binary or in the build tree's
 * daemon/{shim,runtime,network,fetch} around it, else libexec_dir/name. */
char *fs_helper_path(const char *name, const char *libexec_dir);

#endif
