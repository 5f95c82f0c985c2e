/* spec_linux.c: config.json's "linux" section (namespaces, resources,
 * cgroupsPath, seccomp, masked and read-only paths, sysctl, devices) and the
 * annotations of ours (overlay rootfs, init, user, default seccomp). */
#include <sched.h>
#include <string.h>

#include "cleanup.h"
#include "mount_opts.h"
#include "namespaces.h"
#include "seccomp_profile.h"
#include "spec_internal.h"
#include "spec_json.h"
#include "xalloc.h"

static int parse_namespace(json_object *o, rt_spec *s, size_t i, err_t **err)
{
	_cleanup_free_ char *type = NULL;
	rt_namespace *ns = &s->namespaces[i];
	if (!json_object_is_type(o, json_type_object))
		return err_invalid(err, "linux.namespaces entries must be objects");
	if (sj_str(o, "type", true, &type, err) < 0 || sj_str(o, "path", false, &ns->path, err) < 0)
		return err_wrap(err, "linux.namespaces");
	ns->type = ns_from_name(type);
	if (!ns->type)
		return err_invalid(err, "linux.namespaces: unknown type %s", type);
	if (ns->type == CLONE_NEWUSER)
		return err_set(err, ERR_NOT_IMPLEMENTED, 0, "user namespaces are not supported yet");
	if (ns->path && !spec_abs_path_ok(ns->path))
		return err_invalid(err, "linux.namespaces: %s path must be absolute", type);
	for (size_t j = 0; j < i; j++)
		if (s->namespaces[j].type == ns->type)
			return err_invalid(err, "linux.namespaces: %s given twice", type);
	return 0;
}

static int parse_namespaces(json_object *lx, rt_spec *s, err_t **err)
{
	bool bad;
	json_object *a = sj_array(lx, "namespaces", &bad, err);
	if (bad)
		return -1;
	s->n_namespaces = a ? json_object_array_length(a) : 0;
	s->namespaces = xcalloc(s->n_namespaces + 1, sizeof(rt_namespace));
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (parse_namespace(json_object_array_get_idx(a, i), s, i, err) < 0)
			return -1;
	return 0;
}

static int parse_memory(json_object *res, rt_resources *r, err_t **err)
{
	bool bad;
	json_object *m = sj_object(res, "memory", &bad, err);
	if (bad || !m)
		return bad ? -1 : 0;
	if (sj_i64(m, "limit", &r->memory_limit, err) < 0 || sj_i64(m, "swap", &r->memory_swap, err) < 0 ||
	    sj_i64(m, "reservation", &r->memory_reservation, err) < 0)
		return err_wrap(err, "linux.resources.memory");
	if (r->memory_limit != RT_UNSET && r->memory_limit < -1)
		return err_invalid(err, "linux.resources.memory.limit must be -1 or a size");
	if (r->memory_swap != RT_UNSET && r->memory_swap < -1)
		return err_invalid(err, "linux.resources.memory.swap must be -1 or a size");
	if (r->memory_swap > 0 && r->memory_limit > 0 && r->memory_swap < r->memory_limit)
		return err_invalid(err, "Minimum memoryswap limit should be larger than memory limit");
	return 0;
}

static bool cpuset_ok(const char *s)
{
	return strlen(s) < 4096 && strspn(s, "0123456789,-") == strlen(s);
}

static int parse_cpu(json_object *res, rt_resources *r, err_t **err)
{
	bool bad;
	json_object *c = sj_object(res, "cpu", &bad, err);
	if (bad || !c)
		return bad ? -1 : 0;
	if (sj_u64(c, "shares", &r->cpu_shares, err) < 0 || sj_i64(c, "quota", &r->cpu_quota, err) < 0 ||
	    sj_u64(c, "period", &r->cpu_period, err) < 0 || sj_str(c, "cpus", false, &r->cpuset_cpus, err) < 0 ||
	    sj_str(c, "mems", false, &r->cpuset_mems, err) < 0)
		return err_wrap(err, "linux.resources.cpu");
	if ((r->cpuset_cpus && !cpuset_ok(r->cpuset_cpus)) || (r->cpuset_mems && !cpuset_ok(r->cpuset_mems)))
		return err_invalid(err, "linux.resources.cpu: invalid cpuset");
	if (r->cpu_period && (r->cpu_period < 1000 || r->cpu_period > 1000000))
		return err_invalid(err, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
	if (r->cpu_quota != RT_UNSET && r->cpu_quota > 0 && r->cpu_quota < 1000)
		return err_invalid(err, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (r->cpu_shares > 262144)
		return err_invalid(err, "linux.resources.cpu.shares must be at most 262144");
	return 0;
}

static int parse_device_rule(json_object *o, rt_device_rule *d, err_t **err)
{
	_cleanup_free_ char *type = NULL, *access = NULL;
	d->major = d->minor = -1;
	if (!json_object_is_type(o, json_type_object))
		return err_invalid(err, "linux.resources.devices entries must be objects");
	if (sj_bool(o, "allow", &d->allow, err) < 0 || sj_str(o, "type", false, &type, err) < 0 ||
	    sj_i64(o, "major", &d->major, err) < 0 || sj_i64(o, "minor", &d->minor, err) < 0 ||
	    sj_str(o, "access", false, &access, err) < 0)
		return err_wrap(err, "linux.resources.devices");
	d->type = type ? type[0] : 'a';
	if ((type && strlen(type) != 1) || !strchr("acb", d->type))
		return err_invalid(err, "linux.resources.devices: invalid type");
	if (d->major < -1 || d->minor < -1 || d->major > 0xfffff || d->minor > 0xfffff)
		return err_invalid(err, "linux.resources.devices: invalid major/minor");
	if (!access)
		access = xstrdup("rwm");
	if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
		return err_invalid(err, "linux.resources.devices: invalid access %s", access);
	strcpy(d->access, access);
	return 0;
}

static int parse_resources(json_object *lx, rt_spec *s, err_t **err)
{
	bool bad;
	rt_resources *r = &s->resources;
	r->memory_limit = r->memory_swap = r->memory_reservation = RT_UNSET;
	r->cpu_quota = r->pids_limit = RT_UNSET;
	json_object *res = sj_object(lx, "resources", &bad, err);
	if (bad || !res)
		return bad ? -1 : 0;
	if (parse_memory(res, r, err) < 0 || parse_cpu(res, r, err) < 0)
		return -1;
	json_object *pids = sj_object(res, "pids", &bad, err);
	if (bad || sj_i64(pids, "limit", &r->pids_limit, err) < 0)
		return -1;
	json_object *devs = sj_array(res, "devices", &bad, err);
	if (bad)
		return -1;
	r->n_devices = devs ? json_object_array_length(devs) : 0;
	r->devices = xcalloc(r->n_devices + 1, sizeof(rt_device_rule));
	for (size_t i = 0; i < r->n_devices; i++)
		if (parse_device_rule(json_object_array_get_idx(devs, i), &r->devices[i], err) < 0)
			return -1;
	return 0;
}

static int parse_device(json_object *o, rt_device *d, err_t **err)
{
	_cleanup_free_ char *type = NULL;
	d->mode = 0666;
	if (!json_object_is_type(o, json_type_object))
		return err_invalid(err, "linux.devices entries must be objects");
	if (sj_str(o, "path", true, &d->path, err) < 0 || sj_str(o, "type", true, &type, err) < 0 ||
	    sj_i64(o, "major", &d->major, err) < 0 || sj_i64(o, "minor", &d->minor, err) < 0 ||
	    sj_u32(o, "fileMode", &d->mode, err) < 0 || sj_u32(o, "uid", &d->uid, err) < 0 ||
	    sj_u32(o, "gid", &d->gid, err) < 0)
		return err_wrap(err, "linux.devices");
	if (strncmp(d->path, "/dev/", 5) != 0 || strstr(d->path, "/../") || !spec_abs_path_ok(d->path))
		return err_invalid(err, "linux.devices: %s is not under /dev", d->path);
	if (strlen(type) != 1 || !strchr("cubp", type[0]) || d->mode > 07777 || d->major < 0 ||
	    d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff)
		return err_invalid(err, "linux.devices: invalid device %s", d->path);
	d->type = type[0];
	return 0;
}

static int parse_devices(json_object *lx, rt_spec *s, err_t **err)
{
	bool bad;
	json_object *a = sj_array(lx, "devices", &bad, err);
	if (bad)
		return -1;
	s->n_devices = a ? json_object_array_length(a) : 0;
	s->devices = xcalloc(s->n_devices + 1, sizeof(rt_device));
	for (size_t i = 0; i < s->n_devices; i++)
		if (parse_device(json_object_array_get_idx(a, i), &s->devices[i], err) < 0)
			return -1;
	return 0;
}

static bool sysctl_key_ok(const char *k)
{
	return *k && strlen(k) < 256 && !strstr(k, "..") && k[0] != '.' && k[0] != '/' &&
	       strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") == strlen(k);
}

static int parse_sysctl(json_object *lx, rt_spec *s, err_t **err)
{
	bool bad;
	json_object *o = sj_object(lx, "sysctl", &bad, err);
	if (bad || !o)
		return bad ? -1 : 0;
	s->sysctl = xcalloc((size_t)json_object_object_length(o) + 1, sizeof(rt_sysctl));
	json_object_object_foreach(o, key, val) {
		const char *v = sj_string_value(val);
		if (!v || !sysctl_key_ok(key))
			return err_invalid(err, "linux.sysctl: invalid entry %s", key);
		s->sysctl[s->n_sysctl].key = xstrdup(key);
		s->sysctl[s->n_sysctl++].value = xstrdup(v);
	}
	return 0;
}

static int check_paths(char **v, const char *what, err_t **err)
{
	for (; v && *v; v++)
		if (!spec_abs_path_ok(*v))
			return err_invalid(err, "%s: %s is not an absolute path", what, *v);
	return 0;
}

static int parse_seccomp(json_object *lx, rt_spec *s, err_t **err)
{
	json_object *sc = jget(lx, "seccomp");
	if (!sc || json_object_is_type(sc, json_type_null))
		return 0;
	s->seccomp = sc_profile_parse(sc, err);
	if (!s->seccomp)
		return err_wrap(err, "linux.seccomp");
	s->seccomp_mode = RT_SECCOMP_PROFILE;
	return 0;
}

static int parse_propagation(json_object *lx, rt_spec *s, err_t **err)
{
	_cleanup_free_ char *p = NULL;
	if (sj_str(lx, "rootfsPropagation", false, &p, err) < 0)
		return -1;
	if (!p)
		return 0;
	s->rootfs_propagation = mount_propagation_from_name(p);
	if (!s->rootfs_propagation)
		return err_invalid(err, "linux.rootfsPropagation: unknown value %s", p);
	return 0;
}

static int check_cgroups_path(const char *p, err_t **err)
{
	if (!p)
		return 0;
	if (!*p || strlen(p) > 1024 || strchr(p, ':') || strstr(p, "//"))
		return err_invalid(err, "linux.cgroupsPath %s is not a cgroupfs path", p);
	for (const char *c = p; (c = strstr(c, "..")); c += 2)
		if ((c == p || c[-1] == '/') && (c[2] == '/' || c[2] == '\0'))
			return err_invalid(err, "linux.cgroupsPath %s leaves the hierarchy", p);
	return 0;
}

int spec_parse_linux(json_object *root, rt_spec *s, err_t **err)
{
	bool bad;
	json_object *lx = sj_object(root, "linux", &bad, err);
	if (bad)
		return -1;
	if (jget(lx, "uidMappings") || jget(lx, "gidMappings"))
		return err_set(err, ERR_NOT_IMPLEMENTED, 0, "user namespaces are not supported yet");
	if (parse_namespaces(lx, s, err) < 0 || parse_resources(lx, s, err) < 0 ||
	    sj_str(lx, "cgroupsPath", false, &s->cgroups_path, err) < 0 ||
	    check_cgroups_path(s->cgroups_path, err) < 0 || parse_seccomp(lx, s, err) < 0 ||
	    sj_strv(lx, "maskedPaths", &s->masked_paths, err) < 0 ||
	    sj_strv(lx, "readonlyPaths", &s->readonly_paths, err) < 0 ||
	    check_paths(s->masked_paths, "linux.maskedPaths", err) < 0 ||
	    check_paths(s->readonly_paths, "linux.readonlyPaths", err) < 0 ||
	    parse_sysctl(lx, s, err) < 0 || parse_devices(lx, s, err) < 0)
		return -1;
	return parse_propagation(lx, s, err);
}

/* Overlay paths go into mount data: ',' and ':' would split it. */
static bool overlay_path_ok(const char *p)
{
	return spec_abs_path_ok(p) && !strpbrk(p, ",:\\\n");
}

static int parse_overlay(json_object *ann, rt_spec *s, err_t **err)
{
	_cleanup_free_ char *lower = NULL;
	if (sj_str(ann, RT_ANN_LOWERDIRS, false, &lower, err) < 0 ||
	    sj_str(ann, RT_ANN_UPPERDIR, false, &s->overlay.upperdir, err) < 0 ||
	    sj_str(ann, RT_ANN_WORKDIR, false, &s->overlay.workdir, err) < 0)
		return -1;
	if (!lower && !s->overlay.upperdir && !s->overlay.workdir)
		return 0;
	if (!lower || !s->overlay.upperdir || !s->overlay.workdir)
		return err_invalid(err, "the overlay rootfs needs %s, %s and %s", RT_ANN_LOWERDIRS,
				   RT_ANN_UPPERDIR, RT_ANN_WORKDIR);
	size_t n = 1;
	for (const char *c = lower; *c; c++)
		n += *c == ':';
	if (n > 500)
		return err_invalid(err, "the overlay rootfs has more than 500 layers");
	s->overlay.lowerdirs = xcalloc(n + 1, sizeof(char *));
	char *save = NULL, *tok = strtok_r(lower, ":", &save);
	for (size_t i = 0; tok; tok = strtok_r(NULL, ":", &save))
		s->overlay.lowerdirs[i++] = xstrdup(tok);
	for (char **p = s->overlay.lowerdirs; *p; p++)
		if (!overlay_path_ok(*p))
			return err_invalid(err, "overlay lower dir %s is not usable", *p);
	if (!s->overlay.lowerdirs[0] || !overlay_path_ok(s->overlay.upperdir) ||
	    !overlay_path_ok(s->overlay.workdir))
		return err_invalid(err, "the overlay rootfs paths are not usable");
	s->has_overlay = true;
	return 0;
}

static int parse_seccomp_ann(json_object *ann, rt_spec *s, err_t **err)
{
	_cleanup_free_ char *mode = NULL;
	if (sj_str(ann, RT_ANN_SECCOMP, false, &mode, err) < 0)
		return -1;
	if (!mode)
		return 0;
	if (s->seccomp_mode == RT_SECCOMP_PROFILE)
		return 0; /* linux.seccomp wins */
	if (strcmp(mode, "default") == 0)
		s->seccomp_mode = RT_SECCOMP_DEFAULT;
	else if (strcmp(mode, "unconfined") != 0)
		return err_invalid(err, "%s must be \"default\" or \"unconfined\"", RT_ANN_SECCOMP);
	return 0;
}

int spec_parse_annotations(json_object *root, rt_spec *s, err_t **err)
{
	bool bad;
	_cleanup_free_ char *init = NULL;
	json_object *ann = sj_object(root, "annotations", &bad, err);
	if (bad)
		return -1;
	if (!ann)
		return 0;
	if (parse_overlay(ann, s, err) < 0 || parse_seccomp_ann(ann, s, err) < 0 ||
	    sj_str(ann, RT_ANN_USER, false, &s->process.user.name, err) < 0 ||
	    sj_str(ann, RT_ANN_GROUP_ADD, false, &s->process.user.group_add, err) < 0 ||
	    sj_str(ann, RT_ANN_INIT, false, &init, err) < 0)
		return -1;
	s->init = init && strcmp(init, "true") == 0;
	if (s->process.user.name && strlen(s->process.user.name) > 512)
		return err_invalid(err, "%s is too long", RT_ANN_USER);
	if (s->process.user.group_add && strlen(s->process.user.group_add) > 65536)
		return err_invalid(err, "%s is too long", RT_ANN_GROUP_ADD);
	return 0;
}
