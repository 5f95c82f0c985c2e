/* seccomp_profile.h: a seccomp profile as data. One model serves the OCI
 * linux.seccomp section, Docker's profile files (archMap, includes/excludes
 * by caps, arch and kernel) and our built-in copy of Docker's default; the
 * conditions are resolved when the filter is built (seccomp.h). */
#ifndef ENGINE_RT_SECCOMP_PROFILE_H
#define ENGINE_RT_SECCOMP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "jsonutil.h"

#define SC_MAX_ARGS 6

typedef enum sc_action {
	SC_ACT_KILL_THREAD = 0,
	SC_ACT_KILL_PROCESS,
	SC_ACT_TRAP,
	SC_ACT_ERRNO,
	SC_ACT_TRACE,
	SC_ACT_ALLOW,
	SC_ACT_LOG,
} sc_action;

typedef enum sc_op {
	SC_OP_NE = 1,
	SC_OP_LT,
	SC_OP_LE,
	SC_OP_EQ,
	SC_OP_GE,
	SC_OP_GT,
	SC_OP_MASKED_EQ,
} sc_op; /* the same numbers as libseccomp's SCMP_CMP_* */

typedef struct sc_arg {
	uint32_t index; /* 0..5 */
	uint64_t value, value_two;
	sc_op op;
} sc_arg;

typedef struct sc_cond {
	uint64_t caps;  /* every one of these must (includes) / any must not (excludes) be in the bounding set */
	char **arches;  /* Go arch names: "amd64", "arm64", "x86", "x32", ... */
	int min_kernel_major, min_kernel_minor; /* includes only; 0 = none */
} sc_cond;

typedef struct sc_rule {
	char **names;
	sc_action action;
	uint32_t errno_ret; /* for ERRNO/TRACE; has_errno false -> EPERM */
	bool has_errno;
	sc_arg args[SC_MAX_ARGS];
	unsigned n_args;
	sc_cond includes, excludes;
} sc_rule;

typedef struct sc_profile {
	sc_action default_action;
	uint32_t default_errno;
	bool has_default_errno;
	char **arches; /* SCMP_ARCH_* names; NULL = native only */
	sc_rule *rules;
	size_t n_rules;
} sc_profile;

/* Parses the OCI form or Docker's file form (a superset); ERR_INVALID on defects. */
sc_profile *sc_profile_parse(json_object *o, err_t **err);
sc_profile *sc_profile_parse_text(const char *text, size_t len, err_t **err);
/* Docker's default profile, built from the table in seccomp_default.c. */
sc_profile *sc_profile_default(void);
void sc_profile_free(sc_profile *p);

/* The profile resolved for one bounding set, in the OCI form, for a bundle
 * that crun/runc run too. */
json_object *sc_profile_to_oci_json(const sc_profile *p, uint64_t bounding);

/* Whether a rule applies on this arch / kernel / bounding set. */
bool sc_rule_applies(const sc_rule *r, const char *goarch, int kmajor, int kminor, uint64_t bounding);
/* The Go name of the architecture we were built for ("amd64"). */
const char *sc_native_goarch(void);
/* The libseccomp names of the native arch and its compat arches (for archMap). */
const char *sc_native_scmp_arch(void);

const char *sc_action_name(sc_action a);
const char *sc_op_name(sc_op op);

#endif
