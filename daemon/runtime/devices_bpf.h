/* devices_bpf.h: the device allowlist on cgroup v2, which has no devices.*
 * files: a BPF_PROG_TYPE_CGROUP_DEVICE program built from the spec's rules
 * and attached to the container's cgroup. (v1 and hybrid hosts use the v1
 * devices controller; see cgroups_v1.c.) */
#ifndef ENGINE_RT_DEVICES_BPF_H
#define ENGINE_RT_DEVICES_BPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "err.h"
#include "spec.h"

/* The program for rules (OCI order: a later rule overrides an earlier one;
 * nothing matching is denied). An allow rule grants a request only when it
 * covers every access asked for; a deny rule refuses any request touching
 * one of its accesses. *len instructions; free *out. */
int devices_bpf_program(const rt_device_rule *rules, size_t n, struct bpf_insn **out, size_t *len);
/* Loads the program and attaches it to the cgroup directory dir. No rules:
 * nothing is attached (all devices allowed, as with no devices.* writes). */
int devices_bpf_apply(const char *dir, const rt_device_rule *rules, size_t n, err_t **err);

#endif
