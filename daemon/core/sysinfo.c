/* sysinfo.c: see sysinfo.h. */
#include "sysinfo.h"

#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

int sysinfo_cgroup_version(void)
{
	struct statfs st;
	if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
		return 2;
	return 1;
}

const char *sysinfo_goarch(const char *m)
{
	static const struct {
		const char *uname, *go;
	} map[] = {
		{"x86_64", "amd64"}, {"aarch64", "arm64"}, {"armv7l", "arm"},  {"i686", "386"},
		{"i386", "386"},     {"ppc64le", "ppc64le"}, {"s390x", "s390x"}, {"riscv64", "riscv64"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(m, map[i].uname))
			return map[i].go;
	return m;
}

/* Copies the value of KEY= from os-release, without quotes. */
static void os_release_value(const char *key, char *out, size_t n)
{
	FILE *f = fopen("/etc/os-release", "re");
	if (!f)
		f = fopen("/usr/lib/os-release", "re");
	out[0] = '\0';
	if (!f)
		return;
	char line[512];
	size_t kl = strlen(key);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) != 0 || line[kl] != '=')
			continue;
		char *v = line + kl + 1;
		v[strcspn(v, "\n")] = '\0';
		size_t vl = strlen(v);
		if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
			v[vl - 1] = '\0';
			v++;
		}
		snprintf(out, n, "%s", v);
		break;
	}
	fclose(f);
}

/* Kernel, OS, CPUs, memory and cgroup mode do not change while we run: they
 * are read once. The hostname can change and is read on every call. */
static void read_static(sysinfo_facts *f)
{
	memset(f, 0, sizeof(*f));
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(f->kernel, sizeof(f->kernel), "%s", u.release);
		snprintf(f->arch, sizeof(f->arch), "%s", u.machine);
	}
	os_release_value("PRETTY_NAME", f->os_name, sizeof(f->os_name));
	if (!f->os_name[0])
		snprintf(f->os_name, sizeof(f->os_name), "Linux");
	os_release_value("VERSION_ID", f->os_version, sizeof(f->os_version));
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	f->ncpu = n > 0 ? (int)n : 1;
	struct sysinfo si;
	if (sysinfo(&si) == 0)
		f->mem_total = (int64_t)si.totalram * si.mem_unit;
	f->cgroup_version = sysinfo_cgroup_version();
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sysinfo_facts cached;

static void init_cached(void)
{
	read_static(&cached);
}

void sysinfo_read(sysinfo_facts *f)
{
	pthread_once(&once, init_cached);
	*f = cached;
	if (gethostname(f->hostname, sizeof(f->hostname) - 1) < 0)
		snprintf(f->hostname, sizeof(f->hostname), "localhost");
}
