/* spec_internal.h: what spec.c and spec_linux.c share; not for other modules. */
#ifndef ENGINE_RT_SPEC_INTERNAL_H
#define ENGINE_RT_SPEC_INTERNAL_H

#include <sys/mount.h>

#include "jsonutil.h"
#include "spec.h"

#define MS_BIND_FLAG MS_BIND

bool spec_abs_path_ok(const char *p);
int spec_parse_linux(json_object *root, rt_spec *s, err_t **err);
int spec_parse_annotations(json_object *root, rt_spec *s, err_t **err);

#endif
