/* seccomp_default.c: our copy of Docker's default seccomp profile as C data
 * (moby profiles/seccomp/default.json: deny with EPERM, allow a list of
 * syscalls, and a few rules that depend on the capabilities, the
 * architecture and the kernel). sc_profile_default() turns it into the same
 * sc_profile a JSON profile parses to. */
#include <linux/capability.h>
#include <string.h>

#include "cleanup.h"
#include "seccomp_profile.h"
#include "xalloc.h"

#define CAP(c) (1ULL << (c))
#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Always allowed. */
static const char *const allowed[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat",
	"capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime",
	"clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
	"clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
	"connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
	"epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
	"epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
	"exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
	"fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32",
	"fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock",
	"fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs",
	"fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue",
	"futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu",
	"getcwd", "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32",
	"getgid", "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername",
	"getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
	"getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage",
	"getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
	"getuid", "getuid32", "getxattr", "getxattrat", "inotify_add_watch", "inotify_init",
	"inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy",
	"io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set",
	"io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
	"landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat",
	"listen", "listmount", "listxattr", "listxattrat", "llistxattr", "_llseek",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
	"map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
	"mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
	"mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap",
	"mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall",
	"munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
	"openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2",
	"pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl",
	"pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
	"pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
	"remap_file_pages", "removexattr", "removexattrat", "rename", "renameat", "renameat2",
	"restart_syscall", "riscv_hwprobe", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
	"rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
	"rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity",
	"sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
	"sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
	"sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
	"sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto",
	"setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
	"setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
	"setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
	"setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area",
	"set_tid_address", "setuid", "setuid32", "setxattr", "setxattrat", "shmat", "shmctl",
	"shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask",
	"sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs",
	"statfs64", "statmount", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
	"syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
	"timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
	"timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
	"ugetrlimit", "umask", "uname", "unlink", "unlinkat", "uretprobe", "utime",
	"utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
	"waitpid", "write", "writev",
	NULL,
};

typedef struct default_rule {
	const char *const *names;
	sc_action action;
	uint32_t errno_ret;
	sc_arg arg; /* at most one condition per rule in this profile */
	bool has_arg;
	uint64_t inc_caps, exc_caps;
	const char *const *inc_arches;
	const char *const *exc_arches;
	int min_major, min_minor;
} default_rule;

/* CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP: clone may not
 * create namespaces without CAP_SYS_ADMIN. */
#define CLONE_NS_MASK 2114060288ULL
#define ARG(i, op_, v) .arg = {.index = (i), .value = (v), .op = (op_)}, .has_arg = true

static const default_rule rules[] = {
	{NAMES("process_vm_readv", "process_vm_writev", "ptrace"), SC_ACT_ALLOW, .min_major = 4,
	 .min_minor = 8},
	/* socket: every family but AF_VSOCK (40). */
	{NAMES("socket"), SC_ACT_ALLOW, ARG(0, SC_OP_LT, 38)},
	{NAMES("socket"), SC_ACT_ALLOW, ARG(0, SC_OP_EQ, 39)},
	{NAMES("socket"), SC_ACT_ALLOW, ARG(0, SC_OP_GT, 40)},
	/* personality: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query. */
	{NAMES("personality"), SC_ACT_ALLOW, ARG(0, SC_OP_EQ, 0)},
	{NAMES("personality"), SC_ACT_ALLOW, ARG(0, SC_OP_EQ, 8)},
	{NAMES("personality"), SC_ACT_ALLOW, ARG(0, SC_OP_EQ, 131072)},
	{NAMES("personality"), SC_ACT_ALLOW, ARG(0, SC_OP_EQ, 131080)},
	{NAMES("personality"), SC_ACT_ALLOW, ARG(0, SC_OP_EQ, 4294967295ULL)},
	{NAMES("sync_file_range2", "swapcontext"), SC_ACT_ALLOW, .inc_arches = NAMES("ppc64le")},
	{NAMES("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
	       "cacheflush", "set_tls"),
	 SC_ACT_ALLOW, .inc_arches = NAMES("arm", "arm64")},
	{NAMES("arch_prctl"), SC_ACT_ALLOW, .inc_arches = NAMES("amd64", "x32")},
	{NAMES("modify_ldt"), SC_ACT_ALLOW, .inc_arches = NAMES("amd64", "x32", "x86")},
	{NAMES("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"), SC_ACT_ALLOW,
	 .inc_arches = NAMES("s390", "s390x")},
	{NAMES("riscv_flush_icache"), SC_ACT_ALLOW, .inc_arches = NAMES("riscv64")},
	{NAMES("open_by_handle_at"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_DAC_READ_SEARCH)},
	{NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
	       "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr",
	       "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl",
	       "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
	       "umount2", "unshare"),
	 SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYS_ADMIN)},
	{NAMES("clone"), SC_ACT_ALLOW, ARG(0, SC_OP_MASKED_EQ, CLONE_NS_MASK),
	 .exc_caps = CAP(CAP_SYS_ADMIN), .exc_arches = NAMES("s390", "s390x")},
	{NAMES("clone"), SC_ACT_ALLOW, ARG(1, SC_OP_MASKED_EQ, CLONE_NS_MASK),
	 .exc_caps = CAP(CAP_SYS_ADMIN), .inc_arches = NAMES("s390", "s390x")},
	/* clone3 cannot be filtered on its flags: make libc fall back to clone. */
	{NAMES("clone3"), SC_ACT_ERRNO, 38 /* ENOSYS */, .exc_caps = CAP(CAP_SYS_ADMIN)},
	{NAMES("reboot"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYS_BOOT)},
	{NAMES("chroot"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYS_CHROOT)},
	{NAMES("delete_module", "init_module", "finit_module"), SC_ACT_ALLOW,
	 .inc_caps = CAP(CAP_SYS_MODULE)},
	{NAMES("acct"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYS_PACCT)},
	{NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev",
	       "ptrace"),
	 SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYS_PTRACE)},
	{NAMES("iopl", "ioperm"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYS_RAWIO)},
	{NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"), SC_ACT_ALLOW,
	 .inc_caps = CAP(CAP_SYS_TIME)},
	{NAMES("vhangup"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYS_TTY_CONFIG)},
	{NAMES("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"), SC_ACT_ALLOW,
	 .inc_caps = CAP(CAP_SYS_NICE)},
	{NAMES("syslog"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_SYSLOG)},
	{NAMES("bpf"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_BPF)},
	{NAMES("perf_event_open"), SC_ACT_ALLOW, .inc_caps = CAP(CAP_PERFMON)},
};

/* archMap: the native arch and the compat arches a container may also use. */
static const struct {
	const char *arch;
	const char *const *subs;
} arch_map[] = {
	{"SCMP_ARCH_X86_64", NAMES("SCMP_ARCH_X86", "SCMP_ARCH_X32")},
	{"SCMP_ARCH_AARCH64", NAMES("SCMP_ARCH_ARM")},
	{"SCMP_ARCH_S390X", NAMES("SCMP_ARCH_S390")},
	{"SCMP_ARCH_RISCV64", NAMES(NULL)},
};

static char **strv_copy(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	if (!v)
		return NULL;
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static char **native_arches(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_map); i++) {
		if (strcmp(arch_map[i].arch, sc_native_scmp_arch()) != 0)
			continue;
		size_t n = 0;
		while (arch_map[i].subs[n])
			n++;
		char **v = xcalloc(n + 2, sizeof(char *));
		v[0] = xstrdup(arch_map[i].arch);
		for (size_t j = 0; j < n; j++)
			v[j + 1] = xstrdup(arch_map[i].subs[j]);
		return v;
	}
	return NULL;
}

static void copy_rule(const default_rule *d, sc_rule *r)
{
	r->names = strv_copy(d->names);
	r->action = d->action;
	r->errno_ret = d->errno_ret ? d->errno_ret : 1;
	r->has_errno = d->errno_ret != 0;
	if (d->has_arg) {
		r->args[0] = d->arg;
		r->n_args = 1;
	}
	r->includes.caps = d->inc_caps;
	r->includes.arches = strv_copy(d->inc_arches);
	r->includes.min_kernel_major = d->min_major;
	r->includes.min_kernel_minor = d->min_minor;
	r->excludes.caps = d->exc_caps;
	r->excludes.arches = strv_copy(d->exc_arches);
}

sc_profile *sc_profile_default(void)
{
	sc_profile *p = xcalloc(1, sizeof(*p));
	p->default_action = SC_ACT_ERRNO;
	p->default_errno = 1; /* EPERM */
	p->has_default_errno = true;
	p->arches = native_arches();
	p->n_rules = 1 + ARRAY_SIZE(rules);
	p->rules = xcalloc(p->n_rules, sizeof(sc_rule));
	p->rules[0].names = strv_copy(allowed);
	p->rules[0].action = SC_ACT_ALLOW;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		copy_rule(&rules[i], &p->rules[i + 1]);
	return p;
}
