/* imgtest.c: see imgtest.h. */
#include "imgtest.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "fsutil.h"
#include "xalloc.h"

static char *imgt_base;

int imgt_run(Suite *s)
{
	imgt_base = xstrdup("/tmp/engine-imgtest-XXXXXX");
	if (!mkdtemp(imgt_base))
		abort();
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	fs_rm_rf(imgt_base, NULL);
	free(imgt_base);
	imgt_base = NULL;
	return failed;
}

char *imgt_tmpdir(void)
{
	char *t = xasprintf("%s/t-XXXXXX", imgt_base ? imgt_base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(t));
	return t;
}

void imgt_rmdir(char *dir)
{
	if (!dir)
		return;
	fs_rm_rf(dir, NULL);
	free(dir);
}

size_t imgt_count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (de->d_type == DT_DIR) {
			_cleanup_free_ char *p = fs_path_join(dir, de->d_name);
			n += imgt_count_entries(p);
		}
	}
	return n;
}

static la_ssize_t mem_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	(void)a;
	sb_append(ud, buf, n);
	return (la_ssize_t)n;
}

void imgt_tar_open(imgt_tar *t, int filter)
{
	memset(t, 0, sizeof(*t));
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	if (filter == ARCHIVE_FILTER_GZIP)
		archive_write_add_filter_gzip(t->a);
	else if (filter == ARCHIVE_FILTER_ZSTD)
		archive_write_add_filter_zstd(t->a);
	archive_write_set_bytes_in_last_block(t->a, 1);
	ck_assert_int_eq(archive_write_open(t->a, &t->out, NULL, mem_write, NULL), ARCHIVE_OK);
}

struct archive_entry *imgt_entry(const char *path, unsigned type, unsigned mode)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_mtime(e, 1700000000, 0);
	return e;
}

void imgt_add(imgt_tar *t, struct archive_entry *e, const void *data, size_t len)
{
	if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e))
		archive_entry_set_size(e, (la_int64_t)len);
	ck_assert_int_ge(archive_write_header(t->a, e), ARCHIVE_WARN);
	if (len)
		ck_assert_int_eq(archive_write_data(t->a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

void imgt_file(imgt_tar *t, const char *path, const char *content)
{
	imgt_add(t, imgt_entry(path, AE_IFREG, 0644), content, strlen(content));
}

void imgt_dir(imgt_tar *t, const char *path)
{
	imgt_add(t, imgt_entry(path, AE_IFDIR, 0755), NULL, 0);
}

void imgt_tar_close(imgt_tar *t)
{
	ck_assert_int_eq(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
	t->a = NULL;
}

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	imgt_mem *m = ctx;
	size_t left = m->len - m->pos;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n > left)
		n = left;
	if (n == 0)
		return 0;
	memcpy(buf, m->buf + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

img_reader imgt_mem_reader(imgt_mem *m)
{
	return (img_reader){mem_read, m};
}

void imgt_gzip(const strbuf *in, strbuf *out)
{
	struct archive *a = archive_write_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_raw(a);
	archive_write_set_bytes_in_last_block(a, 1);
	ck_assert_int_eq(archive_write_open(a, out, NULL, mem_write, NULL), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)in->len);
	ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_data(a, in->buf, in->len), (la_ssize_t)in->len);
	archive_entry_free(e);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

void imgt_sha(const void *buf, size_t n, char out[72])
{
	digest_buf(buf, n, out);
}

void imgt_slurp(const char *path, strbuf *sb)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	char buf[65536];
	ssize_t k;
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		sb_append(sb, buf, (size_t)k);
}
