/* system.h: the core side of /version, /info and /system/df: it gathers the
 * facts (host, configuration, counts of containers and images) into the
 * api/ structs; the handlers only render them. */
#ifndef ENGINE_CORE_SYSTEM_H
#define ENGINE_CORE_SYSTEM_H

#include <json-c/json.h>

#include "engine.h"
#include "err.h"

json_object *system_version_json(engine *e);
/* GET /info as JSON text (with its newline); caller frees. */
char *system_info_text(engine *e);
/* types: NULL-terminated list of "container", "image", "volume", "build-cache"; empty = all. */
json_object *system_df_json(engine *e, const char **types, err_t **err);

#endif
