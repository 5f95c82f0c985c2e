/* cgroups_internal.h: the cgroup object and the file helpers shared by
 * cgroups.c, cgroups_v1.c and cgroups_v2.c. */
#ifndef ENGINE_RT_CGROUPS_INTERNAL_H
#define ENGINE_RT_CGROUPS_INTERNAL_H

#include "cgroups.h"

#define CG_MAX_HIER 32

typedef struct cg_hier {
	char *name; /* v1: the hierarchy's directory name ("memory", "cpu,cpuacct", "systemd"); v2: "" */
	char *dir;  /* absolute directory of this container's cgroup in it */
	bool v2;
} cg_hier;

struct cgroup {
	char *root, *path;
	cg_mode mode;
	cg_hier hier[CG_MAX_HIER];
	size_t n_hier;
};

/* Writes a value to <dir>/<file> (no O_CREAT: cgroupfs files exist or the kernel lacks them). */
int cg_write(const char *dir, const char *file, const char *value, err_t **err);
int cg_writef(const char *dir, const char *file, err_t **err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Reads <dir>/<file> (small control files only); NULL-terminated. */
int cg_read(const char *dir, const char *file, char **out, err_t **err);
/* The value after "key " on its own line in a flat-keyed file (memory.events). */
int cg_read_key(const char *dir, const char *file, const char *key, uint64_t *out, err_t **err);
/* mkdir -p of root/path inside one hierarchy; calls init(dir) on each level it creates. */
int cg_mkdir_levels(const char *hroot, const char *path, int (*init)(const char *parent, const char *dir, err_t **),
		    err_t **err);
bool cg_hier_has(const cg_hier *h, const char *controller);

int cg_v1_discover(cgroup *cg, err_t **err);
int cg_v1_create(cgroup *cg, err_t **err);
int cg_v1_apply(const cgroup *cg, const rt_resources *r, err_t **err);
int cg_v1_freeze(const cgroup *cg, bool frozen, err_t **err);
int cg_v1_oom_kills(const cgroup *cg, uint64_t *count, err_t **err);
int cg_v1_oom_watch(const cgroup *cg, err_t **err);

int cg_v2_create(cgroup *cg, const char *hroot, err_t **err);
int cg_v2_apply(const cgroup *cg, const rt_resources *r, err_t **err);
int cg_v2_freeze(const cgroup *cg, bool frozen, err_t **err);
int cg_v2_oom_kills(const cgroup *cg, uint64_t *count, err_t **err);
int cg_v2_oom_watch(const cgroup *cg, err_t **err);

#endif
