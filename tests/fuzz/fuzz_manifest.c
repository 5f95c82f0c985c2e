/* fuzz_manifest.c: libFuzzer entry for the load path's JSON documents
 * (daemon/image/manifest.c): the same bytes go through the manifest.json,
 * image index and image manifest parsers and the kind sniffer. Built as a
 * replay binary over corpus/manifest in the normal test run, and as a real
 * libFuzzer target when the compiler is clang. */
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	err_t *err = NULL;
	save_item *items;
	size_t n;
	if (parse_save_manifest(json, size, &items, &n, &err) == 0)
		save_items_free(items, n);
	err_free(&err);
	oci_desc *descs;
	if (parse_oci_index(json, size, &descs, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			(void)oci_platform_wanted(&descs[i]);
		oci_descs_free(descs, n);
	}
	err_free(&err);
	oci_manifest m;
	if (parse_oci_manifest(json, size, &m, &err) == 0)
		oci_manifest_free(&m);
	err_free(&err);
	(void)manifest_sniff_kind(json, size);
	return 0;
}
