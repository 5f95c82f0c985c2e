/* volumes.h: named and anonymous volumes of the `local` driver: a folder
 * <data-root>/volumes/<name>/_data that containers bind-mount, with its
 * record (<name>/volume.json: created, labels, anonymous). Which containers
 * use a volume is derived from their HostConfig each time it is asked, so it
 * can never drift from the truth. */
#ifndef ENGINE_VOLUMES_H
#define ENGINE_VOLUMES_H

#include <json-c/json.h>
#include <stdbool.h>

#include "err.h"

struct engine;
typedef struct vol_table vol_table;

vol_table *vol_table_open(struct engine *e, err_t **err);
void vol_table_close(vol_table *t);

/* POST /volumes/create: name NULL/"" makes an anonymous one. An existing
 * name answers with that volume, as Docker does. Returns the Volume JSON. */
json_object *vol_create(vol_table *t, const char *name, const char *driver, json_object *opts,
			json_object *labels, bool anonymous, err_t **err);
json_object *vol_inspect(vol_table *t, const char *name, err_t **err);
json_object *vol_list(vol_table *t, const char *filters, err_t **err);
int vol_remove(vol_table *t, const char *name, bool force, err_t **err);
json_object *vol_prune(vol_table *t, const char *filters, err_t **err);
/* The volumes with their usage, for /system/df. */
json_object *vol_disk_usage(vol_table *t, err_t **err);

/* For containers: the host path to mount for a volume name, creating the
 * volume when it does not exist (docker run -v name:/path does). */
char *vol_mountpoint(vol_table *t, const char *name, bool anonymous, err_t **err);
/* vol_mountpoint for the bundle builder's callback (ctx is the vol_table). */
char *vol_bundle_path(void *ctx, const char *name, err_t **err);
/* True for a Binds source that names a volume rather than a host path. */
bool vol_is_name(const char *src);

#endif
