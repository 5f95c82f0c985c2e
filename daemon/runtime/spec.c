/* spec.c: config.json -> rt_spec, the top level: process, root, hostname,
 * mounts and our annotations (the linux section is in spec_linux.c). The
 * input is outside data: sizes, types, ranges and path shapes are checked
 * here so that the code running in the child can trust them. */
#include "spec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cleanup.h"
#include "fsutil.h"
#include "mount_opts.h"
#include "rlimits.h"
#include "seccomp_profile.h"
#include "spec_internal.h"
#include "spec_json.h"
#include "xalloc.h"

bool spec_abs_path_ok(const char *p)
{
	return p && p[0] == '/' && strlen(p) < PATH_MAX;
}

static int parse_user(json_object *proc, rt_user *u, err_t **err)
{
	bool bad;
	json_object *o = sj_object(proc, "user", &bad, err);
	if (bad)
		return -1;
	if (!o)
		return 0;
	if (sj_u32(o, "uid", &u->uid, err) < 0 || sj_u32(o, "gid", &u->gid, err) < 0)
		return -1;
	json_object *gids = sj_array(o, "additionalGids", &bad, err);
	if (bad)
		return -1;
	u->n_additional_gids = gids ? json_object_array_length(gids) : 0;
	u->additional_gids = xcalloc(u->n_additional_gids + 1, sizeof(uint32_t));
	for (size_t i = 0; i < u->n_additional_gids; i++)
		if (sj_u32_value(json_object_array_get_idx(gids, i), "process.user.additionalGids",
				 &u->additional_gids[i], err) < 0)
			return -1;
	return 0;
}

static int parse_caps(json_object *proc, rt_process *p, err_t **err)
{
	bool bad;
	json_object *o = sj_object(proc, "capabilities", &bad, err);
	if (bad)
		return -1;
	if (!o)
		return 0;
	static const char *const keys[] = {"bounding", "effective", "permitted", "inheritable", "ambient"};
	uint64_t *masks[] = {&p->caps.bounding, &p->caps.effective, &p->caps.permitted,
			     &p->caps.inheritable, &p->caps.ambient};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_strv_ char **names = NULL;
		if (sj_strv(o, keys[i], &names, err) < 0 || caps_parse_list(names, masks[i], err) < 0)
			return err_wrap(err, "process.capabilities.%s", keys[i]);
	}
	p->has_caps = true;
	return 0;
}

static int parse_rlimit(json_object *o, rt_rlimit *l, err_t **err)
{
	_cleanup_free_ char *type = NULL;
	if (!json_object_is_type(o, json_type_object))
		return err_invalid(err, "process.rlimits entries must be objects");
	if (sj_str(o, "type", true, &type, err) < 0 || sj_u64(o, "hard", &l->hard, err) < 0 ||
	    sj_u64(o, "soft", &l->soft, err) < 0)
		return err_wrap(err, "process.rlimits");
	l->resource = rlimit_from_name(type);
	if (l->resource < 0)
		return err_invalid(err, "process.rlimits: unknown type %s", type);
	if (l->soft > l->hard)
		return err_invalid(err, "process.rlimits: %s soft limit above the hard one", type);
	return 0;
}

static int parse_rlimits(json_object *proc, rt_process *p, err_t **err)
{
	bool bad;
	json_object *a = sj_array(proc, "rlimits", &bad, err);
	if (bad)
		return -1;
	p->n_rlimits = a ? json_object_array_length(a) : 0;
	p->rlimits = xcalloc(p->n_rlimits + 1, sizeof(rt_rlimit));
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (parse_rlimit(json_object_array_get_idx(a, i), &p->rlimits[i], err) < 0)
			return -1;
	return 0;
}

static int check_env(char **env, err_t **err)
{
	for (; env && *env; env++)
		if (!strchr(*env, '=') || **env == '=')
			return err_invalid(err, "process.env: \"%s\" is not KEY=VALUE", *env);
	return 0;
}

/* process.consoleSize {height, width}: the pty's size before the command runs. */
static int parse_console_size(json_object *o, rt_process *p, err_t **err)
{
	bool bad;
	json_object *cs = sj_object(o, "consoleSize", &bad, err);
	if (!cs)
		return bad ? -1 : 0;
	uint32_t h = 0, w = 0;
	if (sj_u32(cs, "height", &h, err) < 0 || sj_u32(cs, "width", &w, err) < 0)
		return -1;
	if (h > UINT16_MAX || w > UINT16_MAX)
		return err_invalid(err, "process.consoleSize is out of range");
	p->console_height = (uint16_t)h;
	p->console_width = (uint16_t)w;
	return 0;
}

static int parse_process(json_object *root, rt_process *p, err_t **err)
{
	bool bad;
	json_object *o = sj_object(root, "process", &bad, err);
	if (!o)
		return bad ? -1 : err_invalid(err, "process is required");
	if (sj_bool(o, "terminal", &p->terminal, err) < 0 || parse_user(o, &p->user, err) < 0 ||
	    sj_strv(o, "args", &p->args, err) < 0 || sj_strv(o, "env", &p->env, err) < 0 ||
	    sj_str(o, "cwd", false, &p->cwd, err) < 0 || parse_caps(o, p, err) < 0 ||
	    parse_rlimits(o, p, err) < 0 || sj_bool(o, "noNewPrivileges", &p->no_new_privileges, err) < 0 ||
	    parse_console_size(o, p, err) < 0)
		return -1;
	if (!p->args || !p->args[0] || !p->args[0][0])
		return err_invalid(err, "process.args must name the command to run");
	if (!p->env)
		p->env = xcalloc(1, sizeof(char *));
	if (!p->cwd)
		p->cwd = xstrdup("/");
	if (!spec_abs_path_ok(p->cwd))
		return err_invalid(err, "process.cwd must be an absolute path");
	int64_t adj = INT64_MIN;
	if (sj_i64(o, "oomScoreAdj", &adj, err) < 0)
		return -1;
	if (adj != INT64_MIN) {
		if (adj < -1000 || adj > 1000)
			return err_invalid(err, "process.oomScoreAdj must be within [-1000, 1000]");
		p->has_oom_score_adj = true;
		p->oom_score_adj = (int)adj;
	}
	return check_env(p->env, err);
}

static int parse_root(json_object *root, rt_spec *s, err_t **err)
{
	bool bad;
	_cleanup_free_ char *path = NULL;
	json_object *o = sj_object(root, "root", &bad, err);
	if (!o)
		return bad ? -1 : err_invalid(err, "root is required");
	if (sj_str(o, "path", true, &path, err) < 0 || sj_bool(o, "readonly", &s->root_readonly, err) < 0)
		return err_wrap(err, "root");
	s->root_path = path[0] == '/' ? xstrdup(path) : fs_path_join(s->bundle, path);
	if (!spec_abs_path_ok(s->root_path))
		return err_invalid(err, "root.path is too long");
	return 0;
}

static int parse_mount(json_object *o, rt_mount *m, err_t **err)
{
	_cleanup_strv_ char **opts = NULL;
	if (!json_object_is_type(o, json_type_object))
		return err_invalid(err, "mounts entries must be objects");
	if (sj_str(o, "destination", true, &m->destination, err) < 0 ||
	    sj_str(o, "type", false, &m->type, err) < 0 || sj_str(o, "source", false, &m->source, err) < 0 ||
	    sj_strv(o, "options", &opts, err) < 0)
		return err_wrap(err, "mounts");
	if (!spec_abs_path_ok(m->destination))
		return err_invalid(err, "mount destination %s is not an absolute path", m->destination);
	if (mount_opts_parse(opts, m, err) < 0)
		return -1;
	if (m->type && strcmp(m->type, "bind") == 0)
		m->flags |= MS_BIND_FLAG;
	if (!m->type || (m->flags & MS_BIND_FLAG)) {
		free(m->type);
		m->type = xstrdup("bind");
		m->flags |= MS_BIND_FLAG;
	}
	if ((m->flags & MS_BIND_FLAG) && (!m->source || m->source[0] != '/'))
		return err_invalid(err, "bind mount %s needs an absolute source", m->destination);
	return 0;
}

static int parse_mounts(json_object *root, rt_spec *s, err_t **err)
{
	bool bad;
	json_object *a = sj_array(root, "mounts", &bad, err);
	if (bad)
		return -1;
	s->n_mounts = a ? json_object_array_length(a) : 0;
	s->mounts = xcalloc(s->n_mounts + 1, sizeof(rt_mount));
	for (size_t i = 0; i < s->n_mounts; i++)
		if (parse_mount(json_object_array_get_idx(a, i), &s->mounts[i], err) < 0)
			return -1;
	return 0;
}

static int parse_hostname(json_object *root, rt_spec *s, err_t **err)
{
	if (sj_str(root, "hostname", false, &s->hostname, err) < 0)
		return -1;
	if (s->hostname && strlen(s->hostname) > 64)
		return err_invalid(err, "hostname is longer than 64 bytes");
	return 0;
}

static int parse_top(json_object *root, rt_spec *s, err_t **err)
{
	if (!json_object_is_type(root, json_type_object))
		return err_invalid(err, "config.json must hold a JSON object");
	if (parse_process(root, &s->process, err) < 0 || parse_root(root, s, err) < 0 ||
	    parse_hostname(root, s, err) < 0 || parse_mounts(root, s, err) < 0)
		return -1;
	if (spec_parse_linux(root, s, err) < 0)
		return -1;
	return spec_parse_annotations(root, s, err);
}

rt_spec *spec_parse(const char *json, size_t len, const char *bundle, err_t **err)
{
	if (len > RT_SPEC_MAX_BYTES) {
		err_set(err, ERR_TOO_LARGE, 0, "config.json is larger than %u bytes", RT_SPEC_MAX_BYTES);
		return NULL;
	}
	if (!spec_abs_path_ok(bundle)) {
		err_invalid(err, "the bundle path must be absolute");
		return NULL;
	}
	_cleanup_json_ json_object *root = json_parse_strict(json, len, err);
	if (!root) {
		err_wrap(err, "config.json");
		return NULL;
	}
	rt_spec *s = xcalloc(1, sizeof(*s));
	s->bundle = xstrdup(bundle);
	if (parse_top(root, s, err) < 0) {
		spec_free(s);
		return NULL;
	}
	return s;
}

rt_spec *spec_load(const char *bundle, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(bundle, "config.json");
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (fs_read_file(path, RT_SPEC_MAX_BYTES, &text, &len, err) < 0)
		return NULL;
	return spec_parse(text, len, bundle, err);
}

const rt_namespace *spec_namespace(const rt_spec *s, int type)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].type == type)
			return &s->namespaces[i];
	return NULL;
}

static void free_process(rt_process *p)
{
	free(p->user.additional_gids);
	free(p->user.name);
	free(p->user.group_add);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
}

static void free_mounts(rt_mount *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].destination);
		free(m[i].type);
		free(m[i].source);
		free(m[i].data);
	}
	free(m);
}

void spec_free(rt_spec *s)
{
	if (!s)
		return;
	free(s->bundle);
	free_process(&s->process);
	free(s->root_path);
	free(s->hostname);
	free_mounts(s->mounts, s->n_mounts);
	for (size_t i = 0; i < s->n_namespaces; i++)
		free(s->namespaces[i].path);
	free(s->namespaces);
	free(s->resources.cpuset_cpus);
	free(s->resources.cpuset_mems);
	free(s->resources.devices);
	free(s->cgroups_path);
	sc_profile_free(s->seccomp);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	for (size_t i = 0; i < s->n_sysctl; i++) {
		free(s->sysctl[i].key);
		free(s->sysctl[i].value);
	}
	free(s->sysctl);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	strv_free(s->overlay.lowerdirs);
	free(s->overlay.upperdir);
	free(s->overlay.workdir);
	free(s);
}
