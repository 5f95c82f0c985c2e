/* fuzz_spec.c: config.json (and the seccomp profile inside it) is outside
 * input to the runtime: whatever bytes come, spec_parse must return a spec or
 * an error, never crash, hang or leak. */
#include <stdint.h>

#include "cleanup.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_err_ err_t *e = NULL;
	rt_spec *s = spec_parse((const char *)data, size, "/bundle", &e);
	spec_free(s);
	return 0;
}
