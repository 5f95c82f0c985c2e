/* seccomp.c: profile -> libseccomp filter -> BPF. libseccomp does the
 * syscall-name and multi-arch work; we export its BPF program and install it
 * ourselves so the load is one syscall in the child and libseccomp's habit of
 * forcing no_new_privs does not apply. */
#include "seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

static void cleanup_scmpp(scmp_filter_ctx *c)
{
	if (*c)
		seccomp_release(*c);
}

static uint32_t scmp_action(sc_action a, uint32_t errno_ret)
{
	switch (a) {
	case SC_ACT_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
	case SC_ACT_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
	case SC_ACT_TRAP: return SCMP_ACT_TRAP;
	case SC_ACT_ERRNO: return SCMP_ACT_ERRNO(errno_ret & 0xffff);
	case SC_ACT_TRACE: return SCMP_ACT_TRACE(errno_ret & 0xffff);
	case SC_ACT_LOG: return SCMP_ACT_LOG;
	case SC_ACT_ALLOW: break;
	}
	return SCMP_ACT_ALLOW;
}

static int add_arches(scmp_filter_ctx ctx, char *const *arches, err_t **err)
{
	for (; arches && *arches; arches++) {
		const char *name = *arches;
		if (strncmp(name, "SCMP_ARCH_", 10) != 0)
			return err_invalid(err, "seccomp: invalid architecture %s", name);
		_cleanup_free_ char *lower = xstrdup(name + 10);
		for (char *c = lower; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		uint32_t a = seccomp_arch_resolve_name(lower);
		if (!a)
			return err_invalid(err, "seccomp: unknown architecture %s", name);
		int r = seccomp_arch_add(ctx, a);
		if (r < 0 && r != -EEXIST)
			return err_set(err, ERR_SYSTEM, -r, "seccomp: add architecture %s", name);
	}
	return 0;
}

static struct scmp_arg_cmp to_cmp(const sc_arg *a)
{
	return (struct scmp_arg_cmp){
		.arg = a->index, .op = (enum scmp_compare)a->op, .datum_a = a->value, .datum_b = a->value_two};
}

/* Two conditions on the same argument cannot be ANDed by libseccomp; like
 * runc we then add one rule per condition (an OR). */
static bool args_share_index(const sc_rule *r)
{
	for (unsigned i = 0; i < r->n_args; i++)
		for (unsigned j = i + 1; j < r->n_args; j++)
			if (r->args[i].index == r->args[j].index)
				return true;
	return false;
}

static int add_one(scmp_filter_ctx ctx, uint32_t act, int nr, const sc_rule *r, const char *name,
		   err_t **err)
{
	struct scmp_arg_cmp cmp[SC_MAX_ARGS];
	int rc = 0;
	if (args_share_index(r)) {
		for (unsigned i = 0; i < r->n_args && rc == 0; i++) {
			cmp[0] = to_cmp(&r->args[i]);
			rc = seccomp_rule_add_array(ctx, act, nr, 1, cmp);
		}
	} else {
		for (unsigned i = 0; i < r->n_args; i++)
			cmp[i] = to_cmp(&r->args[i]);
		rc = seccomp_rule_add_array(ctx, act, nr, r->n_args, cmp);
	}
	if (rc < 0)
		return err_set(err, ERR_INVALID, -rc, "seccomp: add rule for %s", name);
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def, const sc_rule *r, err_t **err)
{
	uint32_t act = scmp_action(r->action, r->errno_ret);
	if (act == def)
		return 0; /* libseccomp refuses rules that repeat the default */
	for (char **n = r->names; n && *n; n++) {
		int nr = seccomp_syscall_resolve_name(*n);
		if (nr == __NR_SCMP_ERROR)
			continue; /* newer than our libseccomp: stays denied, as with runc */
		if (add_one(ctx, act, nr, r, *n, err) < 0)
			return -1;
	}
	return 0;
}

static int export_bpf(scmp_filter_ctx ctx, sc_filter *out, err_t **err)
{
	_cleanup_close_ int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return err_sys(err, "memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return err_set(err, ERR_SYSTEM, -r, "seccomp: export the filter");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_sys(err, "fstat");
	size_t n = (size_t)st.st_size;
	if (n == 0 || n % sizeof(struct sock_filter) || n / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return err_set(err, ERR_INVALID, 0, "seccomp: the filter has %zu bytes", n);
	void *buf = xmalloc(n);
	if (pread(fd, buf, n, 0) != (ssize_t)n) {
		free(buf);
		return err_sys(err, "seccomp: read the filter back");
	}
	out->insns = buf;
	out->len = (unsigned short)(n / sizeof(struct sock_filter));
	return 0;
}

static void kernel_version(int *maj, int *min)
{
	struct utsname u;
	*maj = *min = 0;
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", maj, min);
}

int seccomp_build(const sc_profile *p, uint64_t bounding, sc_filter *out, err_t **err)
{
	uint32_t def = scmp_action(p->default_action, p->default_errno);
	_cleanup_(cleanup_scmpp) scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return err_set(err, ERR_INVALID, 0, "seccomp: invalid default action");
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (add_arches(ctx, p->arches, err) < 0)
		return -1;
	int maj, min;
	kernel_version(&maj, &min);
	for (size_t i = 0; i < p->n_rules; i++) {
		const sc_rule *r = &p->rules[i];
		if (!sc_rule_applies(r, sc_native_goarch(), maj, min, bounding))
			continue;
		if (add_rule(ctx, def, r, err) < 0)
			return -1;
	}
	return export_bpf(ctx, out, err);
}

int seccomp_install(const sc_filter *f, err_t **err)
{
	struct sock_fprog prog = {.len = f->len, .filter = f->insns};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return err_sys(err, "seccomp: install the filter");
	return 0;
}

void sc_filter_done(sc_filter *f)
{
	free(f->insns);
	f->insns = NULL;
	f->len = 0;
}
