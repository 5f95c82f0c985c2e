#!/bin/sh
# bench/runtime_true.sh: the median wall time of create + start + exit of
# /bin/true in a busybox container through engine-shim (spawned and waited
# for with shim_client, as engined will do: Docker's config.json with the
# default seccomp profile, an overlay rootfs, cgroup limits, all namespaces),
# side by side with the floor
#     unshare --pid --mount --uts --ipc --net --fork chroot ROOTFS /bin/true
# and runc on the same config (prepared rootfs) when runc is installed.
# Then the RSS of idle shims. Absolute times drift between machines: read
# the ratios. Needs root and hyperfine (apt-get install -y hyperfine).
# The commands are measured in ROUNDS alternating hyperfine passes of RUNS
# runs each, so that a busy machine hurts them alike.
#
#   BUILD=build RUNS=40 ROUNDS=5 bench/runtime_true.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${BUILD:-$here/../build}" && pwd)
RUNS=${RUNS:-40}
ROUNDS=${ROUNDS:-5}
SHIM=$BUILD/daemon/shim/engine-shim
SHIMCTL=$BUILD/tests/integration/shimctl
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

tmp=$(mktemp -d /tmp/engine-bench.XXXXXX)
cgp=engine-bench-$$
cleanup() {
	for state in "$tmp"/idle*/; do # shims still up when something failed
		[ -e "$state/ctl.sock" ] && $SHIMCTL kill "$state" KILL >/dev/null 2>&1 && $SHIMCTL wait "$state" >/dev/null 2>&1
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do # a shim may still be finishing
		left=0
		for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
			rmdir "$h/$cgp/shim" "$h/$cgp" 2>/dev/null || true
			[ -d "$h/$cgp" ] && left=1
		done
		[ $left = 0 ] && break
		sleep 0.2
	done
	rmdir /sys/fs/cgroup/*/engine-bench-runc /sys/fs/cgroup/engine-bench-runc 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# The image, our bundle (overlay over it) and runc's (the same dir as a prepared rootfs).
PYTHONPATH=$here/../tests/integration /usr/bin/python3 - "$tmp" "$SHIMCTL" <<'EOF'
import json, os, subprocess, sys
import rtbundle
tmp, shimctl = sys.argv[1], sys.argv[2]
lower = os.path.join(tmp, "lower")
rtbundle.make_lower(lower)
cfg = rtbundle.default_config(["/bin/true"], hostname="bench")
rtbundle.write_bundle(os.path.join(tmp, "bundle"), cfg, [lower], os.path.join(tmp, "upper"),
                      os.path.join(tmp, "work"))
runc = rtbundle.default_config(["/bin/true"], hostname="bench")
runc["root"]["path"] = lower
runc["linux"]["cgroupsPath"] = "/engine-bench-runc/bench"
runc["linux"]["seccomp"] = json.loads(subprocess.run([shimctl, "seccomp-json"], capture_output=True,
                                                     text=True, check=True).stdout)
runc["process"]["rlimits"][0].update(hard=1024, soft=1024)
del runc["annotations"]
rtbundle.write_bundle(os.path.join(tmp, "runc-bundle"), runc)
EOF

engine="$SHIMCTL run --shim $SHIM --id bench --bundle $tmp/bundle --state $tmp/state --log $tmp/log.json --cgroup-parent $cgp --shim-cgroup $cgp/shim --cache $tmp/seccomp"
floor="unshare --pid --mount --uts --ipc --net --fork chroot $tmp/lower /bin/true"
set -- -n engine-shim "$engine" -n unshare-floor "$floor"
if command -v runc >/dev/null; then
	set -- "$@" -n runc "runc --root $tmp/runc-state run --bundle $tmp/runc-bundle bench-runc"
fi
for round in $(seq 1 "$ROUNDS"); do
	hyperfine -N --warmup 5 --runs "$RUNS" --export-json "$tmp/times-$round.json" "$@" >"$tmp/hyperfine.txt" 2>&1 ||
		{ cat "$tmp/hyperfine.txt"; exit 1; }
done

/usr/bin/python3 - "$tmp" <<'EOF'
import glob, json, statistics, sys
times = {}
for path in sorted(glob.glob(sys.argv[1] + "/times-*.json")):
    for r in json.load(open(path))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
floor = statistics.median(times["unshare-floor"])
print("create+start+exit of /bin/true, median of %d runs each:" % len(times["unshare-floor"]))
for name, t in times.items():
    med = statistics.median(t)
    print("  %-14s %7.2f ms  (min %.2f, %.1fx the floor)" % (name, med * 1e3, min(t) * 1e3, med / floor))
EOF
# RSS of idle shims: 10 containers sleeping.
sed -i 's|"/bin/true"|"/bin/sleep", "30"|' "$tmp/bundle/config.json"
for i in 0 1 2 3 4 5 6 7 8 9; do
	$SHIMCTL spawn --shim "$SHIM" --id "idle$i" --bundle "$tmp/bundle" --state "$tmp/idle$i" \
		--log "$tmp/idle$i.json" --cgroup-parent "$cgp" --shim-cgroup "$cgp/shim" --cache "$tmp/seccomp" >/dev/null
	$SHIMCTL status "$tmp/idle$i" >/dev/null # one control request served, as engined would
done
sleep 0.3
rss=0 pss=0 anon=0
for i in 0 1 2 3 4 5 6 7 8 9; do
	p=$(cat "$tmp/idle$i/shim.pid")
	rss=$((rss + $(awk '/^Rss:/{print $2}' /proc/$p/smaps_rollup)))
	pss=$((pss + $(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup)))
	anon=$((anon + $(awk '/^Anonymous:/{print $2}' /proc/$p/smaps_rollup)))
done
echo "idle engine-shim, mean of 10: RSS $((rss / 10)) KiB, PSS $((pss / 10)) KiB, anonymous $((anon / 10)) KiB"
for i in 0 1 2 3 4 5 6 7 8 9; do
	$SHIMCTL kill "$tmp/idle$i" KILL
	$SHIMCTL wait "$tmp/idle$i" >/dev/null
done
