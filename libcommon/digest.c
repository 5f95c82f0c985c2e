/* digest.c: see digest.h. */
#include "digest.h"

#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "xalloc.h"

struct digest_ctx {
	sha256_ctx sha;
};

digest_ctx *digest_new(void)
{
	digest_ctx *c = xmalloc(sizeof(*c));
	sha256_init(&c->sha);
	return c;
}

void digest_update(digest_ctx *c, const void *data, size_t n)
{
	sha256_update(&c->sha, data, n);
}

void digest_hex(const unsigned char raw[32], char out[DIGEST_STR_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[raw[i] >> 4];
		out[8 + 2 * i] = hex[raw[i] & 15];
	}
	out[DIGEST_STR_LEN] = '\0';
}

void digest_final(digest_ctx *c, char out[DIGEST_STR_LEN + 1])
{
	unsigned char raw[SHA256_DIGEST_SIZE];
	sha256_final(&c->sha, raw);
	digest_hex(raw, out);
	digest_free(c);
}

void digest_free(digest_ctx *c)
{
	free(c);
}

void digest_buf(const void *data, size_t n, char out[DIGEST_STR_LEN + 1])
{
	digest_ctx *c = digest_new();
	digest_update(c, data, n);
	digest_final(c, out);
}

bool hex_valid(const char *s, size_t n)
{
	size_t i = 0;
	for (; s[i]; i++) {
		char ch = s[i];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
	}
	return i == n;
}

bool digest_valid(const char *s)
{
	return s && strncmp(s, "sha256:", 7) == 0 && hex_valid(s + 7, DIGEST_HEX_LEN);
}
