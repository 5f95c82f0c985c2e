/* rlimits.c: resource limits. Docker asks for 1048576 open files; hosts
 * without CAP_SYS_RESOURCE (or with a lower hard limit) cannot grant that, so
 * we clamp to the host's hard limit and warn instead of failing the start. */
#include "rlimits.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cleanup.h"
#include "xalloc.h"

static const struct {
	const char *name;
	int resource;
} names[] = {
	{"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
	{"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
	{"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	{"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

int rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].resource;
	return -1;
}

const char *rlimit_to_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].resource == resource)
			return names[i].name;
	return "RLIMIT_?";
}

/* RLIM_INFINITY is ~0; JSON carries it as 18446744073709551615. */
static rlim_t to_rlim(uint64_t v)
{
	return v == UINT64_MAX ? RLIM_INFINITY : (rlim_t)v;
}

void rlimits_clamp(rt_rlimit *l, size_t n, bool can_raise, rt_warn_fn warn, void *ctx)
{
	for (size_t i = 0; i < n && !can_raise; i++) {
		struct rlimit cur;
		if (getrlimit(l[i].resource, &cur) < 0 || cur.rlim_max == RLIM_INFINITY)
			continue;
		if (to_rlim(l[i].hard) <= cur.rlim_max)
			continue;
		if (warn) {
			_cleanup_free_ char *m = xasprintf(
				"%s hard limit %llu is above the host's %llu; using %llu",
				rlimit_to_name(l[i].resource), (unsigned long long)l[i].hard,
				(unsigned long long)cur.rlim_max, (unsigned long long)cur.rlim_max);
			warn(ctx, m);
		}
		l[i].hard = cur.rlim_max;
		if (to_rlim(l[i].soft) > cur.rlim_max)
			l[i].soft = cur.rlim_max;
	}
}

int rlimits_apply(const rt_rlimit *l, size_t n, err_t **err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit r = {to_rlim(l[i].soft), to_rlim(l[i].hard)};
		if (setrlimit(l[i].resource, &r) < 0)
			return err_sys(err, "setrlimit %s", rlimit_to_name(l[i].resource));
	}
	return 0;
}
