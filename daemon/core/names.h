/* names.h: container identity: 64-hex IDs from the kernel's random source,
 * generated names in Docker's "adjective_surname" form, and the name rule
 * Docker enforces ([a-zA-Z0-9][a-zA-Z0-9_.-]+, with an optional leading /). */
#ifndef ENGINE_NAMES_H
#define ENGINE_NAMES_H

#include <stdbool.h>

/* Writes 64 lowercase hex digits and a NUL into out. */
void names_new_id(char out[65]);
/* A random "adjective_surname"; attempt > 0 appends a digit, as Docker does
 * when the first choice is taken. */
char *names_generate(unsigned attempt);
bool names_valid(const char *name);

#endif
