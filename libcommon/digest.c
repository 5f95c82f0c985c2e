/* digest.c: see digest.h. */
#include "digest.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct digest_ctx {
	EVP_MD_CTX *md;
};

digest_ctx *digest_new(void)
{
	digest_ctx *c = xcalloc(1, sizeof(*c));
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
		abort();
	return c;
}

void digest_update(digest_ctx *c, const void *data, size_t n)
{
	EVP_DigestUpdate(c->md, data, n);
}

void digest_final(digest_ctx *c, char out[DIGEST_STR_LEN + 1])
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_DigestFinal_ex(c->md, raw, &len);
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < len && i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", raw[i]);
	out[DIGEST_STR_LEN] = '\0';
	digest_free(c);
}

void digest_free(digest_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
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
