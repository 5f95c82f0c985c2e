/* mount_opts.h: the fstab-style option words of a spec mount ("ro", "rbind",
 * "rprivate", "mode=755") turned into mount(2) flags, propagation and data. */
#ifndef ENGINE_RT_MOUNT_OPTS_H
#define ENGINE_RT_MOUNT_OPTS_H

#include "err.h"
#include "spec.h"

/* Fills m->flags, m->propagation and m->data from opts (NULL-terminated). */
int mount_opts_parse(char *const *opts, rt_mount *m, err_t **err);
/* A propagation word ("rslave", "private", ...) as MS_* flags; 0 when unknown. */
unsigned long mount_propagation_from_name(const char *name);

#endif
