/* api/schema.c: the normaliser (see schema.h) and the two big schemas of the
 * container API at 1.44: Config (ContainerConfig) and HostConfig. Field order
 * is the order of Docker's Go structs, which is what `docker inspect` shows. */
#include "schema.h"

#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "xalloc.h"

static const schema_field log_config[] = {
	{"Type", S_STR, NULL},
	{"Config", S_MAP_STR_EMPTY, NULL},
	{NULL, 0, NULL},
};

static const schema_field restart_policy[] = {
	{"Name", S_STR, NULL},
	{"MaximumRetryCount", S_INT, NULL},
	{NULL, 0, NULL},
};

const schema_field schema_container_config[] = {
	{"Hostname", S_STR, NULL},
	{"Domainname", S_STR, NULL},
	{"User", S_STR, NULL},
	{"AttachStdin", S_BOOL, NULL},
	{"AttachStdout", S_BOOL, NULL},
	{"AttachStderr", S_BOOL, NULL},
	{"ExposedPorts", S_SET, NULL},
	{"Tty", S_BOOL, NULL},
	{"OpenStdin", S_BOOL, NULL},
	{"StdinOnce", S_BOOL, NULL},
	{"Env", S_STRV, NULL},
	{"Cmd", S_STRV, NULL},
	{"Healthcheck", S_ANY_OMIT, NULL},
	{"ArgsEscaped", S_ANY_OMIT, NULL},
	{"Image", S_STR, NULL},
	{"Volumes", S_SET, NULL},
	{"WorkingDir", S_STR, NULL},
	{"Entrypoint", S_STRV, NULL},
	{"NetworkDisabled", S_ANY_OMIT, NULL},
	{"MacAddress", S_STR_OMIT, NULL},
	{"OnBuild", S_STRV, NULL},
	{"Labels", S_MAP_STR_EMPTY, NULL},
	{"StopSignal", S_STR_OMIT, NULL},
	{"StopTimeout", S_INT_OMIT, NULL},
	{"Shell", S_ANY_OMIT, NULL},
	{NULL, 0, NULL},
};

const schema_field schema_host_config[] = {
	{"Binds", S_STRV, NULL},
	{"ContainerIDFile", S_STR, NULL},
	{"LogConfig", S_SUB, log_config},
	{"NetworkMode", S_STR, NULL},
	{"PortBindings", S_OBJ_EMPTY, NULL},
	{"RestartPolicy", S_SUB, restart_policy},
	{"AutoRemove", S_BOOL, NULL},
	{"VolumeDriver", S_STR, NULL},
	{"VolumesFrom", S_STRV, NULL},
	{"ConsoleSize", S_INT_PAIR, NULL},
	{"Annotations", S_ANY_OMIT, NULL},
	{"CapAdd", S_STRV, NULL},
	{"CapDrop", S_STRV, NULL},
	{"CgroupnsMode", S_STR, NULL},
	{"Dns", S_STRV_EMPTY, NULL},
	{"DnsOptions", S_STRV_EMPTY, NULL},
	{"DnsSearch", S_STRV_EMPTY, NULL},
	{"ExtraHosts", S_STRV, NULL},
	{"GroupAdd", S_STRV, NULL},
	{"IpcMode", S_STR, NULL},
	{"Cgroup", S_STR, NULL},
	{"Links", S_STRV, NULL},
	{"OomScoreAdj", S_INT, NULL},
	{"PidMode", S_STR, NULL},
	{"Privileged", S_BOOL, NULL},
	{"PublishAllPorts", S_BOOL, NULL},
	{"ReadonlyRootfs", S_BOOL, NULL},
	{"SecurityOpt", S_STRV, NULL},
	{"StorageOpt", S_ANY_OMIT, NULL},
	{"Tmpfs", S_ANY_OMIT, NULL},
	{"UTSMode", S_STR, NULL},
	{"UsernsMode", S_STR, NULL},
	{"ShmSize", S_INT, NULL},
	{"Sysctls", S_ANY_OMIT, NULL},
	{"Runtime", S_STR, NULL},
	{"Isolation", S_STR, NULL},
	{"CpuShares", S_INT, NULL},
	{"Memory", S_INT, NULL},
	{"NanoCpus", S_INT, NULL},
	{"CgroupParent", S_STR, NULL},
	{"BlkioWeight", S_INT, NULL},
	{"BlkioWeightDevice", S_ARR_EMPTY, NULL},
	{"BlkioDeviceReadBps", S_ARR_EMPTY, NULL},
	{"BlkioDeviceWriteBps", S_ARR_EMPTY, NULL},
	{"BlkioDeviceReadIOps", S_ARR_EMPTY, NULL},
	{"BlkioDeviceWriteIOps", S_ARR_EMPTY, NULL},
	{"CpuPeriod", S_INT, NULL},
	{"CpuQuota", S_INT, NULL},
	{"CpuRealtimePeriod", S_INT, NULL},
	{"CpuRealtimeRuntime", S_INT, NULL},
	{"CpusetCpus", S_STR, NULL},
	{"CpusetMems", S_STR, NULL},
	{"Devices", S_ARR_EMPTY, NULL},
	{"DeviceCgroupRules", S_STRV, NULL},
	{"DeviceRequests", S_ARR, NULL},
	{"MemoryReservation", S_INT, NULL},
	{"MemorySwap", S_INT, NULL},
	{"MemorySwappiness", S_INT_NULL, NULL},
	{"OomKillDisable", S_BOOL_NULL, NULL},
	{"PidsLimit", S_INT_NULL, NULL},
	{"Ulimits", S_ARR, NULL},
	{"CpuCount", S_INT, NULL},
	{"CpuPercent", S_INT, NULL},
	{"IOMaximumIOps", S_INT, NULL},
	{"IOMaximumBandwidth", S_INT, NULL},
	{"Mounts", S_ANY_OMIT, NULL},
	{"MaskedPaths", S_STRV, NULL},
	{"ReadonlyPaths", S_STRV, NULL},
	{"Init", S_ANY_OMIT, NULL},
	{NULL, 0, NULL},
};

static bool is(json_object *v, json_type t)
{
	return json_object_is_type(v, t);
}

static bool is_int(json_object *v)
{
	if (is(v, json_type_int))
		return true;
	/* Go accepts 1.0 for an int64 only when it has no fraction: so do we. */
	if (is(v, json_type_double)) {
		double d = json_object_get_double(v);
		return d == (double)(int64_t)d;
	}
	return false;
}

static bool all_strings(json_object *v, json_type container)
{
	if (container == json_type_array) {
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (!is(json_object_array_get_idx(v, i), json_type_string))
				return false;
		return true;
	}
	json_object_object_foreach(v, k, e) {
		(void)k;
		if (!is(e, json_type_string))
			return false;
	}
	return true;
}

static const char *type_name(schema_type t)
{
	switch (t) {
	case S_STR: case S_STR_OMIT: return "a string";
	case S_BOOL: case S_BOOL_NULL: return "a boolean";
	case S_INT: case S_INT_NULL: case S_INT_OMIT: return "an integer";
	case S_STRV: case S_STRV_EMPTY: return "an array of strings";
	case S_MAP_STR: case S_MAP_STR_EMPTY: return "an object of strings";
	case S_SET: case S_OBJ: case S_OBJ_EMPTY: case S_SUB: return "an object";
	case S_ARR: case S_ARR_EMPTY: return "an array";
	case S_INT_PAIR: return "an array of two integers";
	case S_ANY_OMIT: return "a value";
	}
	return "a value";
}

/* Checks v against t; v is non-NULL and not JSON null. */
static bool type_ok(schema_type t, json_object *v)
{
	switch (t) {
	case S_STR: case S_STR_OMIT: return is(v, json_type_string);
	case S_BOOL: case S_BOOL_NULL: return is(v, json_type_boolean);
	case S_INT: case S_INT_NULL: case S_INT_OMIT: return is_int(v);
	case S_STRV: case S_STRV_EMPTY: return is(v, json_type_array) && all_strings(v, json_type_array);
	case S_MAP_STR: case S_MAP_STR_EMPTY: return is(v, json_type_object) && all_strings(v, json_type_object);
	case S_SET: case S_OBJ: case S_OBJ_EMPTY: case S_SUB: return is(v, json_type_object);
	case S_ARR: case S_ARR_EMPTY: return is(v, json_type_array);
	case S_INT_PAIR:
		return is(v, json_type_array) && json_object_array_length(v) == 2 &&
		       is_int(json_object_array_get_idx(v, 0)) && is_int(json_object_array_get_idx(v, 1));
	case S_ANY_OMIT: return true;
	}
	return false;
}

static json_object *default_for(schema_type t)
{
	switch (t) {
	case S_STR: return json_object_new_string("");
	case S_BOOL: return json_object_new_boolean(0);
	case S_INT: return json_object_new_int64(0);
	case S_STRV_EMPTY: case S_ARR_EMPTY: return json_object_new_array();
	case S_MAP_STR_EMPTY: case S_OBJ_EMPTY: return json_object_new_object();
	case S_INT_PAIR: {
		json_object *a = json_object_new_array();
		json_object_array_add(a, json_object_new_int64(0));
		json_object_array_add(a, json_object_new_int64(0));
		return a;
	}
	default: return NULL;
	}
}

static bool omitted_when_absent(schema_type t)
{
	return t == S_STR_OMIT || t == S_INT_OMIT || t == S_ANY_OMIT;
}

/* A copy of an int value as int64 (so 1.0 becomes 1). */
static json_object *copy_value(schema_type t, json_object *v)
{
	if ((t == S_INT || t == S_INT_NULL || t == S_INT_OMIT) && is(v, json_type_double))
		return json_object_new_int64((int64_t)json_object_get_double(v));
	return json_object_get(v);
}

json_object *schema_normalize(const schema_field *schema, json_object *in, const char *what,
			      err_t **err)
{
	if (in && !is(in, json_type_null) && !is(in, json_type_object)) {
		err_invalid(err, "invalid JSON: %s must be an object", what);
		return NULL;
	}
	_cleanup_json_ json_object *out = json_object_new_object();
	for (const schema_field *f = schema; f->name; f++) {
		json_object *v = jget(in, f->name);
		bool null = !v || is(v, json_type_null);
		if (f->type == S_SUB) {
			_cleanup_free_ char *sub_what = xasprintf("%s.%s", what, f->name);
			json_object *sub = schema_normalize(f->sub, null ? NULL : v, sub_what, err);
			if (!sub)
				return NULL;
			jset(out, f->name, sub);
			continue;
		}
		if (!null && !type_ok(f->type, v)) {
			err_invalid(err, "invalid JSON: %s.%s must be %s", what, f->name, type_name(f->type));
			return NULL;
		}
		if (null && omitted_when_absent(f->type))
			continue;
		if (f->type == S_STR_OMIT && !null && !*json_object_get_string(v))
			continue;
		jset(out, f->name, null ? default_for(f->type) : copy_value(f->type, v));
	}
	return steal_ptr(&out);
}
