/* user.c: passwd/group parsing and Docker's --user resolution, following
 * runc's rules: a name must exist in passwd; a number need not (then gid 0
 * and HOME "/"); without an explicit group, the supplementary groups are the
 * /etc/group entries that list the user by name; additionalGids are added. */
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

typedef struct pw_entry {
	char *name, *home;
	uint32_t uid, gid;
	bool found;
} pw_entry;

/* A decimal id below 2^32-1, nothing else (no sign, no spaces, no hex). */
static bool parse_id(const char *s, size_t n, uint32_t *out)
{
	if (n == 0 || n > 10)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Splits one line into up to max fields at ':'; returns the field count. */
static size_t split_fields(const char *line, size_t len, const char **f, size_t *flen, size_t max)
{
	size_t n = 0;
	const char *start = line, *end = line + len;
	for (const char *p = line; p <= end && n < max; p++) {
		if (p == end || *p == ':') {
			f[n] = start;
			flen[n++] = (size_t)(p - start);
			start = p + 1;
		}
	}
	return n;
}

/* Calls fn for each line (without '\n') of text; stops when fn returns true. */
static void for_each_line(const char *text, bool (*fn)(const char *, size_t, void *), void *ctx)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len && p[0] != '#' && fn(p, len, ctx))
			return;
		p = nl ? nl + 1 : NULL;
	}
}

typedef struct pw_match {
	const char *name; /* match by name, or */
	uint32_t uid;     /* by uid when name is NULL */
	pw_entry *out;
} pw_match;

static bool pw_line(const char *line, size_t len, void *ctx)
{
	pw_match *m = ctx;
	const char *f[7];
	size_t fl[7];
	uint32_t uid, gid;
	size_t nf = split_fields(line, len, f, fl, 7);
	if (nf < 4 || !parse_id(f[2], fl[2], &uid) || !parse_id(f[3], fl[3], &gid))
		return false;
	if (m->name ? (strlen(m->name) != fl[0] || memcmp(m->name, f[0], fl[0]) != 0) : uid != m->uid)
		return false;
	m->out->name = xstrndup(f[0], fl[0]);
	m->out->home = nf >= 6 && fl[5] ? xstrndup(f[5], fl[5]) : NULL;
	m->out->uid = uid;
	m->out->gid = gid;
	m->out->found = true;
	return true;
}

typedef struct gr_match {
	const char *group;  /* explicit group name to find, or NULL */
	const char *member; /* collect groups listing this user, or NULL */
	uint32_t gid;
	bool found;
	uint32_t *gids;
	size_t n, cap;
} gr_match;

static bool lists_member(const char *list, size_t len, const char *user)
{
	size_t ul = strlen(user);
	for (const char *p = list, *end = list + len; p < end;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t l = c ? (size_t)(c - p) : (size_t)(end - p);
		if (l == ul && memcmp(p, user, ul) == 0)
			return true;
		p += l + 1;
	}
	return false;
}

static bool gr_line(const char *line, size_t len, void *ctx)
{
	gr_match *m = ctx;
	const char *f[4];
	size_t fl[4];
	uint32_t gid;
	size_t nf = split_fields(line, len, f, fl, 4);
	if (nf < 3 || !parse_id(f[2], fl[2], &gid))
		return false;
	if (m->group) {
		if (strlen(m->group) != fl[0] || memcmp(m->group, f[0], fl[0]) != 0)
			return false;
		m->gid = gid;
		m->found = true;
		return true;
	}
	if (nf == 4 && m->n < USER_MAX_GROUPS && lists_member(f[3], fl[3], m->member)) {
		m->gids = xgrow(m->gids, &m->cap, m->n + 1, sizeof(uint32_t));
		m->gids[m->n++] = gid;
	}
	return false;
}

static void pw_entry_done(pw_entry *e)
{
	free(e->name);
	free(e->home);
}

static int find_user(const char *user, const char *passwd, pw_entry *e, rt_ids *out, err_t **err)
{
	uint32_t id;
	bool numeric = parse_id(user, strlen(user), &id);
	pw_match m = {.name = user, .out = e};
	for_each_line(passwd, pw_line, &m);
	if (!e->found && numeric) {
		m.name = NULL;
		m.uid = id;
		for_each_line(passwd, pw_line, &m);
	}
	if (e->found) {
		out->uid = e->uid;
		out->gid = e->gid;
		return 0;
	}
	if (!numeric)
		return err_invalid(err, "unable to find user %s: no matching entries in passwd file", user);
	out->uid = id;
	out->gid = 0;
	return 0;
}

static int find_group(const char *group, const char *grp, rt_ids *out, err_t **err)
{
	gr_match m = {.group = group};
	for_each_line(grp, gr_line, &m);
	if (m.found) {
		out->gid = m.gid;
		return 0;
	}
	if (parse_id(group, strlen(group), &out->gid))
		return 0;
	return err_invalid(err, "unable to find group %s: no matching entries in group file", group);
}

static void add_groups(rt_ids *out, const uint32_t *g, size_t n)
{
	size_t cap = out->n_groups;
	for (size_t i = 0; i < n && out->n_groups < USER_MAX_GROUPS; i++) {
		out->groups = xgrow(out->groups, &cap, out->n_groups + 1, sizeof(uint32_t));
		out->groups[out->n_groups++] = g[i];
	}
}

/* --group-add by name (or id), as moby resolves it: against the
 * container's /etc/group, an unknown name failing the start. */
static int add_named_groups(rt_ids *out, const char *names, const char *grp, err_t **err)
{
	if (!names || !*names)
		return 0;
	_cleanup_free_ char *copy = xstrdup(names);
	char *save = NULL;
	for (char *n = strtok_r(copy, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		rt_ids one = {0};
		if (find_group(n, grp, &one, err) < 0)
			return -1;
		add_groups(out, &one.gid, 1);
	}
	return 0;
}

static int resolve_spec(const char *spec, const char *passwd, const char *grp, pw_entry *e,
			rt_ids *out, err_t **err)
{
	_cleanup_free_ char *user = xstrdup(spec);
	char *group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (find_user(*user ? user : "0", passwd, e, out, err) < 0)
		return -1;
	if (group && *group)
		return find_group(group, grp, out, err);
	if (e->found) {
		gr_match m = {.member = e->name};
		for_each_line(grp, gr_line, &m);
		add_groups(out, m.gids, m.n);
		free(m.gids);
	}
	return 0;
}

int user_resolve(const user_query *q, const char *passwd, const char *group, rt_ids *out, err_t **err)
{
	pw_entry e = {0};
	memset(out, 0, sizeof(*out));
	int r = 0;
	if (q->spec) {
		r = resolve_spec(q->spec, passwd, group, &e, out, err);
	} else {
		pw_match m = {.uid = q->uid, .out = &e};
		for_each_line(passwd, pw_line, &m);
		out->uid = q->uid;
		out->gid = q->gid;
	}
	if (r == 0) {
		add_groups(out, q->add_gids, q->n_add_gids);
		r = add_named_groups(out, q->add_names, group, err);
	}
	if (r == 0) {
		out->home = xstrdup(e.home ? e.home : "/");
	} else {
		rt_ids_done(out);
	}
	pw_entry_done(&e);
	return r;
}

/* A missing file is no error. The file is image content: a FIFO or a device
 * planted there must not block or flood us, so only regular files are read. */
static int read_optional(const char *root, const char *rel, char **out, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(root, rel);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : err_sys(err, "open %s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return err_invalid(err, "%s is not a regular file", path);
	if (st.st_size > USER_FILE_MAX)
		return err_invalid(err, "%s is larger than %u bytes", path, USER_FILE_MAX);
	_cleanup_free_ char *buf = xmalloc((size_t)st.st_size + 1);
	ssize_t n = read(fd, buf, (size_t)st.st_size);
	if (n < 0)
		return err_sys(err, "read %s", path);
	buf[n] = '\0';
	*out = steal_ptr(&buf);
	return 0;
}

int user_resolve_in(const char *root, const user_query *q, rt_ids *out, err_t **err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	if (read_optional(root, "etc/passwd", &passwd, err) < 0 ||
	    read_optional(root, "etc/group", &group, err) < 0)
		return -1;
	return user_resolve(q, passwd, group, out, err);
}

void rt_ids_done(rt_ids *ids)
{
	free(ids->groups);
	free(ids->home);
	ids->groups = NULL;
	ids->home = NULL;
	ids->n_groups = 0;
}
