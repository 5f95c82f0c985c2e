/* sha256.h: SHA-256 (FIPS 180-4) of our own, so neither the daemon nor the
 * CLI maps libcrypto (3 MB of resident pages for one hash function). The
 * block function uses the x86 SHA extensions when the CPU has them and
 * portable C otherwise; sha256_impl() says which one runs. */
#ifndef ENGINE_SHA256_H
#define ENGINE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

typedef struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;                    /* bytes hashed so far */
	uint8_t buf[SHA256_BLOCK_SIZE];  /* a partial block */
	size_t nbuf;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Writes the digest; c must be initialised again before reuse. */
void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t n, uint8_t out[SHA256_DIGEST_SIZE]);

/* "shani" or "portable": the block function chosen for this CPU. */
const char *sha256_impl(void);
/* Forces the portable block function (tests compare the two). */
void sha256_force_portable(int on);

#endif
