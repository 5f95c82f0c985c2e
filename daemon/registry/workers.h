/* workers.h: the few threads a pull or a push runs its layers on. Each
 * worker takes jobs from a queue the caller owns until it is empty. */
#ifndef ENGINE_REGISTRY_WORKERS_H
#define ENGINE_REGISTRY_WORKERS_H

#include <stddef.h>

#define REG_MAX_WORKERS 16

/* Runs fn(ctx) on min(max, jobs, REG_MAX_WORKERS) threads and waits for
 * them all; on the calling thread when no thread can be created. */
void reg_run_workers(void *(*fn)(void *), void *ctx, int max, size_t jobs);

#endif
