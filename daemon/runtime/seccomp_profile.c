/* seccomp_profile.c: reading seccomp profiles from JSON (OCI linux.seccomp
 * and Docker's profile files), deciding which conditional rules apply, and
 * writing a resolved profile back out in the OCI form. */
#include "seccomp_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "caps.h"
#include "cleanup.h"
#include "spec_json.h"
#include "xalloc.h"

#define SC_UNKNOWN_CAP (1ULL << 63) /* an include no bounding set can satisfy */

static const char *const action_names[] = {
	[SC_ACT_KILL_THREAD] = "SCMP_ACT_KILL", [SC_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[SC_ACT_TRAP] = "SCMP_ACT_TRAP",        [SC_ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[SC_ACT_TRACE] = "SCMP_ACT_TRACE",      [SC_ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[SC_ACT_LOG] = "SCMP_ACT_LOG",
};

static const char *const op_names[] = {
	[SC_OP_NE] = "SCMP_CMP_NE", [SC_OP_LT] = "SCMP_CMP_LT", [SC_OP_LE] = "SCMP_CMP_LE",
	[SC_OP_EQ] = "SCMP_CMP_EQ", [SC_OP_GE] = "SCMP_CMP_GE", [SC_OP_GT] = "SCMP_CMP_GT",
	[SC_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *sc_action_name(sc_action a)
{
	return (unsigned)a < ARRAY_SIZE(action_names) ? action_names[a] : "?";
}

const char *sc_op_name(sc_op op)
{
	return (unsigned)op < ARRAY_SIZE(op_names) && op_names[op] ? op_names[op] : "?";
}

const char *sc_native_goarch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return "x32";
#elif defined(__x86_64__)
	return "amd64";
#elif defined(__i386__)
	return "x86";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

const char *sc_native_scmp_arch(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	return "SCMP_ARCH_X86_64";
#elif defined(__i386__)
	return "SCMP_ARCH_X86";
#elif defined(__aarch64__)
	return "SCMP_ARCH_AARCH64";
#elif defined(__arm__)
	return "SCMP_ARCH_ARM";
#elif defined(__s390x__)
	return "SCMP_ARCH_S390X";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "SCMP_ARCH_PPC64LE";
#elif defined(__riscv) && __riscv_xlen == 64
	return "SCMP_ARCH_RISCV64";
#else
	return "SCMP_ARCH_NATIVE";
#endif
}

static int parse_action(json_object *o, const char *key, sc_action *out, err_t **err)
{
	_cleanup_free_ char *s = NULL;
	if (sj_str(o, key, true, &s, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++) {
		if (strcmp(action_names[i], s) == 0) {
			*out = (sc_action)i;
			return 0;
		}
	}
	if (strcmp(s, "SCMP_ACT_KILL_THREAD") == 0) {
		*out = SC_ACT_KILL_THREAD;
		return 0;
	}
	return err_invalid(err, "seccomp: unsupported action %s", s);
}

static int parse_op(const char *s, sc_op *out, err_t **err)
{
	for (size_t i = 1; i < ARRAY_SIZE(op_names); i++) {
		if (op_names[i] && strcmp(op_names[i], s) == 0) {
			*out = (sc_op)i;
			return 0;
		}
	}
	return err_invalid(err, "seccomp: unknown operator %s", s);
}

static int parse_arg(json_object *a, sc_arg *out, err_t **err)
{
	_cleanup_free_ char *op = NULL;
	if (!json_object_is_type(a, json_type_object))
		return err_invalid(err, "seccomp: args entries must be objects");
	if (sj_u32(a, "index", &out->index, err) < 0 || sj_u64(a, "value", &out->value, err) < 0 ||
	    sj_u64(a, "valueTwo", &out->value_two, err) < 0 || sj_str(a, "op", true, &op, err) < 0)
		return -1;
	if (out->index >= SC_MAX_ARGS)
		return err_invalid(err, "seccomp: argument index %u out of range", out->index);
	return parse_op(op, &out->op, err);
}

static int parse_args(json_object *r, sc_rule *rule, err_t **err)
{
	bool bad;
	json_object *args = sj_array(r, "args", &bad, err);
	if (bad)
		return -1;
	size_t n = args ? json_object_array_length(args) : 0;
	if (n > SC_MAX_ARGS)
		return err_invalid(err, "seccomp: more than %d args in one rule", SC_MAX_ARGS);
	for (size_t i = 0; i < n; i++)
		if (parse_arg(json_object_array_get_idx(args, i), &rule->args[i], err) < 0)
			return -1;
	rule->n_args = (unsigned)n;
	return 0;
}

static int parse_kernel(const char *s, sc_cond *c, err_t **err)
{
	char *end;
	long maj = strtol(s, &end, 10);
	if (end == s || *end != '.' || maj < 0 || maj > 1000)
		return err_invalid(err, "seccomp: invalid minKernel %s", s);
	const char *m = end + 1;
	long min = strtol(m, &end, 10);
	if (end == m || (*end && *end != '.') || min < 0 || min > 1000)
		return err_invalid(err, "seccomp: invalid minKernel %s", s);
	c->min_kernel_major = (int)maj;
	c->min_kernel_minor = (int)min;
	return 0;
}

static int parse_cond(json_object *r, const char *key, bool include, sc_cond *c, err_t **err)
{
	bool bad;
	json_object *o = sj_object(r, key, &bad, err);
	if (bad)
		return -1;
	if (!o)
		return 0;
	_cleanup_strv_ char **caps = NULL;
	_cleanup_free_ char *kernel = NULL;
	if (sj_strv(o, "caps", &caps, err) < 0 || sj_strv(o, "arches", &c->arches, err) < 0 ||
	    sj_str(o, "minKernel", false, &kernel, err) < 0)
		return -1;
	for (char **p = caps; p && *p; p++) {
		int cap = cap_from_name(*p);
		if (cap >= 0)
			c->caps |= 1ULL << cap;
		else if (include)
			c->caps |= SC_UNKNOWN_CAP;
	}
	if (kernel && include)
		return parse_kernel(kernel, c, err);
	return 0;
}

static int parse_rule(json_object *r, sc_rule *rule, err_t **err)
{
	if (!json_object_is_type(r, json_type_object))
		return err_invalid(err, "seccomp: syscalls entries must be objects");
	if (sj_strv(r, "names", &rule->names, err) < 0)
		return -1;
	if (!rule->names) { /* Docker's old form: "name": "x" */
		_cleanup_free_ char *name = NULL;
		if (sj_str(r, "name", true, &name, err) < 0)
			return err_wrap(err, "seccomp: a rule needs names");
		rule->names = xcalloc(2, sizeof(char *));
		rule->names[0] = steal_ptr(&name);
	}
	if (parse_action(r, "action", &rule->action, err) < 0)
		return -1;
	rule->has_errno = jget(r, "errnoRet") != NULL;
	rule->errno_ret = 1; /* EPERM, as runc: defaultErrnoRet is for the default only */
	if (sj_u32(r, "errnoRet", &rule->errno_ret, err) < 0 || parse_args(r, rule, err) < 0)
		return -1;
	if (parse_cond(r, "includes", true, &rule->includes, err) < 0)
		return -1;
	return parse_cond(r, "excludes", false, &rule->excludes, err);
}

/* archMap: the entry for our native arch gives it and its compat arches. */
static int parse_arch_map(json_object *map, sc_profile *p, err_t **err)
{
	for (size_t i = 0; i < json_object_array_length(map); i++) {
		json_object *e = json_object_array_get_idx(map, i);
		_cleanup_free_ char *arch = NULL;
		_cleanup_strv_ char **subs = NULL;
		if (sj_str(e, "architecture", true, &arch, err) < 0 ||
		    sj_strv(e, "subArchitectures", &subs, err) < 0)
			return -1;
		if (strcmp(arch, sc_native_scmp_arch()) != 0)
			continue;
		size_t n = 0;
		while (subs && subs[n])
			n++;
		p->arches = xcalloc(n + 2, sizeof(char *));
		p->arches[0] = steal_ptr(&arch);
		for (size_t j = 0; j < n; j++)
			p->arches[j + 1] = steal_ptr(&subs[j]);
		return 0;
	}
	return 0;
}

static int parse_head(json_object *o, sc_profile *p, err_t **err)
{
	bool bad;
	if (parse_action(o, "defaultAction", &p->default_action, err) < 0)
		return -1;
	p->has_default_errno = jget(o, "defaultErrnoRet") != NULL;
	p->default_errno = 1;
	if (sj_u32(o, "defaultErrnoRet", &p->default_errno, err) < 0)
		return -1;
	json_object *map = sj_array(o, "archMap", &bad, err);
	if (bad)
		return -1;
	if (map && jget(o, "architectures"))
		return err_invalid(err, "seccomp: use either architectures or archMap, not both");
	if (map)
		return parse_arch_map(map, p, err);
	return sj_strv(o, "architectures", &p->arches, err);
}

sc_profile *sc_profile_parse(json_object *o, err_t **err)
{
	bool bad;
	if (!o || !json_object_is_type(o, json_type_object)) {
		err_invalid(err, "seccomp profile must be a JSON object");
		return NULL;
	}
	sc_profile *p = xcalloc(1, sizeof(*p));
	if (parse_head(o, p, err) < 0)
		goto fail;
	json_object *calls = sj_array(o, "syscalls", &bad, err);
	if (bad)
		goto fail;
	p->n_rules = calls ? json_object_array_length(calls) : 0;
	p->rules = xcalloc(p->n_rules + 1, sizeof(sc_rule));
	for (size_t i = 0; i < p->n_rules; i++)
		if (parse_rule(json_object_array_get_idx(calls, i), &p->rules[i], err) < 0)
			goto fail;
	return p;
fail:
	sc_profile_free(p);
	return NULL;
}

sc_profile *sc_profile_parse_text(const char *text, size_t len, err_t **err)
{
	_cleanup_json_ json_object *o = json_parse_strict(text, len, err);
	if (!o)
		return NULL;
	return sc_profile_parse(o, err);
}

static void cond_free(sc_cond *c)
{
	strv_free(c->arches);
}

void sc_profile_free(sc_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++) {
		strv_free(p->rules[i].names);
		cond_free(&p->rules[i].includes);
		cond_free(&p->rules[i].excludes);
	}
	free(p->rules);
	strv_free(p->arches);
	free(p);
}

static bool in_strv(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

bool sc_rule_applies(const sc_rule *r, const char *goarch, int kmajor, int kminor, uint64_t bounding)
{
	const sc_cond *in = &r->includes, *ex = &r->excludes;
	if ((in->caps & bounding) != in->caps)
		return false;
	if (in->arches && !in_strv(in->arches, goarch))
		return false;
	if (in->min_kernel_major &&
	    (kmajor < in->min_kernel_major ||
	     (kmajor == in->min_kernel_major && kminor < in->min_kernel_minor)))
		return false;
	if (ex->caps & bounding)
		return false;
	return !(ex->arches && in_strv(ex->arches, goarch));
}

static json_object *rule_to_json(const sc_rule *r)
{
	json_object *o = json_object_new_object();
	jset(o, "names", jstrv(r->names));
	jset_str(o, "action", sc_action_name(r->action));
	if (r->has_errno)
		jset_int(o, "errnoRet", r->errno_ret);
	if (r->n_args) {
		json_object *args = json_object_new_array();
		for (unsigned i = 0; i < r->n_args; i++) {
			json_object *a = json_object_new_object();
			jset_int(a, "index", r->args[i].index);
			jset(a, "value", json_object_new_uint64(r->args[i].value));
			jset(a, "valueTwo", json_object_new_uint64(r->args[i].value_two));
			jset_str(a, "op", sc_op_name(r->args[i].op));
			json_object_array_add(args, a);
		}
		jset(o, "args", args);
	}
	return o;
}

json_object *sc_profile_to_oci_json(const sc_profile *p, uint64_t bounding)
{
	struct utsname u;
	int maj = 0, min = 0;
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &maj, &min);
	json_object *o = json_object_new_object();
	jset_str(o, "defaultAction", sc_action_name(p->default_action));
	if (p->has_default_errno)
		jset_int(o, "defaultErrnoRet", p->default_errno);
	if (p->arches)
		jset(o, "architectures", jstrv(p->arches));
	json_object *calls = json_object_new_array();
	for (size_t i = 0; i < p->n_rules; i++)
		if (sc_rule_applies(&p->rules[i], sc_native_goarch(), maj, min, bounding))
			json_object_array_add(calls, rule_to_json(&p->rules[i]));
	jset(o, "syscalls", calls);
	return o;
}
