/* fuzz_passwd.c: an image's /etc/passwd and /etc/group are hostile input.
 * The input is "<passwd>\n%%\n<group>"; several --user forms are resolved
 * against it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "user.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const specs[] = {NULL, "root", "0", "app", "1000", "app:staff", "1000:50", "nobody:0", ""};
	_cleanup_free_ char *text = xstrndup((const char *)data, size);
	char *group = strstr(text, "\n%%\n");
	if (group) {
		*group = '\0';
		group += 4;
	}
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		_cleanup_err_ err_t *e = NULL;
		uint32_t add[] = {5, 6};
		user_query q = {.spec = specs[i], .uid = 1000, .gid = 1000, .add_gids = add, .n_add_gids = 2};
		rt_ids ids;
		if (user_resolve(&q, text, group, &ids, &e) == 0)
			rt_ids_done(&ids);
	}
	return 0;
}
