/* api/system.c: rendering of /version, /info and /system/df (see system.h).
 * Field names and nesting follow Docker 25's answers exactly, because the
 * docker CLI and the SDKs read them by name. */
#include "system.h"

#include "jsonutil.h"
#include "version.h"

json_object *api_version_render(const api_version_info *v)
{
	json_object *details = json_object_new_object();
	jset_str(details, "ApiVersion", API_VERSION);
	jset_str(details, "Arch", v->arch);
	jset_str(details, "BuildTime", v->build_time);
	jset_str(details, "Experimental", "false");
	jset_str(details, "GitCommit", v->git_commit);
	jset_str(details, "GoVersion", "none (engine is written in C)");
	jset_str(details, "KernelVersion", v->kernel);
	jset_str(details, "MinAPIVersion", API_MIN_VERSION);
	jset_str(details, "Os", v->os);
	json_object *engine = json_object_new_object();
	jset_str(engine, "Name", "Engine");
	jset_str(engine, "Version", v->version);
	jset(engine, "Details", details);
	json_object *components = json_object_new_array();
	json_object_array_add(components, engine);

	json_object *o = json_object_new_object();
	json_object *platform = json_object_new_object();
	jset_str(platform, "Name", "engine");
	jset(o, "Platform", platform);
	jset(o, "Components", components);
	jset_str(o, "Version", v->version);
	jset_str(o, "ApiVersion", API_VERSION);
	jset_str(o, "MinAPIVersion", API_MIN_VERSION);
	jset_str(o, "GitCommit", v->git_commit);
	jset_str(o, "GoVersion", "none (engine is written in C)");
	jset_str(o, "Os", v->os);
	jset_str(o, "Arch", v->arch);
	jset_str(o, "KernelVersion", v->kernel);
	jset_str(o, "BuildTime", v->build_time);
	return o;
}

static json_object *pair(const char *a, const char *b)
{
	json_object *p = json_object_new_array();
	json_object_array_add(p, jstr(a));
	json_object_array_add(p, jstr(b));
	return p;
}

static json_object *driver_status(const api_info *i)
{
	json_object *ds = json_object_new_array();
	json_object_array_add(ds, pair("Backing Filesystem", i->backing_fs));
	json_object_array_add(ds, pair("Supports d_type", "true"));
	json_object_array_add(ds, pair("Using metacopy", "false"));
	json_object_array_add(ds, pair("Native Overlay Diff", "true"));
	json_object_array_add(ds, pair("userxattr", "false"));
	return ds;
}

static json_object *plugins(void)
{
	static char *volume[] = {"local", NULL};
	static char *network[] = {"bridge", "host", "none", NULL};
	static char *log[] = {"json-file", "none", NULL};
	json_object *p = json_object_new_object();
	jset(p, "Volume", jstrv(volume));
	jset(p, "Network", jstrv(network));
	jset(p, "Authorization", NULL);
	jset(p, "Log", jstrv(log));
	return p;
}

static json_object *registry_config(const api_info *i)
{
	json_object *rc = json_object_new_object();
	json_object *cidrs = jstrv(i->insecure_registries);
	json_object_array_add(cidrs, jstr("127.0.0.0/8"));
	jset(rc, "AllowNondistributableArtifactsCIDRs", NULL);
	jset(rc, "AllowNondistributableArtifactsHostnames", NULL);
	jset(rc, "InsecureRegistryCIDRs", cidrs);
	json_object *hub = json_object_new_object();
	jset_str(hub, "Name", "docker.io");
	jset(hub, "Mirrors", jstrv(i->mirrors));
	jset_bool(hub, "Secure", true);
	jset_bool(hub, "Official", true);
	json_object *idx = json_object_new_object();
	jset(idx, "docker.io", hub);
	jset(rc, "IndexConfigs", idx);
	jset(rc, "Mirrors", jstrv(i->mirrors));
	return rc;
}

static json_object *swarm_inactive(void)
{
	json_object *s = json_object_new_object();
	jset_str(s, "NodeID", "");
	jset_str(s, "NodeAddr", "");
	jset_str(s, "LocalNodeState", "inactive");
	jset_bool(s, "ControlAvailable", false);
	jset_str(s, "Error", "");
	jset(s, "RemoteManagers", NULL);
	return s;
}

static json_object *commit(const char *id)
{
	json_object *c = json_object_new_object();
	jset_str(c, "ID", id);
	jset_str(c, "Expected", id);
	return c;
}

json_object *api_info_render(const api_info *i)
{
	json_object *o = json_object_new_object();
	jset_str(o, "ID", i->id);
	jset_int(o, "Containers", i->containers);
	jset_int(o, "ContainersRunning", i->running);
	jset_int(o, "ContainersPaused", i->paused);
	jset_int(o, "ContainersStopped", i->stopped);
	jset_int(o, "Images", i->images);
	jset_str(o, "Driver", i->driver);
	jset(o, "DriverStatus", driver_status(i));
	jset(o, "Plugins", plugins());
	jset_bool(o, "MemoryLimit", i->memory_limit);
	jset_bool(o, "SwapLimit", i->swap_limit);
	jset_bool(o, "CpuCfsPeriod", i->cpu_cfs_period);
	jset_bool(o, "CpuCfsQuota", i->cpu_cfs_quota);
	jset_bool(o, "CPUShares", i->cpu_shares);
	jset_bool(o, "CPUSet", i->cpu_set);
	jset_bool(o, "PidsLimit", i->pids_limit);
	jset_bool(o, "IPv4Forwarding", i->ipv4_forwarding);
	jset_bool(o, "BridgeNfIptables", i->bridge_nf_iptables);
	jset_bool(o, "BridgeNfIp6tables", i->bridge_nf_ip6tables);
	jset_bool(o, "Debug", i->debug);
	jset_int(o, "NFd", i->nfd);
	jset_bool(o, "OomKillDisable", i->oom_kill_disable);
	jset_int(o, "NGoroutines", i->nthreads);
	jset_str(o, "SystemTime", i->system_time);
	jset_str(o, "LoggingDriver", i->logging_driver);
	jset_str(o, "CgroupDriver", i->cgroup_driver);
	jset_str(o, "CgroupVersion", i->cgroup_version);
	jset_int(o, "NEventsListener", i->nevents_listeners);
	jset_str(o, "KernelVersion", i->kernel);
	jset_str(o, "OperatingSystem", i->os_name);
	jset_str(o, "OSVersion", i->os_version);
	jset_str(o, "OSType", i->os_type);
	jset_str(o, "Architecture", i->arch);
	jset_str(o, "IndexServerAddress", "https://index.docker.io/v1/");
	jset(o, "RegistryConfig", registry_config(i));
	jset_int(o, "NCPU", i->ncpu);
	jset_int(o, "MemTotal", i->mem_total);
	jset(o, "GenericResources", NULL);
	jset_str(o, "DockerRootDir", i->root_dir);
	jset_str(o, "HttpProxy", i->http_proxy);
	jset_str(o, "HttpsProxy", i->https_proxy);
	jset_str(o, "NoProxy", i->no_proxy);
	jset_str(o, "Name", i->name);
	jset(o, "Labels", jstrv(i->labels));
	jset_bool(o, "ExperimentalBuild", false);
	jset_str(o, "ServerVersion", i->server_version);
	json_object *rt = json_object_new_object();
	json_object *shim = json_object_new_object();
	jset_str(shim, "path", "engine-shim");
	jset(rt, "engine", shim);
	jset(o, "Runtimes", rt);
	jset_str(o, "DefaultRuntime", "engine");
	jset(o, "Swarm", swarm_inactive());
	jset_bool(o, "LiveRestoreEnabled", i->live_restore);
	jset_str(o, "Isolation", "");
	jset_str(o, "InitBinary", "engine-init");
	jset(o, "ContainerdCommit", commit(""));
	jset(o, "RuncCommit", commit(""));
	jset(o, "InitCommit", commit(""));
	jset(o, "SecurityOptions", jstrv(i->security_options));
	jset(o, "CDISpecDirs", json_object_new_array());
	jset(o, "Warnings", jstrv(i->warnings));
	return o;
}

static json_object *or_empty(json_object *a)
{
	return a ? a : json_object_new_array();
}

json_object *api_df_render(int64_t layers_size, json_object *images, json_object *containers,
			   json_object *volumes, json_object *build_cache)
{
	json_object *o = json_object_new_object();
	jset_int(o, "LayersSize", layers_size);
	jset(o, "Images", or_empty(images));
	jset(o, "Containers", or_empty(containers));
	jset(o, "Volumes", or_empty(volumes));
	jset(o, "BuildCache", or_empty(build_cache));
	return o;
}
