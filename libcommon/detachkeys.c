/* detachkeys.c: see detachkeys.h. */
#include "detachkeys.h"

#include <string.h>

#include "cleanup.h"
#include "xalloc.h"

/* ctrl-@ is 0, ctrl-a 1 ... ctrl-z 26, then ctrl-[ ctrl-\ ctrl-] ctrl-^ ctrl-_. */
static int ctrl_code(const char *k, size_t len)
{
	if (len != 6 || strncmp(k, "ctrl-", 5) != 0)
		return -1;
	char c = k[5];
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 1;
	static const char tail[] = "@[\\]^_";
	const char *p = memchr(tail, c, sizeof(tail) - 1);
	if (!p)
		return -1;
	return p == tail ? 0 : 27 + (int)(p - tail - 1);
}

int detach_keys_parse(const char *keys, unsigned char out[DETACH_KEYS_MAX], err_t **err)
{
	int n = 0;
	const char *k = keys;
	if (!keys || !*keys)
		return 0;
	for (;;) {
		size_t len = strcspn(k, ",");
		int code;
		if (len == 1)
			code = (unsigned char)k[0];
		else if (len == 3 && !strncmp(k, "DEL", 3))
			code = 127;
		else
			code = ctrl_code(k, len);
		if (code < 0) {
			_cleanup_free_ char *bad = xstrndup(k, len);
			return err_invalid(err, "Unknown character: '%s'", bad);
		}
		if (n == DETACH_KEYS_MAX)
			return err_invalid(err, "detach key sequence is longer than %d keys", DETACH_KEYS_MAX);
		out[n++] = (unsigned char)code;
		if (!k[len])
			return n;
		k += len + 1;
	}
}
