/* base64.h: RFC 4648 base64, standard and URL alphabets. Docker's
 * X-Registry-Auth is base64url of JSON (padding optional on input); the
 * `auth` field of config.json and Basic credentials use the standard one. */
#ifndef ENGINE_BASE64_H
#define ENGINE_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Encodes n bytes; padded with '='. Caller frees. */
char *base64_encode(const void *data, size_t n, bool url);
/* Decodes either alphabet, with or without padding, ignoring nothing else:
 * NULL on any invalid character. *out_len gets the length; the result is
 * also NUL-terminated. Caller frees. */
unsigned char *base64_decode(const char *s, size_t len, size_t *out_len);

#endif
