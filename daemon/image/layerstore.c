/* layerstore.c: layer directories and their small record files (see
 * layerstore.h). The record files are written plainly inside the temp
 * directory: one syncfs() before the rename makes the whole tree and its
 * records durable at once, cheaper than an fsync per extracted file. */
#include "layerstore.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

void chain_id_next(const char *parent, const char *diff_id, char out[DIGEST_STR_LEN + 1])
{
	if (!parent || !*parent) {
		memcpy(out, diff_id, DIGEST_STR_LEN + 1);
		return;
	}
	_cleanup_free_ char *s = xasprintf("%s %s", parent, diff_id);
	digest_buf(s, strlen(s), out);
}

int layer_store_init(const char *root, err_t **err)
{
	_cleanup_free_ char *d = fs_path_join(root, "layers");
	return fs_mkdir_p(d, 0700, err);
}

char *layer_dir(const char *root, const char *chain)
{
	return xasprintf("%s/layers/%s", root, chain + 7);
}

char *layer_diff_dir(const char *root, const char *chain)
{
	return xasprintf("%s/layers/%s/diff", root, chain + 7);
}

layer_tmp *layer_tmp_new(const char *root, err_t **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/layers/tmp-XXXXXX", root);
	if (!mkdtemp(dir)) {
		err_sys(err, "create %s", dir);
		return NULL;
	}
	chmod(dir, 0700);
	layer_tmp *t = xcalloc(1, sizeof(*t));
	t->diff = fs_path_join(dir, "diff");
	t->dir = steal_ptr(&dir);
	if (mkdir(t->diff, 0755) < 0) {
		err_sys(err, "create %s", t->diff);
		layer_tmp_free(t);
		return NULL;
	}
	return t;
}

void layer_tmp_free(layer_tmp *t)
{
	if (!t)
		return;
	if (t->dir)
		fs_rm_rf(t->dir, NULL);
	free(t->dir);
	free(t->diff);
	free(t);
}

static int put(const char *dir, const char *name, const char *val, err_t **err)
{
	_cleanup_free_ char *p = fs_path_join(dir, name);
	_cleanup_close_ int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(val);
	if (fd < 0 || write(fd, val, n) != (ssize_t)n)
		return err_sys(err, "write %s", p);
	return 0;
}

static int write_record(const char *dir, const layer_rec *rec, err_t **err)
{
	_cleanup_free_ char *size = xasprintf("%" PRId64, rec->size);
	_cleanup_json_ json_object *blob = json_object_new_object();
	jset_str(blob, "digest", rec->blob);
	jset_str(blob, "mediaType", rec->media_type);
	jset_int(blob, "size", rec->blob_size);
	if (put(dir, "diff-id", rec->diff, err) < 0 || put(dir, "size", size, err) < 0 ||
	    put(dir, "parent", rec->parent, err) < 0 || put(dir, "blob", jdump(blob), err) < 0)
		return -1;
	return 0;
}

static int sync_tree(const char *dir, err_t **err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) < 0)
		return err_sys(err, "sync %s", dir);
	return 0;
}

int layer_tmp_prepare(layer_tmp *t, const layer_rec *rec, err_t **err)
{
	if (write_record(t->dir, rec, err) < 0 || sync_tree(t->dir, err) < 0)
		return -1;
	return 0;
}

int layer_tmp_publish(const char *root, layer_tmp *t, const layer_rec *rec, err_t **err)
{
	_cleanup_free_ char *final = layer_dir(root, rec->chain);
	_cleanup_free_ char *parent = fs_path_join(root, "layers");
	if (rename(t->dir, final) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			return 1;
		return err_sys(err, "rename layer into %s", final);
	}
	free(steal_ptr(&t->dir));
	if (fs_fsync_dir(parent) < 0)
		return err_sys(err, "sync %s", parent);
	return 0;
}

static int get(const char *dir, const char *name, char **out, err_t **err)
{
	_cleanup_free_ char *p = fs_path_join(dir, name);
	return fs_read_file(p, 4096, out, NULL, err);
}

static int parse_blob(const char *dir, layer_rec *out, err_t **err)
{
	_cleanup_free_ char *s = NULL;
	if (get(dir, "blob", &s, err) < 0)
		return -1;
	_cleanup_json_ json_object *o = json_parse_strict(s, strlen(s), err);
	const char *d = jget_str(o, "digest"), *mt = jget_str(o, "mediaType");
	if (!o || !d || !mt || (*d && !digest_valid(d)) || strlen(mt) >= sizeof(out->media_type))
		return err_set(err, ERR_SYSTEM, 0, "%s/blob is damaged", dir);
	strcpy(out->blob, d);
	strcpy(out->media_type, mt);
	out->blob_size = jget_int(o, "size", 0);
	return 0;
}

int layer_read(const char *root, const char *hex, layer_rec *out, err_t **err)
{
	_cleanup_free_ char *dir = xasprintf("%s/layers/%s", root, hex);
	_cleanup_free_ char *diff = NULL, *size = NULL, *parent = NULL;
	memset(out, 0, sizeof(*out));
	if (get(dir, "diff-id", &diff, err) < 0 || get(dir, "size", &size, err) < 0 ||
	    get(dir, "parent", &parent, err) < 0 || parse_blob(dir, out, err) < 0)
		return -1;
	if (!digest_valid(diff) || (*parent && !digest_valid(parent)))
		return err_set(err, ERR_SYSTEM, 0, "layer record %s is damaged", dir);
	snprintf(out->chain, sizeof(out->chain), "sha256:%s", hex);
	strcpy(out->diff, diff);
	strcpy(out->parent, parent);
	out->size = strtoll(size, NULL, 10);
	return 0;
}

char *layer_unlink(const char *root, const char *chain, err_t **err)
{
	_cleanup_free_ char *dir = layer_dir(root, chain);
	_cleanup_free_ char *trash = xasprintf("%s/layers/tmp-del-XXXXXX", root);
	if (!mkdtemp(trash)) {
		err_sys(err, "create %s", trash);
		return NULL;
	}
	/* rename over the empty placeholder: atomic, and the name is ours */
	if (rename(dir, trash) < 0) {
		int e = errno;
		rmdir(trash);
		errno = e;
		err_sys(err, "remove layer %s", chain);
		return NULL;
	}
	return steal_ptr(&trash);
}
