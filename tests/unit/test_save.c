/* Unit tests for img_save: the archive's shape (OCI layout + manifest.json
 * + repositories), a round trip through img_load into a fresh store giving
 * the same image IDs and tags, the original manifest digest preserved, and
 * skopeo (docker-archive: and oci-archive:) reading the output. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "image.h"
#include "imgtest.h"
#include "jsonutil.h"
#include "xalloc.h"

#define BUSYBOX_ID "sha256:654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9"
#define BUSYBOX_MANIFEST "sha256:a34ce92094b7b100a98fbd21411a92825f6827b1bc5f6918c253516c90556998"
#define HELLO_ID "sha256:1485efea8146de0874b6c3f6dd9146d1171e586f5f358d07393cf612dbf9ac9c"
#define WHITEOUT_ID "sha256:62199bbddc67c9f3615d599f3e408d6c8f0b087982b855533179639678cf6a79"

static char *tmp;
static img_store *store;

static img_store *open_at(const char *dir)
{
	img_store_opts o = {.root = dir};
	_cleanup_err_ err_t *e = NULL;
	img_store *s = img_store_open(&o, &e);
	ck_assert_msg(s != NULL, "%s", e ? e->msg : "");
	return s;
}

static void setup(void)
{
	tmp = imgt_tmpdir();
	_cleanup_free_ char *root = fs_path_join(tmp, "a");
	store = open_at(root);
}

static void teardown(void)
{
	img_store_close(store);
	imgt_rmdir(tmp);
}

static void load_into(img_store *s, const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	img_reader r = img_reader_fd(fd);
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(img_load(s, &r, true, NULL, &e) == 0, "%s: %s", path, e ? e->msg : "");
}

static void load_shared(const char *name)
{
	_cleanup_free_ char *p = xasprintf("%s/%s", IMAGES_DIR, name);
	load_into(store, p);
}

static char *save_to(const char *file, char *const *names, size_t n)
{
	char *path = fs_path_join(tmp, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	img_writer w = img_writer_fd(fd);
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(img_save(store, names, n, &w, &e) == 0, "%s", e ? e->msg : "");
	return path;
}

static void expect_id(img_store *s, const char *name, const char *id)
{
	char got[DIGEST_STR_LEN + 1];
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(img_resolve(s, name, got, &e) == 0, "%s: %s", name, e ? e->msg : "");
	ck_assert_str_eq(got, id);
}

/* Runs a shell command, returns its stdout (NULL when it failed). */
static char *run(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t k;
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_append(&sb, buf, k);
	int st = pclose(f);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

START_TEST(test_layout)
{
	load_shared("busybox-1.38.0-musl.oci.tar");
	char *names[] = {"busybox:1.38.0-musl"};
	_cleanup_free_ char *out = save_to("bb.tar", names, 1);
	_cleanup_free_ char *cmd = xasprintf("tar tf %s", out);
	_cleanup_free_ char *list = run(cmd);
	ck_assert_ptr_nonnull(list);
	ck_assert_str_eq(list,
		"blobs/\nblobs/sha256/\n"
		"blobs/sha256/654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9\n"
		"blobs/sha256/5c3b447848a98e48dce106cb3e6acbd4fb6f9b26ee778798137349ce01f4d3c1\n"
		"blobs/sha256/a34ce92094b7b100a98fbd21411a92825f6827b1bc5f6918c253516c90556998\n"
		"index.json\nmanifest.json\noci-layout\nrepositories\n");
	_cleanup_free_ char *mcmd = xasprintf("tar xOf %s manifest.json", out);
	_cleanup_free_ char *manifest = run(mcmd);
	ck_assert_str_eq(manifest,
		"[{\"Config\":\"blobs/sha256/654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9\","
		"\"RepoTags\":[\"busybox:1.38.0-musl\"],"
		"\"Layers\":[\"blobs/sha256/5c3b447848a98e48dce106cb3e6acbd4fb6f9b26ee778798137349ce01f4d3c1\"]}]\n");
	_cleanup_free_ char *rcmd = xasprintf("tar xOf %s repositories", out);
	_cleanup_free_ char *repos = run(rcmd);
	ck_assert_str_eq(repos, "{\"busybox\":{\"1.38.0-musl\":\"0f8918d0fe4f272ce8acece89916a9ba0b240584d3c1dd1943f343f69b0d0ffb\"}}\n");
	_cleanup_free_ char *icmd = xasprintf("tar xOf %s index.json", out);
	_cleanup_free_ char *index = run(icmd);
	ck_assert(strstr(index, "\"io.containerd.image.name\":\"docker.io/library/busybox:1.38.0-musl\""));
	ck_assert(strstr(index, "\"org.opencontainers.image.ref.name\":\"1.38.0-musl\""));
	ck_assert(strstr(index, BUSYBOX_MANIFEST));
	/* the upstream manifest is written back unchanged */
	if (access("/usr/bin/skopeo", X_OK) == 0) {
		_cleanup_free_ char *scmd = xasprintf("skopeo inspect --raw oci-archive:%s | sha256sum | cut -c1-64", out);
		_cleanup_free_ char *msum = run(scmd);
		ck_assert(msum && !strncmp(msum, &BUSYBOX_MANIFEST[7], 64));
	}
	/* every blob hashes to its name */
	_cleanup_free_ char *vcmd = xasprintf(
		"d=$(mktemp -d) && tar xf %s -C $d && cd $d/blobs/sha256 && "
		"for f in *; do [ \"$(sha256sum < $f | cut -c1-64)\" = \"$f\" ] || exit 1; done; rm -rf $d", out);
	_cleanup_free_ char *ok = run(vcmd);
	ck_assert_ptr_nonnull(ok);
}
END_TEST

START_TEST(test_round_trip)
{
	load_shared("busybox-1.38.0-musl.docker.tar");
	load_shared("alpine-3.20.3-whiteout.oci.tar");
	load_shared("hello-world-latest.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(img_tag(store, "hello-world", "extra/hello", "two", &e), 0);
	char *names[] = {"busybox:1.38.0-musl", "alpine:3.20.3-whiteout", "hello-world",
			 "extra/hello:two"};
	_cleanup_free_ char *out = save_to("all.tar", names, 4);
	_cleanup_free_ char *root2 = fs_path_join(tmp, "b");
	img_store *s2 = open_at(root2);
	load_into(s2, out);
	expect_id(s2, "busybox:1.38.0-musl", BUSYBOX_ID);
	expect_id(s2, "alpine:3.20.3-whiteout", WHITEOUT_ID);
	expect_id(s2, "hello-world:latest", HELLO_ID);
	expect_id(s2, "extra/hello:two", HELLO_ID);
	/* and again from the second store: the same bytes come out */
	_cleanup_free_ char *out2 = fs_path_join(tmp, "again.tar");
	_cleanup_close_ int fd = open(out2, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	img_writer w = img_writer_fd(fd);
	ck_assert_int_eq(img_save(s2, names, 4, &w, &e), 0);
	img_store_close(s2);
	_cleanup_free_ char *cmp = xasprintf("cmp %s %s", out, out2);
	_cleanup_free_ char *same = run(cmp);
	ck_assert_ptr_nonnull(same);
}
END_TEST

START_TEST(test_save_by_id_and_repo)
{
	load_shared("hello-world-latest.docker.tar");
	load_shared("busybox-1.38.0-musl.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(img_tag(store, "hello-world", "hello-world", "other", &e), 0);
	/* a bare repository name saves all its tags */
	char *repo[] = {"hello-world"};
	_cleanup_free_ char *out = save_to("repo.tar", repo, 1);
	_cleanup_free_ char *mcmd = xasprintf("tar xOf %s manifest.json", out);
	_cleanup_free_ char *manifest = run(mcmd);
	ck_assert(strstr(manifest, "\"RepoTags\":[\"hello-world:latest\",\"hello-world:other\"]"));
	/* by ID: untagged in the archive, loads untagged */
	char *byid[] = {"654fc8fd836e"};
	_cleanup_free_ char *out2 = save_to("id.tar", byid, 1);
	_cleanup_free_ char *m2cmd = xasprintf("tar xOf %s manifest.json", out2);
	_cleanup_free_ char *m2 = run(m2cmd);
	ck_assert(strstr(m2, "\"RepoTags\":null"));
	_cleanup_free_ char *root2 = fs_path_join(tmp, "c");
	img_store *s2 = open_at(root2);
	load_into(s2, out2);
	expect_id(s2, BUSYBOX_ID, BUSYBOX_ID);
	char id[DIGEST_STR_LEN + 1];
	ck_assert_int_eq(img_resolve(s2, "busybox:1.38.0-musl", id, &e), -1);
	img_store_close(s2);
	/* unknown names fail before anything is written */
	err_free(&e);
	char *bad[] = {"busybox:1.38.0-musl", "nothere:1"};
	_cleanup_free_ char *bp = fs_path_join(tmp, "bad.tar");
	_cleanup_close_ int fd = open(bp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	img_writer w = img_writer_fd(fd);
	ck_assert_int_eq(img_save(store, bad, 2, &w, &e), -1);
	ck_assert_int_eq(e->kind, ERR_NOT_FOUND);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 0);
}
END_TEST

START_TEST(test_skopeo_reads_it)
{
	if (access("/usr/bin/skopeo", X_OK) != 0)
		return;
	load_shared("busybox-1.38.0-musl.docker.tar");
	load_shared("alpine-3.20.3-whiteout.oci.tar");
	char *bb[] = {"busybox:1.38.0-musl"};
	char *wh[] = {"alpine:3.20.3-whiteout"};
	_cleanup_free_ char *o1 = save_to("bb.tar", bb, 1);
	_cleanup_free_ char *o2 = save_to("wh.tar", wh, 1);
	const char *files[] = {o1, o2};
	const char *ids[] = {BUSYBOX_ID, WHITEOUT_ID};
	for (size_t i = 0; i < 2; i++) {
		for (int k = 0; k < 2; k++) {
			_cleanup_free_ char *cmd = xasprintf(
				"skopeo inspect --config --raw %s:%s 2>&1 | sha256sum | cut -c1-64",
				k ? "oci-archive" : "docker-archive", files[i]);
			_cleanup_free_ char *sum = run(cmd);
			ck_assert_ptr_nonnull(sum);
			ck_assert_msg(!strncmp(sum, ids[i] + 7, 64), "%s gave %s", cmd, sum);
			_cleanup_free_ char *icmd = xasprintf("skopeo inspect %s:%s >/dev/null 2>&1 && echo ok",
							       k ? "oci-archive" : "docker-archive", files[i]);
			_cleanup_free_ char *ok = run(icmd);
			ck_assert_msg(ok && !strcmp(ok, "ok\n"), "%s", icmd);
		}
	}
	/* and skopeo can copy the layers out of both forms */
	for (int k = 0; k < 2; k++) {
		_cleanup_free_ char *dir = xasprintf("%s/copy%d", tmp, k);
		_cleanup_free_ char *cmd = xasprintf("skopeo copy -q %s:%s oci:%s:x >/dev/null 2>&1 && echo ok",
						     k ? "oci-archive" : "docker-archive", o2, dir);
		_cleanup_free_ char *ok = run(cmd);
		ck_assert_msg(ok != NULL, "%s", cmd);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("save");
	TCase *tc = tcase_create("archives");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_save_by_id_and_repo);
	tcase_add_test(tc, test_skopeo_reads_it);
	suite_add_tcase(s, tc);
	return imgt_run(s) ? 1 : 0;
}
