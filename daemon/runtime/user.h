/* user.h: who the container's process runs as. Docker's --user string
 * ("name", "uid", "name:group", "uid:gid", ...) is resolved against the
 * container's own /etc/passwd and /etc/group, which are image content and so
 * hostile input: parsed here by hand, bounded, with no NSS involved. */
#ifndef ENGINE_RT_USER_H
#define ENGINE_RT_USER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define USER_FILE_MAX (4u << 20) /* /etc/passwd or /etc/group beyond this is refused */
#define USER_MAX_GROUPS 65536

typedef struct rt_ids {
	uint32_t uid, gid;
	uint32_t *groups; /* supplementary groups */
	size_t n_groups;
	char *home; /* from passwd, "/" when there is no entry */
} rt_ids;

typedef struct user_query {
	const char *spec;          /* --user string, or NULL to use uid/gid below */
	uint32_t uid, gid;         /* process.user.uid/gid (when spec is NULL) */
	const uint32_t *add_gids;  /* process.user.additionalGids */
	size_t n_add_gids;
	const char *add_names;     /* --group-add names or ids, ","-separated, or NULL */
} user_query;

/* Resolves q against the text of passwd and group (either may be NULL when
 * the file does not exist). Errors use runc's wording: "unable to find user
 * foo: no matching entries in passwd file". */
int user_resolve(const user_query *q, const char *passwd, const char *group, rt_ids *out, err_t **err);
/* Reads /etc/passwd and /etc/group below root ("/" after pivot_root) and resolves. */
int user_resolve_in(const char *root, const user_query *q, rt_ids *out, err_t **err);
void rt_ids_done(rt_ids *ids);

#endif
