/* seccomp_cache.c: compiled filters kept on disk. libseccomp needs 7-13 ms
 * to build Docker's profile, more than everything else in a container start
 * put together, so (like crun) we key the BPF program by a hash of the
 * resolved profile and the libseccomp version and reuse it. The cache dir
 * must be root's and not writable by others: a planted program would weaken
 * every container. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "digest.h"
#include "fsutil.h"
#include "seccomp.h"
#include "xalloc.h"

static void hash_str(digest_ctx *d, const char *s)
{
	digest_update(d, s, strlen(s) + 1);
}

static void hash_rule(digest_ctx *d, const sc_rule *r)
{
	for (char **n = r->names; n && *n; n++)
		hash_str(d, *n);
	uint32_t head[3] = {r->action, r->errno_ret, r->n_args};
	digest_update(d, head, sizeof(head));
	for (unsigned i = 0; i < r->n_args; i++) {
		uint64_t a[4] = {r->args[i].index, r->args[i].value, r->args[i].value_two, r->args[i].op};
		digest_update(d, a, sizeof(a));
	}
}

/* The key: everything that decides the BPF program, after the conditions. */
static void cache_key(const sc_profile *p, uint64_t bounding, char out[DIGEST_STR_LEN + 1])
{
	struct utsname u;
	int maj = 0, min = 0;
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &maj, &min);
	const struct scmp_version *v = seccomp_version();
	digest_ctx *d = digest_new();
	char head[128];
	snprintf(head, sizeof(head), "engine-seccomp-1 %u.%u.%u %s %d %u", v->major, v->minor, v->micro,
		 sc_native_scmp_arch(), (int)p->default_action, p->default_errno);
	hash_str(d, head);
	for (char **a = p->arches; a && *a; a++)
		hash_str(d, *a);
	for (size_t i = 0; i < p->n_rules; i++)
		if (sc_rule_applies(&p->rules[i], sc_native_goarch(), maj, min, bounding))
			hash_rule(d, &p->rules[i]);
	digest_final(d, out);
}

static bool cache_dir_safe(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 022);
}

static int cache_read(const char *path, sc_filter *out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || st.st_size == 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -1;
	void *buf = xmalloc((size_t)st.st_size);
	if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		return -1;
	}
	out->insns = buf;
	out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	return 0;
}

/* Best effort: a cache that cannot be written only costs time. No fsync:
 * the cache is disposable and a torn file is refused by its size check. */
static void cache_write(const char *dir, const char *path, const sc_filter *f)
{
	_cleanup_free_ char *tmp = xasprintf("%s/.tmp-%d", dir, getpid());
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t n = f->len * sizeof(struct sock_filter);
	if (fd < 0)
		return;
	if (write(fd, f->insns, n) != (ssize_t)n || rename(tmp, path) < 0)
		unlink(tmp);
}

int seccomp_build_cached(const sc_profile *p, uint64_t bounding, const char *dir, sc_filter *out,
			 err_t **err)
{
	if (!dir)
		return seccomp_build(p, bounding, out, err);
	if (!cache_dir_safe(dir) && (fs_mkdir_p(dir, 0700, NULL) < 0 || !cache_dir_safe(dir)))
		return seccomp_build(p, bounding, out, err);
	char key[DIGEST_STR_LEN + 1];
	cache_key(p, bounding, key);
	_cleanup_free_ char *path = xasprintf("%s/%s.bpf", dir, key + 7);
	if (cache_read(path, out) == 0)
		return 0;
	if (seccomp_build(p, bounding, out, err) < 0)
		return -1;
	cache_write(dir, path, out);
	return 0;
}
