/* ctr_query.c: reading containers for the API: GET /containers/{id}/json
 * (inspect), GET /containers/json (list with Docker's filters) and POST
 * /containers/prune. The JSON shapes are API 1.44's, built straight from the
 * record (as the image store builds its own), since they are mostly the
 * stored Config and HostConfig. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctr_internal.h"
#include "filters.h"
#include "fsutil.h"
#include "image.h"
#include "jsonutil.h"
#include "networks.h"
#include "timeutil.h"
#include "xalloc.h"

static char *fmt_time(int64_t ns)
{
	if (!ns)
		return xstrdup("0001-01-01T00:00:00Z");
	return time_format_rfc3339nano(ns / NS_PER_SEC, (int32_t)(ns % NS_PER_SEC));
}

static json_object *state_json(const container *c)
{
	json_object *s = json_object_new_object();
	jset_str(s, "Status", cstate_name(c->state));
	jset_bool(s, "Running", c->state == CS_RUNNING || c->state == CS_PAUSED || c->state == CS_RESTARTING);
	jset_bool(s, "Paused", c->state == CS_PAUSED);
	jset_bool(s, "Restarting", c->state == CS_RESTARTING);
	jset_bool(s, "OOMKilled", c->oom_killed);
	jset_bool(s, "Dead", c->state == CS_DEAD);
	jset_int(s, "Pid", c->pid);
	jset_int(s, "ExitCode", c->exit_code);
	jset_str(s, "Error", c->error);
	_cleanup_free_ char *started = fmt_time(c->started_ns);
	_cleanup_free_ char *finished = fmt_time(c->finished_ns);
	jset_str(s, "StartedAt", started);
	jset_str(s, "FinishedAt", finished);
	return s;
}

static json_object *mount_point(const char *type, const char *src, const char *dst, bool rw,
				const char *prop)
{
	json_object *m = json_object_new_object();
	jset_str(m, "Type", type);
	jset_str(m, "Source", src);
	jset_str(m, "Destination", dst);
	jset_str(m, "Mode", "");
	jset_bool(m, "RW", rw);
	jset_str(m, "Propagation", prop);
	return m;
}

/* The MountPoint list Docker shows for -v binds, --mount and --tmpfs. */
static json_object *mounts_json(const container *c)
{
	json_object *a = json_object_new_array();
	json_object *binds = jget_arr(c->host_config, "Binds");
	for (size_t i = 0; binds && i < json_object_array_length(binds); i++) {
		_cleanup_strv_ char **parts = xcalloc(4, sizeof(char *));
		_cleanup_free_ char *spec = xstrdup(json_object_get_string(json_object_array_get_idx(binds, i)));
		char *save = NULL;
		size_t n = 0;
		for (char *p = strtok_r(spec, ":", &save); p && n < 3; p = strtok_r(NULL, ":", &save))
			parts[n++] = xstrdup(p);
		if (n < 2)
			continue;
		bool rw = !(n == 3 && strstr(parts[2], "ro"));
		json_object *m = mount_point("bind", parts[0], parts[1], rw, "rprivate");
		if (n == 3)
			jset_str(m, "Mode", parts[2]);
		json_object_array_add(a, m);
	}
	json_object *ms = jget_arr(c->host_config, "Mounts");
	for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		const char *type = jget_str(m, "Type");
		bool bind = type && !strcmp(type, "bind");
		json_object_array_add(a, mount_point(type ? type : "", bind ? jget_str(m, "Source") : "",
						    jget_str(m, "Target"), !jget_bool(m, "ReadOnly", false),
						    bind ? "rprivate" : ""));
	}
	json_object_object_foreach(jobj_or_empty(jget_obj(c->host_config, "Tmpfs")), dst, v) {
		(void)v;
		json_object_array_add(a, mount_point("tmpfs", "", dst, true, ""));
	}
	return a;
}

static json_object *graph_driver(ctr_table *t, const container *c)
{
	json_object *g = json_object_new_object();
	json_object *d = json_object_new_object();
	_cleanup_strv_ char **lowers = img_pinned_dirs(t->eng->images, c->id, NULL);
	size_t n = 0;
	while (lowers && lowers[n])
		n++;
	char *joined = NULL;
	for (size_t i = n; i > 0; i--) {
		char *next = joined ? xasprintf("%s:%s", joined, lowers[i - 1]) : xstrdup(lowers[i - 1]);
		free(joined);
		joined = next;
	}
	jset_str(d, "LowerDir", joined ? joined : "");
	free(joined);
	static const char *const keys[][2] = {{"MergedDir", "rootfs"}, {"UpperDir", "upper"}, {"WorkDir", "work"}};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *p = fs_path_join(c->dir, keys[i][1]);
		jset_str(d, keys[i][0], p);
	}
	jset(g, "Data", d);
	jset_str(g, "Name", "overlay2");
	return g;
}

static json_object *network_settings(ctr_table *t, const container *c)
{
	json_object *n = json_object_new_object();
	jset_str(n, "Bridge", "");
	jset_str(n, "SandboxID", "");
	jset_bool(n, "HairpinMode", false);
	jset_str(n, "LinkLocalIPv6Address", "");
	jset_int(n, "LinkLocalIPv6PrefixLen", 0);
	jset(n, "Ports", json_object_new_object());
	jset_str(n, "SandboxKey", "");
	jset(n, "SecondaryIPAddresses", NULL);
	jset(n, "SecondaryIPv6Addresses", NULL);
	jset_str(n, "EndpointID", "");
	jset_str(n, "Gateway", "");
	jset_str(n, "GlobalIPv6Address", "");
	jset_int(n, "GlobalIPv6PrefixLen", 0);
	jset_str(n, "IPAddress", "");
	jset_int(n, "IPPrefixLen", 0);
	jset_str(n, "IPv6Gateway", "");
	jset_str(n, "MacAddress", "");
	jset(n, "Networks", c->networks ? jclone(c->networks) : json_object_new_object());
	ctr_net_settings(t, c, n);
	return n;
}

static int64_t upper_size(const container *c)
{
	_cleanup_free_ char *up = fs_path_join(c->dir, "upper");
	return fs_tree_size(up);
}

static int64_t image_size(ctr_table *t, const container *c)
{
	_cleanup_json_ json_object *img = img_inspect(t->eng->images, c->image_id, 44, NULL);
	return jget_int(img, "Size", 0);
}

static json_object *inspect_locked(ctr_table *t, container *c, bool size)
{
	json_object *o = json_object_new_object();
	jset_str(o, "Id", c->id);
	jset_str(o, "Created", c->created);
	jset_str(o, "Path", c->path);
	jset(o, "Args", jstrv(c->args));
	jset(o, "State", state_json(c));
	jset_str(o, "Image", c->image_id);
	static const char *const files[][2] = {{"ResolvConfPath", "resolv.conf"},
					       {"HostnamePath", "hostname"}, {"HostsPath", "hosts"}};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = fs_path_join(c->dir, files[i][1]);
		jset_str(o, files[i][0], p);
	}
	jset_str(o, "LogPath", c->log_path);
	jset_str(o, "Name", c->name);
	jset_int(o, "RestartCount", c->restart_count);
	jset_str(o, "Driver", "overlay2");
	jset_str(o, "Platform", "linux");
	jset_str(o, "MountLabel", "");
	jset_str(o, "ProcessLabel", "");
	jset_str(o, "AppArmorProfile", "");
	jset(o, "ExecIDs", ctr_exec_ids(t, c));
	jset(o, "HostConfig", jclone(c->host_config));
	jset(o, "GraphDriver", graph_driver(t, c));
	if (size) {
		int64_t rw = upper_size(c);
		jset_int(o, "SizeRw", rw);
		jset_int(o, "SizeRootFs", rw + image_size(t, c));
	}
	jset(o, "Mounts", mounts_json(c));
	jset(o, "Config", jclone(c->config));
	jset(o, "NetworkSettings", network_settings(t, c));
	return o;
}

json_object *ctr_inspect(ctr_table *t, container *c, bool size, err_t **err)
{
	(void)err;
	pthread_mutex_lock(&c->lock);
	json_object *o = inspect_locked(t, c, size);
	pthread_mutex_unlock(&c->lock);
	return o;
}

static char *command_line(const container *c)
{
	size_t len = strlen(c->path) + 1;
	for (char **a = c->args; a && *a; a++)
		len += strlen(*a) + 1;
	char *s = xmalloc(len + 1);
	strcpy(s, c->path);
	for (char **a = c->args; a && *a; a++) {
		strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

static json_object *summary_locked(ctr_table *t, container *c, bool size)
{
	json_object *o = json_object_new_object();
	jset_str(o, "Id", c->id);
	json_object *names = json_object_new_array();
	json_object_array_add(names, jstr(c->name));
	jset(o, "Names", names);
	jset_str(o, "Image", jget_str(c->config, "Image"));
	jset_str(o, "ImageID", c->image_id);
	_cleanup_free_ char *cmd = command_line(c);
	jset_str(o, "Command", cmd);
	jset_int(o, "Created", c->created_ns / NS_PER_SEC);
	jset(o, "Ports", ctr_net_ports(t, c));
	if (size) {
		int64_t rw = upper_size(c);
		jset_int(o, "SizeRw", rw);
		jset_int(o, "SizeRootFs", rw + image_size(t, c));
	}
	json_object *labels = jget_obj(c->config, "Labels");
	jset(o, "Labels", labels ? jclone(labels) : json_object_new_object());
	jset_str(o, "State", cstate_name(c->state));
	_cleanup_free_ char *status = container_status_text(c, now_ns());
	jset_str(o, "Status", status);
	json_object *hc = json_object_new_object();
	jset_str(hc, "NetworkMode", jget_str(c->host_config, "NetworkMode"));
	jset(o, "HostConfig", hc);
	json_object *ns = json_object_new_object();
	jset(ns, "Networks", c->networks ? jclone(c->networks) : json_object_new_object());
	jset(o, "NetworkSettings", ns);
	jset(o, "Mounts", mounts_json(c));
	return o;
}

static const char *const list_filters[] = {
	"ancestor", "before", "expose", "exited", "health", "id", "is-task", "label", "name",
	"network", "publish", "since", "status", "volume", NULL,
};


typedef struct list_query {
	filters *f;
	int64_t before_ns, since_ns; /* 0: unset */
	char **ancestors;            /* resolved image IDs */
	bool exited_set;
} list_query;

static int check_values(ctr_table *t, list_query *q, err_t **err)
{
	static const char *const states[] = {"created", "restarting", "running", "removing",
					     "paused", "exited", "dead"};
	_cleanup_strv_ char **st = filters_get(q->f, "status");
	for (char **s = st; *s; s++) {
		bool ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(states); i++)
			ok |= !strcmp(*s, states[i]);
		if (!ok)
			return err_invalid(err, "invalid filter 'status=%s'", *s);
	}
	_cleanup_strv_ char **ex = filters_get(q->f, "exited");
	for (char **s = ex; *s; s++)
		if (!**s || strspn(*s, "-0123456789") != strlen(*s))
			return err_invalid(err, "invalid filter 'exited=%s'", *s);
	static const char *const refs[] = {"before", "since"};
	for (size_t i = 0; i < 2; i++) {
		_cleanup_strv_ char **v = filters_get(q->f, refs[i]);
		if (!*v)
			continue;
		container *c = ctr_find(t, v[0], err);
		if (!c)
			return -1;
		(i == 0 ? &q->before_ns : &q->since_ns)[0] = c->created_ns;
		container_unref(c);
	}
	_cleanup_strv_ char **anc = filters_get(q->f, "ancestor");
	size_t n = 0;
	while (anc[n])
		n++;
	q->ancestors = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0, k = 0; i < n; i++) {
		char id[DIGEST_STR_LEN + 1];
		if (img_resolve(t->eng->images, anc[i], id, NULL) == 0)
			q->ancestors[k++] = xstrdup(id);
	}
	return 0;
}

static bool match_ancestor(const list_query *q, const container *c)
{
	if (!filters_contains(q->f, "ancestor"))
		return true;
	for (char **a = q->ancestors; a && *a; a++)
		if (!strcmp(*a, c->image_id))
			return true;
	return false;
}

static bool match_exited(const list_query *q, const container *c)
{
	if (!filters_contains(q->f, "exited"))
		return true;
	if (c->state != CS_EXITED)
		return false;
	char code[16];
	snprintf(code, sizeof(code), "%d", c->exit_code);
	return filters_match(q->f, "exited", code);
}

static bool match_one(const list_query *q, const container *c)
{
	if (!filters_match_re(q->f, "id", c->id) || !filters_match_re(q->f, "name", container_short_name(c)))
		return false;
	if (!filters_match(q->f, "status", cstate_name(c->state)) ||
	    !filters_match_kv(q->f, "label", jget_obj(c->config, "Labels")))
		return false;
	if ((q->before_ns && c->created_ns >= q->before_ns) || (q->since_ns && c->created_ns <= q->since_ns))
		return false;
	if (!filters_match(q->f, "health", "none") || !filters_match(q->f, "is-task", "false"))
		return false;
	if (!filters_match(q->f, "network", jget_str(c->host_config, "NetworkMode")))
		return false;
	return match_ancestor(q, c) && match_exited(q, c);
}

static int cmp_newest(const void *a, const void *b)
{
	const container *x = *(container *const *)a, *y = *(container *const *)b;
	return x->created_ns < y->created_ns ? 1 : x->created_ns > y->created_ns ? -1 : 0;
}

/* A referenced, newest-first snapshot of the table. */
static container **snapshot(ctr_table *t, size_t *n)
{
	pthread_mutex_lock(&t->lock);
	container **all = xcalloc(t->n + 1, sizeof(*all));
	for (size_t i = 0; i < t->n; i++) {
		all[i] = t->items[i];
		container_ref(all[i]);
	}
	*n = t->n;
	pthread_mutex_unlock(&t->lock);
	qsort(all, *n, sizeof(*all), cmp_newest);
	return all;
}

static void release(container **all, size_t n)
{
	for (size_t i = 0; i < n; i++)
		container_unref(all[i]);
	free(all);
}

json_object *ctr_list(ctr_table *t, bool all_flag, int64_t limit, bool size, const char *filt,
		      err_t **err)
{
	list_query q = {0};
	if (filters_parse(filt, &q.f, err) < 0)
		return NULL;
	json_object *out = NULL;
	if (filters_validate(q.f, list_filters, err) < 0 || check_values(t, &q, err) < 0)
		goto done;
	/* -n/--last and status filters look at every container, as Docker. */
	bool all = all_flag || limit > 0 || filters_contains(q.f, "status") || filters_contains(q.f, "exited");
	size_t n = 0;
	container **cs = snapshot(t, &n);
	out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		container *c = cs[i];
		pthread_mutex_lock(&c->lock);
		bool live = c->state == CS_RUNNING || c->state == CS_PAUSED || c->state == CS_RESTARTING;
		if ((all || live) && match_one(&q, c) && (limit <= 0 || (int64_t)json_object_array_length(out) < limit))
			json_object_array_add(out, summary_locked(t, c, size));
		pthread_mutex_unlock(&c->lock);
	}
	release(cs, n);
done:
	filters_free(q.f);
	strv_free(q.ancestors);
	return out;
}

json_object *ctr_prune(ctr_table *t, const char *filt, err_t **err)
{
	static const char *const accepted[] = {"label", "label!", "until", NULL};
	_cleanup_filters_ filters *f = NULL;
	if (filters_parse(filt, &f, err) < 0 || filters_validate(f, accepted, err) < 0)
		return NULL;
	int64_t until = 0;
	_cleanup_strv_ char **u = filters_get(f, "until");
	if (*u) {
		time_ref now = time_ref_now();
		_cleanup_free_ char *ts = NULL;
		int64_t sec = 0, nsec = 0;
		if (time_get_timestamp(u[0], &now, &ts, err) < 0 || time_parse_timestamps(ts, 0, &sec, &nsec, err) < 0)
			return NULL;
		until = sec * NS_PER_SEC + nsec;
	}
	size_t n = 0;
	container **cs = snapshot(t, &n);
	json_object *deleted = json_object_new_array();
	int64_t reclaimed = 0;
	for (size_t i = 0; i < n; i++) {
		container *c = cs[i];
		pthread_mutex_lock(&c->lock);
		bool stopped = c->state == CS_CREATED || c->state == CS_EXITED || c->state == CS_DEAD;
		json_object *labels = jget_obj(c->config, "Labels");
		bool ok = stopped && (!until || c->created_ns < until) && filters_match_kv(f, "label", labels) &&
			  (!filters_contains(f, "label!") || !filters_match_kv(f, "label!", labels));
		pthread_mutex_unlock(&c->lock);
		if (!ok)
			continue;
		int64_t sz = upper_size(c);
		_cleanup_err_ err_t *rerr = NULL;
		if (ctr_remove(t, c, false, false, &rerr) == 0) {
			json_object_array_add(deleted, jstr(c->id));
			reclaimed += sz;
		}
	}
	release(cs, n);
	json_object *o = json_object_new_object();
	jset(o, "ContainersDeleted", json_object_array_length(deleted) ? deleted : NULL);
	if (!json_object_array_length(deleted))
		json_object_put(deleted);
	jset_int(o, "SpaceReclaimed", reclaimed);
	json_object *attrs = json_object_new_object();
	_cleanup_free_ char *rec = xasprintf("%lld", (long long)reclaimed);
	jset_str(attrs, "reclaimed", rec);
	events_publish(t->eng->events, "container", "prune", "", attrs);
	return o;
}
