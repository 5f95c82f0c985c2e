/* portspec.h: Docker's published-port notation (go-connections/nat), shared
 * by the CLI (`-p`, `--expose`, `-P`) and the daemon (checking the
 * PortBindings and ExposedPorts a client sends):
 *   [IP:][HOSTPORT[-END]:]CTRPORT[-END][/tcp|udp|sctp]
 * with "[::1]:80:80" for IPv6 and the long form "published=8080,target=80".
 * Messages are docker's ("invalid hostPort: abc"). */
#ifndef ENGINE_PORTSPEC_H
#define ENGINE_PORTSPEC_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"

typedef struct port_mapping {
	char *host_ip;   /* "" or an IPv4/IPv6 address, without brackets */
	char *host_port; /* "" (random), "8080", or "8000-8010" (pick one in range) */
	unsigned ctr_port;
	char proto[8];   /* tcp, udp, sctp */
} port_mapping;

void port_mappings_free(port_mapping *m, size_t n);

/* nat.ParsePortRange: "80" or "80-90", each 0..65535, end >= start. */
int port_range_parse(const char *s, unsigned *start, unsigned *end);
/* nat.SplitProtoPort: "80/udp" -> ("udp", "80"); "80" -> ("tcp", "80");
 * "" -> ("", ""). Both results are new strings. */
void port_split_proto(const char *raw, char **proto, char **port);
/* nat.ParsePortSpec: one -p value, one mapping per container port. */
int portspec_parse(const char *spec, port_mapping **out, size_t *n, err_t **err);
/* docker/cli's convertToStandardNotation for the long form
 * "published=8080,target=80,protocol=udp"; other values are copied. */
char *portspec_standard(const char *spec, err_t **err);
/* `-p` values into Config.ExposedPorts ({"80/tcp":{}}) and
 * HostConfig.PortBindings ({"80/tcp":[{"HostIp":"","HostPort":"8080"}]}). */
int portspec_to_json(char *const *specs, json_object *exposed, json_object *bindings, err_t **err);
/* One `--expose` value ("80", "8000-8010/udp") into ExposedPorts. */
int portspec_expose(const char *spec, json_object *exposed, err_t **err);
/* A key of ExposedPorts/PortBindings ("80/tcp"): the port and protocol;
 * -1 unless it is one port of a known protocol. */
int port_key_parse(const char *key, unsigned *port, char proto[8]);

#endif
