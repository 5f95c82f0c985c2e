/* api/system.c: rendering of /version, /info and /system/df (see system.h).
 * Field names and nesting follow Docker 25's answers exactly, because the
 * docker CLI and the SDKs read them by name. */
#include "system.h"

#include "jsonutil.h"
#include "jsonw.h"
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

/* ---- GET /info, written straight as text (jsonw.h) ---- */

static void info_driver_status(jsonw *w, const api_info *i)
{
	static const char *const fixed[][2] = {
		{"Supports d_type", "true"}, {"Using metacopy", "false"},
		{"Native Overlay Diff", "true"}, {"userxattr", "false"},
	};
	jw_arr(w, "DriverStatus");
	jw_arr(w, NULL);
	jw_str(w, NULL, "Backing Filesystem");
	jw_str(w, NULL, i->backing_fs);
	jw_arr_end(w);
	for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
		jw_arr(w, NULL);
		jw_str(w, NULL, fixed[k][0]);
		jw_str(w, NULL, fixed[k][1]);
		jw_arr_end(w);
	}
	jw_arr_end(w);
}

static void info_plugins(jsonw *w)
{
	static char *volume[] = {"local", NULL};
	static char *network[] = {"bridge", "host", "none", NULL};
	static char *log[] = {"json-file", "none", NULL};
	jw_obj(w, "Plugins");
	jw_strv(w, "Volume", volume);
	jw_strv(w, "Network", network);
	jw_null(w, "Authorization");
	jw_strv(w, "Log", log);
	jw_obj_end(w);
}

static void info_registry_config(jsonw *w, const api_info *i)
{
	jw_obj(w, "RegistryConfig");
	jw_null(w, "AllowNondistributableArtifactsCIDRs");
	jw_null(w, "AllowNondistributableArtifactsHostnames");
	jw_arr(w, "InsecureRegistryCIDRs");
	for (char **r = i->insecure_registries; r && *r; r++)
		jw_str(w, NULL, *r);
	jw_str(w, NULL, "127.0.0.0/8");
	jw_arr_end(w);
	jw_obj(w, "IndexConfigs");
	jw_obj(w, "docker.io");
	jw_str(w, "Name", "docker.io");
	jw_strv(w, "Mirrors", i->mirrors);
	jw_bool(w, "Secure", true);
	jw_bool(w, "Official", true);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_strv(w, "Mirrors", i->mirrors);
	jw_obj_end(w);
}

static void info_swarm(jsonw *w)
{
	jw_obj(w, "Swarm");
	jw_str(w, "NodeID", "");
	jw_str(w, "NodeAddr", "");
	jw_str(w, "LocalNodeState", "inactive");
	jw_bool(w, "ControlAvailable", false);
	jw_str(w, "Error", "");
	jw_null(w, "RemoteManagers");
	jw_obj_end(w);
}

static void info_commit(jsonw *w, const char *key)
{
	jw_obj(w, key);
	jw_str(w, "ID", "");
	jw_str(w, "Expected", "");
	jw_obj_end(w);
}

static void info_counts_and_caps(jsonw *w, const api_info *i)
{
	jw_int(w, "Containers", i->containers);
	jw_int(w, "ContainersRunning", i->running);
	jw_int(w, "ContainersPaused", i->paused);
	jw_int(w, "ContainersStopped", i->stopped);
	jw_int(w, "Images", i->images);
	jw_str(w, "Driver", i->driver);
	info_driver_status(w, i);
	info_plugins(w);
	jw_bool(w, "MemoryLimit", i->memory_limit);
	jw_bool(w, "SwapLimit", i->swap_limit);
	jw_bool(w, "CpuCfsPeriod", i->cpu_cfs_period);
	jw_bool(w, "CpuCfsQuota", i->cpu_cfs_quota);
	jw_bool(w, "CPUShares", i->cpu_shares);
	jw_bool(w, "CPUSet", i->cpu_set);
	jw_bool(w, "PidsLimit", i->pids_limit);
	jw_bool(w, "IPv4Forwarding", i->ipv4_forwarding);
	jw_bool(w, "BridgeNfIptables", i->bridge_nf_iptables);
	jw_bool(w, "BridgeNfIp6tables", i->bridge_nf_ip6tables);
	jw_bool(w, "Debug", i->debug);
	jw_int(w, "NFd", i->nfd);
	jw_bool(w, "OomKillDisable", i->oom_kill_disable);
	jw_int(w, "NGoroutines", i->nthreads);
}

static void info_host(jsonw *w, const api_info *i)
{
	jw_str(w, "SystemTime", i->system_time);
	jw_str(w, "LoggingDriver", i->logging_driver);
	jw_str(w, "CgroupDriver", i->cgroup_driver);
	jw_str(w, "CgroupVersion", i->cgroup_version);
	jw_int(w, "NEventsListener", i->nevents_listeners);
	jw_str(w, "KernelVersion", i->kernel);
	jw_str(w, "OperatingSystem", i->os_name);
	jw_str(w, "OSVersion", i->os_version);
	jw_str(w, "OSType", i->os_type);
	jw_str(w, "Architecture", i->arch);
	jw_str(w, "IndexServerAddress", "https://index.docker.io/v1/");
	info_registry_config(w, i);
	jw_int(w, "NCPU", i->ncpu);
	jw_int(w, "MemTotal", i->mem_total);
	jw_null(w, "GenericResources");
	jw_str(w, "DockerRootDir", i->root_dir);
	jw_str(w, "HttpProxy", i->http_proxy);
	jw_str(w, "HttpsProxy", i->https_proxy);
	jw_str(w, "NoProxy", i->no_proxy);
	jw_str(w, "Name", i->name);
	jw_strv(w, "Labels", i->labels);
}

char *api_info_text(const api_info *i)
{
	strbuf sb = STRBUF_INIT;
	jsonw w;
	jw_init(&w, &sb);
	jw_obj(&w, NULL);
	jw_str(&w, "ID", i->id);
	info_counts_and_caps(&w, i);
	info_host(&w, i);
	jw_bool(&w, "ExperimentalBuild", false);
	jw_str(&w, "ServerVersion", i->server_version);
	jw_obj(&w, "Runtimes");
	jw_obj(&w, "engine");
	jw_str(&w, "path", "engine-shim");
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_str(&w, "DefaultRuntime", "engine");
	info_swarm(&w);
	jw_bool(&w, "LiveRestoreEnabled", i->live_restore);
	jw_str(&w, "Isolation", "");
	jw_str(&w, "InitBinary", "engine-init");
	info_commit(&w, "ContainerdCommit");
	info_commit(&w, "RuncCommit");
	info_commit(&w, "InitCommit");
	jw_strv(&w, "SecurityOptions", i->security_options);
	jw_arr(&w, "CDISpecDirs");
	jw_arr_end(&w);
	jw_strv(&w, "Warnings", i->warnings);
	jw_obj_end(&w);
	sb_putc(&sb, '\n');
	return sb_steal(&sb);
}
