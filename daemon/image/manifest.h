/* manifest.h: parsing the JSON documents of image archives: Docker's
 * manifest.json ([{Config,RepoTags,Layers}]), OCI/Docker indexes (index.json,
 * manifest lists) and image manifests. Pure functions over bytes (the load
 * path's fuzz target): every field is checked for type and form, nothing is
 * trusted. */
#ifndef ENGINE_IMAGE_MANIFEST_H
#define ENGINE_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "err.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MANIFEST_MAX_ENTRIES 4096 /* items, descriptors or layers per document */

/* One image of a `docker save` manifest.json. */
typedef struct save_item {
	char *config;     /* archive path of the config */
	char **repo_tags; /* NULL-terminated, may be empty */
	char **layers;    /* NULL-terminated archive paths */
	size_t nlayers;
	char *parent;     /* "sha256:..." or NULL */
} save_item;

int parse_save_manifest(const char *json, size_t len, save_item **items, size_t *n,
			err_t **err);
void save_items_free(save_item *items, size_t n);

typedef enum desc_kind {
	DESC_OTHER = 0,
	DESC_INDEX,    /* OCI index or Docker manifest list */
	DESC_MANIFEST, /* OCI or Docker schema 2 image manifest */
} desc_kind;

typedef struct oci_desc {
	char *media_type;                  /* may be NULL */
	char digest[DIGEST_STR_LEN + 1];   /* sha256 only */
	int64_t size;
	char *os, *arch, *variant;         /* platform, NULL when absent */
	char *name;       /* image name from the annotations, NULL when none */
	bool attestation; /* BuildKit attestation manifest */
	desc_kind kind;
} oci_desc;

/* index.json, a nested index or a manifest list. */
int parse_oci_index(const char *json, size_t len, oci_desc **v, size_t *n, err_t **err);
void oci_descs_free(oci_desc *v, size_t n);

typedef struct oci_manifest {
	oci_desc config;
	oci_desc *layers;
	size_t nlayers;
} oci_manifest;

int parse_oci_manifest(const char *json, size_t len, oci_manifest *m, err_t **err);
void oci_manifest_free(oci_manifest *m);

/* The kind of a document when its descriptor did not say. */
desc_kind manifest_sniff_kind(const char *json, size_t len);
/* linux/amd64, or no platform at all (single-image layouts carry none). */
bool oci_platform_wanted(const oci_desc *d);

#endif
