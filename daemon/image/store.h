/* store.h: the image store's insides, shared by the files of daemon/image
 * (not for the rest of the daemon, which uses image.h). The in-memory
 * tables mirror the disk: images/<id-hex>/{config.json,meta.json},
 * images/repositories.json, layers/<chain-hex>/, blobs/sha256/<hex> and
 * temp names (tmp/blob-*, layers/tmp-*, images/tmp-*). Functions
 * named *_locked expect s->mu held. */
#ifndef ENGINE_IMAGE_STORE_H
#define ENGINE_IMAGE_STORE_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>

#include "image.h"
#include "blobstore.h"
#include "extract.h"
#include "layerstore.h"
#include "refstore.h"

#define IMG_MAX_LAYERS 125         /* Docker's maxLayerDepth */

/* An instant as an image config or meta.json writes it: the offset it was
 * written in is kept, because Docker shows a config's "created" again in
 * that zone (Go's time.Time remembers it). Parsing and formatting are
 * libcommon/timeutil's; these adapt them to the record. */
typedef struct img_time {
	int64_t sec;  /* Unix seconds */
	int32_t nsec;
	int32_t off;  /* seconds east of UTC */
	bool set;
} img_time;

/* Go's zero time, 0001-01-01T00:00:00Z, in Unix seconds. */
#define IMG_TIME_ZERO_SEC (-62135596800LL)

/* RFC 3339 (Go's RFC3339Nano layout); -1 and t untouched when malformed. */
int img_time_parse(const char *s, img_time *t);
/* RFC3339Nano in the time's zone; an unset time is Go's zero time. */
char *img_time_format(const img_time *t);
img_time img_time_now(void);
int img_time_cmp(const img_time *a, const img_time *b);
/* An `until` filter value as the daemon reads it (docker's GetTimestamp
 * against now, then ParseTimestamps): durations, dates, RFC 3339, Unix
 * seconds. ERR_INVALID with timeutil's message. */
int img_time_until(const char *value, img_time *t, err_t **err);
#define IMG_CONFIG_MAX (8u << 20)  /* largest config or manifest we read */

typedef struct img_rec {
	char id[DIGEST_STR_LEN + 1];
	char *config;           /* the exact config bytes */
	size_t config_len;
	json_object *cfg;       /* parsed */
	size_t nlayers;
	char (*diff)[DIGEST_STR_LEN + 1];
	char (*chain)[DIGEST_STR_LEN + 1];
	img_time created;       /* from the config */
	/* meta.json */
	char parent[DIGEST_STR_LEN + 1]; /* "" when none */
	char **manifests;       /* manifest digests this image came with */
	img_time last_tag;      /* unset: never tagged through the API */
	img_time added;         /* when this store committed the image */
} img_rec;

/* Metadata a new image is committed with. */
typedef struct img_meta {
	const char *parent;      /* may be NULL */
	char *const *manifests;  /* may be NULL */
} img_meta;

typedef struct store_pin {
	char *owner;                     /* a container ID */
	char chain[DIGEST_STR_LEN + 1];  /* top ChainID it holds, "" for none */
} store_pin;

typedef struct store_event {
	char *action, *id, *name;
} store_event;

struct img_store {
	char *root;
	pthread_mutex_t mu;
	img_rec **images;
	size_t nimages, capimages;
	layer_rec **layers;
	size_t nlayers, caplayers;
	refstore *refs;
	char **leases;          /* digests pinned by operations in flight */
	size_t nleases, capleases;
	store_pin *pins;        /* containers holding layers (pins.c) */
	size_t npins, cappins;
	store_event *events;    /* queued under the lock, sent after it */
	size_t nevents, capevents;
	img_event_fn on_event;
	void *event_ctx;
	img_container_hooks hooks;
	size_t max_layer_entries;
	atomic_int prune_running; /* one prune at a time, as Docker */
};

void store_lock(img_store *s);
/* Unlocks, then delivers the queued events. */
void store_unlock(img_store *s);
void store_event_locked(img_store *s, const char *action, const char *id, const char *name);

/* ---- image records (imagestore.c) ---- */

/* Parses and validates config bytes into a record (not registered). */
img_rec *img_rec_from_config(const char *config, size_t len, err_t **err);
void img_rec_free(img_rec *r);
img_rec *store_image_locked(img_store *s, const char *id);
/* Docker's lookup (see img_resolve). */
img_rec *store_find_locked(img_store *s, const char *name, err_t **err);
/* Images whose parent is id. */
size_t store_children_locked(img_store *s, const char *id);
int store_write_meta(img_store *s, const img_rec *r, err_t **err);

/* Sets r's parent and manifests from m, writes images/tmp-XXXXXX/
 * {config.json,meta.json} and fsyncs them (no lock needed); then
 * store_commit_image_locked renames it into place. */
char *store_stage_image(img_store *s, img_rec *r, const img_meta *m, err_t **err);
/* Registers the staged image (its layers must be present). If the image
 * already exists the stage is dropped. Returns the registered record. */
img_rec *store_commit_image_locked(img_store *s, img_rec *r, const char *stage, err_t **err);

/* Tags r with ref (moving the tag if needed), sets LastTagTime, queues the
 * "tag" event (imgtag.c). */
int store_tag_locked(img_store *s, img_rec *r, const reference *ref, err_t **err);

/* ---- JSON pieces (imginspect.c) ---- */

/* The full container.Config shape Docker marshals, from a config object. */
json_object *img_container_config_json(json_object *src);
int64_t store_image_size_locked(img_store *s, const img_rec *r);
/* RepoTags and RepoDigests arrays of familiar strings. */
void store_repo_lists_locked(img_store *s, const img_rec *r, json_object **tags,
			     json_object **digests);

/* ---- layers and blobs (imagestore.c) ---- */

layer_rec *store_layer_locked(img_store *s, const char *chain);
void store_add_layer_locked(img_store *s, const layer_rec *rec);
void store_lease_locked(img_store *s, const char *digest);
void store_unlease_locked(img_store *s, const char *digest);
/* Removes the image record and files, then its layers that no other image
 * uses (their directories are moved to trash for store_empty_trash), and
 * blobs nothing references. Appends "Deleted" ChainIDs to deleted. */
int store_remove_image_locked(img_store *s, img_rec *r, char ***trash, size_t *ntrash,
			      json_object *deleted, int64_t *reclaimed, err_t **err);
void store_empty_trash(char **trash, size_t n);
/* Moves every layer nothing uses any more to trash (and drops blobs). */
void store_collect_layers_locked(img_store *s, char ***trash, size_t *ntrash);

/* ---- pins (pins.c) ---- */

bool store_layer_pinned_locked(img_store *s, const char *chain);
void store_load_pins(img_store *s);
void store_free_pins(img_store *s);
bool store_blob_referenced_locked(img_store *s, const char *digest);

/* ---- putting layers (layerput.c) ---- */

/* The kept blob of a layer being put: a blob_writer to commit, or the
 * digest of a blob already in the store, or neither. */
typedef struct layer_blob {
	blob_writer *w;
	const char *digest;
	int64_t size;
	const char *media_type; /* used when the extraction could not tell */
} layer_blob;

/* Registers an unpacked layer: commits its kept blob and renames t to
 * layers/<chain>, where chain follows parent_chain ("" for a base). The
 * layer (and its blob) stay leased until store_release_layer: hold them
 * until the image naming them is committed. If the layer appeared
 * meanwhile, t is discarded and the existing one leased instead. */
int store_put_layer(img_store *s, layer_tmp *t, const layer_blob *b, const char *parent_chain,
		    const extract_result *x, char chain_out[DIGEST_STR_LEN + 1], err_t **err);
/* Leases layer chain if it exists; returns false when it does not. */
bool store_hold_layer(img_store *s, const char *chain);
void store_release_layer(img_store *s, const char *chain);

#endif
