/* lazylib.h: shared libraries mapped only while something uses them. A
 * library is described once by an X-macro list of the functions we call;
 * LAZYLIB_DEFINE turns it into a table of function pointers and a
 * descriptor. lazylib_acquire() dlopen()s the library on first use and
 * fills the table; lazylib_release() drops the count, and once it has been
 * zero for `linger` the library is dlclose()d again by a reaper thread that
 * exists only while some library is open. So an idle daemon maps none of
 * them.
 *
 * Only libraries that really unload may be listed: no DF_1_NODELETE
 * (libcrypto, libssl, p11-kit are), no STB_GNU_UNIQUE symbols (every C++
 * library, libstdc++ among them), no atexit or thread-exit handlers
 * registered by the library, and no pointer into it left in a library
 * that outlives it. zlib, libzstd, liblzma, libbz2 and libnftables (whose
 * hook in libgmp daemon/network/nftlib.c removes) qualify;
 * tests/unit/test_lazylib.c loads and unloads them in cycles (under ASan
 * and valgrind too) and checks that their mappings go away.
 *
 *   #define ZLIB_FUNCS(X) X(int, inflate, (z_streamp, int)) ...
 *   LAZYLIB_DECLARE(zlib, ZLIB_FUNCS)            // in a header
 *   LAZYLIB_DEFINE(zlib, "libz.so.1", ZLIB_FUNCS) // in one .c file
 *   if (lazylib_acquire(&zlib_lib, err) < 0) ...
 *   zlib.inflate(&z, Z_NO_FLUSH);                 // valid until release
 *   lazylib_release(&zlib_lib);
 */
#ifndef ENGINE_LAZYLIB_H
#define ENGINE_LAZYLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct lazylib {
	const char *soname;
	const char *const *names; /* symbol names, in the table's order */
	void **table;             /* the function pointers */
	size_t n;
	/* guarded by the module's lock */
	void *handle;
	int users;
	int64_t idle_since_ns;    /* when users dropped to 0 */
	unsigned long loads;      /* how many times it was dlopen()ed */
	struct lazylib *next;     /* open libraries, for the reaper */
} lazylib;

/* Maps the library (if needed) and counts one more user. The table is
 * valid until the matching release. ERR_SYSTEM with dlerror()'s text when
 * the library or a symbol is missing. */
int lazylib_acquire(lazylib *l, err_t **err);
void lazylib_release(lazylib *l);
/* True while the library is mapped (tests). */
bool lazylib_loaded(lazylib *l);
unsigned long lazylib_load_count(lazylib *l);
/* How long an unused library stays mapped (default 2000 ms; the
 * ENGINE_LAZYLIB_LINGER_MS environment variable overrides it at start). */
void lazylib_set_linger_ms(int64_t ms);
/* Unloads every unused library now and waits for the reaper to exit
 * (daemon shutdown, tests). */
void lazylib_flush(void);

#define LAZYLIB_FIELD_(ret, name, args) ret(*name) args;
#define LAZYLIB_NAME_(ret, name, args) #name,

#define LAZYLIB_DECLARE(id, LIST)                                    \
	struct id##_funcs {                                          \
		LIST(LAZYLIB_FIELD_)                                 \
	};                                                           \
	extern struct id##_funcs id;                                 \
	extern lazylib id##_lib;

#define LAZYLIB_DEFINE(id, soname_, LIST)                            \
	struct id##_funcs id;                                        \
	static const char *const id##_names_[] = {LIST(LAZYLIB_NAME_) NULL}; \
	lazylib id##_lib = {                                         \
		.soname = soname_,                                   \
		.names = id##_names_,                                \
		.table = (void **)&id,                               \
		.n = sizeof(id) / sizeof(void *),                    \
	};

#endif
