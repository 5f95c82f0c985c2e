/* bundle_internal.h: the parts of bundle generation, one file each:
 * mounts (binds, tmpfs, --mount), security (capabilities, seccomp,
 * no-new-privileges, devices, masked paths), resources (cgroup limits and
 * rlimits). Each has a check (at create) and a builder (at start). */
#ifndef ENGINE_BUNDLE_INTERNAL_H
#define ENGINE_BUNDLE_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"

/* bundle_mounts.c */
int bundle_check_mounts(json_object *hc, const char *const *forbidden, err_t **err);
/* Appends the user's mounts (binds, Mounts, Tmpfs) to the spec's array,
 * creating missing bind sources as Docker does for -v. */
typedef char *(*bundle_volume_fn)(void *ctx, const char *name, err_t **err);
int bundle_user_mounts(json_object *hc, json_object *mounts, bundle_volume_fn vol, void *vol_ctx,
		       err_t **err);
json_object *bundle_default_mounts(json_object *hc, bool privileged);

/* bundle_security.c */
int bundle_check_security(json_object *hc, err_t **err);
/* {"bounding":[...],...} for the container's capability set. */
json_object *bundle_capabilities(json_object *hc, err_t **err);
/* Sets linux.seccomp / the seccomp annotation and process.noNewPrivileges. */
int bundle_security(json_object *hc, json_object *process, json_object *linux_,
		    json_object *annotations, err_t **err);
json_object *bundle_devices(bool privileged);

/* bundle_resources.c */
int bundle_check_resources(json_object *hc, err_t **err);
json_object *bundle_resources(json_object *hc, bool privileged);
json_object *bundle_rlimits(json_object *hc, err_t **err);

#endif
