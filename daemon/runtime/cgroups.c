/* cgroups.c: what is the same on v1 and v2: mode detection, the object,
 * small control-file I/O, joining, listing and killing the processes, and
 * removal. Version-specific limits, freezing and OOM counters live in
 * cgroups_v1.c and cgroups_v2.c. */
#include "cgroups_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

int cgroup_detect(const char *root, cg_mode *out, err_t **err)
{
	struct statfs fs;
	if (statfs(root, &fs) < 0)
		return err_sys(err, "statfs %s", root);
	if (fs.f_type == CGROUP2_SUPER_MAGIC) {
		*out = CG_MODE_V2;
		return 0;
	}
	if (fs.f_type != TMPFS_MAGIC)
		return err_set(err, ERR_SYSTEM, 0, "%s is neither cgroup2 nor a tmpfs of v1 hierarchies", root);
	_cleanup_free_ char *unified = fs_path_join(root, "unified");
	*out = statfs(unified, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC ? CG_MODE_HYBRID : CG_MODE_V1;
	return 0;
}

const char *cgroup_mode_name(cg_mode m)
{
	return m == CG_MODE_V2 ? "v2" : m == CG_MODE_HYBRID ? "hybrid" : "v1";
}

int cg_write(const char *dir, const char *file, const char *value, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "open %s", path);
	size_t len = strlen(value);
	if (write(fd, value, len) != (ssize_t)len)
		return err_sys(err, "write \"%s\" to %s", value, path);
	return 0;
}

int cg_writef(const char *dir, const char *file, err_t **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *v = xvasprintf(fmt, ap);
	va_end(ap);
	return cg_write(dir, file, v, err);
}

int cg_read(const char *dir, const char *file, char **out, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, file);
	return fs_read_file(path, 1 << 22, out, NULL, err);
}

int cg_read_key(const char *dir, const char *file, const char *key, uint64_t *out, err_t **err)
{
	_cleanup_free_ char *text = NULL;
	if (cg_read(dir, file, &text, err) < 0)
		return -1;
	size_t kl = strlen(key);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
			*out = strtoull(line + kl + 1, NULL, 10);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	*out = 0;
	return 0;
}

int cg_mkdir_levels(const char *hroot, const char *path,
		    int (*init)(const char *parent, const char *dir, err_t **), err_t **err)
{
	_cleanup_free_ char *rel = xstrdup(path);
	_cleanup_free_ char *parent = xstrdup(hroot);
	char *save = NULL;
	for (char *c = strtok_r(rel, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		char *dir = fs_path_join(parent, c);
		bool made = mkdir(dir, 0755) == 0;
		if (!made && errno != EEXIST) {
			err_sys(err, "mkdir %s", dir);
			free(dir);
			return -1;
		}
		if (made && init && init(parent, dir, err) < 0) {
			free(dir);
			return -1;
		}
		free(parent);
		parent = dir;
	}
	return 0;
}

bool cg_hier_has(const cg_hier *h, const char *controller)
{
	if (h->v2)
		return true;
	size_t cl = strlen(controller);
	for (const char *p = h->name; p && *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == cl && strncmp(p, controller, cl) == 0)
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

static cgroup *cg_new(const char *root, cg_mode mode, const char *path)
{
	cgroup *cg = xcalloc(1, sizeof(*cg));
	cg->root = xstrdup(root);
	while (*path == '/')
		path++;
	cg->path = xstrdup(path);
	cg->mode = mode;
	return cg;
}

static void add_v2_hier(cgroup *cg, const char *hroot)
{
	cg_hier *h = &cg->hier[cg->n_hier++];
	h->name = xstrdup("");
	h->dir = fs_path_join(hroot, cg->path);
	h->v2 = true;
}

/* Fills cg->hier with every hierarchy's directory for cg->path. */
static int cg_layout(cgroup *cg, err_t **err)
{
	if (!*cg->path)
		return err_invalid(err, "refusing to use the root cgroup");
	if (cg->mode == CG_MODE_V2) {
		add_v2_hier(cg, cg->root);
		return 0;
	}
	if (cg_v1_discover(cg, err) < 0)
		return -1;
	if (cg->mode == CG_MODE_HYBRID && cg->n_hier < CG_MAX_HIER) {
		_cleanup_free_ char *unified = fs_path_join(cg->root, "unified");
		add_v2_hier(cg, unified);
	}
	return 0;
}

static int cg_make(cgroup *cg, err_t **err)
{
	if (cg->mode == CG_MODE_V2)
		return cg_v2_create(cg, cg->root, err);
	if (cg_v1_create(cg, err) < 0)
		return -1;
	if (cg->mode == CG_MODE_HYBRID) {
		_cleanup_free_ char *unified = fs_path_join(cg->root, "unified");
		return cg_mkdir_levels(unified, cg->path, NULL, err);
	}
	return 0;
}

cgroup *cgroup_plan(const char *root, cg_mode mode, const char *path, err_t **err)
{
	cgroup *cg = cg_new(root, mode, path);
	if (cg_layout(cg, err) < 0) {
		err_wrap(err, "cgroup %s", path);
		cgroup_free(cg);
		return NULL;
	}
	return cg;
}

int cgroup_realize(cgroup *cg, const rt_resources *res, err_t **err)
{
	if (cg_make(cg, err) < 0)
		return err_wrap(err, "cgroup %s", cg->path);
	if (res && (cg->mode == CG_MODE_V2 ? cg_v2_apply(cg, res, err) : cg_v1_apply(cg, res, err)) < 0) {
		cgroup_destroy(cg, 0, NULL);
		return err_wrap(err, "cgroup %s", cg->path);
	}
	return 0;
}

cgroup *cgroup_create(const char *root, cg_mode mode, const char *path, const rt_resources *res,
		      err_t **err)
{
	cgroup *cg = cgroup_plan(root, mode, path, err);
	if (cg && cgroup_realize(cg, res, err) < 0) {
		cgroup_free(cg);
		return NULL;
	}
	return cg;
}

cgroup *cgroup_open(const char *root, cg_mode mode, const char *path, err_t **err)
{
	cgroup *cg = cg_new(root, mode, path);
	if (cg_layout(cg, err) < 0)
		goto fail;
	if (!cg->n_hier || !fs_exists(cg->hier[0].dir)) {
		err_notfound(err, "cgroup %s does not exist", path);
		goto fail;
	}
	return cg;
fail:
	cgroup_free(cg);
	return NULL;
}

void cgroup_free(cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n_hier; i++) {
		free(cg->hier[i].name);
		free(cg->hier[i].dir);
	}
	free(cg->root);
	free(cg->path);
	free(cg);
}

const char *cgroup_path(const cgroup *cg)
{
	return cg->path;
}

cg_mode cgroup_get_mode(const cgroup *cg)
{
	return cg->mode;
}

const char *cgroup_dir(const cgroup *cg, const char *controller)
{
	for (size_t i = 0; i < cg->n_hier; i++)
		if (cg->mode == CG_MODE_V2 ? cg->hier[i].v2 : (!cg->hier[i].v2 && cg_hier_has(&cg->hier[i], controller)))
			return cg->hier[i].dir;
	return NULL;
}

char **cgroup_v1_names(const cgroup *cg)
{
	char **v = xcalloc(cg->n_hier + 1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < cg->n_hier; i++)
		if (!cg->hier[i].v2)
			v[n++] = xstrdup(cg->hier[i].name);
	return v;
}

int cgroup_procs_fds(const cgroup *cg, int **fds, size_t *n, err_t **err)
{
	*fds = xcalloc(cg->n_hier + 1, sizeof(int));
	*n = 0;
	for (size_t i = 0; i < cg->n_hier; i++) {
		_cleanup_free_ char *p = fs_path_join(cg->hier[i].dir, "cgroup.procs");
		int fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			for (size_t j = 0; j < *n; j++)
				close((*fds)[j]);
			free(*fds);
			*fds = NULL;
			return err_sys(err, "open %s", p);
		}
		(*fds)[(*n)++] = fd;
	}
	return 0;
}

int cgroup_enter_fds(const int *fds, size_t n, err_t **err)
{
	for (size_t i = 0; i < n; i++)
		if (write(fds[i], "0", 1) != 1)
			return err_sys(err, "join the container's cgroup");
	return 0;
}

int cgroup_add_pid(const cgroup *cg, pid_t pid, err_t **err)
{
	for (size_t i = 0; i < cg->n_hier; i++)
		if (cg_writef(cg->hier[i].dir, "cgroup.procs", err, "%d", (int)pid) < 0)
			return -1;
	return 0;
}

int cgroup_freeze(const cgroup *cg, bool frozen, err_t **err)
{
	return cg->mode == CG_MODE_V2 ? cg_v2_freeze(cg, frozen, err) : cg_v1_freeze(cg, frozen, err);
}

int cgroup_oom_kills(const cgroup *cg, uint64_t *count, err_t **err)
{
	return cg->mode == CG_MODE_V2 ? cg_v2_oom_kills(cg, count, err) : cg_v1_oom_kills(cg, count, err);
}

int cgroup_oom_watch(const cgroup *cg, err_t **err)
{
	return cg->mode == CG_MODE_V2 ? cg_v2_oom_watch(cg, err) : cg_v1_oom_watch(cg, err);
}

void cgroup_oom_watch_drain(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static const char *procs_dir(const cgroup *cg)
{
	const char *d = cgroup_dir(cg, "pids");
	if (!d)
		d = cgroup_dir(cg, "memory");
	return d ? d : cg->hier[0].dir;
}

int cgroup_pids(const cgroup *cg, pid_t **pids, size_t *n, err_t **err)
{
	_cleanup_free_ char *text = NULL;
	if (cg_read(procs_dir(cg), "cgroup.procs", &text, err) < 0)
		return -1;
	size_t cap = 0;
	*pids = NULL;
	*n = 0;
	for (char *p = text; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		*pids = xgrow(*pids, &cap, *n + 1, sizeof(pid_t));
		(*pids)[(*n)++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int cgroup_kill_all(const cgroup *cg, int sig, err_t **err)
{
	if (sig == SIGKILL && cg->mode == CG_MODE_V2 && cg_write(cg->hier[0].dir, "cgroup.kill", "1", NULL) == 0)
		return 0;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	if (cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], sig);
	return 0;
}

/* rmdir of dir and the cgroups below it, deepest first. */
static int rmdir_tree(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *sub = fs_path_join(dir, de->d_name);
		rmdir_tree(sub);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* rmdir first: it is all a cgroup whose processes are gone needs. A busy
 * one gets SIGKILL for what is left, once, and then time to empty. */
int cgroup_destroy(const cgroup *cg, int timeout_ms, err_t **err)
{
	int ret = 0;
	bool killed = false;
	for (size_t i = 0; i < cg->n_hier; i++) {
		int waited = 0;
		while (rmdir_tree(cg->hier[i].dir) < 0) {
			if (errno != EBUSY || waited >= timeout_ms) {
				ret = err_sys(err, "remove cgroup %s", cg->hier[i].dir);
				break;
			}
			if (!killed) {
				cgroup_kill_all(cg, SIGKILL, NULL);
				killed = true;
			}
			nanosleep(&(struct timespec){0, 1000000}, NULL);
			waited++;
		}
	}
	return ret;
}

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}
