/* portspec.c: Docker's -p/--expose notation (see portspec.h), following
 * go-connections/nat's ParsePortSpec, ParsePortRange and SplitProtoPort
 * and docker/cli's handling of the long form, error for error. */
#include "portspec.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

void port_mappings_free(port_mapping *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].host_ip);
		free(m[i].host_port);
	}
	free(m);
}

/* strconv.ParseUint(s, 10, 16). */
static int parse_u16(const char *s, size_t len, unsigned *out)
{
	if (len == 0 || len > 32)
		return -1;
	unsigned long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int port_range_parse(const char *s, unsigned *start, unsigned *end)
{
	if (!s || !*s)
		return -1;
	const char *dash = strchr(s, '-');
	if (!dash) {
		if (parse_u16(s, strlen(s), start) < 0)
			return -1;
		*end = *start;
		return 0;
	}
	/* strings.Split(ports, "-"): parts[1] stops at a second dash. */
	const char *second = dash + 1;
	size_t second_len = strcspn(second, "-");
	if (parse_u16(s, (size_t)(dash - s), start) < 0 || parse_u16(second, second_len, end) < 0)
		return -1;
	return *end < *start ? -1 : 0;
}

void port_split_proto(const char *raw, char **proto, char **port)
{
	const char *slash = strchr(raw, '/');
	if (!*raw || raw[0] == '/') {
		*proto = xstrdup("");
		*port = xstrdup("");
		return;
	}
	if (!slash) {
		*proto = xstrdup("tcp");
		*port = xstrdup(raw);
		return;
	}
	const char *p1 = slash + 1;
	size_t p1len = strcspn(p1, "/");
	*port = xstrndup(raw, (size_t)(slash - raw));
	*proto = p1len ? xstrndup(p1, p1len) : xstrdup("tcp");
}

static bool valid_proto(const char *p)
{
	return !strcmp(p, "tcp") || !strcmp(p, "udp") || !strcmp(p, "sctp");
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static bool valid_ip(const char *ip)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
}

/* nat's splitParts: the last part is the container port, the one before it
 * the host port, everything before that (joined by ':') the IP. */
static void split_parts(const char *raw, char **ip, char **host, char **ctr)
{
	const char *last = strrchr(raw, ':');
	if (!last) {
		*ip = xstrdup("");
		*host = xstrdup("");
		*ctr = xstrdup(raw);
		return;
	}
	*ctr = xstrdup(last + 1);
	const char *prev = last;
	while (prev > raw && prev[-1] != ':')
		prev--;
	*host = xstrndup(prev, (size_t)(last - prev));
	*ip = prev > raw ? xstrndup(raw, (size_t)(prev - 1 - raw)) : xstrdup("");
}

/* "[::1]" -> "::1" as net.SplitHostPort(ip + ":") strips it. */
static int strip_brackets(char **ip, err_t **err)
{
	char *s = *ip;
	if (s[0] != '[')
		return 0;
	size_t l = strlen(s);
	char *close = strchr(s, ']');
	if (!close || close != s + l - 1 || strchr(s + 1, '['))
		return err_invalid(err, "invalid IP address %s: address %s:: missing port in address", s, s);
	char *inner = xstrndup(s + 1, l - 2);
	free(s);
	*ip = inner;
	return 0;
}

typedef struct spec_parts {
	char *ip, *host, *ctr, *proto;
} spec_parts;

static void parts_free(spec_parts *p)
{
	free(p->ip);
	free(p->host);
	free(p->ctr);
	free(p->proto);
}

static int check_parts(const char *raw, spec_parts *p, unsigned r[4], err_t **err)
{
	if (strip_brackets(&p->ip, err) < 0)
		return -1;
	if (*p->ip && !valid_ip(p->ip))
		return err_invalid(err, "invalid IP address: %s", p->ip);
	if (!*p->ctr)
		return err_invalid(err, "no port specified: %s<empty>", raw);
	if (port_range_parse(p->ctr, &r[0], &r[1]) < 0)
		return err_invalid(err, "invalid containerPort: %s", p->ctr);
	r[2] = r[3] = 0;
	if (*p->host && port_range_parse(p->host, &r[2], &r[3]) < 0)
		return err_invalid(err, "invalid hostPort: %s", p->host);
	if (*p->host && r[1] - r[0] != r[3] - r[2] && r[1] != r[0])
		return err_invalid(err, "invalid ranges specified for container and host Ports: %s and %s",
				   p->ctr, p->host);
	lower(p->proto);
	if (!valid_proto(p->proto))
		return err_invalid(err, "invalid proto: %s", p->proto);
	return 0;
}

int portspec_parse(const char *raw, port_mapping **out, size_t *n, err_t **err)
{
	spec_parts p = {0};
	char *ctr_proto = NULL;
	split_parts(raw, &p.ip, &p.host, &ctr_proto);
	port_split_proto(ctr_proto, &p.proto, &p.ctr);
	free(ctr_proto);
	unsigned r[4];
	if (check_parts(raw, &p, r, err) < 0) {
		parts_free(&p);
		return -1;
	}
	size_t count = r[1] - r[0] + 1;
	*out = xrealloc(*out, (*n + count) * sizeof(port_mapping));
	for (size_t i = 0; i < count; i++) {
		port_mapping *m = &(*out)[(*n)++];
		memset(m, 0, sizeof(*m));
		m->ctr_port = r[0] + (unsigned)i;
		snprintf(m->proto, sizeof(m->proto), "%s", p.proto);
		m->host_ip = xstrdup(p.ip);
		if (!*p.host)
			m->host_port = xstrdup("");
		else if (r[0] == r[1] && r[2] != r[3])
			m->host_port = xasprintf("%u-%u", r[2], r[3]);
		else
			m->host_port = xasprintf("%u", r[2] + (unsigned)i);
	}
	parts_free(&p);
	return 0;
}

char *portspec_standard(const char *spec, err_t **err)
{
	if (!strchr(spec, '='))
		return xstrdup(spec);
	_cleanup_free_ char *copy = xstrdup(spec);
	const char *published = "", *target = "", *proto = "tcp";
	char *save = NULL;
	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			err_invalid(err, "invalid publish opts format (should be name=value but got '%s')", kv);
			return NULL;
		}
		*eq = '\0';
		/* strings.Split(param, "=")[1]: the value stops at a second '='. */
		char *v = eq + 1;
		v[strcspn(v, "=")] = '\0';
		if (!strcmp(kv, "published"))
			published = v;
		else if (!strcmp(kv, "target"))
			target = v;
		else if (!strcmp(kv, "protocol"))
			proto = v;
	}
	return xasprintf("%s:%s/%s", published, target, proto);
}

static char *port_key(unsigned port, const char *proto)
{
	return xasprintf("%u/%s", port, proto);
}

int portspec_to_json(char *const *specs, json_object *exposed, json_object *bindings, err_t **err)
{
	for (char *const *s = specs; s && *s; s++) {
		_cleanup_free_ char *std = portspec_standard(*s, err);
		if (!std)
			return -1;
		port_mapping *m = NULL;
		size_t n = 0;
		if (portspec_parse(std, &m, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *key = port_key(m[i].ctr_port, m[i].proto);
			if (!jget(exposed, key))
				jset(exposed, key, json_object_new_object());
			json_object *list = jget_arr(bindings, key);
			if (!list) {
				list = json_object_new_array();
				jset(bindings, key, list);
			}
			json_object *b = json_object_new_object();
			jset_str(b, "HostIp", m[i].host_ip);
			jset_str(b, "HostPort", m[i].host_port);
			json_object_array_add(list, b);
		}
		port_mappings_free(m, n);
	}
	return 0;
}

int portspec_expose(const char *spec, json_object *exposed, err_t **err)
{
	if (strchr(spec, ':'))
		return err_invalid(err, "invalid port format for --expose: %s", spec);
	_cleanup_free_ char *proto = NULL, *port = NULL;
	port_split_proto(spec, &proto, &port);
	unsigned start, end;
	if (port_range_parse(port, &start, &end) < 0)
		return err_invalid(err, "invalid range format for --expose: %s, error: invalid port %s", spec, port);
	lower(proto);
	if (!valid_proto(proto))
		return err_invalid(err, "invalid proto: %s", proto);
	for (unsigned p = start; p <= end; p++) {
		_cleanup_free_ char *key = port_key(p, proto);
		if (!jget(exposed, key))
			jset(exposed, key, json_object_new_object());
	}
	return 0;
}

int port_key_parse(const char *key, unsigned *port, char proto[8])
{
	_cleanup_free_ char *pr = NULL, *p = NULL;
	port_split_proto(key, &pr, &p);
	lower(pr);
	if (!valid_proto(pr) || parse_u16(p, strlen(p), port) < 0)
		return -1;
	snprintf(proto, 8, "%s", pr);
	return 0;
}
