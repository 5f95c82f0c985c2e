/* detachkeys.h: Docker's detach key sequences ("ctrl-p,ctrl-q", "a,b",
 * "ctrl-@", "ctrl-[", "DEL"): the text form daemon.json, the API and the
 * CLI take, turned into the bytes that stdin is matched against
 * (moby's term.ToBytes). */
#ifndef ENGINE_DETACHKEYS_H
#define ENGINE_DETACHKEYS_H

#include <stddef.h>

#include "err.h"

#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"
#define DETACH_KEYS_MAX 16 /* bytes in a sequence */

/* Parses keys into out (at most DETACH_KEYS_MAX bytes); returns the count.
 * An unknown key gives ERR_INVALID "Unknown character: 'x'". An empty string
 * gives 0 bytes (no detaching). */
int detach_keys_parse(const char *keys, unsigned char out[DETACH_KEYS_MAX], err_t **err);

#endif
