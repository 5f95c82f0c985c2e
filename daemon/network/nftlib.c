/* nftlib.c: see nftlib.h. libnftables unloads cleanly (no NODELETE, no
 * unique symbols, no atexit handler; tests/unit/test_lazylib.c cycles it)
 * but for one thing: its first nft_ctx_new() points libgmp's allocator at
 * its own xmalloc/xrealloc, and libgmp can outlive it (engined maps it for
 * good through libmicrohttpd -> gnutls -> hogweed). So after every script
 * libgmp's default allocator, malloc's as well, is put back. */
#include "nftlib.h"

#include <nftables/libnftables.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The last one is libgmp's, found through libnftables' dependencies. */
#define NFTLIB_FUNCS(X)                                                        \
	X(struct nft_ctx *, nft_ctx_new, (uint32_t))                           \
	X(int, nft_ctx_buffer_output, (struct nft_ctx *))                      \
	X(int, nft_ctx_buffer_error, (struct nft_ctx *))                       \
	X(int, nft_run_cmd_from_buffer, (struct nft_ctx *, const char *))      \
	X(const char *, nft_ctx_get_error_buffer, (struct nft_ctx *))          \
	X(void, nft_ctx_free, (struct nft_ctx *))                              \
	X(void, __gmp_set_memory_functions,                                    \
	  (void *(*)(size_t), void *(*)(void *, size_t, size_t), void (*)(void *, size_t)))

LAZYLIB_DECLARE(nftlib, NFTLIB_FUNCS)
LAZYLIB_DEFINE(nftlib, "libnftables.so.1", NFTLIB_FUNCS)

static pthread_mutex_t nft_lock = PTHREAD_MUTEX_INITIALIZER;

int nftlib_run(const char *script, err_t **err)
{
	pthread_mutex_lock(&nft_lock);
	if (lazylib_acquire(&nftlib_lib, err) < 0) {
		pthread_mutex_unlock(&nft_lock);
		return err_wrap(err, "nftables");
	}
	struct nft_ctx *ctx = nftlib.nft_ctx_new(NFT_CTX_DEFAULT);
	int r = -1;
	if (!ctx) {
		err_set(err, ERR_SYSTEM, 0, "nftables: cannot create a context");
		goto out;
	}
	nftlib.nft_ctx_buffer_output(ctx);
	nftlib.nft_ctx_buffer_error(ctx);
	r = nftlib.nft_run_cmd_from_buffer(ctx, script);
	if (r != 0) {
		const char *e = nftlib.nft_ctx_get_error_buffer(ctx);
		err_set(err, ERR_SYSTEM, 0, "nftables: %.*s", (int)strcspn(e ? e : "", "\n"), e ? e : "");
	}
	nftlib.nft_ctx_free(ctx);
out:
	nftlib.__gmp_set_memory_functions(NULL, NULL, NULL);
	lazylib_release(&nftlib_lib);
	pthread_mutex_unlock(&nft_lock);
	return r == 0 ? 0 : -1;
}
