/* manifest.c: see manifest.h. Everything goes through json_parse_strict
 * (bounded depth, no trailing bytes) and typed accessors; a field of the
 * wrong type is an error, not a default. */
#include "manifest.h"

#include <string.h>

#include "cleanup.h"
#include "jsonutil.h"
#include "xalloc.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static json_object *parse_root(const char *json, size_t len, json_type want, const char *what,
			       err_t **err)
{
	_cleanup_err_ err_t *perr = NULL;
	json_object *o = json_parse_strict(json, len, &perr);
	if (!o) {
		err_invalid(err, "invalid %s: %s", what, perr ? perr->msg : "empty");
		return NULL;
	}
	if (!json_object_is_type(o, want)) {
		json_object_put(o);
		err_invalid(err, "invalid %s: unexpected JSON type", what);
		return NULL;
	}
	return o;
}

/* ---- manifest.json ---- */

void save_items_free(save_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].config);
		strv_free(items[i].repo_tags);
		strv_free(items[i].layers);
		free(items[i].parent);
	}
	free(items);
}

static int parse_save_item(json_object *o, save_item *it, err_t **err)
{
	const char *config = jget_str(o, "Config");
	json_object *tags = jget(o, "RepoTags"), *layers = jget(o, "Layers");
	json_object *parent = jget(o, "Parent");
	if (!json_object_is_type(o, json_type_object) || !config || !*config)
		return err_invalid(err, "invalid manifest.json: an entry has no Config");
	if (!layers || !json_object_is_type(layers, json_type_array))
		return err_invalid(err, "invalid manifest.json: Layers must be an array");
	if (json_object_array_length(layers) > MANIFEST_MAX_ENTRIES)
		return err_invalid(err, "invalid manifest.json: too many layers");
	if (parent && !json_object_is_type(parent, json_type_null) &&
	    (!json_object_is_type(parent, json_type_string) ||
	     (*json_object_get_string(parent) && !digest_valid(json_object_get_string(parent)))))
		return err_invalid(err, "invalid manifest.json: bad Parent");
	it->config = xstrdup(config);
	it->repo_tags = jarr_to_strv(tags, "RepoTags", err);
	it->layers = jarr_to_strv(layers, "Layers", err);
	if (!it->repo_tags || !it->layers)
		return -1;
	it->nlayers = json_object_array_length(layers);
	for (size_t i = 0; i < it->nlayers; i++)
		if (!*it->layers[i])
			return err_invalid(err, "invalid manifest.json: empty layer path");
	if (parent && json_object_is_type(parent, json_type_string) && *json_object_get_string(parent))
		it->parent = xstrdup(json_object_get_string(parent));
	return 0;
}

int parse_save_manifest(const char *json, size_t len, save_item **items, size_t *n,
			err_t **err)
{
	*items = NULL;
	*n = 0;
	if (len >= 4 && !memcmp(json, "null", 4))
		return err_invalid(err, "invalid manifest, manifest cannot be null (but can be [])");
	_cleanup_json_ json_object *o = parse_root(json, len, json_type_array, "manifest.json", err);
	if (!o)
		return -1;
	size_t cnt = json_object_array_length(o);
	if (cnt > MANIFEST_MAX_ENTRIES)
		return err_invalid(err, "invalid manifest.json: too many entries");
	save_item *v = xcalloc(cnt + 1, sizeof(*v));
	for (size_t i = 0; i < cnt; i++) {
		if (parse_save_item(json_object_array_get_idx(o, i), &v[i], err) < 0) {
			save_items_free(v, cnt);
			return -1;
		}
	}
	*items = v;
	*n = cnt;
	return 0;
}

/* ---- descriptors ---- */

static desc_kind kind_of(const char *mt)
{
	if (!mt)
		return DESC_OTHER;
	if (!strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST))
		return DESC_INDEX;
	if (!strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST))
		return DESC_MANIFEST;
	return DESC_OTHER;
}

static void desc_free(oci_desc *d)
{
	free(d->media_type);
	free(d->os);
	free(d->arch);
	free(d->variant);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

void oci_descs_free(oci_desc *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		desc_free(&v[i]);
	free(v);
}

static const char *image_name(json_object *ann)
{
	const char *n = jget_str(ann, "io.containerd.image.name");
	if (n && *n)
		return n;
	n = jget_str(ann, "org.opencontainers.image.ref.name");
	/* a bare tag ("latest") names nothing; "repo:tag" or "host/repo" does */
	if (n && (strchr(n, ':') || strchr(n, '/')))
		return n;
	return NULL;
}

static int parse_platform(json_object *p, oci_desc *d, err_t **err)
{
	if (!p)
		return 0;
	if (!json_object_is_type(p, json_type_object))
		return err_invalid(err, "invalid descriptor: platform must be an object");
	d->os = dup_or_null(jget_str(p, "os"));
	d->arch = dup_or_null(jget_str(p, "architecture"));
	d->variant = dup_or_null(jget_str(p, "variant"));
	return 0;
}

static int parse_desc(json_object *o, oci_desc *d, err_t **err)
{
	if (!json_object_is_type(o, json_type_object))
		return err_invalid(err, "invalid descriptor: not an object");
	const char *digest = jget_str(o, "digest");
	json_object *size = jget(o, "size"), *mt = jget(o, "mediaType");
	json_object *ann = jget(o, "annotations");
	if (!digest || !digest_valid(digest))
		return err_invalid(err, "invalid descriptor: digest %s is not a sha256 digest",
				   digest ? digest : "(missing)");
	if (!size || !json_object_is_type(size, json_type_int) || json_object_get_int64(size) < 0)
		return err_invalid(err, "invalid descriptor %s: bad size", digest);
	if (mt && !json_object_is_type(mt, json_type_string))
		return err_invalid(err, "invalid descriptor %s: bad mediaType", digest);
	if (ann && !json_object_is_type(ann, json_type_object))
		return err_invalid(err, "invalid descriptor %s: bad annotations", digest);
	strcpy(d->digest, digest);
	d->size = json_object_get_int64(size);
	d->media_type = mt ? xstrdup(json_object_get_string(mt)) : NULL;
	d->kind = kind_of(d->media_type);
	d->name = dup_or_null(image_name(ann));
	const char *ref_type = jget_str(ann, "vnd.docker.reference.type");
	d->attestation = ref_type && !strcmp(ref_type, "attestation-manifest");
	return parse_platform(jget(o, "platform"), d, err);
}

static int parse_desc_array(json_object *arr, const char *what, oci_desc **v, size_t *n,
			    err_t **err)
{
	if (!arr || !json_object_is_type(arr, json_type_array))
		return err_invalid(err, "invalid %s: not an array", what);
	size_t cnt = json_object_array_length(arr);
	if (cnt > MANIFEST_MAX_ENTRIES)
		return err_invalid(err, "invalid %s: too many entries", what);
	oci_desc *d = xcalloc(cnt + 1, sizeof(*d));
	for (size_t i = 0; i < cnt; i++) {
		if (parse_desc(json_object_array_get_idx(arr, i), &d[i], err) < 0) {
			oci_descs_free(d, cnt);
			return -1;
		}
	}
	*v = d;
	*n = cnt;
	return 0;
}

static int check_schema(json_object *o, const char *what, err_t **err)
{
	json_object *sv = jget(o, "schemaVersion");
	if (!sv || !json_object_is_type(sv, json_type_int) || json_object_get_int(sv) != 2)
		return err_invalid(err, "invalid %s: schemaVersion must be 2", what);
	return 0;
}

int parse_oci_index(const char *json, size_t len, oci_desc **v, size_t *n, err_t **err)
{
	*v = NULL;
	*n = 0;
	_cleanup_json_ json_object *o = parse_root(json, len, json_type_object, "image index", err);
	if (!o || check_schema(o, "image index", err) < 0)
		return -1;
	return parse_desc_array(jget(o, "manifests"), "image index manifests", v, n, err);
}

void oci_manifest_free(oci_manifest *m)
{
	desc_free(&m->config);
	oci_descs_free(m->layers, m->nlayers);
	memset(m, 0, sizeof(*m));
}

int parse_oci_manifest(const char *json, size_t len, oci_manifest *m, err_t **err)
{
	memset(m, 0, sizeof(*m));
	_cleanup_json_ json_object *o = parse_root(json, len, json_type_object, "image manifest", err);
	if (!o || check_schema(o, "image manifest", err) < 0)
		return -1;
	json_object *cfg = jget(o, "config");
	if (!cfg)
		return err_invalid(err, "invalid image manifest: no config");
	if (parse_desc(cfg, &m->config, err) < 0 ||
	    parse_desc_array(jget(o, "layers"), "image manifest layers", &m->layers, &m->nlayers,
			     err) < 0) {
		oci_manifest_free(m);
		return -1;
	}
	return 0;
}

desc_kind manifest_sniff_kind(const char *json, size_t len)
{
	_cleanup_json_ json_object *o = json_parse_strict(json, len, NULL);
	if (!o || !json_object_is_type(o, json_type_object))
		return DESC_OTHER;
	desc_kind k = kind_of(jget_str(o, "mediaType"));
	if (k != DESC_OTHER)
		return k;
	if (jget_arr(o, "manifests"))
		return DESC_INDEX;
	if (jget_obj(o, "config") && jget_arr(o, "layers"))
		return DESC_MANIFEST;
	return DESC_OTHER;
}

bool oci_platform_wanted(const oci_desc *d)
{
	if (!d->os && !d->arch)
		return true;
	return d->os && d->arch && !strcmp(d->os, "linux") && !strcmp(d->arch, "amd64");
}
