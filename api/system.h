/* api/system.h: the JSON shapes of GET /version, GET /info and GET
 * /system/df at API 1.44, rendered from plain structs the core fills. */
#ifndef ENGINE_API_SYSTEM_H
#define ENGINE_API_SYSTEM_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct api_version_info {
	const char *version;     /* engine's own version */
	const char *git_commit;
	const char *build_time;
	const char *os;          /* linux */
	const char *arch;        /* GOARCH form: amd64 */
	const char *kernel;
} api_version_info;

json_object *api_version_render(const api_version_info *v);

typedef struct api_info {
	const char *id, *name, *server_version;
	int64_t containers, running, paused, stopped, images;
	const char *driver, *backing_fs;
	bool memory_limit, swap_limit, cpu_cfs_period, cpu_cfs_quota, cpu_shares, cpu_set,
		pids_limit, ipv4_forwarding, bridge_nf_iptables, bridge_nf_ip6tables, debug,
		oom_kill_disable, live_restore;
	int64_t nfd, nthreads, nevents_listeners;
	const char *system_time;     /* RFC 3339 nano, local */
	const char *logging_driver, *cgroup_driver, *cgroup_version;
	const char *kernel, *os_name, *os_version, *os_type, *arch;
	int64_t ncpu, mem_total;
	const char *root_dir;
	char **labels;
	char **insecure_registries, **mirrors;
	char **security_options;
	char **warnings;
	const char *http_proxy, *https_proxy, *no_proxy;
} api_info;

/* GET /info as JSON text (with its final newline), written without a json-c
 * tree: /info is asked often (docker CLI, compose). Caller frees. */
char *api_info_text(const api_info *i);

/* Takes the arrays (NULL: an empty array). */
json_object *api_df_render(int64_t layers_size, json_object *images, json_object *containers,
			   json_object *volumes, json_object *build_cache);

#endif
