/* bundle_resources.c: cgroup limits (memory, swap, CPU quota and shares,
 * cpuset, pids) and rlimits (--ulimit), checked with Docker's messages and
 * turned into the OCI linux.resources and process.rlimits sections. */
#include <string.h>
#include <unistd.h>

#include "bundle_internal.h"
#include "jsonutil.h"

#define MIN_MEMORY (6 * 1024 * 1024)
#define CPU_PERIOD 100000

static const struct {
	const char *name, *oci;
} ulimit_names[] = {
	{"core", "RLIMIT_CORE"},       {"cpu", "RLIMIT_CPU"},         {"data", "RLIMIT_DATA"},
	{"fsize", "RLIMIT_FSIZE"},     {"locks", "RLIMIT_LOCKS"},     {"memlock", "RLIMIT_MEMLOCK"},
	{"msgqueue", "RLIMIT_MSGQUEUE"}, {"nice", "RLIMIT_NICE"},     {"nofile", "RLIMIT_NOFILE"},
	{"nproc", "RLIMIT_NPROC"},     {"rss", "RLIMIT_RSS"},         {"rtprio", "RLIMIT_RTPRIO"},
	{"rttime", "RLIMIT_RTTIME"},   {"sigpending", "RLIMIT_SIGPENDING"}, {"stack", "RLIMIT_STACK"},
	{"as", "RLIMIT_AS"},
};

static const char *ulimit_oci(const char *name)
{
	for (size_t i = 0; i < sizeof(ulimit_names) / sizeof(ulimit_names[0]); i++)
		if (!strcmp(ulimit_names[i].name, name))
			return ulimit_names[i].oci;
	return NULL;
}

static int check_ulimits(json_object *ul, err_t **err)
{
	for (size_t i = 0; ul && i < json_object_array_length(ul); i++) {
		json_object *u = json_object_array_get_idx(ul, i);
		const char *name = jget_str(u, "Name");
		if (!json_object_is_type(u, json_type_object) || !name)
			return err_invalid(err, "invalid JSON: HostConfig.Ulimits entries need a Name");
		if (!ulimit_oci(name))
			return err_invalid(err, "invalid ulimit type: %s", name);
		int64_t soft = jget_int(u, "Soft", 0), hard = jget_int(u, "Hard", 0);
		if (soft > hard)
			return err_invalid(err, "ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
					   (long long)soft, (long long)hard);
	}
	return 0;
}

int bundle_check_resources(json_object *hc, err_t **err)
{
	int64_t mem = jget_int(hc, "Memory", 0), swap = jget_int(hc, "MemorySwap", 0);
	if (mem < 0 || (mem > 0 && mem < MIN_MEMORY))
		return err_invalid(err, "Minimum memory limit allowed is 6MB");
	if (mem > 0 && swap > 0 && swap < mem)
		return err_invalid(err, "Minimum memoryswap limit should be larger than memory limit, see usage");
	if (mem == 0 && swap > 0)
		return err_invalid(err, "You should always set the Memory limit when using Memoryswap limit, see usage");
	int64_t nano = jget_int(hc, "NanoCpus", 0);
	if (nano && (jget_int(hc, "CpuQuota", 0) || jget_int(hc, "CpuPeriod", 0)))
		return err_invalid(err, "Conflicting options: Nano CPUs and CPU Period cannot both be set");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (nano < 0 || (nano > 0 && (nano < 10000000 || nano > ncpu * 1000000000LL)))
		return err_invalid(err, "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available",
				   ncpu, ncpu);
	if (jget_int(hc, "CpuShares", 0) < 0)
		return err_invalid(err, "invalid CPU shares: must not be negative");
	int64_t period = jget_int(hc, "CpuPeriod", 0), quota = jget_int(hc, "CpuQuota", 0);
	if (period && (period < 1000 || period > 1000000))
		return err_invalid(err, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
	if (quota > 0 && quota < 1000)
		return err_invalid(err, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	json_object *ul = jget(hc, "Ulimits");
	if (ul && !json_object_is_type(ul, json_type_null) && !json_object_is_type(ul, json_type_array))
		return err_invalid(err, "invalid JSON: HostConfig.Ulimits must be an array");
	return check_ulimits(jget_arr(hc, "Ulimits"), err);
}

json_object *bundle_resources(json_object *hc, bool privileged)
{
	json_object *r = json_object_new_object();
	jset(r, "devices", bundle_devices(privileged));
	int64_t mem = jget_int(hc, "Memory", 0), swap = jget_int(hc, "MemorySwap", 0);
	if (mem > 0) {
		json_object *m = json_object_new_object();
		jset_int(m, "limit", mem);
		/* Docker: no --memory-swap means twice the memory; -1 is unlimited. */
		jset_int(m, "swap", swap == 0 ? 2 * mem : swap);
		if (jget_int(hc, "MemoryReservation", 0) > 0)
			jset_int(m, "reservation", jget_int(hc, "MemoryReservation", 0));
		jset(r, "memory", m);
	}
	json_object *cpu = json_object_new_object();
	int64_t nano = jget_int(hc, "NanoCpus", 0);
	if (jget_int(hc, "CpuShares", 0) > 0)
		jset_int(cpu, "shares", jget_int(hc, "CpuShares", 0));
	if (nano > 0) {
		jset_int(cpu, "quota", nano * CPU_PERIOD / 1000000000LL);
		jset_int(cpu, "period", CPU_PERIOD);
	} else {
		if (jget_int(hc, "CpuQuota", 0))
			jset_int(cpu, "quota", jget_int(hc, "CpuQuota", 0));
		if (jget_int(hc, "CpuPeriod", 0))
			jset_int(cpu, "period", jget_int(hc, "CpuPeriod", 0));
	}
	const char *cpus = jget_str(hc, "CpusetCpus"), *mems = jget_str(hc, "CpusetMems");
	if (cpus && *cpus)
		jset_str(cpu, "cpus", cpus);
	if (mems && *mems)
		jset_str(cpu, "mems", mems);
	if (json_object_object_length(cpu))
		jset(r, "cpu", cpu);
	else
		json_object_put(cpu);
	int64_t pids = jget_int(hc, "PidsLimit", 0);
	if (pids > 0) {
		json_object *p = json_object_new_object();
		jset_int(p, "limit", pids);
		jset(r, "pids", p);
	}
	return r;
}

static json_object *rlimit(const char *type, int64_t soft, int64_t hard)
{
	json_object *r = json_object_new_object();
	jset_str(r, "type", type);
	jset_int(r, "hard", hard);
	jset_int(r, "soft", soft);
	return r;
}

/* Docker's default open-file limit, then --ulimit values over it (the
 * runtime clamps to what the host allows and says so). */
json_object *bundle_rlimits(json_object *hc, err_t **err)
{
	(void)err;
	json_object *a = json_object_new_array();
	json_object *ul = jget_arr(hc, "Ulimits");
	bool nofile = false;
	for (size_t i = 0; ul && i < json_object_array_length(ul); i++) {
		json_object *u = json_object_array_get_idx(ul, i);
		const char *oci = ulimit_oci(jget_str(u, "Name"));
		nofile |= !strcmp(oci, "RLIMIT_NOFILE");
		json_object_array_add(a, rlimit(oci, jget_int(u, "Soft", 0), jget_int(u, "Hard", 0)));
	}
	if (!nofile)
		json_object_array_add(a, rlimit("RLIMIT_NOFILE", 1048576, 1048576));
	return a;
}
