/* rootfs.c: the overlay root and pivot_root. The overlay is mounted inside
 * the container's mount namespace only, so nothing is left on the host when
 * the namespace dies. When the lower dirs do not fit in a page of mount data
 * we mount a small tmpfs on root.path, put short symlinks "0", "1", ... to
 * the lowers in it, chdir there and mount the overlay over it with relative
 * names (Docker's overlay2 uses the same chdir trick with its "l/" links).
 * pivot_root(".", ".") follows crun and runc: no temporary put_old dir. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

char *rootfs_overlay_data(const rt_overlay *o, bool short_names)
{
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	sb_puts(&sb, "lowerdir=");
	for (size_t i = 0; o->lowerdirs[i]; i++) {
		if (i)
			sb_putc(&sb, ':');
		if (short_names)
			sb_printf(&sb, "%zu", i);
		else
			sb_puts(&sb, o->lowerdirs[i]);
	}
	sb_printf(&sb, ",upperdir=%s,workdir=%s", o->upperdir, o->workdir);
	if (sb.len > ROOTFS_MAX_MOUNT_DATA)
		return NULL;
	return sb_steal(&sb);
}

/* The short-name variant: a tmpfs on target with the links; we stay chdir'd in it. */
static int short_links(const rt_overlay *o, const char *target, err_t **err)
{
	if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=700,size=1m") < 0)
		return err_sys(err, "mount the overlay link dir on %s", target);
	if (chdir(target) < 0)
		return err_sys(err, "chdir %s", target);
	for (size_t i = 0; o->lowerdirs[i]; i++) {
		char name[24];
		snprintf(name, sizeof(name), "%zu", i);
		if (symlink(o->lowerdirs[i], name) < 0)
			return err_sys(err, "symlink %s", o->lowerdirs[i]);
	}
	return 0;
}

static int mount_overlay(const rt_spec *s, err_t **err)
{
	_cleanup_free_ char *data = rootfs_overlay_data(&s->overlay, false);
	if (!data) {
		if (short_links(&s->overlay, s->root_path, err) < 0)
			return -1;
		data = rootfs_overlay_data(&s->overlay, true);
		if (!data)
			return err_invalid(err, "too many lower layers for one overlay mount");
	}
	if (mount("overlay", s->root_path, "overlay", 0, data) < 0)
		return err_set(err, ERR_SYSTEM, errno, "mount the overlay rootfs on %s", s->root_path);
	return 0;
}

int rootfs_prepare(const rt_spec *s, err_t **err)
{
	unsigned long prop = s->rootfs_propagation ? s->rootfs_propagation : MS_SLAVE | MS_REC;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return err_sys(err, "set the propagation of /");
	if (s->has_overlay)
		return mount_overlay(s, err);
	/* A prepared rootfs: pivot_root needs a mount point. */
	if (mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set(err, ERR_INVALID, errno, "bind the rootfs %s", s->root_path);
	return 0;
}

int rootfs_pivot(const char *rootfs, err_t **err)
{
	_cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
	_cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_PATH | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0)
		return err_sys(err, "open the root directories");
	if (fchdir(newroot) < 0)
		return err_sys(err, "chdir %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_sys(err, "pivot_root %s", rootfs);
	/* The old root now sits on top of "."; detach it without touching the host. */
	if (fchdir(oldroot) < 0)
		return err_sys(err, "chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return err_sys(err, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return err_sys(err, "detach the old root");
	if (chdir("/") < 0)
		return err_sys(err, "chdir /");
	return 0;
}

int rootfs_finish(const rt_spec *s, err_t **err)
{
	if (!s->root_readonly)
		return 0;
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return err_sys(err, "remount the rootfs read-only");
	return 0;
}
