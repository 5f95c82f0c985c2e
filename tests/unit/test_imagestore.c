/* Unit tests for the image store's API over real images: inspect and
 * history JSON, the list and its filters, tag, Docker's rmi rules with
 * container conflicts, prune, events, crash repair on open, and
 * concurrent loads and deletes. */
#include <check.h>
#include <fcntl.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "image.h"
#include "imgtest.h"
#include "jsonutil.h"
#include "xalloc.h"

#define BUSYBOX_ID "sha256:654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9"
#define BUSYBOX_DIFF "sha256:0f8918d0fe4f272ce8acece89916a9ba0b240584d3c1dd1943f343f69b0d0ffb"
#define HELLO_ID "sha256:1485efea8146de0874b6c3f6dd9146d1171e586f5f358d07393cf612dbf9ac9c"
#define ALPINE_ID "sha256:861e92ced24fb40a1f89054182e1b72281710d35e0a50889a7bbe3216b126484"
#define WHITEOUT_ID "sha256:62199bbddc67c9f3615d599f3e408d6c8f0b087982b855533179639678cf6a79"

static char *root;
static img_store *store;
static strbuf events;

/* containers the fake core reports: "<image id> <running|stopped> <ctr id>" */
static char *containers[8];

static void on_event(void *ctx, const char *action, const char *id, const char *name)
{
	(void)ctx;
	sb_printf(&events, "%s %.19s %s\n", action, id, name ? name : "-");
}

static bool first_user(void *ctx, const char *image_id, img_ctr_state state, char **ctr)
{
	(void)ctx;
	for (size_t i = 0; i < ARRAY_SIZE(containers) && containers[i]; i++) {
		char img[80], st[16], id[80];
		sscanf(containers[i], "%79s %15s %79s", img, st, id);
		if (strcmp(img, image_id))
			continue;
		bool running = !strcmp(st, "running");
		if (state == IMG_CTR_ANY || (state == IMG_CTR_RUNNING) == running) {
			*ctr = xstrdup(id);
			return true;
		}
	}
	return false;
}

static int64_t count_users(void *ctx, const char *image_id)
{
	(void)ctx;
	int64_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(containers) && containers[i]; i++)
		n += !strncmp(containers[i], image_id, strlen(image_id));
	return n;
}

static void open_store(void)
{
	img_store_opts o = {.root = root, .on_event = on_event,
			    .containers = {first_user, count_users, NULL}};
	_cleanup_err_ err_t *e = NULL;
	store = img_store_open(&o, &e);
	ck_assert_msg(store != NULL, "%s", e ? e->msg : "");
}

static void setup(void)
{
	root = imgt_tmpdir();
	memset(containers, 0, sizeof(containers));
	sb_reset(&events);
	open_store();
}

static void teardown(void)
{
	img_store_close(store);
	store = NULL;
	imgt_rmdir(root);
	sb_free(&events);
}

static void load(const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", IMAGES_DIR, name);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	img_reader r = img_reader_fd(fd);
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(img_load(store, &r, true, NULL, &e) == 0, "%s", e ? e->msg : "");
}

static bool exists(const char *name)
{
	char id[DIGEST_STR_LEN + 1];
	_cleanup_err_ err_t *e = NULL;
	return img_resolve(store, name, id, &e) == 0;
}

static const char *jstr_at(json_object *o, const char *path)
{
	json_object *v = jget_path(o, path);
	return v ? json_object_get_string(v) : NULL;
}

/* The JSON text of an array of records, for exact comparisons. */
static const char *dump(json_object *o)
{
	return o ? jdump(o) : "(null)";
}

START_TEST(test_inspect)
{
	load("busybox-1.38.0-musl.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	_cleanup_json_ json_object *o = img_inspect(store, "busybox:1.38.0-musl", 44, &e);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(jstr_at(o, "Id"), BUSYBOX_ID);
	ck_assert_str_eq(dump(jget(o, "RepoTags")), "[\"busybox:1.38.0-musl\"]");
	ck_assert_str_eq(dump(jget(o, "RepoDigests")), "[]");
	ck_assert_str_eq(jstr_at(o, "Parent"), "");
	ck_assert_str_eq(jstr_at(o, "Comment"), "");
	ck_assert_str_eq(jstr_at(o, "Created"), "2026-05-13T02:21:49Z");
	ck_assert_str_eq(jstr_at(o, "Container"), "");
	ck_assert_str_eq(jstr_at(o, "ContainerConfig.Hostname"), "");
	ck_assert_str_eq(jstr_at(o, "DockerVersion"), "");
	ck_assert_str_eq(jstr_at(o, "Author"), "");
	ck_assert_str_eq(dump(jget_path(o, "Config.Cmd")), "[\"sh\"]");
	ck_assert_ptr_nonnull(jget_path(o, "Config.Env"));
	ck_assert(json_object_is_type(jget_path(o, "Config.Tty"), json_type_boolean));
	ck_assert_ptr_null(jget_path(o, "Config.Entrypoint"));
	ck_assert_str_eq(jstr_at(o, "Architecture"), "amd64");
	ck_assert_str_eq(jstr_at(o, "Os"), "linux");
	ck_assert_ptr_null(jget(o, "Variant"));
	ck_assert_ptr_null(jget(o, "OsVersion"));
	ck_assert_ptr_null(jget(o, "VirtualSize"));
	int64_t size = jget_int(o, "Size", -1);
	ck_assert_int_gt(size, 1000000);
	ck_assert_str_eq(jstr_at(o, "GraphDriver.Name"), "overlay2");
	_cleanup_free_ char *upper = xasprintf("%s/layers/%s/diff", root, &BUSYBOX_DIFF[7]);
	ck_assert_str_eq(jstr_at(o, "GraphDriver.Data.UpperDir"), upper);
	ck_assert_ptr_null(jget_path(o, "GraphDriver.Data.LowerDir"));
	ck_assert_str_eq(jstr_at(o, "RootFS.Type"), "layers");
	ck_assert_str_eq(dump(jget_path(o, "RootFS.Layers")), "[\"" BUSYBOX_DIFF "\"]");
	ck_assert_str_eq(jstr_at(o, "Metadata.LastTagTime"), "0001-01-01T00:00:00Z");
	/* API 1.43 still carries VirtualSize */
	_cleanup_json_ json_object *old = img_inspect(store, BUSYBOX_ID, 43, &e);
	ck_assert_int_eq(jget_int(old, "VirtualSize", -1), size);
	/* two layers: LowerDir names the lower one */
	load("alpine-3.20.3-whiteout.oci.tar");
	_cleanup_json_ json_object *w = img_inspect(store, "alpine:3.20.3-whiteout", 44, &e);
	ck_assert_ptr_nonnull(jget_path(w, "GraphDriver.Data.LowerDir"));
	ck_assert_ptr_null(img_inspect(store, "nope", 44, &e));
	ck_assert_int_eq(e->kind, ERR_NOT_FOUND);
	ck_assert_str_eq(e->msg, "No such image: nope:latest");
	err_free(&e);
	ck_assert_ptr_null(img_inspect(store, "Nope", 44, &e));
	ck_assert_int_eq(e->kind, ERR_INVALID);
}
END_TEST

START_TEST(test_history)
{
	load("alpine-3.20.3-whiteout.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	_cleanup_json_ json_object *h = img_history(store, "alpine:3.20.3-whiteout", &e);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(json_object_array_length(h), 2);
	json_object *top = json_object_array_get_idx(h, 0), *base = json_object_array_get_idx(h, 1);
	ck_assert_str_eq(jstr_at(top, "Id"), WHITEOUT_ID);
	ck_assert_str_eq(dump(jget(top, "Tags")), "[\"alpine:3.20.3-whiteout\"]");
	ck_assert_str_eq(jstr_at(top, "CreatedBy"), "rm /etc/motd; echo ... > /etc/repack-test");
	ck_assert_int_eq(jget_int(top, "Created", 0), 1725580800);
	ck_assert_int_eq(jget_int(top, "Size", -1), 22);
	ck_assert_str_eq(jstr_at(base, "Id"), "<missing>");
	ck_assert(json_object_is_type(jget(base, "Tags"), json_type_null));
	ck_assert_str_eq(jstr_at(base, "CreatedBy"), "ADD alpine-minirootfs-3.20.3-x86_64.tar.gz /");
	ck_assert_int_gt(jget_int(base, "Size", 0), 7000000);
}
END_TEST

static json_object *list(const char *filters, bool all)
{
	img_list_opts o = {.all = all, .api_minor = 44, .filters = filters};
	_cleanup_err_ err_t *e = NULL;
	json_object *l = img_list(store, &o, &e);
	ck_assert_msg(l != NULL, "%s", e ? e->msg : "");
	return l;
}

static const char *ids_of(json_object *l)
{
	static char buf[1024];
	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(l); i++) {
		const char *id = jget_str(json_object_array_get_idx(l, i), "Id");
		strncat(buf, id + 7, 6);
		strcat(buf, " ");
	}
	return buf;
}

START_TEST(test_list_and_filters)
{
	load("busybox-1.38.0-musl.oci.tar");
	load("hello-world-latest.oci.tar");
	load("alpine-3.20.3.oci.tar");
	_cleanup_json_ json_object *l = list(NULL, false);
	ck_assert_uint_eq(json_object_array_length(l), 3);
	/* newest first: busybox 2026, then hello-world and alpine (same day, by ID) */
	ck_assert_str_eq(ids_of(l), "654fc8 1485ef 861e92 ");
	json_object *bb = json_object_array_get_idx(l, 0);
	ck_assert_int_eq(jget_int(bb, "Containers", 0), -1);
	ck_assert_int_eq(jget_int(bb, "SharedSize", 0), -1);
	ck_assert_int_eq(jget_int(bb, "Created", 0), 1778638909);
	ck_assert_str_eq(dump(jget(bb, "RepoTags")), "[\"busybox:1.38.0-musl\"]");
	ck_assert_ptr_null(jget(bb, "VirtualSize"));
	ck_assert(json_object_object_get_ex(bb, "Labels", NULL)); /* null, as Docker */
	json_object *put;
	put = list("{\"reference\":{\"busy*\":true}}", false);
	ck_assert_str_eq(ids_of(put), "654fc8 ");
	json_object_put(put);
	put = list("{\"reference\":[\"hello-world:latest\"]}", false);
	ck_assert_str_eq(ids_of(put), "1485ef ");
	json_object_put(put);
	put = list("{\"dangling\":{\"true\":true}}", false);
	ck_assert_str_eq(ids_of(put), "");
	json_object_put(put);
	put = list("{\"before\":{\"busybox:1.38.0-musl\":true}}", false);
	ck_assert_str_eq(ids_of(put), "1485ef 861e92 ");
	json_object_put(put);
	put = list("{\"since\":{\"hello-world\":true}}", false);
	ck_assert_str_eq(ids_of(put), "654fc8 ");
	json_object_put(put);
	put = list("{\"until\":{\"2025-01-01T00:00:00Z\":true}}", false);
	ck_assert_str_eq(ids_of(put), "1485ef 861e92 ");
	json_object_put(put);
	put = list("{\"label\":{\"nope\":true}}", false);
	ck_assert_str_eq(ids_of(put), "");
	json_object_put(put);
	_cleanup_err_ err_t *e = NULL;
	img_list_opts bad = {.filters = "{\"foo\":{\"x\":true}}"};
	ck_assert_ptr_null(img_list(store, &bad, &e));
	ck_assert_str_eq(e->msg, "invalid filter 'foo'");
	err_free(&e);
	img_list_opts badd = {.filters = "{\"dangling\":{\"maybe\":true}}"};
	ck_assert_ptr_null(img_list(store, &badd, &e));
	ck_assert_str_eq(e->msg, "invalid filter 'dangling=[maybe]'");
	err_free(&e);
	/* until takes what docker's GetTimestamp takes, durations too */
	put = list("{\"until\":{\"1h\":true}}", false);
	ck_assert_str_eq(ids_of(put), "654fc8 1485ef 861e92 ");
	json_object_put(put);
	img_list_opts badu = {.filters = "{\"until\":{\"2024-13-01\":true}}"};
	ck_assert_ptr_null(img_list(store, &badu, &e));
	ck_assert_int_eq(e->kind, ERR_INVALID);
	ck_assert_str_eq(e->msg, "parsing time \"2024-13-01\": month out of range");
}
END_TEST

START_TEST(test_shared_size_and_df)
{
	load("alpine-3.20.3.oci.tar");
	load("alpine-3.20.3-whiteout.oci.tar");
	containers[0] = xasprintf("%s stopped c0ffee000000aaaa", ALPINE_ID);
	_cleanup_err_ err_t *e = NULL;
	int64_t layers = 0;
	_cleanup_json_ json_object *df = img_disk_usage(store, &layers, &e);
	ck_assert_ptr_nonnull(df);
	ck_assert_uint_eq(json_object_array_length(df), 2);
	int64_t alpine_size = 0, wh_size = 0, shared[2];
	for (size_t i = 0; i < 2; i++) {
		json_object *s = json_object_array_get_idx(df, i);
		bool is_alpine = !strcmp(jget_str(s, "Id"), ALPINE_ID);
		*(is_alpine ? &alpine_size : &wh_size) = jget_int(s, "Size", 0);
		shared[i] = jget_int(s, "SharedSize", -1);
		ck_assert_int_eq(jget_int(s, "Containers", -1), is_alpine ? 1 : 0);
	}
	/* the alpine layer is shared by both */
	ck_assert_int_eq(shared[0], alpine_size);
	ck_assert_int_eq(shared[1], alpine_size);
	ck_assert_int_eq(wh_size, alpine_size + 22);
	ck_assert_int_eq(layers, alpine_size + 22);
	free(containers[0]);
	containers[0] = NULL;
}
END_TEST

START_TEST(test_tag)
{
	load("busybox-1.38.0-musl.oci.tar");
	load("hello-world-latest.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(img_tag(store, "busybox:1.38.0-musl", "myrepo/bb", "v1", &e), 0);
	ck_assert(exists("myrepo/bb:v1"));
	ck_assert_int_eq(img_tag(store, "654fc8", "localhost:5000/bb", NULL, &e), 0);
	ck_assert(exists("localhost:5000/bb:latest"));
	/* tags move */
	ck_assert_int_eq(img_tag(store, "hello-world", "myrepo/bb", "v1", &e), 0);
	char id[DIGEST_STR_LEN + 1];
	ck_assert_int_eq(img_resolve(store, "myrepo/bb:v1", id, &e), 0);
	ck_assert_str_eq(id, HELLO_ID);
	_cleanup_json_ json_object *o = img_inspect(store, "myrepo/bb:v1", 44, &e);
	ck_assert_str_ne(jstr_at(o, "Metadata.LastTagTime"), "0001-01-01T00:00:00Z");
	ck_assert(strstr(sb_str(&events), "tag sha256:654fc8fd836e myrepo/bb:v1\n"));
	ck_assert(strstr(sb_str(&events), "tag sha256:1485efea8146 myrepo/bb:v1\n"));
	ck_assert_int_eq(img_tag(store, "busybox:1.38.0-musl", "Bad", NULL, &e), -1);
	ck_assert_str_eq(e->msg, "invalid reference format: repository name (library/Bad) must be lowercase");
	err_free(&e);
	ck_assert_int_eq(img_tag(store, "busybox:1.38.0-musl", "sha256", "x", &e), -1);
	ck_assert_str_eq(e->msg, "refusing to create an ambiguous tag using digest algorithm as name");
	err_free(&e);
	ck_assert_int_eq(img_tag(store, "busybox:1.38.0-musl", "x", "-bad", &e), -1);
	ck_assert_str_eq(e->msg, "invalid tag format");
	err_free(&e);
	ck_assert_int_eq(img_tag(store, "nothere", "x", "y", &e), -1);
	ck_assert_int_eq(e->kind, ERR_NOT_FOUND);
	err_free(&e);
	/* survives a reopen */
	img_store_close(store);
	open_store();
	ck_assert_int_eq(img_resolve(store, "myrepo/bb:v1", id, &e), 0);
	ck_assert_str_eq(id, HELLO_ID);
}
END_TEST

START_TEST(test_rmi_rules)
{
	load("busybox-1.38.0-musl.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(img_tag(store, "busybox:1.38.0-musl", "other", "x", &e), 0);
	/* by ID with tags in two repositories: conflict */
	ck_assert_ptr_null(img_delete(store, "654fc8fd836e", false, true, &e));
	ck_assert_int_eq(e->kind, ERR_CONFLICT);
	ck_assert_str_eq(e->msg, "conflict: unable to delete 654fc8fd836e (must be forced) - image is "
				 "referenced in multiple repositories");
	err_free(&e);
	/* by name: just untag while another reference remains */
	_cleanup_json_ json_object *r1 = img_delete(store, "other:x", false, true, &e);
	ck_assert_str_eq(dump(r1), "[{\"Untagged\":\"other:x\"}]");
	ck_assert(exists(BUSYBOX_ID));
	/* a stopped container uses it: the last tag cannot go without force */
	containers[0] = xasprintf("%s stopped 0123456789abcdef", BUSYBOX_ID);
	ck_assert_ptr_null(img_delete(store, "busybox:1.38.0-musl", false, true, &e));
	ck_assert_str_eq(e->msg, "conflict: unable to remove repository reference \"busybox:1.38.0-musl\" "
				 "(must force) - container 0123456789ab is using its referenced image 654fc8fd836e");
	err_free(&e);
	/* by ID, stopped container: must be forced */
	ck_assert_ptr_null(img_delete(store, BUSYBOX_ID, false, true, &e));
	ck_assert_str_eq(e->msg, "conflict: unable to delete 654fc8fd836e (must be forced) - image is "
				 "being used by stopped container 0123456789ab");
	err_free(&e);
	/* running: cannot be forced */
	free(containers[0]);
	containers[0] = xasprintf("%s running fedcba9876543210", BUSYBOX_ID);
	ck_assert_ptr_null(img_delete(store, BUSYBOX_ID, true, true, &e));
	ck_assert_str_eq(e->msg, "conflict: unable to delete 654fc8fd836e (cannot be forced) - image is "
				 "being used by running container fedcba987654");
	err_free(&e);
	free(containers[0]);
	containers[0] = NULL;
	/* untagging the last tag deletes the image and its layer */
	_cleanup_json_ json_object *r2 = img_delete(store, "busybox:1.38.0-musl", false, true, &e);
	ck_assert_str_eq(dump(r2), "[{\"Untagged\":\"busybox:1.38.0-musl\"},{\"Deleted\":\"" BUSYBOX_ID
				   "\"},{\"Deleted\":\"" BUSYBOX_DIFF "\"}]");
	ck_assert(!exists(BUSYBOX_ID));
	_cleanup_free_ char *layer = xasprintf("%s/layers/%s", root, &BUSYBOX_DIFF[7]);
	ck_assert(!fs_exists(layer));
	_cleanup_free_ char *blobs = fs_path_join(root, "blobs/sha256");
	ck_assert_uint_eq(imgt_count_entries(blobs), 0);
	ck_assert(strstr(sb_str(&events), "untag sha256:654fc8fd836e sha256:654fc8fd836e"));
	ck_assert(strstr(sb_str(&events), "delete sha256:654fc8fd836e sha256:654fc8fd836e"));
	ck_assert_ptr_null(img_delete(store, "busybox:1.38.0-musl", false, true, &e));
	ck_assert_int_eq(e->kind, ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_rmi_force_and_shared_layers)
{
	load("alpine-3.20.3.oci.tar");
	load("alpine-3.20.3-whiteout.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(img_tag(store, "alpine:3.20.3", "again", NULL, &e), 0);
	_cleanup_json_ json_object *r = img_delete(store, "861e92ce", true, true, &e);
	ck_assert_ptr_nonnull(r);
	/* both tags untagged, the image deleted, its layer kept (the whiteout
	 * image still uses it) */
	ck_assert_uint_eq(json_object_array_length(r), 3);
	ck_assert(exists("alpine:3.20.3-whiteout"));
	_cleanup_strv_ char **dirs = img_layer_dirs(store, "alpine:3.20.3-whiteout", &e);
	ck_assert(fs_exists(dirs[0]));
	_cleanup_json_ json_object *r2 = img_delete(store, "alpine:3.20.3-whiteout", false, true, &e);
	ck_assert_uint_eq(json_object_array_length(r2), 4);
	ck_assert(!fs_exists(dirs[0]));
}
END_TEST

START_TEST(test_prune)
{
	load("busybox-1.38.0-musl.oci.tar");
	load("hello-world-latest.oci.tar");
	load("alpine-3.20.3.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	/* make hello-world dangling by moving its only tag away */
	ck_assert_int_eq(img_tag(store, "busybox:1.38.0-musl", "hello-world", NULL, &e), 0);
	_cleanup_json_ json_object *p1 = img_prune(store, NULL, &e);
	ck_assert_ptr_nonnull(p1);
	ck_assert_str_eq(dump(jget(p1, "ImagesDeleted")),
			 "[{\"Deleted\":\"" HELLO_ID "\"},{\"Deleted\":\"sha256:1541bd253f63aa7b4f87f062785e0b5f964033a37e98f62db1d94c68e2ed546d\"}]");
	ck_assert_int_gt(jget_int(p1, "SpaceReclaimed", 0), 10000);
	ck_assert(strstr(sb_str(&events), "prune "));
	/* nothing dangling left */
	_cleanup_json_ json_object *p2 = img_prune(store, "{\"dangling\":{\"true\":true}}", &e);
	ck_assert(json_object_is_type(jget(p2, "ImagesDeleted"), json_type_null));
	ck_assert_int_eq(jget_int(p2, "SpaceReclaimed", -1), 0);
	/* -a: everything unused goes; a container keeps alpine */
	containers[0] = xasprintf("%s stopped 1111", ALPINE_ID);
	_cleanup_json_ json_object *p3 = img_prune(store, "{\"dangling\":{\"false\":true}}", &e);
	ck_assert_ptr_nonnull(p3);
	ck_assert(!exists(BUSYBOX_ID));
	ck_assert(exists("alpine:3.20.3"));
	free(containers[0]);
	containers[0] = NULL;
	ck_assert_ptr_null(img_prune(store, "{\"bogus\":{\"x\":true}}", &e));
	ck_assert_str_eq(e->msg, "invalid filter 'bogus'");
	err_free(&e);
	/* until keeps newer images */
	_cleanup_json_ json_object *p4 = img_prune(store, "{\"dangling\":[\"false\"],\"until\":[\"2020-01-01\"]}", &e);
	ck_assert(json_object_is_type(jget(p4, "ImagesDeleted"), json_type_null));
	ck_assert(exists("alpine:3.20.3"));
}
END_TEST

START_TEST(test_resolve_forms)
{
	load("busybox-1.38.0-musl.oci.tar");
	load("alpine-3.20.3.oci.tar");
	ck_assert(exists("654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9"));
	ck_assert(exists(BUSYBOX_ID));
	ck_assert(exists("654f"));
	ck_assert(exists("sha256:654f"));
	ck_assert(exists("docker.io/library/alpine:3.20.3"));
	ck_assert(exists("index.docker.io/library/alpine:3.20.3"));
	ck_assert(!exists("alpine"));
	_cleanup_err_ err_t *e = NULL;
	char id[DIGEST_STR_LEN + 1];
	ck_assert_int_eq(img_resolve(store, "alpine", id, &e), -1);
	ck_assert_str_eq(e->msg, "No such image: alpine:latest");
	err_free(&e);
	ck_assert_int_eq(img_resolve(store, "sha256:0000000000000000000000000000000000000000000000000000000000000000", id, &e), -1);
	ck_assert_int_eq(e->kind, ERR_NOT_FOUND);
	err_free(&e);
	/* an ambiguous prefix is an error: load an image whose ID shares "6" */
	ck_assert_int_eq(img_resolve(store, "", id, &e), -1);
	ck_assert_int_eq(e->kind, ERR_INVALID);
}
END_TEST

START_TEST(test_repair_on_open)
{
	load("busybox-1.38.0-musl.oci.tar");
	load("hello-world-latest.docker.tar");
	img_store_close(store);
	store = NULL;
	/* what a crash at various points leaves behind */
	const char *junk[] = {"tmp/blob-abc", "layers/tmp-1234/diff/x", "images/tmp-99/config.json",
			      "layers/tmp-del-5/diff/y", "images/tmp-del-7/meta.json",
			      "images/repositories.json.tmp-42",
			      "images/654fc8fd836e35f4a64586bddf8f59b9029b48cf80f520834c6c98ca8ab5def9/meta.json.tmp-42"};
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
		_cleanup_free_ char *p = fs_path_join(root, junk[i]);
		_cleanup_free_ char *d = xstrndup(p, (size_t)(strrchr(p, '/') - p));
		ck_assert_int_eq(fs_mkdir_p(d, 0700, NULL), 0);
		ck_assert_int_eq(fs_write_atomic(p, "x", 1, 0600, NULL), 0);
	}
	/* an orphan blob, an unused layer, an image whose layer is gone, a
	 * tag to a missing image */
	_cleanup_free_ char *other = fs_path_join(root, "tmp/not-ours");
	ck_assert_int_eq(fs_write_atomic(other, "x", 1, 0600, NULL), 0);
	_cleanup_free_ char *orphan = xasprintf("%s/blobs/sha256/%064d", root, 0);
	ck_assert_int_eq(fs_write_atomic(orphan, "o", 1, 0600, NULL), 0);
	_cleanup_free_ char *hello_layer = xasprintf("%s/layers/1541bd253f63aa7b4f87f062785e0b5f964033a37e98f62db1d94c68e2ed546d", root);
	ck_assert_int_eq(fs_rm_rf(hello_layer, NULL), 0);
	_cleanup_free_ char *unused = xasprintf("%s/layers/%064d", root, 1);
	_cleanup_free_ char *unused_rec = xasprintf("%s/diff-id", unused);
	ck_assert_int_eq(fs_mkdir_p(unused, 0700, NULL), 0);
	ck_assert_int_eq(fs_write_atomic(unused_rec, BUSYBOX_DIFF, 71, 0600, NULL), 0);
	_cleanup_free_ char *repos = fs_path_join(root, "images/repositories.json");
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(fs_read_file(repos, 1 << 20, &text, NULL, NULL), 0);
	ck_assert(strstr(text, "hello-world"));
	open_store();
	ck_assert(exists("busybox:1.38.0-musl"));
	ck_assert(!exists(HELLO_ID));
	ck_assert(!exists("hello-world:latest"));
	ck_assert(!fs_exists(orphan));
	ck_assert(!fs_exists(unused));
	/* a temp file of someone else in tmp/ is not ours to remove */
	ck_assert(fs_exists(other));
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
		_cleanup_free_ char *p = fs_path_join(root, junk[i]);
		ck_assert_msg(!fs_exists(p), "%s survived", junk[i]);
	}
	_cleanup_free_ char *text2 = NULL;
	ck_assert_int_eq(fs_read_file(repos, 1 << 20, &text2, NULL, NULL), 0);
	ck_assert(!strstr(text2, "hello-world"));
	/* the busybox layer blob and manifest are still there */
	_cleanup_free_ char *blobs = fs_path_join(root, "blobs/sha256");
	ck_assert_uint_eq(imgt_count_entries(blobs), 2);
}
END_TEST

START_TEST(test_pins_keep_layers)
{
	load("alpine-3.20.3-whiteout.oci.tar");
	_cleanup_err_ err_t *e = NULL;
	_cleanup_strv_ char **dirs = img_pin(store, "c0ffee", "alpine:3.20.3-whiteout", &e);
	ck_assert_ptr_nonnull(dirs);
	_cleanup_strv_ char **idirs = img_layer_dirs(store, "alpine:3.20.3-whiteout", &e);
	ck_assert_str_eq(dirs[0], idirs[0]);
	ck_assert_str_eq(dirs[1], idirs[1]);
	ck_assert_ptr_null(dirs[2]);
	/* rmi -f: the image goes, its layers stay for the container */
	_cleanup_json_ json_object *r = img_delete(store, WHITEOUT_ID, true, true, &e);
	ck_assert_str_eq(dump(r), "[{\"Untagged\":\"alpine:3.20.3-whiteout\"},{\"Deleted\":\"" WHITEOUT_ID "\"}]");
	ck_assert(fs_exists(dirs[0]) && fs_exists(dirs[1]));
	_cleanup_json_ json_object *p = img_prune(store, "{\"dangling\":{\"false\":true}}", &e);
	ck_assert(fs_exists(dirs[0]) && fs_exists(dirs[1]));
	/* and across a restart */
	img_store_close(store);
	open_store();
	ck_assert(fs_exists(dirs[0]) && fs_exists(dirs[1]));
	_cleanup_strv_ char **again = img_pinned_dirs(store, "c0ffee", &e);
	ck_assert_str_eq(again[1], dirs[1]);
	/* the container goes: so do the layers and their blobs */
	ck_assert_int_eq(img_unpin(store, "c0ffee", &e), 0);
	ck_assert(!fs_exists(dirs[0]) && !fs_exists(dirs[1]));
	_cleanup_free_ char *blobs = fs_path_join(root, "blobs/sha256");
	ck_assert_uint_eq(imgt_count_entries(blobs), 0);
	ck_assert_ptr_null(img_pin(store, "../x", "alpine", &e));
	ck_assert_int_eq(e->kind, ERR_INVALID);
}
END_TEST

/* ---- concurrency ---- */

static void *load_thread(void *arg)
{
	const char *name = arg;
	for (int i = 0; i < 3; i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", IMAGES_DIR, name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		img_reader r = img_reader_fd(fd);
		err_t *e = NULL;
		int rc = img_load(store, &r, true, NULL, &e);
		close(fd);
		if (rc < 0) {
			fprintf(stderr, "load: %s\n", e->msg);
			err_free(&e);
			return (void *)1;
		}
	}
	return NULL;
}

static void *delete_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20; i++) {
		err_t *e = NULL;
		json_object *r = img_delete(store, "alpine:3.20.3", true, true, &e);
		if (r)
			json_object_put(r);
		err_free(&e);
		img_list_opts o = {.shared_size = true};
		json_object *l = img_list(store, &o, &e);
		if (l)
			json_object_put(l);
		err_free(&e);
		usleep(1000);
	}
	return NULL;
}

START_TEST(test_concurrent_loads_and_deletes)
{
	pthread_t t[4];
	pthread_create(&t[0], NULL, load_thread, "alpine-3.20.3.oci.tar");
	pthread_create(&t[1], NULL, load_thread, "alpine-3.20.3-whiteout.oci.tar");
	pthread_create(&t[2], NULL, load_thread, "alpine-3.20.3.docker.tar");
	pthread_create(&t[3], NULL, delete_thread, NULL);
	for (int i = 0; i < 4; i++) {
		void *rv;
		pthread_join(t[i], &rv);
		ck_assert_ptr_null(rv);
	}
	/* whatever survived is whole: every image resolves and its layers exist */
	ck_assert(exists("alpine:3.20.3-whiteout"));
	_cleanup_err_ err_t *e = NULL;
	_cleanup_strv_ char **dirs = img_layer_dirs(store, "alpine:3.20.3-whiteout", &e);
	for (size_t i = 0; dirs[i]; i++)
		ck_assert(fs_exists(dirs[i]));
	img_store_close(store);
	open_store();
	ck_assert(exists("alpine:3.20.3-whiteout"));
	_cleanup_free_ char *tmp = fs_path_join(root, "tmp");
	ck_assert_uint_eq(imgt_count_entries(tmp), 0);
}
END_TEST

/* ---- kill -9 at any point ---- */

typedef struct slow {
	int fd;
} slow;

static ssize_t slow_read(void *ctx, void *buf, size_t n)
{
	slow *sl = ctx;
	usleep(400);
	return read(sl->fd, buf, n > 16384 ? 16384 : n);
}

/* The child's work: load (or import) through a slow reader, then delete. */
static void child_work(int what)
{
	img_store_opts o = {.root = root};
	img_store *s = img_store_open(&o, NULL);
	if (!s)
		_exit(2);
	const char *file = what == 1 ? "alpine-minirootfs-3.20.3-x86_64.tar.gz" : "alpine-3.20.3-whiteout.oci.tar";
	_cleanup_free_ char *path = xasprintf("%s/%s", IMAGES_DIR, file);
	slow sl = {open(path, O_RDONLY | O_CLOEXEC)};
	img_reader r = {slow_read, &sl};
	char id[DIGEST_STR_LEN + 1];
	img_import_opts io = {.repo = "imported"};
	int rc = what == 1 ? img_import(s, &r, &io, NULL, id, NULL) : img_load(s, &r, true, NULL, NULL);
	if (rc == 0) {
		json_object *d = img_delete(s, what == 1 ? "imported" : "alpine:3.20.3-whiteout", true, true, NULL);
		if (d)
			json_object_put(d);
	}
	_exit(rc == 0 ? 0 : 3);
}

static void strset_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
}

static bool strset_has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* After a repairing open: every image whole, nothing unreferenced. */
static void check_consistent(void)
{
	_cleanup_err_ err_t *e = NULL;
	img_list_opts lo = {.all = true};
	_cleanup_json_ json_object *l = img_list(store, &lo, &e);
	ck_assert_ptr_nonnull(l);
	char **dirs_used = NULL, **blobs_used = NULL;
	size_t ndirs = 0, nblobs = 0;
	for (size_t i = 0; i < json_object_array_length(l); i++) {
		const char *id = jget_str(json_object_array_get_idx(l, i), "Id");
		_cleanup_strv_ char **dirs = img_layer_dirs(store, id, &e);
		ck_assert_ptr_nonnull(dirs);
		for (size_t k = 0; dirs[k]; k++) {
			ck_assert_msg(fs_exists(dirs[k]), "%s lacks %s", id, dirs[k]);
			_cleanup_free_ char *ldir = xstrndup(dirs[k], strlen(dirs[k]) - 5);
			_cleanup_free_ char *bf = fs_path_join(ldir, "blob");
			_cleanup_free_ char *text = NULL;
			ck_assert_int_eq(fs_read_file(bf, 4096, &text, NULL, NULL), 0);
			_cleanup_json_ json_object *b = json_tokener_parse(text);
			strset_add(&blobs_used, &nblobs, jget_str(b, "digest"));
			strset_add(&dirs_used, &ndirs, strrchr(ldir, '/') + 1);
		}
		_cleanup_free_ char *meta = xasprintf("%s/images/%s/meta.json", root, id + 7);
		_cleanup_free_ char *mt = NULL;
		ck_assert_int_eq(fs_read_file(meta, 1 << 20, &mt, NULL, NULL), 0);
		_cleanup_json_ json_object *m = json_tokener_parse(mt);
		json_object *ms = jget_arr(m, "manifests");
		for (size_t k = 0; ms && k < json_object_array_length(ms); k++)
			strset_add(&blobs_used, &nblobs, json_object_get_string(json_object_array_get_idx(ms, k)));
	}
	const char *dirs[] = {"layers", "blobs/sha256", "images"};
	for (size_t d = 0; d < 3; d++) {
		_cleanup_free_ char *p = fs_path_join(root, dirs[d]);
		_cleanup_closedir_ DIR *dd = opendir(p);
		struct dirent *de;
		while ((de = readdir(dd))) {
			if (de->d_name[0] == '.')
				continue;
			_cleanup_free_ char *dg = xasprintf("sha256:%s", de->d_name);
			if (d == 0)
				ck_assert_msg(strset_has(dirs_used, ndirs, de->d_name), "unused layer %s", de->d_name);
			else if (d == 1)
				ck_assert_msg(strset_has(blobs_used, nblobs, dg), "unreferenced blob %s", dg);
			else
				ck_assert_msg(strncmp(de->d_name, "tmp-", 4), "left %s", de->d_name);
		}
	}
	_cleanup_free_ char *tmp = fs_path_join(root, "tmp");
	ck_assert_uint_eq(imgt_count_entries(tmp), 0);
	for (size_t i = 0; i < ndirs; i++)
		free(dirs_used[i]);
	for (size_t i = 0; i < nblobs; i++)
		free(blobs_used[i]);
	free(dirs_used);
	free(blobs_used);
}

/* Kill points: KILL_POINTS per run, one in each equal slot of the first
 * 450 ms (the whole load through the slow reader), at a random offset in
 * its slot, so that runs together cover every moment while each run stays
 * short. IMGT_SEED=n repeats a run. */
#define KILL_POINTS 6
#define KILL_SPAN_US 450000

START_TEST(test_kill9_anywhere)
{
	int what = _i;
	const char *env = getenv("IMGT_SEED");
	unsigned seed = env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL) ^ (unsigned)getpid();
	fprintf(stderr, "test_kill9_anywhere(%d): IMGT_SEED=%u\n", what, seed);
	srand(seed);
	for (int k = 0; k < KILL_POINTS; k++) {
		useconds_t slot = KILL_SPAN_US / KILL_POINTS;
		useconds_t t = (useconds_t)k * slot + (useconds_t)rand() % slot;
		img_store_close(store);
		store = NULL;
		pid_t pid = fork();
		if (pid == 0)
			child_work(what);
		usleep(t);
		kill(pid, SIGKILL);
		int st;
		waitpid(pid, &st, 0);
		if (getenv("IMGT_VERBOSE"))
			fprintf(stderr, "kill at %u us: %s\n", t, WIFSIGNALED(st) ? "killed" : "finished");
		open_store();
		check_consistent();
	}
	/* and the store still works: the same work completes */
	img_store_close(store);
	store = NULL;
	pid_t pid = fork();
	if (pid == 0)
		child_work(what);
	int st;
	waitpid(pid, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	open_store();
	check_consistent();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("imagestore");
	TCase *tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_inspect);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_list_and_filters);
	tcase_add_test(tc, test_shared_size_and_df);
	tcase_add_test(tc, test_tag);
	tcase_add_test(tc, test_rmi_rules);
	tcase_add_test(tc, test_rmi_force_and_shared_layers);
	tcase_add_test(tc, test_prune);
	tcase_add_test(tc, test_resolve_forms);
	tcase_add_test(tc, test_repair_on_open);
	tcase_add_test(tc, test_pins_keep_layers);
	tcase_add_test(tc, test_concurrent_loads_and_deletes);
	tcase_add_loop_test(tc, test_kill9_anywhere, 0, 2);
	suite_add_tcase(s, tc);
	return imgt_run(s) ? 1 : 0;
}
