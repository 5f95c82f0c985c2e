/* mount_opts.c: option words to mount(2) flags. Words we do not know are
 * passed to the file system as data (tmpfs "size=", devpts "newinstance"), as
 * runc and crun do; words that would smuggle in a remount are refused. */
#include "mount_opts.h"

#include <string.h>
#include <sys/mount.h>

#include "cleanup.h"
#include "strbuf.h"

static const struct {
	const char *name;
	bool clear; /* the word clears the flag instead of setting it */
	unsigned long flag;
} flag_words[] = {
	{"defaults", false, 0},         {"ro", false, MS_RDONLY},
	{"rw", true, MS_RDONLY},        {"suid", true, MS_NOSUID},
	{"nosuid", false, MS_NOSUID},   {"dev", true, MS_NODEV},
	{"nodev", false, MS_NODEV},     {"exec", true, MS_NOEXEC},
	{"noexec", false, MS_NOEXEC},   {"sync", false, MS_SYNCHRONOUS},
	{"async", true, MS_SYNCHRONOUS}, {"dirsync", false, MS_DIRSYNC},
	{"mand", false, MS_MANDLOCK},   {"nomand", true, MS_MANDLOCK},
	{"atime", true, MS_NOATIME},    {"noatime", false, MS_NOATIME},
	{"diratime", true, MS_NODIRATIME}, {"nodiratime", false, MS_NODIRATIME},
	{"relatime", false, MS_RELATIME}, {"norelatime", true, MS_RELATIME},
	{"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
	{"bind", false, MS_BIND},       {"rbind", false, MS_BIND | MS_REC},
};

static const struct {
	const char *name;
	unsigned long flags;
} prop_words[] = {
	{"private", MS_PRIVATE},          {"rprivate", MS_PRIVATE | MS_REC},
	{"shared", MS_SHARED},            {"rshared", MS_SHARED | MS_REC},
	{"slave", MS_SLAVE},              {"rslave", MS_SLAVE | MS_REC},
	{"unbindable", MS_UNBINDABLE},    {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Words runc accepts that only matter to features we do not have. */
static const char *const ignored_words[] = {"tmpcopyup", "z", "Z", "U", "copy", "nocopy"};

unsigned long mount_propagation_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(prop_words); i++)
		if (strcmp(prop_words[i].name, name) == 0)
			return prop_words[i].flags;
	return 0;
}

static bool apply_flag_word(const char *w, rt_mount *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_words); i++) {
		if (strcmp(flag_words[i].name, w) != 0)
			continue;
		if (flag_words[i].clear)
			m->flags &= ~flag_words[i].flag;
		else
			m->flags |= flag_words[i].flag;
		return true;
	}
	return false;
}

static bool is_ignored(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(ignored_words); i++)
		if (strcmp(ignored_words[i], w) == 0)
			return true;
	return false;
}

int mount_opts_parse(char *const *opts, rt_mount *m, err_t **err)
{
	_cleanup_sb_ strbuf data = STRBUF_INIT;
	for (; opts && *opts; opts++) {
		const char *w = *opts;
		if (apply_flag_word(w, m) || is_ignored(w))
			continue;
		unsigned long p = mount_propagation_from_name(w);
		if (p) {
			m->propagation = p;
			continue;
		}
		if (!*w || strcmp(w, "remount") == 0 || strchr(w, ','))
			return err_invalid(err, "mount %s: invalid option \"%s\"", m->destination, w);
		if (data.len)
			sb_putc(&data, ',');
		sb_puts(&data, w);
	}
	free(m->data);
	m->data = data.len ? sb_steal(&data) : NULL;
	return 0;
}
