/* pathsafe.h: paths inside a container's rootfs resolved as the container
 * would see them. Image content may hold symlinks such as /etc/hostname ->
 * /host/etc/shadow or dev -> ../../..; every mount target goes through here so
 * it lands inside the rootfs whatever the image holds. */
#ifndef ENGINE_RT_PATHSAFE_H
#define ENGINE_RT_PATHSAFE_H

#include <sys/types.h>

#include "err.h"

#define PATHSAFE_MAX_LINKS 40

/* root joined with `path` resolved inside root: symlinks are followed with
 * root as "/", ".." stops at root. Components that do not exist are kept
 * lexically (they are about to be created). Returns a new string. */
char *path_in_root(const char *root, const char *path, err_t **err);
/* Resolves and creates the directories of path inside root (mkdir -p). */
char *path_mkdir_in_root(const char *root, const char *path, mode_t mode, err_t **err);
/* Resolves and makes sure path exists as an empty file (for file bind mounts);
 * its parent directories are created. */
char *path_touch_in_root(const char *root, const char *path, err_t **err);

#endif
