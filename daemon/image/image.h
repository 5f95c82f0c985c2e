/* image.h: the image store, the one header the daemon core and the HTTP
 * handlers include. Plain C calls, no HTTP: each endpoint maps onto one
 * function here (see the table below), the handler only parses the query
 * and renders the result (most functions already return the response JSON).
 *
 *   GET    /images/json               img_list(s, opts from img_list_opts_parse)
 *   GET    /images/{name}/json        img_inspect(s, name, api_version)
 *   GET    /images/{name}/history     img_history(s, name)
 *   POST   /images/{name}/tag         img_tag(s, name, repo, tag)            -> 201
 *   DELETE /images/{name}             img_delete(s, name, force, !noprune)
 *   POST   /images/prune              img_prune(s, filters)
 *   POST   /images/load               img_load(s, body reader, quiet, progress)
 *   GET    /images/get, /{name}/get   img_save(s, names, n, writer)
 *   POST   /images/create?fromSrc=-   img_import(s, body reader, opts, progress)
 *   GET    /system/df (images part)   img_disk_usage(s, &layers_size)
 *   container create / rm             img_pin(s, ctr, image) / img_unpin(s, ctr)
 *
 * Thread-safe: one mutex guards the in-memory tables and is never held while
 * extracting, hashing or removing trees. Events are reported through
 * on_event after the mutex is released. */
#ifndef ENGINE_IMAGE_IMAGE_H
#define ENGINE_IMAGE_IMAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"
#include "stream.h"

typedef struct img_store img_store;

/* Image events, Docker's actions: "import", "load", "save", "tag", "untag",
 * "delete", "prune". id is "sha256:..."; name is the `name` attribute (the
 * new tag for "tag", the ID otherwise). For "prune" id is "" and name
 * carries the reclaimed byte count in decimal (Docker's `reclaimed`
 * attribute). Called without the store lock held: the callee may call back
 * into the store (e.g. to add the image's labels as attributes). */
typedef void (*img_event_fn)(void *ctx, const char *action, const char *id, const char *name);

typedef enum img_ctr_state {
	IMG_CTR_ANY,
	IMG_CTR_RUNNING,
	IMG_CTR_STOPPED,
} img_ctr_state;

/* How the core tells the store that containers use an image. Both are
 * optional and are called without the store lock held. */
typedef struct img_container_hooks {
	/* True, with *ctr_id set to a malloc'd container ID, when a container
	 * in the given state was created from image_id. */
	bool (*first)(void *ctx, const char *image_id, img_ctr_state state, char **ctr_id);
	/* Number of containers created from image_id. */
	int64_t (*count)(void *ctx, const char *image_id);
	void *ctx;
} img_container_hooks;

typedef struct img_store_opts {
	const char *root;             /* the data root; blobs/, layers/, images/, tmp/ below */
	img_event_fn on_event;        /* optional */
	void *event_ctx;
	img_container_hooks containers;
	size_t max_layer_entries;     /* tar entries per layer; 0: 1,000,000 */
} img_store_opts;

/* Opens (creating) the store and repairs what a crash left: removes tmp/
 * and layers/tmp-*, images without a complete record or missing layers,
 * layers no image uses, blobs nothing references, tags to missing images. */
img_store *img_store_open(const img_store_opts *opts, err_t **err);
void img_store_close(img_store *s);
const char *img_store_root(const img_store *s);

/* Progress for load and import; the caller renders Docker's JSON message
 * stream ({"status","id","progressDetail"} and {"stream"}). Both optional. */
typedef struct img_progress {
	void (*status)(void *ctx, const char *id, const char *status, int64_t current, int64_t total);
	void (*stream)(void *ctx, const char *text);
	void *ctx;
} img_progress;

/* ---- lookup ---- */

/* Number of images in the store, intermediate ones too (Docker's
 * CountImages, the Images of GET /info). */
size_t img_count(img_store *s);

/* Resolves a name as Docker does: full ID (with or without "sha256:"), a
 * reference (normalised, "latest" by default; digest references too), then
 * a unique ID prefix. ERR_NOT_FOUND "No such image: busybox:latest". */
int img_resolve(img_store *s, const char *name, char id_out[DIGEST_STR_LEN + 1], err_t **err);
/* Diff directories of an image's layers, bottom first (NULL-terminated),
 * for the runtime's overlay lowerdir; and the image's raw config. */
char **img_layer_dirs(img_store *s, const char *name, err_t **err);
char *img_config(img_store *s, const char *name, size_t *len, err_t **err);

/* ---- containers holding layers ---- */

/* A container (owner: its ID) takes hold of an image's layers: they stay
 * on disk until img_unpin, even if the image is deleted meanwhile (rmi -f
 * with a stopped container, which Docker allows). Persistent. Returns the
 * diff directories, bottom first, for the container's overlay lowerdir. */
char **img_pin(img_store *s, const char *owner, const char *image, err_t **err);
/* The pinned directories again (e.g. after a restart). */
char **img_pinned_dirs(img_store *s, const char *owner, err_t **err);
/* Releases the hold (container removed); layers nothing else uses go. */
int img_unpin(img_store *s, const char *owner, err_t **err);

/* ---- read-only JSON for the API ---- */

/* The ImageInspect object of API 1.44 (Docker 25); api_minor < 44 adds
 * VirtualSize. */
json_object *img_inspect(img_store *s, const char *name, int api_minor, err_t **err);
/* [{Id,Created,CreatedBy,Tags,Size,Comment}], newest first. */
json_object *img_history(img_store *s, const char *name, err_t **err);

typedef struct img_list_opts {
	bool all;             /* ?all=1: also untagged intermediate images */
	bool shared_size;     /* ?shared-size=1 */
	bool container_count; /* fill Containers (system df) */
	int api_minor;        /* < 43: "<none>:<none>" for untagged; < 44: VirtualSize */
	const char *filters;  /* the raw `filters` query value, may be NULL */
} img_list_opts;

/* The ImageSummary array of GET /images/json, newest first. Filters:
 * dangling, label, before, since, reference, until. */
json_object *img_list(img_store *s, const img_list_opts *o, err_t **err);
/* The images part of GET /system/df: summaries with SharedSize and
 * Containers, and the total size of all layers. */
json_object *img_disk_usage(img_store *s, int64_t *layers_size, err_t **err);

/* ---- changes ---- */

/* POST /images/{name}/tag?repo=&tag= : tags (moving an existing tag) and
 * sets LastTagTime. */
int img_tag(img_store *s, const char *name, const char *repo, const char *tag, err_t **err);
/* DELETE /images/{name}: Docker's rules for untag vs delete, conflicts with
 * containers and other repositories. Returns [{"Untagged":..},{"Deleted":..}]. */
json_object *img_delete(img_store *s, const char *name, bool force, bool prune, err_t **err);
/* POST /images/prune: filters dangling (default true), until, label, label!.
 * Returns {"ImagesDeleted":[...]|null,"SpaceReclaimed":N}. */
json_object *img_prune(img_store *s, const char *filters, err_t **err);

/* ---- archives ---- */

/* POST /images/load: reads a `docker save` archive (manifest.json) or an
 * OCI image layout (index.json, nested indexes, linux/amd64 picked,
 * attestations skipped) from `in` in one streaming pass. Messages go to
 * progress->stream ("Loaded image: busybox:latest\n", or "Loaded image ID:
 * sha256:...\n" when nothing was tagged); layer progress (unless quiet) to
 * progress->status. All images are checked before any is registered: on
 * failure nothing is registered and no temp file remains. */
int img_load(img_store *s, const img_reader *in, bool quiet, const img_progress *progress,
	     err_t **err);

/* GET /images/get: writes one tar holding an OCI layout (oci-layout,
 * index.json, blobs/sha256/...) plus Docker's manifest.json and
 * repositories, readable by `docker load`, skopeo and img_load. Names are
 * resolved before the first byte is written, so an unknown name fails
 * cleanly; a write error after that is ERR_SYSTEM with a partial stream. */
int img_save(img_store *s, char *const *names, size_t n, const img_writer *out, err_t **err);

typedef struct img_import_opts {
	const char *repo;     /* ?repo= (may be NULL) */
	const char *tag;      /* ?tag= */
	const char *message;  /* ?message=; default "Imported from -" */
	char *const *changes; /* ?changes= (repeatable), NULL-terminated, may be NULL */
	const char *platform; /* ?platform= "os/arch[/variant]", default linux/amd64 */
} img_import_opts;

/* POST /images/create?fromSrc=-: a root filesystem tar (plain or
 * compressed) becomes a one-layer image; the caller sends the resulting ID
 * as the last status message. */
int img_import(img_store *s, const img_reader *in, const img_import_opts *o,
	       const img_progress *progress, char id_out[DIGEST_STR_LEN + 1], err_t **err);

#endif
