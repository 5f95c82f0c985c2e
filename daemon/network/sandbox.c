/* sandbox.c: the network side of a running container, kept in memory and
 * in <exec-root>/sandboxes/<container-id>.json: its namespace file, the
 * networks it has endpoints on, and its published ports with their host
 * ports and forwarder pids. Written before each step it records is taken,
 * so whatever a crash of engined leaves behind can be found and undone by
 * the next one. It describes kernel and process state that a reboot ends,
 * hence the exec root (a tmpfs): after a reboot there is none, and net_gc
 * frees the addresses the network records still hold for it. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "log.h"
#include "net_internal.h"
#include "xalloc.h"

void sandbox_free(net_sandbox *sb)
{
	if (!sb)
		return;
	free(sb->mode);
	free(sb->netns);
	strv_free(sb->nets);
	strv_free(sb->upstream);
	for (size_t i = 0; i < sb->n_ports; i++)
		free(sb->ports[i].host_ip);
	free(sb->ports);
	free(sb);
}

net_sandbox *sandbox_find(net_store *s, const char *ctr_id)
{
	for (size_t i = 0; i < s->n_sbs; i++)
		if (!strcmp(s->sbs[i]->ctr_id, ctr_id))
			return s->sbs[i];
	return NULL;
}

net_sandbox *sandbox_new(net_store *s, const char *ctr_id, const char *mode)
{
	net_sandbox *sb = xcalloc(1, sizeof(*sb));
	snprintf(sb->ctr_id, sizeof(sb->ctr_id), "%s", ctr_id);
	sb->mode = xstrdup(mode);
	sb->nets = xcalloc(1, sizeof(char *));
	s->sbs = xgrow(s->sbs, &s->cap_sbs, s->n_sbs + 1, sizeof(*s->sbs));
	s->sbs[s->n_sbs++] = sb;
	return sb;
}

static char *sandbox_path(net_store *s, const char *ctr_id)
{
	_cleanup_free_ char *file = xasprintf("%s.json", ctr_id);
	return fs_path_join(s->sandbox_dir, file);
}

static json_object *port_json(const net_port *p)
{
	json_object *o = json_object_new_object();
	char ip[IPV4_STR];
	ipv4_format(p->ctr_ip, ip);
	jset_str(o, "Proto", p->proto);
	jset_int(o, "ContainerPort", p->ctr_port);
	jset_str(o, "HostIp", p->host_ip);
	jset_int(o, "HostPort", p->host_port);
	jset_str(o, "ContainerIp", ip);
	jset_str(o, "Network", p->net_id);
	jset_int(o, "ProxyPid", p->proxy_pid);
	return o;
}

int sandbox_save(net_store *s, const net_sandbox *sb, err_t **err)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_str(o, "Container", sb->ctr_id);
	jset_str(o, "Mode", sb->mode);
	jset_strn(o, "Netns", sb->netns);
	jset_bool(o, "OwnsNetns", sb->owns_netns);
	jset(o, "Networks", jstrv(sb->nets));
	jset(o, "DnsUpstream", sb->upstream ? jstrv(sb->upstream) : NULL);
	json_object *ports = json_object_new_array();
	for (size_t i = 0; i < sb->n_ports; i++)
		json_object_array_add(ports, port_json(&sb->ports[i]));
	jset(o, "Ports", ports);
	_cleanup_free_ char *path = sandbox_path(s, sb->ctr_id);
	const char *text = jdump(o);
	/* the exec root holds what a reboot ends: no fsync */
	return fs_write_atomic_ex(path, text, strlen(text), 0600, FS_ATOMIC_VOLATILE, err);
}

void sandbox_forget(net_store *s, net_sandbox *sb)
{
	_cleanup_free_ char *path = sandbox_path(s, sb->ctr_id);
	unlink(path);
	for (size_t i = 0; i < s->n_sbs; i++) {
		if (s->sbs[i] == sb) {
			s->sbs[i] = s->sbs[--s->n_sbs];
			break;
		}
	}
	sandbox_free(sb);
}

static int port_from_json(json_object *o, net_port *p)
{
	const char *proto = jget_str(o, "Proto"), *net = jget_str(o, "Network");
	int64_t cp = jget_int(o, "ContainerPort", -1), hp = jget_int(o, "HostPort", -1);
	if (!proto || strlen(proto) >= sizeof(p->proto) || !net || strlen(net) != NET_ID_LEN || cp < 0 ||
	    cp > 65535 || hp < 0 || hp > 65535 || ipv4_parse(jget_str(o, "ContainerIp"), &p->ctr_ip) < 0)
		return -1;
	strcpy(p->proto, proto);
	strcpy(p->net_id, net);
	p->ctr_port = (unsigned)cp;
	p->host_port = (unsigned)hp;
	p->host_ip = xstrdup(jget_str(o, "HostIp") ? jget_str(o, "HostIp") : "");
	p->proxy_pid = (int)jget_int(o, "ProxyPid", 0);
	return 0;
}

static net_sandbox *sandbox_from_json(net_store *s, json_object *o)
{
	const char *id = jget_str(o, "Container"), *mode = jget_str(o, "Mode");
	if (!id || strlen(id) != NET_ID_LEN || !mode)
		return NULL;
	net_sandbox *sb = sandbox_new(s, id, mode);
	const char *ns = jget_str(o, "Netns");
	sb->netns = ns && *ns ? xstrdup(ns) : NULL;
	sb->owns_netns = jget_bool(o, "OwnsNetns", false);
	json_object *nets = jget_arr(o, "Networks");
	char **v = nets ? jarr_to_strv(nets, "Networks", NULL) : NULL;
	if (v) {
		strv_free(sb->nets);
		sb->nets = v;
	}
	json_object *up = jget_arr(o, "DnsUpstream");
	sb->upstream = up ? jarr_to_strv(up, "DnsUpstream", NULL) : NULL;
	json_object *ports = jget_arr(o, "Ports");
	size_t n = ports ? json_object_array_length(ports) : 0;
	sb->ports = xcalloc(n + 1, sizeof(net_port));
	for (size_t i = 0; i < n; i++)
		if (port_from_json(json_object_array_get_idx(ports, i), &sb->ports[sb->n_ports]) == 0)
			sb->n_ports++;
	return sb;
}

void sandbox_load_all(net_store *s)
{
	_cleanup_closedir_ DIR *d = opendir(s->sandbox_dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strlen(de->d_name) != NET_ID_LEN + 5 || strcmp(de->d_name + NET_ID_LEN, ".json"))
			continue;
		_cleanup_free_ char *path = fs_path_join(s->sandbox_dir, de->d_name);
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		_cleanup_json_ json_object *o = NULL;
		if (fs_read_file(path, 16 << 20, &text, &len, NULL) < 0 || !(o = json_parse_strict(text, len, NULL)) ||
		    !sandbox_from_json(s, o))
			log_warn("network sandbox %s: unreadable: skipped", de->d_name);
	}
}
