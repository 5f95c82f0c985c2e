/* devices.h: the device nodes and symlinks of a container's /dev (a fresh
 * tmpfs): null zero full random urandom tty, /dev/fd, stdin/out/err, ptmx ->
 * pts/ptmx, core; plus the spec's linux.devices (--device). */
#ifndef ENGINE_RT_DEVICES_H
#define ENGINE_RT_DEVICES_H

#include <stddef.h>

#include "err.h"
#include "spec.h"

int devices_create_defaults(const char *rootfs, err_t **err);
int devices_create(const char *rootfs, const rt_device *d, size_t n, err_t **err);

#endif
