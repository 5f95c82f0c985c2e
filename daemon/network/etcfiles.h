/* etcfiles.h: the text of a container's /etc/hosts and /etc/resolv.conf
 * (pure functions over what the container asked for and the host's
 * resolv.conf), and the upstream servers the embedded DNS forwards to. */
#ifndef ENGINE_NET_ETCFILES_H
#define ENGINE_NET_ETCFILES_H

#include <stdbool.h>

#include "err.h"

typedef struct etc_info {
	bool host_network;          /* the host's files, with the container's additions */
	bool embedded_dns;          /* on a user-defined network: nameserver 127.0.0.11 */
	const char *ip;             /* the container's address, or NULL */
	const char *hostname, *domainname;
	char *const *extra_hosts;   /* HostConfig.ExtraHosts: "name:ip" */
	const char *host_gateway;   /* what "host-gateway" stands for */
	char *const *dns, *const *dns_search, *const *dns_options;
} etc_info;

char *etc_hosts_text(const etc_info *i, err_t **err);
char *etc_resolv_text(const etc_info *i, const char *host_resolv);
/* nameserver, search (the last search/domain line wins) and options words. */
void etc_resolv_parse(const char *text, char ***ns, char ***search, char ***opts);
/* --dns servers, or the host's nameservers (loopback ones too: the
 * embedded server forwards from the host's namespace). */
char **etc_upstreams(char *const *dns, const char *host_resolv);
/* The host's /etc/resolv.conf ("" when unreadable). */
char *etc_host_resolv(void);

#endif
