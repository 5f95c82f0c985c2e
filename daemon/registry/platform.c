/* platform.c: see platform.h. */
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cleanup.h"
#include "xalloc.h"

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
}

static void set(char *dst, size_t len, const char *s)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < len; i++)
		dst[i] = s[i];
	dst[i] = '\0';
}

void platform_normalize(platform *p)
{
	lower(p->os);
	lower(p->arch);
	lower(p->variant);
	if (!strcmp(p->os, "macos"))
		set(p->os, sizeof(p->os), "darwin");
	const char *a = p->arch;
	if (!strcmp(a, "i386") || !strcmp(a, "i686") || !strcmp(a, "x86")) {
		set(p->arch, sizeof(p->arch), "386");
		p->variant[0] = '\0';
	} else if (!strcmp(a, "x86_64") || !strcmp(a, "x86-64") || !strcmp(a, "amd64")) {
		set(p->arch, sizeof(p->arch), "amd64");
		if (!strcmp(p->variant, "v1"))
			p->variant[0] = '\0';
	} else if (!strcmp(a, "aarch64") || !strcmp(a, "arm64")) {
		set(p->arch, sizeof(p->arch), "arm64");
		if (!strcmp(p->variant, "8") || !strcmp(p->variant, "v8"))
			p->variant[0] = '\0';
	} else if (!strcmp(a, "armhf")) {
		set(p->arch, sizeof(p->arch), "arm");
		set(p->variant, sizeof(p->variant), "v7");
	} else if (!strcmp(a, "armel")) {
		set(p->arch, sizeof(p->arch), "arm");
		set(p->variant, sizeof(p->variant), "v6");
	} else if (!strcmp(a, "arm")) {
		if (!*p->variant || !strcmp(p->variant, "7"))
			set(p->variant, sizeof(p->variant), "v7");
		else if (!strcmp(p->variant, "5") || !strcmp(p->variant, "6") || !strcmp(p->variant, "8")) {
			char v[3] = {'v', p->variant[0], '\0'};
			set(p->variant, sizeof(p->variant), v);
		}
	}
}

void platform_host(platform *p)
{
	memset(p, 0, sizeof(*p));
	struct utsname u;
	set(p->os, sizeof(p->os), "linux");
	if (uname(&u) == 0) {
		if (!strncmp(u.machine, "armv", 4)) {
			set(p->arch, sizeof(p->arch), "arm");
			char v[3] = {'v', u.machine[4], '\0'};
			set(p->variant, sizeof(p->variant), v);
		} else {
			set(p->arch, sizeof(p->arch), u.machine);
		}
	} else {
		set(p->arch, sizeof(p->arch), "amd64");
	}
	platform_normalize(p);
}

int platform_parse(const char *s, platform *p, err_t **err)
{
	if (!s || !*s) {
		platform_host(p);
		return 0;
	}
	memset(p, 0, sizeof(*p));
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL;
	char *os = strtok_r(copy, "/", &save), *arch = strtok_r(NULL, "/", &save);
	char *variant = strtok_r(NULL, "/", &save);
	if (!os || strtok_r(NULL, "/", &save) || strlen(os) >= sizeof(p->os) ||
	    (arch && strlen(arch) >= sizeof(p->arch)) || (variant && strlen(variant) >= sizeof(p->variant)))
		return err_invalid(err, "\"%s\": unknown operating system or architecture: invalid argument", s);
	platform host;
	platform_host(&host);
	set(p->os, sizeof(p->os), os);
	set(p->arch, sizeof(p->arch), arch ? arch : host.arch);
	set(p->variant, sizeof(p->variant), variant ? variant : (!arch ? host.variant : ""));
	platform_normalize(p);
	if (strcmp(p->os, "linux"))
		return err_invalid(err, "\"%s\": operating system is not supported", s);
	return 0;
}

void platform_format(const platform *p, char *buf, size_t len)
{
	if (*p->variant)
		snprintf(buf, len, "%s/%s/%s", p->os, p->arch, p->variant);
	else
		snprintf(buf, len, "%s/%s", p->os, p->arch);
}

/* How well a candidate's variant serves the wanted one: 3 exact, 2 none
 * given, 1 a compatible lower one, 0 no. */
static int variant_rank(const platform *want, const platform *have)
{
	if (!strcmp(want->variant, have->variant))
		return 3;
	if (!*have->variant)
		return 2;
	/* arm/v7 runs v6 and v5 code; amd64/v3 runs v2; arm64/v8.x runs v8 */
	if (*want->variant && want->variant[0] == 'v' && have->variant[0] == 'v') {
		double w = atof(want->variant + 1), h = atof(have->variant + 1);
		if (h < w)
			return 1;
	}
	return 0;
}

const oci_desc *platform_pick(const oci_desc *v, size_t n, const platform *want)
{
	const oci_desc *best = NULL;
	int best_rank = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].attestation || v[i].kind == DESC_INDEX)
			continue;
		platform have = {0};
		set(have.os, sizeof(have.os), v[i].os);
		set(have.arch, sizeof(have.arch), v[i].arch);
		set(have.variant, sizeof(have.variant), v[i].variant);
		if (!v[i].os && !v[i].arch)
			continue; /* no platform: not a candidate in a list */
		platform_normalize(&have);
		if (strcmp(have.os, want->os) || strcmp(have.arch, want->arch))
			continue;
		int rank = variant_rank(want, &have);
		if (rank > best_rank) {
			best = &v[i];
			best_rank = rank;
		}
	}
	return best;
}
