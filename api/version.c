/* api/version.c: see version.h. */
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse_ver(const char *s, long *maj, long *min)
{
	char *end = NULL;
	*maj = strtol(s, &end, 10);
	*min = (end && *end == '.') ? strtol(end + 1, NULL, 10) : 0;
}

int api_version_cmp(const char *a, const char *b)
{
	long amaj, amin, bmaj, bmin;
	parse_ver(a, &amaj, &amin);
	parse_ver(b, &bmaj, &bmin);
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	if (amin != bmin)
		return amin < bmin ? -1 : 1;
	return 0;
}

const char *api_split_version(const char *path, char *ver, unsigned vlen)
{
	ver[0] = '\0';
	if (strncmp(path, "/v", 2) != 0 || path[2] < '0' || path[2] > '9')
		return path;
	const char *p = path + 2;
	const char *slash = strchr(p, '/');
	size_t n = slash ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= vlen)
		return NULL;
	int dots = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '.')
			dots++;
		else if (p[i] < '0' || p[i] > '9')
			return NULL;
	}
	if (dots != 1 || p[0] == '.' || p[n - 1] == '.')
		return NULL;
	memcpy(ver, p, n);
	ver[n] = '\0';
	return slash ? slash : "/";
}
