#!/bin/sh
# make-busybox-image.sh: builds the default image, busybox:latest, from
# Debian's busybox-static (no network needed): a root file system with the
# static binary, its applet links, /etc/passwd and /etc/group, imported
# through the running engined. Usage: make-busybox-image.sh [ENGINE_CLI]
set -eu
ENGINE=${1:-engine}
BB=/bin/busybox
[ -x "$BB" ] || { echo "make-busybox-image: $BB is missing: apt-get install busybox-static" >&2; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/home" "$root/var"
chmod 1777 "$root/tmp"
cp "$BB" "$root/bin/busybox"
for applet in $("$BB" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
tar -C "$root" -cf - . | $ENGINE import --change 'CMD ["sh"]' -m "busybox from Debian's busybox-static" - busybox:latest
