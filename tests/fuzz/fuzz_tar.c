/* fuzz_tar.c: libFuzzer entry for daemon/image's tar reader behind the
 * decompressors: the bytes are sniffed, decompressed and walked member by
 * member, reading every member's data, as load and extraction read an
 * archive they were handed. Built as a replay binary over corpus/tar in
 * the normal test run, and as a real libFuzzer target with clang. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decompress.h"
#include "err.h"
#include "tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct src {
	const uint8_t *p;
	size_t len, pos;
	unz *u;
} src;

static ssize_t raw_read(void *ctx, void *buf, size_t n)
{
	src *s = ctx;
	size_t k = s->len - s->pos < n ? s->len - s->pos : n;
	memcpy(buf, s->p + s->pos, k);
	s->pos += k;
	return (ssize_t)k;
}

static ssize_t tar_src(void *ctx, void *buf, size_t n, err_t **err)
{
	src *s = ctx;
	return unz_read(s->u, buf, n, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	src s = {data, size, 0, NULL};
	img_reader r = {raw_read, &s};
	err_t *err = NULL;
	s.u = unz_new(comp_sniff(data, size), &r, &err);
	if (!s.u) {
		err_free(&err);
		return 0;
	}
	tar_reader *t = tar_reader_new(tar_src, &s);
	const tar_entry *e;
	char buf[4096];
	for (int i = 0; i < 10000 && tar_next(t, &e, &err) == 1; i++) {
		(void)strlen(e->path);
		if (e->link)
			(void)strlen(e->link);
		if (i % 2)
			while (tar_read_data(t, buf, sizeof(buf), &err) > 0)
				;
	}
	err_free(&err);
	tar_reader_free(t);
	unz_free(s.u);
	return 0;
}
