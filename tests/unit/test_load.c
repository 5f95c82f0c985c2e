/* Unit tests for img_load: every archive of ../shared/images in both
 * formats, with the image IDs checked against the config digests verified
 * by hand (sha256sum of the config blobs, `skopeo inspect --config --raw`),
 * the whiteout image's top layer, layer sharing between formats, and the
 * hostile archives: each a clear error, nothing registered, nothing left in
 * tmp/ or layers/tmp-*. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <dirent.h>
#include <stdio.h>

#include "cleanup.h"
#include "digest.h"
#include "fsutil.h"
#include "image.h"
#include "imgtest.h"
#include "jsonutil.h"
#include "xalloc.h"

#define BUSYBOX_ID "sha256:654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9"
#define BUSYBOX_MANIFEST "sha256:a34ce92094b7b100a98fbd21411a92825f6827b1bc5f6918c253516c90556998"
#define BUSYBOX_DIFF "sha256:0f8918d0fe4f272ce8acece89916a9ba0b240584d3c1dd1943f343f69b0d0ffb"
#define ALPINE_ID "sha256:861e92ced24fb40a1f89054182e1b72281710d35e0a50889a7bbe3216b126484"
#define HELLO_ID "sha256:1485efea8146de0874b6c3f6dd9146d1171e586f5f358d07393cf612dbf9ac9c"
#define WHITEOUT_ID "sha256:62199bbddc67c9f3615d599f3e408d6c8f0b087982b855533179639678cf6a79"

static char *root;
static img_store *store;
static strbuf messages;

static void on_stream(void *ctx, const char *text)
{
	(void)ctx;
	sb_puts(&messages, text);
}

static const img_progress progress = {NULL, on_stream, NULL};

static void setup(void)
{
	root = imgt_tmpdir();
	img_store_opts o = {.root = root};
	_cleanup_err_ err_t *e = NULL;
	store = img_store_open(&o, &e);
	ck_assert_msg(store != NULL, "%s", e ? e->msg : "");
	sb_reset(&messages);
}

static void teardown(void)
{
	img_store_close(store);
	store = NULL;
	imgt_rmdir(root);
	root = NULL;
	sb_free(&messages);
}

static int load_file(const char *name, err_t **err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", IMAGES_DIR, name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s", path);
	img_reader r = img_reader_fd(fd);
	return img_load(store, &r, false, &progress, err);
}

static void load_ok(const char *name)
{
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(load_file(name, &e) == 0, "%s: %s", name, e ? e->msg : "");
}

static void expect_id(const char *name, const char *id)
{
	_cleanup_err_ err_t *e = NULL;
	char got[DIGEST_STR_LEN + 1];
	ck_assert_msg(img_resolve(store, name, got, &e) == 0, "%s: %s", name, e ? e->msg : "");
	ck_assert_str_eq(got, id);
}

/* Nothing half-done remains: tmp/ empty, no layers/tmp-*, no images/tmp-*. */
static void expect_clean(void)
{
	_cleanup_free_ char *tmp = fs_path_join(root, "tmp");
	ck_assert_uint_eq(imgt_count_entries(tmp), 0);
	const char *dirs[] = {"layers", "images"};
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *d = fs_path_join(root, dirs[i]);
		_cleanup_closedir_ DIR *dd = opendir(d);
		struct dirent *de;
		while (dd && (de = readdir(dd)))
			ck_assert_msg(strncmp(de->d_name, "tmp-", 4), "%s/%s left", d, de->d_name);
	}
}

START_TEST(test_busybox_oci)
{
	load_ok("busybox-1.38.0-musl.oci.tar");
	expect_id("busybox:1.38.0-musl", BUSYBOX_ID);
	expect_id("docker.io/library/busybox:1.38.0-musl", BUSYBOX_ID);
	expect_id("654fc8fd836e", BUSYBOX_ID);
	expect_id("sha256:654fc8", BUSYBOX_ID);
	ck_assert_str_eq(sb_str(&messages), "Loaded image: busybox:1.38.0-musl\n");
	/* the manifest is kept, and the layer blob as received (gzip) */
	_cleanup_free_ char *m = xasprintf("%s/blobs/sha256/%s", root, &BUSYBOX_MANIFEST[7]);
	ck_assert(fs_exists(m));
	_cleanup_free_ char *lb = xasprintf("%s/blobs/sha256/5c3b447848a98e48dce106cb3e6acbd4fb6f9b26ee778798137349ce01f4d3c1", root);
	ck_assert(fs_exists(lb));
	_cleanup_free_ char *bb = xasprintf("%s/layers/%s/diff/bin/busybox", root, &BUSYBOX_DIFF[7]);
	struct stat st;
	ck_assert_int_eq(stat(bb, &st), 0);
	ck_assert(st.st_mode & S_IXUSR);
	expect_clean();
}
END_TEST

START_TEST(test_busybox_docker_shares_layer)
{
	load_ok("busybox-1.38.0-musl.docker.tar");
	expect_id("busybox:1.38.0-musl", BUSYBOX_ID);
	/* loading the OCI form again yields the same image, nothing new */
	load_ok("busybox-1.38.0-musl.oci.tar");
	expect_id("busybox:1.38.0-musl", BUSYBOX_ID);
	_cleanup_free_ char *layers = fs_path_join(root, "layers");
	ck_assert_uint_eq(imgt_count_entries(layers) > 0, 1);
	_cleanup_closedir_ DIR *d = opendir(layers);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	ck_assert_int_eq(n, 1);
	expect_clean();
}
END_TEST

START_TEST(test_all_archives)
{
	static const struct { const char *file, *tag, *id; } cases[] = {
		{"alpine-3.20.3.oci.tar", "alpine:3.20.3", ALPINE_ID},
		{"alpine-3.20.3.docker.tar", "alpine:3.20.3", ALPINE_ID},
		{"hello-world-latest.oci.tar", "hello-world", HELLO_ID},
		{"hello-world-latest.docker.tar", "hello-world:latest", HELLO_ID},
		{"alpine-3.20.3-whiteout.oci.tar", "alpine:3.20.3-whiteout", WHITEOUT_ID},
		{"busybox-1.38.0-musl.docker.tar", "busybox:1.38.0-musl", BUSYBOX_ID},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		load_ok(cases[i].file);
		expect_id(cases[i].tag, cases[i].id);
	}
	expect_clean();
}
END_TEST

START_TEST(test_whiteout_image)
{
	load_ok("alpine-3.20.3-whiteout.oci.tar");
	expect_id("alpine:3.20.3-whiteout", WHITEOUT_ID);
	_cleanup_err_ err_t *e = NULL;
	_cleanup_strv_ char **dirs = img_layer_dirs(store, "alpine:3.20.3-whiteout", &e);
	ck_assert_ptr_nonnull(dirs);
	ck_assert_ptr_nonnull(dirs[1]);
	ck_assert_ptr_null(dirs[2]);
	_cleanup_free_ char *motd_low = fs_path_join(dirs[0], "etc/motd");
	_cleanup_free_ char *motd = fs_path_join(dirs[1], "etc/motd");
	_cleanup_free_ char *repack = fs_path_join(dirs[1], "etc/repack-test");
	_cleanup_free_ char *wh = fs_path_join(dirs[1], "etc/.wh.motd");
	struct stat st;
	ck_assert_int_eq(lstat(motd_low, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(lstat(motd, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_uint_eq(st.st_rdev, makedev(0, 0));
	ck_assert(!fs_exists(wh));
	ck_assert_int_eq(lstat(repack, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	/* the lower layer is alpine's, shared with alpine:3.20.3 */
	load_ok("alpine-3.20.3.oci.tar");
	_cleanup_strv_ char **adirs = img_layer_dirs(store, "alpine:3.20.3", &e);
	ck_assert_str_eq(adirs[0], dirs[0]);
}
END_TEST

START_TEST(test_reopen_keeps_everything)
{
	load_ok("busybox-1.38.0-musl.oci.tar");
	load_ok("hello-world-latest.docker.tar");
	img_store_close(store);
	img_store_opts o = {.root = root};
	_cleanup_err_ err_t *e = NULL;
	store = img_store_open(&o, &e);
	ck_assert_ptr_nonnull(store);
	expect_id("busybox:1.38.0-musl", BUSYBOX_ID);
	expect_id("hello-world", HELLO_ID);
	_cleanup_free_ char *m = xasprintf("%s/blobs/sha256/%s", root, &BUSYBOX_MANIFEST[7]);
	ck_assert(fs_exists(m));
}
END_TEST

/* ---- hostile and unusual archives ---- */

typedef struct blobref {
	char digest[72];
	size_t size;
} blobref;

/* Adds data as blobs/sha256/<digest> (or under the given wrong digest). */
static blobref add_blob(imgt_tar *outer, const void *data, size_t len, const char *lie)
{
	blobref b;
	imgt_sha(data, len, b.digest);
	if (lie)
		snprintf(b.digest, sizeof(b.digest), "%s", lie);
	b.size = len;
	_cleanup_free_ char *path = xasprintf("blobs/sha256/%s", b.digest + 7);
	imgt_add(outer, imgt_entry(path, AE_IFREG, 0644), data, len);
	return b;
}

static void add_text(imgt_tar *outer, const char *path, const char *text)
{
	imgt_add(outer, imgt_entry(path, AE_IFREG, 0644), text, strlen(text));
}

/* A small layer tar holding one file. */
static void small_layer(strbuf *out, int filter, const char *file)
{
	imgt_tar t;
	imgt_tar_open(&t, filter);
	imgt_file(&t, file, "content of the file\n");
	imgt_tar_close(&t);
	*out = t.out;
}

static char *config_for(const char *const *diffs, size_t n, const char *os)
{
	strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "{\"architecture\":\"amd64\",\"os\":\"%s\",\"config\":{\"Cmd\":[\"/x\"]},"
		  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[", os);
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s\"%s\"", i ? "," : "", diffs[i]);
	sb_puts(&sb, "]}}");
	return sb_steal(&sb);
}

static char *manifest_for(blobref cfg, const blobref *layers, size_t n, const char *mt)
{
	strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		  "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\","
		  "\"size\":%zu},\"layers\":[", cfg.digest, cfg.size);
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}", i ? "," : "",
			  mt, layers[i].digest, layers[i].size);
	sb_puts(&sb, "]}");
	return sb_steal(&sb);
}

static char *index_for(const char *entries)
{
	return xasprintf("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
			 "\"manifests\":[%s]}", entries);
}

static char *desc(const char *mt, blobref b, const char *extra)
{
	return xasprintf("{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu%s}", mt, b.digest, b.size,
			 extra ? extra : "");
}

#define MT_M "application/vnd.oci.image.manifest.v1+json"
#define MT_I "application/vnd.oci.image.index.v1+json"
#define MT_L "application/vnd.oci.image.layer.v1.tar"
#define NAMED ",\"annotations\":{\"io.containerd.image.name\":\"hostile:test\"}"

/* A one-image OCI layout; the layer blob is given, diffs go in the config. */
static blobref one_image(imgt_tar *outer, const strbuf *layer, const char *const *diffs,
			 size_t ndiffs, size_t nlayers)
{
	blobref l = add_blob(outer, layer->buf, layer->len, NULL);
	_cleanup_free_ char *cfg = config_for(diffs, ndiffs, "linux");
	blobref c = add_blob(outer, cfg, strlen(cfg), NULL);
	blobref ls[4] = {l, l, l, l};
	_cleanup_free_ char *m = manifest_for(c, ls, nlayers, MT_L);
	return add_blob(outer, m, strlen(m), NULL);
}

static int load_buf(const strbuf *buf, err_t **err)
{
	imgt_mem m = {buf->buf, buf->len, 0, 3000};
	img_reader r = imgt_mem_reader(&m);
	return img_load(store, &r, true, &progress, err);
}

/* Fails with needle in the message, registers nothing, leaves nothing. */
static void expect_rejected(imgt_tar *outer, const char *needle)
{
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(load_buf(&outer->out, &e), -1);
	ck_assert_msg(strstr(e->msg, needle), "'%s' lacks '%s'", e->msg, needle);
	if (getenv("IMGT_VERBOSE"))
		fprintf(stderr, "rejected: %s\n", e->msg);
	img_list_opts lo = {.all = true};
	_cleanup_json_ json_object *l = img_list(store, &lo, &e);
	ck_assert_uint_eq(json_object_array_length(l), 0);
	_cleanup_free_ char *layers = fs_path_join(root, "layers");
	_cleanup_free_ char *blobs = fs_path_join(root, "blobs/sha256");
	ck_assert_uint_eq(imgt_count_entries(layers), 0);
	ck_assert_uint_eq(imgt_count_entries(blobs), 0);
	expect_clean();
	sb_free(&outer->out);
}

START_TEST(test_truncated_archive)
{
	imgt_tar outer = {0};
	_cleanup_free_ char *path = xasprintf("%s/busybox-1.38.0-musl.oci.tar", IMAGES_DIR);
	imgt_slurp(path, &outer.out);
	outer.out.len = outer.out.len / 2 + 100;
	expect_rejected(&outer, "invalid archive");
	imgt_slurp(path, &outer.out);
	outer.out.len = 1536; /* only the first members */
	expect_rejected(&outer, "invalid archive");
}
END_TEST

START_TEST(test_corrupt_gzip_layer)
{
	strbuf plain, gz;
	small_layer(&plain, ARCHIVE_FILTER_NONE, "f");
	small_layer(&gz, ARCHIVE_FILTER_GZIP, "f");
	for (size_t i = 20; i < gz.len - 10; i += 5)
		gz.buf[i] ^= 0x33;
	char diff[72];
	imgt_sha(plain.buf, plain.len, diff);
	const char *diffs[] = {diff};
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	blobref m = one_image(&outer, &gz, diffs, 1, 1);
	_cleanup_free_ char *d = desc(MT_M, m, NAMED);
	_cleanup_free_ char *idx = index_for(d);
	add_text(&outer, "index.json", idx);
	imgt_tar_close(&outer);
	expect_rejected(&outer, "layer 0 of image");
	sb_free(&plain);
	sb_free(&gz);
}
END_TEST

START_TEST(test_wrong_digest_and_missing_blob)
{
	strbuf layer;
	small_layer(&layer, ARCHIVE_FILTER_NONE, "f");
	char diff[72];
	imgt_sha(layer.buf, layer.len, diff);
	const char *diffs[] = {diff};
	/* the index names a manifest whose bytes hash to something else */
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	blobref m = one_image(&outer, &layer, diffs, 1, 1);
	const char *lie = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	_cleanup_free_ char *mtext = xstrdup("{\"schemaVersion\":2}");
	blobref fake = add_blob(&outer, mtext, strlen(mtext), lie);
	_cleanup_free_ char *d = desc(MT_M, fake, NAMED);
	_cleanup_free_ char *idx = index_for(d);
	add_text(&outer, "index.json", idx);
	imgt_tar_close(&outer);
	expect_rejected(&outer, "does not match its digest");
	/* a size that disagrees with the descriptor */
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	m = one_image(&outer, &layer, diffs, 1, 1);
	m.size += 1;
	_cleanup_free_ char *d2 = desc(MT_M, m, NAMED);
	_cleanup_free_ char *idx2 = index_for(d2);
	add_text(&outer, "index.json", idx2);
	imgt_tar_close(&outer);
	expect_rejected(&outer, "its descriptor says");
	/* the manifest names a layer blob that is not in the archive */
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	_cleanup_free_ char *cfg = config_for(diffs, 1, "linux");
	blobref c = add_blob(&outer, cfg, strlen(cfg), NULL);
	blobref absent = {"", layer.len};
	imgt_sha(layer.buf, layer.len, absent.digest);
	_cleanup_free_ char *mj = manifest_for(c, &absent, 1, MT_L);
	blobref mb = add_blob(&outer, mj, strlen(mj), NULL);
	_cleanup_free_ char *d3 = desc(MT_M, mb, NAMED);
	_cleanup_free_ char *idx3 = index_for(d3);
	add_text(&outer, "index.json", idx3);
	imgt_tar_close(&outer);
	expect_rejected(&outer, "missing blob");
	sb_free(&layer);
}
END_TEST

START_TEST(test_layer_named_twice)
{
	strbuf layer;
	small_layer(&layer, ARCHIVE_FILTER_NONE, "f");
	char diff[72];
	imgt_sha(layer.buf, layer.len, diff);
	/* config listing the layer once, manifest twice: refused */
	const char *one[] = {diff};
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	blobref m = one_image(&outer, &layer, one, 1, 2);
	_cleanup_free_ char *d = desc(MT_M, m, NAMED);
	_cleanup_free_ char *idx = index_for(d);
	add_text(&outer, "index.json", idx);
	imgt_tar_close(&outer);
	expect_rejected(&outer, "layers length mismatch");
	/* both say twice: a legitimate image of two identical layers (two
	 * ChainIDs, the blob unpacked twice) */
	const char *two[] = {diff, diff};
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	m = one_image(&outer, &layer, two, 2, 2);
	_cleanup_free_ char *d2 = desc(MT_M, m, NAMED);
	_cleanup_free_ char *idx2 = index_for(d2);
	add_text(&outer, "index.json", idx2);
	imgt_tar_close(&outer);
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(load_buf(&outer.out, &e) == 0, "%s", e ? e->msg : "");
	_cleanup_strv_ char **dirs = img_layer_dirs(store, "hostile:test", &e);
	ck_assert_ptr_nonnull(dirs[1]);
	ck_assert_str_ne(dirs[0], dirs[1]);
	_cleanup_free_ char *f0 = fs_path_join(dirs[0], "f"), *f1 = fs_path_join(dirs[1], "f");
	ck_assert(fs_exists(f0) && fs_exists(f1));
	expect_clean();
	sb_free(&outer.out);
	sb_free(&layer);
}
END_TEST

START_TEST(test_wrong_diff_id)
{
	strbuf layer;
	small_layer(&layer, ARCHIVE_FILTER_NONE, "f");
	const char *diffs[] = {"sha256:2222222222222222222222222222222222222222222222222222222222222222"};
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	blobref m = one_image(&outer, &layer, diffs, 1, 1);
	_cleanup_free_ char *d = desc(MT_M, m, NAMED);
	_cleanup_free_ char *idx = index_for(d);
	add_text(&outer, "index.json", idx);
	imgt_tar_close(&outer);
	expect_rejected(&outer, "invalid diffID for layer 0: expected \"sha256:2222");
	sb_free(&layer);
}
END_TEST

/* A config's created time is shown again in the zone it was written in,
 * as Go's time.Time keeps it; the list's Created is Unix seconds. */
START_TEST(test_created_keeps_zone)
{
	strbuf layer;
	small_layer(&layer, ARCHIVE_FILTER_NONE, "f");
	char diff[72];
	imgt_sha(layer.buf, layer.len, diff);
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	blobref l = add_blob(&outer, layer.buf, layer.len, NULL);
	_cleanup_free_ char *cfg = xasprintf(
		"{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05.5+01:30\","
		"\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", diff);
	blobref c = add_blob(&outer, cfg, strlen(cfg), NULL);
	_cleanup_free_ char *m = manifest_for(c, &l, 1, MT_L);
	blobref mb = add_blob(&outer, m, strlen(m), NULL);
	_cleanup_free_ char *d = desc(MT_M, mb, NAMED);
	_cleanup_free_ char *idx = index_for(d);
	add_text(&outer, "index.json", idx);
	imgt_tar_close(&outer);
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(load_buf(&outer.out, &e) == 0, "%s", e ? e->msg : "");
	_cleanup_json_ json_object *o = img_inspect(store, "hostile:test", 44, &e);
	ck_assert_str_eq(jget_str(o, "Created"), "2024-01-02T03:04:05.5+01:30");
	img_list_opts lo = {0};
	_cleanup_json_ json_object *l2 = img_list(store, &lo, &e);
	ck_assert_int_eq(jget_int(json_object_array_get_idx(l2, 0), "Created", 0), 1704159245);
	sb_free(&outer.out);
	sb_free(&layer);
}
END_TEST

START_TEST(test_bad_paths)
{
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, "../escape", "x");
	imgt_tar_close(&outer);
	expect_rejected(&outer, "escapes the archive root");
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, "/etc/escape", "x");
	imgt_tar_close(&outer);
	expect_rejected(&outer, "absolute path");
	char *giant = xmalloc(70000);
	memset(giant, 'g', 69999);
	giant[69999] = '\0';
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, giant, "x");
	imgt_tar_close(&outer);
	free(giant);
	expect_rejected(&outer, "too long");
	/* manifest.json whose layer is a symlink out of the archive */
	strbuf layer;
	small_layer(&layer, ARCHIVE_FILTER_NONE, "f");
	char diff[72];
	imgt_sha(layer.buf, layer.len, diff);
	const char *diffs[] = {diff};
	_cleanup_free_ char *cfg = config_for(diffs, 1, "linux");
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, "cfg.json", cfg);
	struct archive_entry *e = imgt_entry("x/layer.tar", AE_IFLNK, 0777);
	archive_entry_set_symlink(e, "../../../../etc/passwd");
	imgt_add(&outer, e, NULL, 0);
	add_text(&outer, "manifest.json", "[{\"Config\":\"cfg.json\",\"RepoTags\":[\"hostile:test\"],"
					   "\"Layers\":[\"x/layer.tar\"]}]");
	imgt_tar_close(&outer);
	expect_rejected(&outer, "link points outside the archive");
	sb_free(&layer);
}
END_TEST

START_TEST(test_not_an_image)
{
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, "repositories", "{\"x\":{\"latest\":\"abc\"}}");
	add_text(&outer, "abc/json", "{}");
	imgt_tar_close(&outer);
	expect_rejected(&outer, "no manifest.json or index.json found");
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, "manifest.json", "[{\"Config\":");
	imgt_tar_close(&outer);
	expect_rejected(&outer, "invalid manifest.json");
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, "manifest.json", "null");
	imgt_tar_close(&outer);
	expect_rejected(&outer, "manifest cannot be null");
	/* random bytes */
	outer.out = (strbuf)STRBUF_INIT;
	for (int i = 0; i < 3000; i++)
		sb_putc(&outer.out, (char)(i * 131 % 256));
	expect_rejected(&outer, "invalid archive");
	/* a windows image */
	strbuf layer;
	small_layer(&layer, ARCHIVE_FILTER_NONE, "f");
	char diff[72];
	imgt_sha(layer.buf, layer.len, diff);
	const char *diffs[] = {diff};
	_cleanup_free_ char *cfg = config_for(diffs, 1, "windows");
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	add_text(&outer, "cfg.json", cfg);
	imgt_add(&outer, imgt_entry("l.tar", AE_IFREG, 0644), layer.buf, layer.len);
	add_text(&outer, "manifest.json", "[{\"Config\":\"cfg.json\",\"RepoTags\":null,\"Layers\":[\"l.tar\"]}]");
	imgt_tar_close(&outer);
	expect_rejected(&outer, "cannot load windows image on linux");
	sb_free(&layer);
}
END_TEST

START_TEST(test_tiny_file_layer)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_GZIP);
	for (int i = 0; i < 3000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d%d/f%d", i % 50, i);
		imgt_file(&t, name, "");
	}
	imgt_tar_close(&t);
	imgt_tar plain;
	imgt_tar_open(&plain, ARCHIVE_FILTER_NONE);
	for (int i = 0; i < 3000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d%d/f%d", i % 50, i);
		imgt_file(&plain, name, "");
	}
	imgt_tar_close(&plain);
	char diff[72];
	imgt_sha(plain.out.buf, plain.out.len, diff);
	const char *diffs[] = {diff};
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	blobref m = one_image(&outer, &t.out, diffs, 1, 1);
	_cleanup_free_ char *d = desc(MT_M, m, NAMED);
	_cleanup_free_ char *idx = index_for(d);
	add_text(&outer, "index.json", idx);
	imgt_tar_close(&outer);
	/* with a limit configured: refused, nothing left */
	img_store_close(store);
	img_store_opts o = {.root = root, .max_layer_entries = 2000};
	_cleanup_err_ err_t *e = NULL;
	store = img_store_open(&o, &e);
	strbuf copy = STRBUF_INIT;
	sb_append(&copy, outer.out.buf, outer.out.len);
	expect_rejected(&outer, "more than 2000 entries");
	/* without one (Docker's behaviour): it is just a big layer */
	img_store_close(store);
	img_store_opts o2 = {.root = root};
	store = img_store_open(&o2, &e);
	ck_assert_msg(load_buf(&copy, &e) == 0, "%s", e ? e->msg : "");
	expect_clean();
	sb_free(&copy);
	sb_free(&t.out);
	sb_free(&plain.out);
}
END_TEST

START_TEST(test_nested_index_platforms)
{
	/* an index -> nested index of arm64, amd64 and an attestation */
	_cleanup_free_ char *path = xasprintf("%s/busybox-1.38.0-musl.oci.tar", IMAGES_DIR);
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	/* copy busybox's blobs */
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
	struct archive_entry *e;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (strncmp(name, "blobs/sha256/", 13) || !name[13])
			continue;
		strbuf data = STRBUF_INIT;
		char buf[8192];
		la_ssize_t k;
		while ((k = archive_read_data(a, buf, sizeof(buf))) > 0)
			sb_append(&data, buf, (size_t)k);
		imgt_add(&outer, imgt_entry(name, AE_IFREG, 0644), data.buf, data.len);
		sb_free(&data);
	}
	archive_read_free(a);
	blobref amd = {BUSYBOX_MANIFEST, 608};
	blobref arm = {"sha256:3333333333333333333333333333333333333333333333333333333333333333", 500};
	blobref att = {"sha256:4444444444444444444444444444444444444444444444444444444444444444", 500};
	_cleanup_free_ char *d1 = desc(MT_M, arm, ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}");
	_cleanup_free_ char *d2 = desc(MT_M, att, ",\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
				       "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}");
	_cleanup_free_ char *d3 = desc(MT_M, amd, ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}");
	_cleanup_free_ char *list = xasprintf("%s,%s,%s", d1, d2, d3);
	_cleanup_free_ char *nested = index_for(list);
	blobref nb = add_blob(&outer, nested, strlen(nested), NULL);
	_cleanup_free_ char *top = desc(MT_I, nb, ",\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/multi:1\"}");
	_cleanup_free_ char *idx = index_for(top);
	add_text(&outer, "index.json", idx);
	add_text(&outer, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	imgt_tar_close(&outer);
	_cleanup_err_ err_t *err = NULL;
	ck_assert_msg(load_buf(&outer.out, &err) == 0, "%s", err ? err->msg : "");
	expect_id("multi:1", BUSYBOX_ID);
	sb_free(&outer.out);
	/* only arm64 on offer */
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	_cleanup_free_ char *armonly = index_for(d1);
	blobref ab = add_blob(&outer, armonly, strlen(armonly), NULL);
	_cleanup_free_ char *top2 = desc(MT_I, ab, NULL);
	_cleanup_free_ char *idx2 = index_for(top2);
	add_text(&outer, "index.json", idx2);
	imgt_tar_close(&outer);
	ck_assert_int_eq(load_buf(&outer.out, &err), -1);
	ck_assert_str_eq(err->msg, "no matching manifest for linux/amd64 in the manifest list entries");
	expect_clean();
	sb_free(&outer.out);
}
END_TEST

START_TEST(test_compressed_archive_and_messages)
{
	/* docker load takes a gzip-compressed archive too */
	_cleanup_free_ char *path = xasprintf("%s/hello-world-latest.docker.tar", IMAGES_DIR);
	strbuf raw = STRBUF_INIT, gz = STRBUF_INIT;
	imgt_slurp(path, &raw);
	imgt_gzip(&raw, &gz);
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(load_buf(&gz, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(sb_str(&messages), "Loaded image: hello-world:latest\n");
	/* loading it again over an image with the same tag but another ID */
	sb_reset(&messages);
	ck_assert_int_eq(img_tag(store, "hello-world", "busybox", "1.38.0-musl", &e), 0);
	ck_assert_int_eq(load_file("busybox-1.38.0-musl.docker.tar", &e), 0);
	ck_assert_str_eq(sb_str(&messages), "The image busybox:1.38.0-musl already exists, renaming the old one "
				"with ID " HELLO_ID " to empty string\nLoaded image: busybox:1.38.0-musl\n");
	/* an untagged image: "Loaded image ID:" */
	sb_reset(&messages);
	_cleanup_json_ json_object *r = img_delete(store, "busybox:1.38.0-musl", false, true, &e);
	ck_assert_ptr_nonnull(r);
	imgt_tar outer;
	imgt_tar_open(&outer, ARCHIVE_FILTER_NONE);
	_cleanup_free_ char *bbpath = xasprintf("%s/busybox-1.38.0-musl.docker.tar", IMAGES_DIR);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	ck_assert_int_eq(archive_read_open_filename(a, bbpath, 10240), ARCHIVE_OK);
	struct archive_entry *ent;
	while (archive_read_next_header(a, &ent) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		if (archive_entry_filetype(ent) != AE_IFREG || !strcmp(name, "manifest.json"))
			continue;
		strbuf data = STRBUF_INIT;
		char buf[8192];
		la_ssize_t k;
		while ((k = archive_read_data(a, buf, sizeof(buf))) > 0)
			sb_append(&data, buf, (size_t)k);
		imgt_add(&outer, imgt_entry(name, AE_IFREG, 0644), data.buf, data.len);
		sb_free(&data);
	}
	archive_read_free(a);
	add_text(&outer, "manifest.json", "[{\"Config\":\"654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9.json\","
			 "\"RepoTags\":null,\"Layers\":[\"0f8918d0fe4f272ce8acece89916a9ba0b240584d3c1dd1943f343f69b0d0ffb.tar\"]}]");
	imgt_tar_close(&outer);
	ck_assert_msg(load_buf(&outer.out, &e) == 0, "%s", e ? e->msg : "");
	ck_assert_str_eq(sb_str(&messages), "Loaded image ID: " BUSYBOX_ID "\n");
	sb_free(&outer.out);
	sb_free(&raw);
	sb_free(&gz);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("load");
	TCase *tc = tcase_create("archives");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_busybox_oci);
	tcase_add_test(tc, test_busybox_docker_shares_layer);
	tcase_add_test(tc, test_all_archives);
	tcase_add_test(tc, test_whiteout_image);
	tcase_add_test(tc, test_reopen_keeps_everything);
	tcase_add_test(tc, test_truncated_archive);
	tcase_add_test(tc, test_corrupt_gzip_layer);
	tcase_add_test(tc, test_wrong_digest_and_missing_blob);
	tcase_add_test(tc, test_layer_named_twice);
	tcase_add_test(tc, test_wrong_diff_id);
	tcase_add_test(tc, test_created_keeps_zone);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_not_an_image);
	tcase_add_test(tc, test_tiny_file_layer);
	tcase_add_test(tc, test_nested_index_platforms);
	tcase_add_test(tc, test_compressed_archive_and_messages);
	suite_add_tcase(s, tc);
	return imgt_run(s) ? 1 : 0;
}
