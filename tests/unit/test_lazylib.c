/* Unit tests for libcommon/lazylib through daemon/image's decompressors
 * and daemon/network's nftlib: each compression library, and libnftables
 * with libnftnl, libxtables, libjansson and libgmp, is mapped only while in
 * use, goes away once released (the mappings leave /proc/self/maps), loads
 * again on the next use, and survives many cycles (this binary runs under
 * ASan and valgrind too; valgrind's one complaint, uninitialised bytes in
 * the netlink batch libnftables sends, is libnftables' own); libgmp held by
 * someone else still works after libnftables is gone. It links no
 * libarchive, which would map the compression libraries for good. */
#include <check.h>
#include <dlfcn.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "decompress.h"
#include "fsutil.h"
#include "lazylib.h"
#include "nftlib.h"
#include "xalloc.h"

/* "hello lazylib\n" compressed by gzip, zstd, xz and bzip2. */
static const unsigned char gz[] = {0x1f,0x8b,0x08,0x00,0x00,0x00,0x00,0x00,0x02,0x03,0xcb,0x48,0xcd,0xc9,0xc9,0x57,0xc8,0x49,0xac,0xaa,0xcc,0xc9,0x4c,0xe2,0x02,0x00,0x2e,0x7f,0x7e,0xdd,0x0e,0x00,0x00,0x00};
static const unsigned char zst[] = {0x28,0xb5,0x2f,0xfd,0x04,0x58,0x71,0x00,0x00,0x68,0x65,0x6c,0x6c,0x6f,0x20,0x6c,0x61,0x7a,0x79,0x6c,0x69,0x62,0x0a,0xba,0x20,0x34,0x63};
static const unsigned char xzd[] = {0xfd,0x37,0x7a,0x58,0x5a,0x00,0x00,0x04,0xe6,0xd6,0xb4,0x46,0x02,0x00,0x21,0x01,0x16,0x00,0x00,0x00,0x74,0x2f,0xe5,0xa3,0x01,0x00,0x0d,0x68,0x65,0x6c,0x6c,0x6f,0x20,0x6c,0x61,0x7a,0x79,0x6c,0x69,0x62,0x0a,0x00,0x00,0x00,0x44,0xce,0x9f,0x48,0x45,0xb3,0x5c,0x29,0x00,0x01,0x26,0x0e,0x08,0x1b,0xe0,0x04,0x1f,0xb6,0xf3,0x7d,0x01,0x00,0x00,0x00,0x00,0x04,0x59,0x5a};
static const unsigned char bz[] = {0x42,0x5a,0x68,0x39,0x31,0x41,0x59,0x26,0x53,0x59,0xe3,0xf5,0xf0,0x69,0x00,0x00,0x02,0xd1,0x80,0x00,0x10,0x40,0x00,0x32,0x64,0x80,0x30,0x20,0x00,0x31,0x00,0xd3,0x4d,0x04,0x0d,0x06,0x40,0x24,0x9b,0x18,0x90,0x6e,0xef,0x17,0x72,0x45,0x38,0x50,0x90,0xe3,0xf5,0xf0,0x69};

static const struct {
	const unsigned char *data;
	size_t len;
	const char *lib;
} streams[] = {
	{gz, sizeof(gz), "libz.so"},
	{zst, sizeof(zst), "libzstd.so"},
	{xzd, sizeof(xzd), "liblzma.so"},
	{bz, sizeof(bz), "libbz2.so"},
};

typedef struct mem {
	const unsigned char *p;
	size_t len, pos;
} mem;

static ssize_t mem_read(void *ctx, void *buf, size_t n)
{
	mem *m = ctx;
	size_t k = m->len - m->pos < n ? m->len - m->pos : n;
	if (k > 3)
		k = 3; /* in small pieces */
	memcpy(buf, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

static bool mapped(const char *needle)
{
	_cleanup_free_ char *maps = NULL;
	size_t len;
	ck_assert_int_eq(fs_read_file("/proc/self/maps", 64u << 20, &maps, &len, NULL), 0);
	return strstr(maps, needle) != NULL;
}

/* Decompresses stream i whole; checks the text; the reader is freed. */
static void decompress(size_t i, bool check_mapped)
{
	mem m = {streams[i].data, streams[i].len, 0};
	img_reader r = {mem_read, &m};
	_cleanup_err_ err_t *err = NULL;
	unz *u = unz_new(comp_sniff(streams[i].data, streams[i].len), &r, &err);
	ck_assert_msg(u != NULL, "%s", err ? err->msg : "");
	if (check_mapped)
		ck_assert_msg(mapped(streams[i].lib), "%s not mapped while in use", streams[i].lib);
	char out[64] = "";
	size_t got = 0;
	ssize_t k;
	while ((k = unz_read(u, out + got, sizeof(out) - 1 - got, &err)) > 0)
		got += (size_t)k;
	ck_assert_msg(k == 0, "%s", err ? err->msg : "");
	ck_assert_str_eq(out, "hello lazylib\n");
	unz_free(u);
}

static void wait_unmapped(const char *lib)
{
	for (int i = 0; i < 400 && mapped(lib); i++)
		usleep(5000);
	lazylib_flush();
	ck_assert_msg(!mapped(lib), "%s still mapped after release", lib);
}

START_TEST(test_load_unload_cycles)
{
	lazylib_set_linger_ms(0);
	for (size_t i = 0; i < 4; i++)
		ck_assert_msg(!mapped(streams[i].lib), "%s mapped before any use", streams[i].lib);
	for (int cycle = 0; cycle < 20; cycle++) {
		size_t i = (size_t)cycle % 4;
		decompress(i, true);
		wait_unmapped(streams[i].lib);
	}
}
END_TEST

START_TEST(test_linger_and_overlap)
{
	/* with a linger, a quick second user finds it still mapped: one load */
	lazylib_set_linger_ms(60000);
	decompress(1, true);
	ck_assert(mapped("libzstd.so"));
	decompress(1, true);
	/* two users at once share one mapping */
	mem m1 = {zst, sizeof(zst), 0}, m2 = {zst, sizeof(zst), 0};
	img_reader r1 = {mem_read, &m1}, r2 = {mem_read, &m2};
	_cleanup_err_ err_t *err = NULL;
	unz *a = unz_new(COMP_ZSTD, &r1, &err), *b = unz_new(COMP_ZSTD, &r2, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	unz_free(a);
	lazylib_set_linger_ms(0);
	lazylib_flush();
	ck_assert(mapped("libzstd.so")); /* b still holds it */
	unz_free(b);
	wait_unmapped("libzstd.so");
}
END_TEST

/* libnftables and what it brings along. */
static const char *const nft_libs[] = {"libnftables.so", "libnftnl.so", "libxtables.so", "libjansson.so",
				       "libgmp.so"};

/* A table like daemon/network/rules.c's, made, listed and deleted in a
 * network namespace of our own (as root), so the host's ruleset is never
 * touched; elsewhere a plain "list tables", which may fail for want of
 * privileges but still goes through the parser and netlink. */
static bool own_netns(void)
{
	static int state = -1;
	if (state < 0)
		state = geteuid() == 0 && unshare(CLONE_NEWNET) == 0;
	return state;
}

static const char nft_script[] =
	"add table ip engine_unit\ndelete table ip engine_unit\ntable ip engine_unit {\n"
	"\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	"\t\toifname != \"eunit0\" ip saddr 10.250.0.0/24 masquerade\n\t}\n"
	"\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
	"\t\tiifname != \"eunit0\" fib daddr type local tcp dport 8080 dnat to 10.250.0.2:80\n\t}\n"
	"\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n"
	"\t\tiifname \"eunit0\" oifname != \"eunit0\" drop\n\t}\n}\n";

static void nft_use(void)
{
	_cleanup_err_ err_t *err = NULL;
	if (!own_netns()) {
		if (nftlib_run("list tables", &err) < 0)
			ck_assert(strstr(err->msg, "nftables"));
		return;
	}
	ck_assert_msg(nftlib_run(nft_script, &err) == 0, "%s", err ? err->msg : "");
	ck_assert_msg(nftlib_run("list ruleset", &err) == 0, "%s", err ? err->msg : "");
	ck_assert_msg(nftlib_run("add table ip engine_unit\ndelete table ip engine_unit\n", &err) == 0, "%s",
		      err ? err->msg : "");
	ck_assert_int_eq(nftlib_run("list table ip engine_unit", &err), -1);
	ck_assert_msg(strstr(err->msg, "nftables: "), "%s", err->msg);
}

START_TEST(test_nftables_cycles)
{
	lazylib_set_linger_ms(0);
	for (size_t i = 0; i < ARRAY_SIZE(nft_libs); i++)
		ck_assert_msg(!mapped(nft_libs[i]), "%s mapped before any use", nft_libs[i]);
	unsigned long loads = lazylib_load_count(&nftlib_lib);
	for (int cycle = 0; cycle < 10; cycle++) {
		_cleanup_err_ err_t *err = NULL;
		ck_assert_int_eq(lazylib_acquire(&nftlib_lib, &err), 0); /* held across the scripts */
		nft_use();
		for (size_t i = 0; i < ARRAY_SIZE(nft_libs); i++)
			ck_assert_msg(mapped(nft_libs[i]), "%s not mapped while in use", nft_libs[i]);
		lazylib_release(&nftlib_lib);
		for (size_t i = 0; i < ARRAY_SIZE(nft_libs); i++)
			wait_unmapped(nft_libs[i]);
		ck_assert_uint_eq(lazylib_load_count(&nftlib_lib), loads + (unsigned long)cycle + 1);
	}
	/* one script alone maps and releases it too */
	nft_use();
	for (size_t i = 0; i < ARRAY_SIZE(nft_libs); i++)
		wait_unmapped(nft_libs[i]);
}
END_TEST

/* engined maps libgmp for good (libmicrohttpd -> gnutls -> hogweed), and
 * libnftables points libgmp's allocator at itself: once libnftables is
 * gone, libgmp must still allocate. */
START_TEST(test_nftables_gmp_outlives)
{
	lazylib_set_linger_ms(0);
	void *gmp = dlopen("libgmp.so.10", RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(gmp != NULL, "%s", dlerror());
	/* mpz_t is { int alloc, size; void *limbs; } */
	struct mpz {
		int alloc, size;
		void *d;
	} z;
	void (*init)(struct mpz *) = (void (*)(struct mpz *))dlsym(gmp, "__gmpz_init");
	void (*set_ui)(struct mpz *, unsigned long) = (void (*)(struct mpz *, unsigned long))dlsym(gmp, "__gmpz_set_ui");
	void (*mul_2exp)(struct mpz *, const struct mpz *, unsigned long) =
		(void (*)(struct mpz *, const struct mpz *, unsigned long))dlsym(gmp, "__gmpz_mul_2exp");
	void (*clear)(struct mpz *) = (void (*)(struct mpz *))dlsym(gmp, "__gmpz_clear");
	ck_assert(init && set_ui && mul_2exp && clear);
	for (int cycle = 0; cycle < 5; cycle++) {
		nft_use();
		wait_unmapped("libnftables.so");
		ck_assert(mapped("libgmp.so"));
		init(&z);
		set_ui(&z, 1);
		mul_2exp(&z, &z, 10000); /* allocates, then reallocates */
		mul_2exp(&z, &z, 100000);
		clear(&z);
	}
	dlclose(gmp);
	wait_unmapped("libgmp.so");
}
END_TEST

START_TEST(test_missing_library)
{
	static void *slot;
	static const char *const names[] = {"nothing", NULL};
	lazylib missing = {.soname = "libdoes-not-exist.so.9", .names = names, .table = &slot, .n = 1};
	_cleanup_err_ err_t *err = NULL;
	ck_assert_int_eq(lazylib_acquire(&missing, &err), -1);
	ck_assert(strstr(err->msg, "libdoes-not-exist.so.9"));
	ck_assert(!lazylib_loaded(&missing));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lazylib");
	TCase *tc = tcase_create("lazylib");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_load_unload_cycles);
	tcase_add_test(tc, test_linger_and_overlap);
	tcase_add_test(tc, test_nftables_cycles);
	tcase_add_test(tc, test_nftables_gmp_outlives);
	tcase_add_test(tc, test_missing_library);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
