/* changes.h: Dockerfile-instruction `changes` (import's and commit's
 * ?changes=) applied to a container config. */
#ifndef ENGINE_IMAGE_CHANGES_H
#define ENGINE_IMAGE_CHANGES_H

#include <json-c/json.h>

#include "err.h"

/* Applies each change (one or more instruction lines) to cfg, a JSON object
 * with container.Config keys (Cmd, Entrypoint, Env, ExposedPorts,
 * Healthcheck, Labels, OnBuild, StopSignal, User, Volumes, WorkingDir),
 * in place. Anything else is Docker's "<instr> is not a valid change
 * command" (ERR_INVALID). */
int img_apply_changes(json_object *cfg, char *const *changes, err_t **err);

#endif
