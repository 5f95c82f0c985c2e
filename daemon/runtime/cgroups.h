/* cgroups.h: one cgroup per container, on cgroup v2 (unified) or v1 (one
 * directory per controller hierarchy; the "hybrid" layout adds the v2
 * hierarchy at <root>/unified). The mode is detected once with statfs; the
 * root is a parameter so unit tests can drive a fake tree. */
#ifndef ENGINE_RT_CGROUPS_H
#define ENGINE_RT_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "spec.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

typedef enum cg_mode {
	CG_MODE_V1 = 1,     /* legacy: v1 hierarchies only */
	CG_MODE_HYBRID = 2, /* v1 controllers + a controller-less v2 at <root>/unified */
	CG_MODE_V2 = 3,     /* unified */
} cg_mode;

typedef struct cgroup cgroup;

int cgroup_detect(const char *root, cg_mode *out, err_t **err);
const char *cgroup_mode_name(cg_mode m); /* "v1", "hybrid", "v2"; Docker's CgroupVersion is "1" or "2" */

/* Creates the cgroup at path (relative to the hierarchy roots, "engine/<id>")
 * and writes the resource limits (res may be NULL). An existing directory is
 * reused. mode is normally from cgroup_detect(). */
cgroup *cgroup_create(const char *root, cg_mode mode, const char *path, const rt_resources *res,
		      err_t **err);
/* cgroup_create() in two steps: the plan finds the hierarchies (nothing is
 * written), realize makes the directories and writes the limits. */
cgroup *cgroup_plan(const char *root, cg_mode mode, const char *path, err_t **err);
int cgroup_realize(cgroup *cg, const rt_resources *res, err_t **err);
/* An existing cgroup (re-adoption, `top`, pause). */
cgroup *cgroup_open(const char *root, cg_mode mode, const char *path, err_t **err);
void cgroup_free(cgroup *cg);
static inline void cleanup_cgroupp(cgroup **c)
{
	cgroup_free(*c);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cleanup_cgroupp)))
const char *cgroup_path(const cgroup *cg);
cg_mode cgroup_get_mode(const cgroup *cg);
/* The directory holding the limits of a v2 or v1 controller ("memory", "pids"). */
const char *cgroup_dir(const cgroup *cg, const char *controller);

/* The v1 hierarchies' directory names ("memory", "cpu,cpuacct", "systemd"),
 * NULL-terminated; empty on v2. */
char **cgroup_v1_names(const cgroup *cg);

/* Opens cgroup.procs of every hierarchy for writing, for a child to join with
 * cgroup_enter_fds() before it runs anything of the container's. */
int cgroup_procs_fds(const cgroup *cg, int **fds, size_t *n, err_t **err);
int cgroup_enter_fds(const int *fds, size_t n, err_t **err);
int cgroup_add_pid(const cgroup *cg, pid_t pid, err_t **err);

int cgroup_freeze(const cgroup *cg, bool frozen, err_t **err);
/* The PIDs in the cgroup (host PID namespace), for `top`. */
int cgroup_pids(const cgroup *cg, pid_t **pids, size_t *n, err_t **err);
/* How many processes the OOM killer killed in this cgroup. */
int cgroup_oom_kills(const cgroup *cg, uint64_t *count, err_t **err);
/* A fd that turns readable when the OOM killer may have acted in the cgroup
 * (v2: inotify on memory.events; v1: an eventfd registered for
 * memory.oom_control). After it fired, call cgroup_oom_watch_drain() and
 * compare cgroup_oom_kills() with what was seen before. */
int cgroup_oom_watch(const cgroup *cg, err_t **err);
void cgroup_oom_watch_drain(int fd);
int cgroup_kill_all(const cgroup *cg, int sig, err_t **err);
/* Removes the cgroup (and any child cgroups). Processes still in it are
 * killed; exiting ones get up to timeout_ms to leave. */
int cgroup_destroy(const cgroup *cg, int timeout_ms, err_t **err);

/* cpu.shares (2..262144) -> cpu.weight (1..10000), the OCI conversion. */
uint64_t cgroup_shares_to_weight(uint64_t shares);

#endif
