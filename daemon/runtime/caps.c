/* caps.c: capability names and masks, and the three steps that apply them in
 * the container: bounding drop (+ keep-caps over setuid), effective raise for
 * the seccomp load, final capset + ambient raise just before execve. */
#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

static const char *const cap_names[] = {
	"CAP_CHOWN",            "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID",           "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
	"CAP_SETPCAP",          "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",        "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
	"CAP_SYS_MODULE",       "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",        "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",     "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
	"CAP_LEASE",            "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",     "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",    "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

int cap_from_name(const char *name)
{
	const char *n = name;
	if (strncasecmp(n, "CAP_", 4) == 0)
		n += 4;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcasecmp(cap_names[i] + 4, n) == 0)
			return (int)i;
	return -1;
}

const char *cap_to_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int caps_parse_list(char *const *names, uint64_t *mask, err_t **err)
{
	for (; names && *names; names++) {
		int c = cap_from_name(*names);
		if (c < 0)
			return err_invalid(err, "unknown capability %s", *names);
		*mask |= 1ULL << c;
	}
	return 0;
}

int caps_last_cap(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	_cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	char buf[16] = {0};
	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0)
		cached = atoi(buf);
	if (cached <= 0 || cached > 63)
		cached = CAP_LAST_CAP;
	return cached;
}

static uint64_t kernel_mask(int last_cap)
{
	return last_cap >= 63 ? ~0ULL : (1ULL << (last_cap + 1)) - 1;
}

void caps_clamp_to_kernel(rt_caps *c, int last_cap)
{
	uint64_t m = kernel_mask(last_cap);
	c->bounding &= m;
	c->effective &= m;
	c->permitted &= m;
	c->inheritable &= m;
	c->ambient &= m;
}

uint64_t caps_clamp_to_bounding(rt_caps *c, int last_cap)
{
	uint64_t have = 0;
	for (int i = 0; i <= last_cap; i++)
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
			have |= 1ULL << i;
	uint64_t asked = c->bounding | c->effective | c->permitted | c->inheritable | c->ambient;
	c->bounding &= have;
	c->effective &= have;
	c->permitted &= have;
	c->inheritable &= have;
	c->ambient &= have;
	return asked & ~have;
}

int caps_drop_bounding(const rt_caps *c, int last_cap, err_t **err)
{
	for (int i = 0; i <= last_cap; i++) {
		if (c->bounding & (1ULL << i))
			continue;
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			return err_sys(err, "drop capability %s from the bounding set", cap_to_name(i));
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_sys(err, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

static int capset_masks(uint64_t eff, uint64_t perm, uint64_t inh, err_t **err)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {
		{(uint32_t)eff, (uint32_t)perm, (uint32_t)inh},
		{(uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32)},
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		return err_sys(err, "capset");
	return 0;
}

bool caps_effective_has(int cap)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	if (cap < 0 || cap > 63 || syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

int caps_raise_effective(err_t **err)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return err_sys(err, "capget");
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return err_sys(err, "capset");
	return 0;
}

int caps_apply_final(const rt_caps *c, int last_cap, err_t **err)
{
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_sys(err, "prctl(PR_SET_KEEPCAPS)");
	/* Ambient caps must be in permitted and inheritable; the kernel checks. */
	if (capset_masks(c->effective, c->permitted, c->inheritable | c->ambient, err) < 0)
		return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_sys(err, "clear ambient capabilities");
	for (int i = 0; i <= last_cap; i++) {
		if (!(c->ambient & (1ULL << i)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
			return err_sys(err, "raise ambient capability %s", cap_to_name(i));
	}
	return 0;
}
