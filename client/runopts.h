/* runopts.h: the flags of `engine run` and `engine create` and the create
 * body they become (docker/cli's opts.go mapping: -e to Config.Env, -m to
 * HostConfig.Memory, --restart to RestartPolicy, ...). */
#ifndef ENGINE_RUNOPTS_H
#define ENGINE_RUNOPTS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"
#include "flags.h"

typedef struct runopts {
	bool detach, interactive, tty, rm, privileged, read_only, init, publish_all, no_healthcheck;
	char *name, *workdir, *user, *hostname, *entrypoint, *memory, *memory_swap,
		*memory_reservation, *cpus, *cpuset_cpus, *restart, *log_driver, *stop_signal,
		*network, *platform, *pull, *pid, *ipc, *uts, *cgroupns, *cgroup_parent, *shm_size,
		*detach_keys, *domainname, *ip, *mac_address;
	long long cpu_shares, cpu_period, cpu_quota, pids_limit, stop_timeout, oom_score_adj;
	bool cpu_shares_set, pids_limit_set, stop_timeout_set, oom_score_adj_set, entrypoint_set,
		sig_proxy_set, sig_proxy;
	char **env, **env_file, **label, **label_file, **cap_add, **cap_drop, **security_opt,
		**tmpfs, **ulimit, **volume, **mount, **log_opt, **sysctl, **group_add, **attach,
		**publish, **expose, **dns, **dns_search, **dns_option, **add_host, **network_alias;
} runopts;

/* The flag table over o; run adds -d/--rm style flags (is_run). The table
 * is static storage bound to o: one runopts per process. */
const flag_spec *runopts_flags(runopts *o, bool is_run);
void runopts_free(runopts *o);

/* -e and --env-file as docker reads them: files first, "KEY" alone takes
 * our environment's value. A JSON array of "KEY=VALUE". */
json_object *runopts_env(char **files, char **vars, err_t **err);

/* Builds the POST /containers/create body for image and cmd (NULL-terminated). */
json_object *runopts_body(const runopts *o, const char *image, char *const *cmd, err_t **err);

#endif
