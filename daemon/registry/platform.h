/* platform.h: platforms as containerd's platforms package has them:
 * "os/arch[/variant]" parsed and normalised (x86_64 -> amd64, aarch64 ->
 * arm64, armhf -> arm/v7, armel -> arm/v6, a bare arm -> arm/v7, arm64's
 * v8 and amd64's v1 dropped), this host's platform, and the choice of a
 * manifest from an index or manifest list: the exact variant first, then
 * compatible lower ones, attestation manifests never. */
#ifndef ENGINE_REGISTRY_PLATFORM_H
#define ENGINE_REGISTRY_PLATFORM_H

#include <stddef.h>

#include "err.h"
#include "manifest.h"

typedef struct platform {
	char os[32], arch[32], variant[16];
} platform;

/* "" or NULL is this host's platform. ERR_INVALID with Docker's message
 * for a malformed or unsupported one. */
int platform_parse(const char *s, platform *p, err_t **err);
void platform_host(platform *p);
/* "linux/arm64/v8" style text, as Docker prints it in its errors. */
void platform_format(const platform *p, char *buf, size_t len);
/* Normalises a descriptor's (os, arch, variant) in place terms. */
void platform_normalize(platform *p);
/* The best manifest of an index for p, or NULL. */
const oci_desc *platform_pick(const oci_desc *v, size_t n, const platform *p);

#endif
