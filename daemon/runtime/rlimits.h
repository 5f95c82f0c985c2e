/* rlimits.h: RLIMIT_* names, clamping the spec's limits to what this host
 * lets us set, and setting them in the container. */
#ifndef ENGINE_RT_RLIMITS_H
#define ENGINE_RT_RLIMITS_H

#include <stdbool.h>

#include "err.h"
#include "spec.h"

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, -1 when unknown. */
int rlimit_from_name(const char *name);
const char *rlimit_to_name(int resource);

typedef void (*rt_warn_fn)(void *ctx, const char *msg);

/* Lowers limits above the host's hard limit when we may not raise it (no
 * CAP_SYS_RESOURCE), calling warn once per clamped limit. can_raise is
 * whether the caller holds CAP_SYS_RESOURCE. Runs in the parent, before clone. */
void rlimits_clamp(rt_rlimit *l, size_t n, bool can_raise, rt_warn_fn warn, void *ctx);
/* setrlimit for each; in the container, before the user switch. */
int rlimits_apply(const rt_rlimit *l, size_t n, err_t **err);

#endif
