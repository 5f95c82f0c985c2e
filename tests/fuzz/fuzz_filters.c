/* fuzz_filters.c: libFuzzer harness for the filters parameter. The input is
 * the query parameter. Whatever parses must answer every question without
 * crashing and survive a round trip through its JSON form; the input's
 * halves are also tried as a glob pattern and a name. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "filters.h"
#include "jsonutil.h"
#include "xalloc.h"

static void query(const filters *f)
{
	static const char *const accepted[] = {"label", "dangling", "reference", "name", NULL};
	_cleanup_err_ err_t *e = NULL;
	bool b;
	filters_validate(f, accepted, &e);
	err_free(&e);
	filters_get_bool(f, "dangling", false, &b, &e);
	err_free(&e);
	filters_match_glob(f, "reference", "docker.io/library/busybox:latest", &e);
	err_free(&e);
	_cleanup_json_ json_object *labels = json_tokener_parse("{\"a\":\"b\",\"c\":\"\"}");
	filters_match_kv(f, "label", labels);
	filters_match(f, "name", "web");
	filters_match_prefix(f, "name", "web");
	char **v = filters_get(f, "label");
	strv_free(v);
}

static char *reserialise(const char *json)
{
	_cleanup_filters_ filters *f = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (filters_parse(json, &f, &e) < 0)
		abort(); /* what we write must read back */
	return filters_to_json(f);
}

/* filters_to_json's output reads back as the same set. (Invalid UTF-8 in
 * names becomes U+FFFD on the first pass, as with Go, so the fixed point
 * is checked from the second pass on.) */
static void round_trip(const filters *f)
{
	_cleanup_free_ char *json = filters_to_json(f);
	_cleanup_free_ char *once = reserialise(json);
	_cleanup_free_ char *twice = reserialise(once);
	if (strcmp(once, twice) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
	if (size > 256 * 1024)
		return 0;
	_cleanup_free_ char *text = xstrndup((const char *)buf, size);
	_cleanup_filters_ filters *f = NULL;
	_cleanup_err_ err_t *e = NULL;
	if (filters_parse(text, &f, &e) == 0) {
		query(f);
		round_trip(f);
	} else if (!e || e->kind != ERR_INVALID) {
		abort();
	}
	size_t half = strlen(text) / 2;
	_cleanup_free_ char *pattern = xstrndup(text, half);
	bool m;
	err_t *ge = NULL;
	filters_glob(pattern, text + half, &m, &ge);
	err_free(&ge);
	_cleanup_filters_ filters *cli = filters_new();
	filters_add_arg(cli, text, &ge);
	err_free(&ge);
	round_trip(cli);
	return 0;
}
