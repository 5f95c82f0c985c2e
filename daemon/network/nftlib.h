/* nftlib.h: nft scripts run through libnftables, which is mapped only
 * while a script runs and for lazylib's linger after it, so an idle engined
 * maps neither it nor libnftnl, libxtables and libjansson. */
#ifndef ENGINE_NFTLIB_H
#define ENGINE_NFTLIB_H

#include "err.h"
#include "lazylib.h"

/* The descriptor (tests check when it is mapped). */
extern lazylib nftlib_lib;

/* Runs script in one nft transaction, one script at a time in the process.
 * ERR_SYSTEM with nft's first error line. */
int nftlib_run(const char *script, err_t **err);

#endif
