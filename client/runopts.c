/* runopts.c: see runopts.h. Parsing follows docker/cli: bad values are
 * errors before anything is sent ("invalid argument "x" for "-m, --memory"
 * flag: ..."), -e KEY takes KEY from our environment, --env-file and
 * --label-file read KEY=VALUE lines, --security-opt seccomp=FILE sends the
 * file's content. */
#include "runopts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "portspec.h"
#include "units.h"
#include "xalloc.h"

#define F(n, s, t, d, h) {n, s, t, d, h, NULL, NULL}
#define FS(n, s, t, d, h, set) {n, s, t, d, h, NULL, set}

const flag_spec *runopts_flags(runopts *o, bool is_run)
{
	static flag_spec specs[96];
	const flag_spec all[] = {
		F("add-host", 0, FLAG_LIST, &o->add_host, "Add a custom host-to-IP mapping (host:ip)"),
		F("attach", 'a', FLAG_LIST, &o->attach, "Attach to STDIN, STDOUT or STDERR"),
		F("cap-add", 0, FLAG_LIST, &o->cap_add, "Add Linux capabilities"),
		F("cap-drop", 0, FLAG_LIST, &o->cap_drop, "Drop Linux capabilities"),
		F("cgroup-parent", 0, FLAG_STRING, &o->cgroup_parent, "Optional parent cgroup for the container"),
		F("cgroupns", 0, FLAG_STRING, &o->cgroupns, "Cgroup namespace to use (host|private)"),
		F("cpu-period", 0, FLAG_INT, &o->cpu_period, "Limit CPU CFS (Completely Fair Scheduler) period"),
		F("cpu-quota", 0, FLAG_INT, &o->cpu_quota, "Limit CPU CFS (Completely Fair Scheduler) quota"),
		FS("cpu-shares", 'c', FLAG_INT, &o->cpu_shares, "CPU shares (relative weight)", &o->cpu_shares_set),
		F("cpus", 0, FLAG_STRING, &o->cpus, "Number of CPUs"),
		F("cpuset-cpus", 0, FLAG_STRING, &o->cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)"),
		F("detach-keys", 0, FLAG_STRING, &o->detach_keys, "Override the key sequence for detaching a container"),
		F("dns", 0, FLAG_LIST, &o->dns, "Set custom DNS servers"),
		F("dns-option", 0, FLAG_LIST, &o->dns_option, "Set DNS options"),
		F("dns-search", 0, FLAG_LIST, &o->dns_search, "Set custom DNS search domains"),
		F("domainname", 0, FLAG_STRING, &o->domainname, "Container NIS domain name"),
		FS("entrypoint", 0, FLAG_STRING, &o->entrypoint, "Overwrite the default ENTRYPOINT of the image", &o->entrypoint_set),
		F("env", 'e', FLAG_LIST, &o->env, "Set environment variables"),
		F("env-file", 0, FLAG_LIST, &o->env_file, "Read in a file of environment variables"),
		F("expose", 0, FLAG_LIST, &o->expose, "Expose a port or a range of ports"),
		F("group-add", 0, FLAG_LIST, &o->group_add, "Add additional groups to join"),
		F("hostname", 'h', FLAG_STRING, &o->hostname, "Container host name"),
		F("init", 0, FLAG_BOOL, &o->init, "Run an init inside the container that forwards signals and reaps processes"),
		F("interactive", 'i', FLAG_BOOL, &o->interactive, "Keep STDIN open even if not attached"),
		F("ip", 0, FLAG_STRING, &o->ip, "IPv4 address (e.g., 172.30.100.104)"),
		F("ipc", 0, FLAG_STRING, &o->ipc, "IPC mode to use"),
		F("label", 'l', FLAG_LIST, &o->label, "Set meta data on a container"),
		F("label-file", 0, FLAG_LIST, &o->label_file, "Read in a line delimited file of labels"),
		F("log-driver", 0, FLAG_STRING, &o->log_driver, "Logging driver for the container"),
		F("log-opt", 0, FLAG_LIST, &o->log_opt, "Log driver options"),
		F("mac-address", 0, FLAG_STRING, &o->mac_address, "Container MAC address (e.g., 92:d0:c6:0a:29:33)"),
		F("memory", 'm', FLAG_STRING, &o->memory, "Memory limit"),
		F("memory-reservation", 0, FLAG_STRING, &o->memory_reservation, "Memory soft limit"),
		F("memory-swap", 0, FLAG_STRING, &o->memory_swap, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
		F("mount", 0, FLAG_LIST, &o->mount, "Attach a filesystem mount to the container"),
		F("name", 0, FLAG_STRING, &o->name, "Assign a name to the container"),
		F("network", 0, FLAG_STRING, &o->network, "Connect a container to a network"),
		F("network-alias", 0, FLAG_LIST, &o->network_alias, "Add network-scoped alias for the container"),
		F("no-healthcheck", 0, FLAG_BOOL, &o->no_healthcheck, "Disable any container-specified HEALTHCHECK"),
		FS("oom-score-adj", 0, FLAG_INT, &o->oom_score_adj, "Tune host's OOM preferences (-1000 to 1000)", &o->oom_score_adj_set),
		F("pid", 0, FLAG_STRING, &o->pid, "PID namespace to use"),
		FS("pids-limit", 0, FLAG_INT, &o->pids_limit, "Tune container pids limit (set -1 for unlimited)", &o->pids_limit_set),
		F("platform", 0, FLAG_STRING, &o->platform, "Set platform if server is multi-platform capable"),
		F("privileged", 0, FLAG_BOOL, &o->privileged, "Give extended privileges to this container"),
		F("publish", 'p', FLAG_LIST, &o->publish, "Publish a container's port(s) to the host"),
		F("publish-all", 'P', FLAG_BOOL, &o->publish_all, "Publish all exposed ports to random ports"),
		F("pull", 0, FLAG_STRING, &o->pull, "Pull image before creating (\"always\", \"missing\", \"never\")"),
		F("read-only", 0, FLAG_BOOL, &o->read_only, "Mount the container's root filesystem as read only"),
		F("restart", 0, FLAG_STRING, &o->restart, "Restart policy to apply when a container exits"),
		F("security-opt", 0, FLAG_LIST, &o->security_opt, "Security Options"),
		F("shm-size", 0, FLAG_STRING, &o->shm_size, "Size of /dev/shm"),
		F("stop-signal", 0, FLAG_STRING, &o->stop_signal, "Signal to stop the container"),
		FS("stop-timeout", 0, FLAG_INT, &o->stop_timeout, "Timeout (in seconds) to stop a container", &o->stop_timeout_set),
		F("sysctl", 0, FLAG_LIST, &o->sysctl, "Sysctl options"),
		F("tmpfs", 0, FLAG_LIST, &o->tmpfs, "Mount a tmpfs directory"),
		F("tty", 't', FLAG_BOOL, &o->tty, "Allocate a pseudo-TTY"),
		F("ulimit", 0, FLAG_LIST, &o->ulimit, "Ulimit options"),
		F("user", 'u', FLAG_STRING, &o->user, "Username or UID (format: <name|uid>[:<group|gid>])"),
		F("uts", 0, FLAG_STRING, &o->uts, "UTS namespace to use"),
		F("volume", 'v', FLAG_LIST, &o->volume, "Bind mount a volume"),
		F("workdir", 'w', FLAG_STRING, &o->workdir, "Working directory inside the container"),
	};
	const flag_spec run_only[] = {
		F("detach", 'd', FLAG_BOOL, &o->detach, "Run container in background and print container ID"),
		F("rm", 0, FLAG_BOOL, &o->rm, "Automatically remove the container when it exits"),
		FS("sig-proxy", 0, FLAG_BOOL, &o->sig_proxy, "Proxy received signals to the process", &o->sig_proxy_set),
	};
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		specs[n++] = all[i];
	for (size_t i = 0; is_run && i < ARRAY_SIZE(run_only); i++)
		specs[n++] = run_only[i];
	specs[n] = (flag_spec){0};
	return specs;
}

void runopts_free(runopts *o)
{
	flags_free(runopts_flags(o, true));
}

static int flag_error(err_t **err, const char *value, const char *flag, const char *why)
{
	return err_set(err, ERR_INVALID, 0, "invalid argument \"%s\" for \"%s\" flag: %s", value, flag, why);
}

/* KEY=VALUE lines; "KEY" alone takes our environment's value (or is dropped). */
static int read_kv_file(const char *path, json_object *into, bool env_lookup, err_t **err)
{
	_cleanup_free_ char *text = NULL;
	if (fs_read_file(path, 16 << 20, &text, NULL, err) < 0)
		return -1;
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		while (*l == ' ' || *l == '\t')
			l++;
		l[strcspn(l, "\r")] = '\0';
		if (!*l || *l == '#')
			continue;
		if (!strchr(l, '=') && env_lookup) {
			const char *v = getenv(l);
			if (v) {
				_cleanup_free_ char *kv = xasprintf("%s=%s", l, v);
				json_object_array_add(into, jstr(kv));
			}
			continue;
		}
		json_object_array_add(into, jstr(l));
	}
	return 0;
}

static int build_env(const runopts *o, json_object *cfg, err_t **err)
{
	json_object *env = runopts_env(o->env_file, o->env, err);
	if (!env)
		return -1;
	jset(cfg, "Env", env);
	return 0;
}

json_object *runopts_env(char **files, char **vars, err_t **err)
{
	_cleanup_json_ json_object *env = json_object_new_array();
	for (char **f = files; f && *f; f++)
		if (read_kv_file(*f, env, true, err) < 0)
			return NULL;
	for (char **e = vars; e && *e; e++) {
		if (strchr(*e, '=')) {
			json_object_array_add(env, jstr(*e));
		} else {
			const char *v = getenv(*e);
			if (v) {
				_cleanup_free_ char *kv = xasprintf("%s=%s", *e, v);
				json_object_array_add(env, jstr(kv));
			}
		}
	}
	return steal_ptr(&env);
}

static int build_labels(const runopts *o, json_object *cfg, err_t **err)
{
	json_object *labels = json_object_new_object();
	jset(cfg, "Labels", labels);
	_cleanup_json_ json_object *lines = json_object_new_array();
	for (char **f = o->label_file; f && *f; f++)
		if (read_kv_file(*f, lines, false, err) < 0)
			return -1;
	for (char **l = o->label; l && *l; l++)
		json_object_array_add(lines, jstr(*l));
	for (size_t i = 0; i < json_object_array_length(lines); i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(lines, i));
		const char *eq = strchr(kv, '=');
		_cleanup_free_ char *k = eq ? xstrndup(kv, (size_t)(eq - kv)) : xstrdup(kv);
		jset_str(labels, k, eq ? eq + 1 : "");
	}
	return 0;
}

static int set_size(json_object *hc, const char *key, const char *v, const char *flag, err_t **err)
{
	if (!v)
		return 0;
	int64_t n = 0;
	_cleanup_err_ err_t *perr = NULL;
	if (!strcmp(v, "-1") && !strcmp(key, "MemorySwap")) {
		jset_int(hc, key, -1);
		return 0;
	}
	if (units_ram_in_bytes(v, &n, &perr) < 0)
		return flag_error(err, v, flag, perr->msg);
	jset_int(hc, key, n);
	return 0;
}

static int set_cpus(json_object *hc, const char *v, err_t **err)
{
	if (!v)
		return 0;
	char *end = NULL;
	double d = strtod(v, &end);
	if (!end || end == v || *end || d < 0)
		return flag_error(err, v, "--cpus", "failed to parse as a rational number");
	jset_int(hc, "NanoCpus", (int64_t)(d * 1e9 + 0.5));
	return 0;
}

static int set_restart(json_object *hc, const char *v, err_t **err)
{
	json_object *rp = json_object_new_object();
	jset(hc, "RestartPolicy", rp);
	if (!v || !*v) {
		jset_str(rp, "Name", "no");
		return 0;
	}
	const char *colon = strchr(v, ':');
	_cleanup_free_ char *name = colon ? xstrndup(v, (size_t)(colon - v)) : xstrdup(v);
	jset_str(rp, "Name", name);
	if (colon) {
		char *end = NULL;
		long n = strtol(colon + 1, &end, 10);
		if (!end || *end || end == colon + 1 || strcmp(name, "on-failure"))
			return err_invalid(err, "invalid restart policy format: maximum retry count must be an integer");
		jset_int(rp, "MaximumRetryCount", n);
	}
	return 0;
}

static int build_ulimits(const runopts *o, json_object *hc, err_t **err)
{
	json_object *a = json_object_new_array();
	jset(hc, "Ulimits", a);
	for (char **u = o->ulimit; u && *u; u++) {
		const char *eq = strchr(*u, '=');
		if (!eq)
			return flag_error(err, *u, "--ulimit", "invalid ulimit argument");
		_cleanup_free_ char *name = xstrndup(*u, (size_t)(eq - *u));
		char *end = NULL;
		long long soft = strtoll(eq + 1, &end, 10), hard = soft;
		if (end && *end == ':')
			hard = strtoll(end + 1, &end, 10);
		if (!end || *end)
			return flag_error(err, *u, "--ulimit", "invalid ulimit argument");
		json_object *l = json_object_new_object();
		jset_str(l, "Name", name);
		jset_int(l, "Hard", hard);
		jset_int(l, "Soft", soft);
		json_object_array_add(a, l);
	}
	return 0;
}

/* --mount type=bind,source=/a,target=/b,readonly */
static int build_mounts(const runopts *o, json_object *hc, err_t **err)
{
	if (!o->mount)
		return 0;
	json_object *a = json_object_new_array();
	jset(hc, "Mounts", a);
	for (char **m = o->mount; *m; m++) {
		json_object *mo = json_object_new_object();
		json_object_array_add(a, mo);
		jset_str(mo, "Type", "volume");
		_cleanup_free_ char *copy = xstrdup(*m);
		char *save = NULL;
		for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(kv, '=');
			const char *val = eq ? eq + 1 : "true";
			if (eq)
				*eq = '\0';
			if (!strcmp(kv, "type"))
				jset_str(mo, "Type", val);
			else if (!strcmp(kv, "source") || !strcmp(kv, "src"))
				jset_str(mo, "Source", val);
			else if (!strcmp(kv, "target") || !strcmp(kv, "destination") || !strcmp(kv, "dst"))
				jset_str(mo, "Target", val);
			else if (!strcmp(kv, "readonly") || !strcmp(kv, "ro"))
				jset_bool(mo, "ReadOnly", strcmp(val, "false") && strcmp(val, "0"));
			else if (!strcmp(kv, "bind-propagation")) {
				json_object *bo = json_object_new_object();
				jset_str(bo, "Propagation", val);
				jset(mo, "BindOptions", bo);
			} else if (!strcmp(kv, "tmpfs-size")) {
				int64_t n = 0;
				if (units_ram_in_bytes(val, &n, err) < 0)
					return -1;
				json_object *to = json_object_new_object();
				jset_int(to, "SizeBytes", n);
				jset(mo, "TmpfsOptions", to);
			} else
				return err_invalid(err, "invalid argument \"%s\" for \"--mount\" flag: unexpected key '%s' in '%s'", *m, kv, *m);
		}
	}
	return 0;
}

static void kv_object(json_object *parent, const char *key, char **list)
{
	json_object *o = json_object_new_object();
	for (char **e = list; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		_cleanup_free_ char *k = eq ? xstrndup(*e, (size_t)(eq - *e)) : xstrdup(*e);
		jset_str(o, k, eq ? eq + 1 : "");
	}
	jset(parent, key, o);
}

static int build_security(const runopts *o, json_object *hc, err_t **err)
{
	json_object *so = json_object_new_array();
	jset(hc, "SecurityOpt", so);
	for (char **s = o->security_opt; s && *s; s++) {
		const char *file = !strncmp(*s, "seccomp=", 8) ? *s + 8 : !strncmp(*s, "seccomp:", 8) ? *s + 8 : NULL;
		if (file && strcmp(file, "unconfined") && strcmp(file, "builtin")) {
			_cleanup_free_ char *text = NULL;
			if (fs_read_file(file, 16 << 20, &text, NULL, err) < 0)
				return err_wrap(err, "opening seccomp profile (%s) failed", file);
			_cleanup_free_ char *opt = xasprintf("seccomp=%s", text);
			json_object_array_add(so, jstr(opt));
			continue;
		}
		json_object_array_add(so, jstr(*s));
	}
	return 0;
}

static void build_tmpfs(const runopts *o, json_object *hc)
{
	if (!o->tmpfs)
		return;
	json_object *t = json_object_new_object();
	for (char **e = o->tmpfs; *e; e++) {
		const char *colon = strchr(*e, ':');
		_cleanup_free_ char *dst = colon ? xstrndup(*e, (size_t)(colon - *e)) : xstrdup(*e);
		jset_str(t, dst, colon ? colon + 1 : "");
	}
	jset(hc, "Tmpfs", t);
}

static void set_str_if(json_object *o, const char *key, const char *v)
{
	if (v)
		jset_str(o, key, v);
}

static json_object *strv_or_null(char **v)
{
	return v ? jstrv(v) : NULL;
}

static void console_size(json_object *hc, bool tty)
{
	struct winsize ws = {0};
	json_object *cs = json_object_new_array();
	if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		json_object_array_add(cs, json_object_new_int(ws.ws_row));
		json_object_array_add(cs, json_object_new_int(ws.ws_col));
	} else {
		json_object_array_add(cs, json_object_new_int(0));
		json_object_array_add(cs, json_object_new_int(0));
	}
	jset(hc, "ConsoleSize", cs);
}

/* -p, --expose: Config.ExposedPorts and HostConfig.PortBindings. */
static int build_ports(const runopts *o, json_object *cfg, json_object *hc, err_t **err)
{
	json_object *exposed = json_object_new_object(), *bindings = json_object_new_object();
	jset(cfg, "ExposedPorts", exposed);
	jset(hc, "PortBindings", bindings);
	if (portspec_to_json(o->publish, exposed, bindings, err) < 0)
		return -1;
	for (char **e = o->expose; e && *e; e++)
		if (portspec_expose(*e, exposed, err) < 0)
			return -1;
	return 0;
}

/* --add-host name=ip is sent as name:ip, as docker/cli does. */
static json_object *extra_hosts(char **list)
{
	if (!list)
		return NULL;
	json_object *a = json_object_new_array();
	for (char **h = list; *h; h++) {
		_cleanup_free_ char *e = xstrdup(*h);
		size_t k = strcspn(e, "=:");
		if (e[k] == '=')
			e[k] = ':';
		json_object_array_add(a, jstr(e));
	}
	return a;
}

/* --network, --ip, --network-alias, --mac-address: NetworkingConfig. */
static json_object *networking_config(const runopts *o)
{
	json_object *nc = json_object_new_object(), *eps = json_object_new_object();
	jset(nc, "EndpointsConfig", eps);
	if (!o->ip && !o->network_alias && !o->mac_address && !o->network)
		return nc;
	json_object *ep = json_object_new_object();
	if (o->ip) {
		json_object *ipam = json_object_new_object();
		jset_str(ipam, "IPv4Address", o->ip);
		jset(ep, "IPAMConfig", ipam);
	}
	if (o->network_alias)
		jset(ep, "Aliases", jstrv(o->network_alias));
	if (o->mac_address)
		jset_str(ep, "MacAddress", o->mac_address);
	jset(eps, o->network ? o->network : "default", ep);
	return nc;
}

static int build_host_config(const runopts *o, json_object *hc, err_t **err)
{
	jset(hc, "Binds", strv_or_null(o->volume));
	json_object *lc = json_object_new_object();
	jset_str(lc, "Type", o->log_driver ? o->log_driver : "");
	kv_object(lc, "Config", o->log_opt);
	jset(hc, "LogConfig", lc);
	jset_str(hc, "NetworkMode", o->network ? o->network : "default");
	jset(hc, "Dns", strv_or_null(o->dns));
	jset(hc, "DnsSearch", strv_or_null(o->dns_search));
	jset(hc, "DnsOptions", strv_or_null(o->dns_option));
	jset(hc, "ExtraHosts", extra_hosts(o->add_host));
	jset_bool(hc, "AutoRemove", o->rm);
	jset(hc, "CapAdd", strv_or_null(o->cap_add));
	jset(hc, "CapDrop", strv_or_null(o->cap_drop));
	set_str_if(hc, "CgroupnsMode", o->cgroupns);
	set_str_if(hc, "IpcMode", o->ipc);
	set_str_if(hc, "PidMode", o->pid);
	set_str_if(hc, "UTSMode", o->uts);
	set_str_if(hc, "CgroupParent", o->cgroup_parent);
	set_str_if(hc, "CpusetCpus", o->cpuset_cpus);
	jset(hc, "GroupAdd", strv_or_null(o->group_add));
	jset_bool(hc, "Privileged", o->privileged);
	jset_bool(hc, "PublishAllPorts", o->publish_all);
	jset_bool(hc, "ReadonlyRootfs", o->read_only);
	if (o->init)
		jset_bool(hc, "Init", true);
	if (o->oom_score_adj_set)
		jset_int(hc, "OomScoreAdj", o->oom_score_adj);
	if (o->cpu_shares_set)
		jset_int(hc, "CpuShares", o->cpu_shares);
	if (o->cpu_period)
		jset_int(hc, "CpuPeriod", o->cpu_period);
	if (o->cpu_quota)
		jset_int(hc, "CpuQuota", o->cpu_quota);
	if (o->pids_limit_set)
		jset_int(hc, "PidsLimit", o->pids_limit);
	if (o->sysctl)
		kv_object(hc, "Sysctls", o->sysctl);
	build_tmpfs(o, hc);
	console_size(hc, o->tty);
	if (set_size(hc, "Memory", o->memory, "-m, --memory", err) < 0 ||
	    set_size(hc, "MemorySwap", o->memory_swap, "--memory-swap", err) < 0 ||
	    set_size(hc, "MemoryReservation", o->memory_reservation, "--memory-reservation", err) < 0 ||
	    set_size(hc, "ShmSize", o->shm_size, "--shm-size", err) < 0 || set_cpus(hc, o->cpus, err) < 0 ||
	    set_restart(hc, o->restart, err) < 0 || build_ulimits(o, hc, err) < 0 ||
	    build_mounts(o, hc, err) < 0 || build_security(o, hc, err) < 0)
		return -1;
	return 0;
}

static bool attaches(const runopts *o, const char *stream)
{
	if (o->attach) {
		for (char **a = o->attach; *a; a++)
			if (!strcasecmp(*a, stream))
				return true;
		return false;
	}
	if (o->detach)
		return false;
	return strcmp(stream, "stdin") ? true : o->interactive;
}

json_object *runopts_body(const runopts *o, const char *image, char *const *cmd, err_t **err)
{
	_cleanup_json_ json_object *b = json_object_new_object();
	set_str_if(b, "Hostname", o->hostname);
	set_str_if(b, "Domainname", o->domainname);
	set_str_if(b, "User", o->user);
	jset_bool(b, "AttachStdin", attaches(o, "stdin"));
	jset_bool(b, "AttachStdout", attaches(o, "stdout"));
	jset_bool(b, "AttachStderr", attaches(o, "stderr"));
	jset_bool(b, "Tty", o->tty);
	jset_bool(b, "OpenStdin", o->interactive);
	jset_bool(b, "StdinOnce", o->interactive && !o->detach);
	if (build_env(o, b, err) < 0)
		return NULL;
	jset(b, "Cmd", cmd && *cmd ? jstrv(cmd) : NULL);
	jset_str(b, "Image", image);
	set_str_if(b, "WorkingDir", o->workdir);
	if (o->entrypoint_set) {
		json_object *ep = json_object_new_array();
		json_object_array_add(ep, jstr(o->entrypoint));
		jset(b, "Entrypoint", ep);
	}
	set_str_if(b, "MacAddress", o->mac_address);
	if (build_labels(o, b, err) < 0)
		return NULL;
	set_str_if(b, "StopSignal", o->stop_signal);
	if (o->stop_timeout_set)
		jset_int(b, "StopTimeout", o->stop_timeout);
	json_object *hc = json_object_new_object();
	jset(b, "HostConfig", hc);
	if (build_host_config(o, hc, err) < 0 || build_ports(o, b, hc, err) < 0)
		return NULL;
	jset(b, "NetworkingConfig", networking_config(o));
	return steal_ptr(&b);
}
