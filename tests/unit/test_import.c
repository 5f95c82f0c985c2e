/* Unit tests for img_import and the `changes` parser: a root filesystem
 * made of Debian's static busybox becomes a runnable one-layer image (run
 * here in a chroot), the Alpine minirootfs tar.gz keeps its gzip blob, the
 * Dockerfile changes land in the config, and bad input leaves nothing. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "changes.h"
#include "cleanup.h"
#include "fsutil.h"
#include "image.h"
#include "imgtest.h"
#include "jsonutil.h"
#include "xalloc.h"

#define BUSYBOX_STATIC "/bin/busybox"

static char *root;
static img_store *store;
static strbuf events;

static void on_event(void *ctx, const char *action, const char *id, const char *name)
{
	(void)ctx;
	(void)id;
	sb_printf(&events, "%s %s\n", action, name ? name : "-");
}

static void setup(void)
{
	root = imgt_tmpdir();
	img_store_opts o = {.root = root, .on_event = on_event};
	_cleanup_err_ err_t *e = NULL;
	store = img_store_open(&o, &e);
	ck_assert_ptr_nonnull(store);
	sb_reset(&events);
}

static void teardown(void)
{
	img_store_close(store);
	imgt_rmdir(root);
	sb_free(&events);
}

/* bin/busybox (the static binary) and a few applet links. */
static void busybox_rootfs(imgt_tar *t)
{
	strbuf bin = STRBUF_INIT;
	imgt_slurp(BUSYBOX_STATIC, &bin);
	imgt_tar_open(t, ARCHIVE_FILTER_GZIP);
	imgt_dir(t, "bin");
	imgt_dir(t, "tmp");
	imgt_add(t, imgt_entry("bin/busybox", AE_IFREG, 0755), bin.buf, bin.len);
	const char *applets[] = {"sh", "echo", "ls", "cat"};
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		_cleanup_free_ char *p = xasprintf("bin/%s", applets[i]);
		struct archive_entry *e = imgt_entry(p, AE_IFLNK, 0777);
		archive_entry_set_symlink(e, "busybox");
		imgt_add(t, e, NULL, 0);
	}
	imgt_tar_close(t);
	sb_free(&bin);
}

static int import_buf(const strbuf *buf, const img_import_opts *o, char id[DIGEST_STR_LEN + 1],
		      err_t **err)
{
	imgt_mem m = {buf->buf, buf->len, 0, 4096};
	img_reader r = imgt_mem_reader(&m);
	return img_import(store, &r, o, NULL, id, err);
}

/* Runs argv in a chroot of dir; returns its stdout. */
static char *run_chroot(const char *dir, char *const argv[])
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		if (chroot(dir) < 0 || chdir("/") < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	strbuf out = STRBUF_INIT;
	char buf[256];
	ssize_t k;
	while ((k = read(p[0], buf, sizeof(buf))) > 0)
		sb_append(&out, buf, (size_t)k);
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return sb_steal(&out);
}

START_TEST(test_import_busybox_static)
{
	if (access(BUSYBOX_STATIC, X_OK) != 0)
		return;
	imgt_tar t;
	busybox_rootfs(&t);
	char *changes[] = {"CMD [\"/bin/sh\"]", "ENV FOO=bar BAZ=\"a b\"", "WORKDIR /tmp",
			   "EXPOSE 80 53/udp", "LABEL org.example=yes", "USER nobody",
			   "VOLUME /data", "STOPSIGNAL SIGINT", NULL};
	img_import_opts o = {.repo = "bbstatic", .tag = "1", .changes = changes};
	char id[DIGEST_STR_LEN + 1];
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(import_buf(&t.out, &o, id, &e) == 0, "%s", e ? e->msg : "");
	_cleanup_json_ json_object *i = img_inspect(store, "bbstatic:1", 44, &e);
	ck_assert_ptr_nonnull(i);
	ck_assert_str_eq(jget_str(i, "Id"), id);
	ck_assert_str_eq(jget_str(i, "Comment"), "Imported from -");
	ck_assert_str_eq(jget_str(i, "Architecture"), "amd64");
	ck_assert_str_eq(jget_str(i, "Os"), "linux");
	ck_assert_str_eq(jget_str(i, "DockerVersion"), ENGINE_VERSION);
	ck_assert_str_eq(jdump(jget_path(i, "Config.Cmd")), "[\"/bin/sh\"]");
	ck_assert_str_eq(jdump(jget_path(i, "Config.Env")), "[\"FOO=bar\",\"BAZ=a b\"]");
	ck_assert_str_eq(jget_str(jget(i, "Config"), "WorkingDir"), "/tmp");
	ck_assert_str_eq(jdump(jget_path(i, "Config.ExposedPorts")), "{\"80/tcp\":{},\"53/udp\":{}}");
	ck_assert_str_eq(jdump(jget_path(i, "Config.Labels")), "{\"org.example\":\"yes\"}");
	ck_assert_str_eq(jget_str(jget(i, "Config"), "User"), "nobody");
	ck_assert_str_eq(jdump(jget_path(i, "Config.Volumes")), "{\"/data\":{}}");
	ck_assert_str_eq(jget_str(jget(i, "Config"), "StopSignal"), "SIGINT");
	ck_assert_str_ne(jget_str(jget(i, "Metadata"), "LastTagTime"), "0001-01-01T00:00:00Z");
	_cleanup_json_ json_object *h = img_history(store, id, &e);
	ck_assert_uint_eq(json_object_array_length(h), 1);
	ck_assert_str_eq(jget_str(json_object_array_get_idx(h, 0), "Comment"), "Imported from -");
	ck_assert(strstr(sb_str(&events), "tag bbstatic:1\n"));
	ck_assert(strstr(sb_str(&events), "import sha256:"));
	/* the layer runs: busybox echo inside a chroot of the unpacked tree */
	_cleanup_strv_ char **dirs = img_layer_dirs(store, id, &e);
	char *argv[] = {"/bin/echo", "hello from the import", NULL};
	_cleanup_free_ char *out = run_chroot(dirs[0], argv);
	ck_assert_str_eq(out, "hello from the import\n");
	sb_free(&t.out);
}
END_TEST

START_TEST(test_import_minirootfs_keeps_gzip)
{
	_cleanup_free_ char *path = xasprintf("%s/alpine-minirootfs-3.20.3-x86_64.tar.gz", IMAGES_DIR);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	img_reader r = img_reader_fd(fd);
	img_import_opts o = {.repo = "mini", .message = "from the tarball"};
	char id[DIGEST_STR_LEN + 1];
	_cleanup_err_ err_t *e = NULL;
	ck_assert_msg(img_import(store, &r, &o, NULL, id, &e) == 0, "%s", e ? e->msg : "");
	strbuf gz = STRBUF_INIT;
	imgt_slurp(path, &gz);
	char want[72];
	imgt_sha(gz.buf, gz.len, want);
	_cleanup_free_ char *blob = xasprintf("%s/blobs/sha256/%s", root, want + 7);
	ck_assert(fs_exists(blob));
	sb_free(&gz);
	_cleanup_json_ json_object *i = img_inspect(store, "mini", 44, &e);
	ck_assert_str_eq(jget_str(i, "Comment"), "from the tarball");
	/* the DiffID is that of the uncompressed tar: the alpine image's layer */
	ck_assert_str_eq(jdump(jget_path(i, "RootFS.Layers")),
			 "[\"sha256:1bccf10afce5c1ffe31381419930ad565c1436eaeb1ca680494b0663e0028419\"]");
	/* save names the gzip blob with its media type */
	char *names[] = {"mini:latest"};
	_cleanup_free_ char *out = fs_path_join(root, "mini.tar");
	_cleanup_close_ int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	img_writer w = img_writer_fd(ofd);
	ck_assert_int_eq(img_save(store, names, 1, &w, &e), 0);
}
END_TEST

START_TEST(test_import_failures_leave_nothing)
{
	imgt_tar t;
	imgt_tar_open(&t, ARCHIVE_FILTER_GZIP);
	imgt_file(&t, "a", "b");
	imgt_tar_close(&t);
	char id[DIGEST_STR_LEN + 1];
	_cleanup_err_ err_t *e = NULL;
	char *bad[] = {"RUN echo hi", NULL};
	img_import_opts o = {.changes = bad};
	ck_assert_int_eq(import_buf(&t.out, &o, id, &e), -1);
	ck_assert_str_eq(e->msg, "run is not a valid change command");
	err_free(&e);
	img_import_opts o2 = {.repo = "Bad"};
	ck_assert_int_eq(import_buf(&t.out, &o2, id, &e), -1);
	ck_assert_int_eq(e->kind, ERR_INVALID);
	err_free(&e);
	img_import_opts o3 = {.platform = "windows/amd64"};
	ck_assert_int_eq(import_buf(&t.out, &o3, id, &e), -1);
	ck_assert_str_eq(e->msg, "operating system is not supported");
	err_free(&e);
	t.out.len -= 30; /* truncated gzip */
	img_import_opts o4 = {0};
	ck_assert_int_eq(import_buf(&t.out, &o4, id, &e), -1);
	err_free(&e);
	img_list_opts lo = {.all = true};
	_cleanup_json_ json_object *l = img_list(store, &lo, &e);
	ck_assert_uint_eq(json_object_array_length(l), 0);
	const char *dirs[] = {"tmp", "layers", "images", "blobs/sha256"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *d = fs_path_join(root, dirs[i]);
		ck_assert_msg(imgt_count_entries(d) == 0, "%s not empty", dirs[i]);
	}
	sb_free(&t.out);
}
END_TEST

/* ---- the changes parser on its own ---- */

static json_object *apply(const char *base, char *const *changes, err_t **e)
{
	json_object *cfg = base ? json_tokener_parse(base) : json_object_new_object();
	if (img_apply_changes(cfg, changes, e) < 0) {
		json_object_put(cfg);
		return NULL;
	}
	return cfg;
}

START_TEST(test_changes)
{
	_cleanup_err_ err_t *e = NULL;
	char *c1[] = {"CMD echo $HOME", "ENTRYPOINT [\"/init\"]", NULL};
	_cleanup_json_ json_object *a = apply(NULL, c1, &e);
	/* CMD set before ENTRYPOINT survives; shell form is not expanded */
	ck_assert_str_eq(jdump(a), "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo $HOME\"],\"Entrypoint\":[\"/init\"]}");
	char *c2[] = {"ENTRYPOINT /init x", NULL};
	_cleanup_json_ json_object *b = apply("{\"Cmd\":[\"old\"]}", c2, &e);
	ck_assert_str_eq(jdump(b), "{\"Cmd\":null,\"Entrypoint\":[\"/bin/sh\",\"-c\",\"/init x\"]}");
	char *c3[] = {"ENV A=1", "ENV B=${A}2 C=\"$A $B\" D='$A'", "env E hello world", "ENV A=9", NULL};
	_cleanup_json_ json_object *c = apply(NULL, c3, &e);
	ck_assert_str_eq(jdump(c), "{\"Env\":[\"A=9\",\"B=12\",\"C=1 \",\"D=$A\",\"E=hello world\"]}");
	char *c4[] = {"WORKDIR app", "WORKDIR ../srv//x/", "EXPOSE 8000-8002/TCP", NULL};
	_cleanup_json_ json_object *d = apply("{\"WorkingDir\":\"/opt\"}", c4, &e);
	ck_assert_str_eq(jdump(d), "{\"WorkingDir\":\"/opt/srv/x\",\"ExposedPorts\":{\"8000/tcp\":{},"
				   "\"8001/tcp\":{},\"8002/tcp\":{}}}");
	char *c5[] = {"HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/", "ONBUILD run make",
		      "VOLUME [\"/a\", \"/b\"]", NULL};
	_cleanup_json_ json_object *f = apply(NULL, c5, &e);
	ck_assert_str_eq(jdump(f), "{\"Healthcheck\":{\"Interval\":30000000000,\"Retries\":3,\"Test\":[\"CMD-SHELL\","
				   "\"curl -f http://localhost/\"]},\"OnBuild\":[\"RUN make\"],\"Volumes\":{\"/a\":{},\"/b\":{}}}");
	char *c6[] = {"LABEL \"a b\"=c d=\"e f\"", NULL};
	_cleanup_json_ json_object *g = apply(NULL, c6, &e);
	ck_assert_str_eq(jdump(g), "{\"Labels\":{\"a b\":\"c\",\"d\":\"e f\"}}");
	char *multi[] = {"CMD a\nUSER x", NULL};
	_cleanup_json_ json_object *m = apply(NULL, multi, &e);
	ck_assert_str_eq(jdump(m), "{\"Cmd\":[\"/bin/sh\",\"-c\",\"a\"],\"User\":\"x\"}");
	struct { const char *change, *msg; } bad[] = {
		{"FROM x", "from is not a valid change command"},
		{"STOPSIGNAL SIGNOPE", "Invalid signal: SIGNOPE"},
		{"EXPOSE 99999", "invalid containerPort: 99999"},
		{"ENV", "ENV requires at least one argument"},
		{"ENV A=\"x", "ENV: unbalanced quotes or bad variable"},
		{"VOLUME [\"\"]", "VOLUME specified can not be an empty string"},
		{"ONBUILD ONBUILD x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
		{"HEALTHCHECK FOO", "Unknown type \"FOO\" in HEALTHCHECK (try CMD)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *one[] = {(char *)bad[i].change, NULL};
		err_free(&e);
		ck_assert_ptr_null(apply(NULL, one, &e));
		ck_assert_str_eq(e->msg, bad[i].msg);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_import_busybox_static);
	tcase_add_test(tc, test_import_minirootfs_keeps_gzip);
	tcase_add_test(tc, test_import_failures_leave_nothing);
	tcase_add_test(tc, test_changes);
	suite_add_tcase(s, tc);
	return imgt_run(s) ? 1 : 0;
}
