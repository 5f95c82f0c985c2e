/* workers.c: see workers.h. */
#include "workers.h"

#include <pthread.h>

void reg_run_workers(void *(*fn)(void *), void *ctx, int max, size_t jobs)
{
	pthread_t t[REG_MAX_WORKERS];
	int nt = 0;
	for (; nt < max && nt < REG_MAX_WORKERS && (size_t)nt < jobs; nt++)
		if (pthread_create(&t[nt], NULL, fn, ctx) != 0)
			break;
	if (jobs && nt == 0)
		fn(ctx);
	for (int i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
}
