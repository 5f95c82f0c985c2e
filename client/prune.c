/* prune.c: what `container prune`, `volume prune` and `network prune`
 * share once their flags are read and the user has confirmed: the request
 * built from --filter arguments and Docker's report of what went. */
#include <stdio.h>

#include "cleanup.h"
#include "containers_cli.h"
#include "filters.h"
#include "jsonutil.h"
#include "units.h"
#include "xalloc.h"

static void print_report(const prune_req *r, json_object *out)
{
	json_object *del = jget_arr(out, r->deleted_key);
	if (del && json_object_array_length(del)) {
		printf("%s\n", r->title);
		for (size_t i = 0; i < json_object_array_length(del); i++)
			printf("%s\n", json_object_get_string(json_object_array_get_idx(del, i)));
		if (r->space)
			printf("\n");
	}
	if (r->space) {
		_cleanup_free_ char *sz = units_human_size((double)jget_int(out, "SpaceReclaimed", 0));
		printf("Total reclaimed space: %s\n", sz);
	}
}

int cli_prune(cli *c, const prune_req *r, char **filter_args)
{
	_cleanup_err_ err_t *err = NULL;
	_cleanup_filters_ filters *f = filters_new();
	for (char **a = filter_args; a && *a; a++)
		if (filters_add_arg(f, *a, &err) < 0)
			return cli_report(err);
	if (r->extra_key)
		filters_add(f, r->extra_key, r->extra_val);
	_cleanup_free_ char *fj = filters_to_json(f);
	_cleanup_free_ char *efj = cli_escape(fj);
	_cleanup_free_ char *path = cli_path(c, "/%s/prune%s%s", r->kind, *fj ? "?filters=" : "", *fj ? efj : "");
	_cleanup_json_ json_object *out = NULL;
	if (cli_call(c, "POST", path, NULL, &out, &err) < 0)
		return cli_report(err);
	print_report(r, out);
	return 0;
}
