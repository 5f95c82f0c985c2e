/* imgtest.h: helpers shared by the image store's unit tests: temp dirs,
 * tars built in memory with libarchive, readers over memory and files. */
#ifndef ENGINE_TEST_IMGTEST_H
#define ENGINE_TEST_IMGTEST_H

#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream.h"
#include "strbuf.h"

/* Runs a suite inside one base directory under /tmp that is removed
 * afterwards, even when tests failed (check's forked children exit without
 * their teardown on a failed assertion). Returns the number of failures. */
#include <check.h>
int imgt_run(Suite *s);
/* A fresh directory in the base (mkdtemp), removed by imgt_rmdir. */
char *imgt_tmpdir(void);
void imgt_rmdir(char *dir);
/* Number of entries under dir (recursively), for "nothing left behind". */
size_t imgt_count_entries(const char *dir);

/* An in-memory tar writer: filter is ARCHIVE_FILTER_NONE/GZIP/ZSTD. */
typedef struct imgt_tar {
	struct archive *a;
	strbuf out;
} imgt_tar;

void imgt_tar_open(imgt_tar *t, int filter);
/* Adds an entry; type AE_IFREG/AE_IFDIR/AE_IFLNK/...; link is the symlink
 * target (or the hard link target when hardlink is true). */
struct archive_entry *imgt_entry(const char *path, unsigned type, unsigned mode);
void imgt_add(imgt_tar *t, struct archive_entry *e, const void *data, size_t len);
void imgt_file(imgt_tar *t, const char *path, const char *content);
void imgt_dir(imgt_tar *t, const char *path);
/* Closes the archive; t->out holds the bytes. */
void imgt_tar_close(imgt_tar *t);

/* A reader over a memory buffer (optionally failing after fail_at bytes). */
typedef struct imgt_mem {
	const char *buf;
	size_t len, pos;
	size_t chunk; /* max bytes per read, 0: any */
} imgt_mem;
img_reader imgt_mem_reader(imgt_mem *m);

/* gzip of a buffer (libarchive's raw format with the gzip filter). */
void imgt_gzip(const strbuf *in, strbuf *out);
/* sha256 of a buffer as "sha256:<hex>" (static storage per call site). */
void imgt_sha(const void *buf, size_t n, char out[72]);
/* Reads a whole file into a strbuf; aborts the test on failure. */
void imgt_slurp(const char *path, strbuf *sb);

#endif
