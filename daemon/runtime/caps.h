/* caps.h: capability names, the sets as 64-bit masks, and applying them to
 * the container's process with raw prctl/capset (no libcap). */
#ifndef ENGINE_RT_CAPS_H
#define ENGINE_RT_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "spec.h"

/* Docker's default set: CapEff 00000000a80425fb. */
#define CAPS_DOCKER_DEFAULT 0x00000000a80425fbULL

/* "CAP_CHOWN" (or "chown", any case) -> 0..63, -1 when unknown. */
int cap_from_name(const char *name);
/* "CAP_CHOWN" for 0..CAP_LAST_CAP, NULL otherwise. */
const char *cap_to_name(int cap);
/* ORs the named caps into *mask. Names unknown to us fail; caps newer than
 * the running kernel are dropped later by caps_clamp_to_kernel(). */
int caps_parse_list(char *const *names, uint64_t *mask, err_t **err);
/* The highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int caps_last_cap(void);
/* Clears bits beyond the kernel's last capability in every set. */
void caps_clamp_to_kernel(rt_caps *c, int last_cap);

/* Whether the calling process holds cap in its effective set. */
bool caps_effective_has(int cap);

/* Inside the container, before the user switch: drop the bounding set and keep
 * permitted caps across setuid. Needs CAP_SETPCAP. */
/* Drops what our own bounding set lacks (a host whose root misses a
 * capability cannot grant it); returns the capabilities dropped. */
uint64_t caps_clamp_to_bounding(rt_caps *c, int last_cap);
int caps_drop_bounding(const rt_caps *c, int last_cap, err_t **err);
/* Raises the effective set to the whole permitted set (after a setuid cleared it). */
int caps_raise_effective(err_t **err);
/* The final sets and the ambient set, the last step before execve. */
int caps_apply_final(const rt_caps *c, int last_cap, err_t **err);

#endif
