/* sysinfo.h: facts about the host that /info and /version report: kernel,
 * OS from /etc/os-release, CPUs, memory, cgroup version, hostname. Read
 * fresh on each call (cheap) so a change of hostname shows at once. */
#ifndef ENGINE_SYSINFO_H
#define ENGINE_SYSINFO_H

#include <stdint.h>

typedef struct sysinfo_facts {
	char kernel[128];       /* uname -r */
	char arch[65];           /* uname -m: x86_64 */
	char hostname[256];
	char os_name[256];       /* PRETTY_NAME */
	char os_version[64];     /* VERSION_ID */
	int ncpu;
	int64_t mem_total;       /* bytes */
	int cgroup_version;      /* 1 or 2 */
} sysinfo_facts;

void sysinfo_read(sysinfo_facts *f);
/* 2 when /sys/fs/cgroup is a cgroup2 mount, else 1 (legacy or hybrid). */
int sysinfo_cgroup_version(void);
/* Go's GOARCH name for uname -m: amd64, arm64, ... */
const char *sysinfo_goarch(const char *machine);

#endif
