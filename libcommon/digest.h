/* digest.h: sha256 digests in Docker's "sha256:<64 hex>" form, one-shot and
 * streaming, over libcommon/sha256.c. */
#ifndef ENGINE_DIGEST_H
#define ENGINE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

typedef struct digest_ctx digest_ctx;

digest_ctx *digest_new(void);
void digest_update(digest_ctx *c, const void *data, size_t n);
/* Writes "sha256:<hex>" into out (DIGEST_STR_LEN + 1 bytes) and frees c. */
void digest_final(digest_ctx *c, char out[DIGEST_STR_LEN + 1]);
void digest_free(digest_ctx *c);
/* "sha256:<hex>" of a raw 32-byte digest. */
void digest_hex(const unsigned char raw[32], char out[DIGEST_STR_LEN + 1]);
void digest_buf(const void *data, size_t n, char out[DIGEST_STR_LEN + 1]);
/* True for "sha256:" followed by exactly 64 lowercase hex digits. */
bool digest_valid(const char *s);
/* True for exactly n lowercase hex digits. */
bool hex_valid(const char *s, size_t n);

#endif
