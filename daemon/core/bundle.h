/* bundle.h: from a container's Config and HostConfig to the OCI bundle the
 * runtime reads (containers/<id>/config.json), with Docker's defaults:
 * capabilities, mounts, masked paths, devices, resources, namespaces. Create
 * checks the same settings early (bundle_check) so a bad -v or --cap-add is
 * a 400 at create, not a failure at start. */
#ifndef ENGINE_BUNDLE_H
#define ENGINE_BUNDLE_H

#include <json-c/json.h>

#include "container.h"
#include "err.h"

typedef struct bundle_opts {
	char **lowers;             /* image layer dirs, bottom first */
	const char *cgroup_parent; /* daemon default ("engine") */
	int cgroup_version;        /* 1 or 2 */
	const char *api_socket;    /* paths a bind mount may not expose */
	const char *netns_path;    /* join this network namespace, or NULL */
	/* The host folder of a named volume (created when missing). */
	char *(*volume_path)(void *ctx, const char *name, err_t **err);
	void *volume_ctx;
} bundle_opts;

/* Checks what the runtime would refuse later; ERR_INVALID with Docker's
 * wording where Docker has one. */
int bundle_check(json_object *config, json_object *host_config, const char *const *forbidden_sources,
		 err_t **err);
/* Writes <c->dir>/config.json and creates the rootfs, upper and work dirs. */
int bundle_write(const container *c, const bundle_opts *o, err_t **err);

/* Docker's default capability names (CapEff 00000000a80425fb). */
extern const char *const bundle_default_caps[];

#endif
