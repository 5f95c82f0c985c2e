/* seccomp.h: compiling a profile to a BPF program with libseccomp (in the
 * parent, before clone, so a cached program could skip it) and installing it
 * in the container with the raw seccomp(2) call just before execve. */
#ifndef ENGINE_RT_SECCOMP_H
#define ENGINE_RT_SECCOMP_H

#include <stdint.h>

#include "err.h"
#include "seccomp_profile.h"

typedef struct sc_filter {
	void *insns; /* struct sock_filter[len] */
	unsigned short len;
} sc_filter;

/* Builds the filter for a container whose bounding set is `bounding`. */
int seccomp_build(const sc_profile *p, uint64_t bounding, sc_filter *out, err_t **err);
/* The same through a cache of compiled programs in dir (NULL: no cache). */
int seccomp_build_cached(const sc_profile *p, uint64_t bounding, const char *dir, sc_filter *out,
			 err_t **err);
/* Installs it on the calling thread; no_new_privs is left to the caller, so
 * without it this needs CAP_SYS_ADMIN (crun's order: seccomp, then caps). */
int seccomp_install(const sc_filter *f, err_t **err);
void sc_filter_done(sc_filter *f);

#endif
