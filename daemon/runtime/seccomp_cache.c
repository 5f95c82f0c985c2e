/* seccomp_cache.c: compiled filters kept on disk. libseccomp needs 7-13 ms
 * to build Docker's profile, more than everything else in a container start
 * put together, so (like crun) we reuse the BPF program of an identical
 * profile. An entry holds the canonical text of the resolved profile (the
 * rules that apply, the libseccomp version, the arch) followed by the
 * program; a hit needs that text to match byte for byte, so the file name is
 * only a cheap FNV-1a hash and no collision can hand a container someone
 * else's filter. (OpenSSL's SHA-256 would cost 2.4 ms of library start-up
 * per container.) The cache dir must be ours and not writable by others: a
 * planted program would weaken every container. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "seccomp.h"
#include "strbuf.h"
#include "xalloc.h"

#define CACHE_MAGIC "engine-seccomp-cache 1\n"
#define CACHE_MAX (1u << 20)

static void put_rule(strbuf *sb, const sc_rule *r)
{
	sb_printf(sb, "rule %d %u", (int)r->action, r->errno_ret);
	for (unsigned i = 0; i < r->n_args; i++)
		sb_printf(sb, " arg %u %d %llu %llu", r->args[i].index, (int)r->args[i].op,
			  (unsigned long long)r->args[i].value, (unsigned long long)r->args[i].value_two);
	for (char **n = r->names; n && *n; n++)
		sb_printf(sb, " %s", *n);
	sb_putc(sb, '\n');
}

/* Everything that decides the BPF program, after the conditions are applied. */
static void canonical(const sc_profile *p, uint64_t bounding, strbuf *sb)
{
	struct utsname u;
	int maj = 0, min = 0;
	if (uname(&u) == 0)
		sscanf(u.release, "%d.%d", &maj, &min);
	const struct scmp_version *v = seccomp_version();
	sb_printf(sb, "libseccomp %u.%u.%u arch %s default %d %u\narches", v->major, v->minor, v->micro,
		  sc_native_scmp_arch(), (int)p->default_action, p->default_errno);
	for (char **a = p->arches; a && *a; a++)
		sb_printf(sb, " %s", *a);
	sb_putc(sb, '\n');
	for (size_t i = 0; i < p->n_rules; i++)
		if (sc_rule_applies(&p->rules[i], sc_native_goarch(), maj, min, bounding))
			put_rule(sb, &p->rules[i]);
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static bool owned_and_private(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 022);
}

static bool cache_dir_safe(const char *dir)
{
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && owned_and_private(&st);
}

/* The program after "MAGIC <text>" when the text is ours. */
static int parse_entry(const char *buf, size_t n, const strbuf *key, sc_filter *out)
{
	size_t head = strlen(CACHE_MAGIC);
	if (n < head + key->len || memcmp(buf, CACHE_MAGIC, head) != 0 ||
	    memcmp(buf + head, key->buf, key->len) != 0)
		return -1;
	size_t prog = n - head - key->len;
	if (prog == 0 || prog % sizeof(struct sock_filter) || prog / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -1;
	out->insns = xmalloc(prog);
	memcpy(out->insns, buf + head + key->len, prog);
	out->len = (unsigned short)(prog / sizeof(struct sock_filter));
	return 0;
}

static int cache_read(const char *path, const strbuf *key, sc_filter *out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !owned_and_private(&st) ||
	    st.st_size > CACHE_MAX)
		return -1;
	_cleanup_free_ char *buf = xmalloc((size_t)st.st_size + 1);
	if (read(fd, buf, (size_t)st.st_size) != st.st_size)
		return -1;
	return parse_entry(buf, (size_t)st.st_size, key, out);
}

/* Best effort: a cache that cannot be written only costs time. No fsync:
 * the cache is disposable, and a torn entry fails its checks. */
static void cache_write(const char *dir, const char *path, const strbuf *key, const sc_filter *f)
{
	_cleanup_free_ char *tmp = xasprintf("%s/.tmp-%d", dir, getpid());
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	struct iovec iov[3] = {
		{(void *)CACHE_MAGIC, strlen(CACHE_MAGIC)},
		{key->buf, key->len},
		{f->insns, f->len * sizeof(struct sock_filter)},
	};
	ssize_t want = (ssize_t)(iov[0].iov_len + iov[1].iov_len + iov[2].iov_len);
	if (writev(fd, iov, 3) != want || rename(tmp, path) < 0)
		unlink(tmp);
}

int seccomp_build_cached(const sc_profile *p, uint64_t bounding, const char *dir, sc_filter *out,
			 err_t **err)
{
	if (!dir || (!cache_dir_safe(dir) && (fs_mkdir_p(dir, 0700, NULL) < 0 || !cache_dir_safe(dir))))
		return seccomp_build(p, bounding, out, err);
	_cleanup_sb_ strbuf key = STRBUF_INIT;
	canonical(p, bounding, &key);
	_cleanup_free_ char *path = xasprintf("%s/%016llx.bpf", dir, (unsigned long long)fnv1a(key.buf, key.len));
	if (cache_read(path, &key, out) == 0)
		return 0;
	if (seccomp_build(p, bounding, out, err) < 0)
		return -1;
	cache_write(dir, path, &key, out);
	return 0;
}
