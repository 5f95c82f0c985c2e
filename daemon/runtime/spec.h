/* spec.h: the OCI runtime-spec config.json subset we run (the one Docker
 * generates), as plain C data, plus our own annotations (overlay rootfs,
 * --init, --user string, default seccomp). Everything here was validated by
 * spec_parse(): later stages may trust types, ranges and path shapes. */
#ifndef ENGINE_RT_SPEC_H
#define ENGINE_RT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Annotations of ours. The overlay keys describe the container's rootfs as an
 * overlay mounted inside the container's mount namespace on root.path; without
 * them root.path is used as it is (a prepared rootfs, as crun/runc expect). */
#define RT_ANN_LOWERDIRS "org.engine.rootfs.lowerdirs" /* "top:...:bottom", absolute */
#define RT_ANN_UPPERDIR "org.engine.rootfs.upperdir"
#define RT_ANN_WORKDIR "org.engine.rootfs.workdir"
#define RT_ANN_INIT "org.engine.init"       /* "true": run engine-init as PID 1 */
#define RT_ANN_USER "org.engine.user"       /* Docker's --user "name[:group]", resolved in the rootfs */
#define RT_ANN_GROUP_ADD "org.engine.group-add" /* --group-add names, ","-separated, resolved in the rootfs */
#define RT_ANN_SECCOMP "org.engine.seccomp" /* "default" | "unconfined", when linux.seccomp is absent */

#define RT_UNSET INT64_MIN /* an int64 resource the spec does not set */

/* Hostile-input limits: a config.json beyond these is refused. */
#define RT_SPEC_MAX_BYTES (16u << 20)
#define RT_SPEC_MAX_ITEMS 65536 /* args, env, mounts, rules, ... each */

typedef struct sc_profile sc_profile; /* seccomp_profile.h */

typedef struct rt_mount {
	char *destination;         /* absolute path in the container */
	char *type;                /* "bind" for bind mounts */
	char *source;              /* may be NULL for pseudo file systems */
	unsigned long flags;       /* MS_* from the options (MS_BIND, MS_REC, MS_RDONLY, ...) */
	unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC), or 0 */
	char *data;                /* the remaining, fs-specific options joined by ',' or NULL */
} rt_mount;

typedef struct rt_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
} rt_rlimit;

typedef struct rt_caps {
	uint64_t bounding, effective, permitted, inheritable, ambient;
} rt_caps;

typedef struct rt_user {
	uint32_t uid, gid;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *name; /* RT_ANN_USER, resolved against the container's /etc files, or NULL */
	char *group_add; /* RT_ANN_GROUP_ADD, or NULL */
} rt_user;

typedef struct rt_process {
	bool terminal;
	uint16_t console_height, console_width; /* process.consoleSize; 0: leave the pty's */
	rt_user user;
	char **args; /* at least one */
	char **env;  /* "K=V" */
	char *cwd;   /* absolute */
	bool has_caps; /* false: the process keeps no capabilities at all */
	rt_caps caps;
	rt_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
} rt_process;

typedef struct rt_namespace {
	int type;   /* CLONE_NEW* */
	char *path; /* join this one instead of creating a new one, or NULL */
} rt_namespace;

typedef struct rt_device_rule {
	bool allow;
	char type;       /* 'a', 'c' or 'b' */
	int64_t major;   /* -1 = any */
	int64_t minor;   /* -1 = any */
	char access[4];  /* subset of "rwm" */
} rt_device_rule;

typedef struct rt_device {
	char *path; /* absolute, under /dev */
	char type;  /* 'c', 'u', 'b' or 'p' */
	int64_t major, minor;
	uint32_t mode; /* permission bits; 0666 when absent */
	uint32_t uid, gid;
} rt_device;

typedef struct rt_resources {
	int64_t memory_limit;       /* bytes, -1 unlimited, RT_UNSET */
	int64_t memory_swap;        /* memory+swap bytes, -1 unlimited, RT_UNSET */
	int64_t memory_reservation; /* bytes, RT_UNSET */
	uint64_t cpu_shares;        /* 0 = unset */
	int64_t cpu_quota;          /* µs per period, -1 unlimited, RT_UNSET */
	uint64_t cpu_period;        /* µs, 0 = unset */
	char *cpuset_cpus, *cpuset_mems;
	int64_t pids_limit;         /* -1 unlimited, RT_UNSET */
	rt_device_rule *devices;
	size_t n_devices;
} rt_resources;

typedef struct rt_sysctl {
	char *key, *value;
} rt_sysctl;

typedef enum rt_seccomp_mode {
	RT_SECCOMP_NONE = 0, /* unconfined */
	RT_SECCOMP_DEFAULT,  /* our built-in copy of Docker's default profile */
	RT_SECCOMP_PROFILE,  /* linux.seccomp (OCI or Docker format) */
} rt_seccomp_mode;

typedef struct rt_overlay {
	char **lowerdirs; /* top-most first, absolute, NULL-terminated */
	char *upperdir, *workdir;
} rt_overlay;

typedef struct rt_spec {
	char *bundle; /* absolute */
	rt_process process;
	char *root_path; /* absolute (root.path joined to the bundle) */
	bool root_readonly;
	char *hostname;
	rt_mount *mounts;
	size_t n_mounts;
	rt_namespace *namespaces;
	size_t n_namespaces;
	rt_resources resources;
	char *cgroups_path; /* as written in the spec, or NULL */
	rt_seccomp_mode seccomp_mode;
	sc_profile *seccomp; /* RT_SECCOMP_PROFILE only */
	char **masked_paths, **readonly_paths;
	rt_sysctl *sysctl;
	size_t n_sysctl;
	rt_device *devices;
	size_t n_devices;
	unsigned long rootfs_propagation; /* MS_* | MS_REC, 0 = default (rslave) */
	bool has_overlay;
	rt_overlay overlay;
	bool init;
} rt_spec;

/* Reads <bundle>/config.json. */
rt_spec *spec_load(const char *bundle, err_t **err);
/* Parses a config.json text; bundle is the absolute directory root.path is relative to. */
rt_spec *spec_parse(const char *json, size_t len, const char *bundle, err_t **err);
void spec_free(rt_spec *s);

/* The namespace entry of a type, or NULL when the spec leaves it shared with the host. */
const rt_namespace *spec_namespace(const rt_spec *s, int type);

static inline void cleanup_specp(rt_spec **s)
{
	spec_free(*s);
}
#define _cleanup_spec_ __attribute__((cleanup(cleanup_specp)))

#endif
