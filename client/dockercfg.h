/* dockercfg.h: the docker CLI's config file, shared with it:
 * $DOCKER_CONFIG/config.json, else ~/.docker/config.json. Registry
 * credentials live under "auths", keyed by "https://index.docker.io/v1/"
 * for Docker Hub and host[:port] otherwise, with base64 "user:password" in
 * "auth" (and "identitytoken" when the registry gave one). Other keys of
 * the file are kept as they are. Credential helpers (credsStore) are not
 * run: their entries are left alone. */
#ifndef ENGINE_DOCKERCFG_H
#define ENGINE_DOCKERCFG_H

#include <stdbool.h>

#include "err.h"

#define DCFG_HUB_KEY "https://index.docker.io/v1/"

char *dcfg_path(void);
/* The key of a registry: a domain ("docker.io", "127.0.0.1:5000") or a
 * server address as `login` takes it ("http://host:5000/", "index.docker.io"). */
char *dcfg_key(const char *server);
/* X-Registry-Auth for a registry domain: base64url of the stored
 * credentials, or "e30=" ({}) when there are none, as the docker CLI sends. */
char *dcfg_auth_header(const char *domain);
int dcfg_store(const char *key, const char *user, const char *password, const char *identity,
	       err_t **err);
/* Removes the entry; *had says whether there was one. */
int dcfg_erase(const char *key, bool *had, err_t **err);

#endif
