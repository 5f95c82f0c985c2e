#!/bin/bash
# containers.sh: what containers cost. Latency of create+start+wait+remove
# (`run -d` then `wait` then `rm`) through the engine CLI and the docker CLI
# against engined, and the docker CLI against dockerd (Debian's docker.io,
# in its own netns) in the same run; the namespace floor; resident memory of
# engined and of each engine-shim idle and with 50 running containers.
set -eu
. "$(dirname "$0")/lib.sh"
IMAGE_TAR=${IMAGE_TAR:-$ROOT/../shared/images/busybox-1.38.0-musl.docker.tar}
N=${N:-30}
start_engined
E="$ENGINE -H unix://$E_SOCK"
DOCKER_HOST=unix://$E_SOCK docker load -q -i "$IMAGE_TAR" >/dev/null
DOCKER_HOST=unix://$E_SOCK docker tag busybox:1.38.0-musl busybox
HAVE_D=0
if start_dockerd; then
	HAVE_D=1
	DOCKER_HOST=unix://$D_SOCK docker load -q -i "$IMAGE_TAR" >/dev/null
	DOCKER_HOST=unix://$D_SOCK docker tag busybox:1.38.0-musl busybox
fi

# The floor: the same namespaces and a chroot, nothing else.
ROOTFS=$BENCH_DIR/rootfs
mkdir -p "$ROOTFS/bin" && cp /bin/busybox "$ROOTFS/bin/" && ln -sf busybox "$ROOTFS/bin/true"

median_ms() { # command...; runs it N times, prints the median in ms
	local t=()
	for _ in $(seq "$N"); do
		local a b
		a=$(date +%s%N); "$@" >/dev/null 2>&1; b=$(date +%s%N)
		t+=($(( (b - a) / 1000 )))
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR+1)/2)]/1000}'
}

cycle() { # cli host: run -d, wait, rm
	local id
	id=$($1 run -d busybox true) && $1 wait "$id" >/dev/null && $1 rm "$id" >/dev/null
}
e_engine() { cycle "$E"; }
e_docker() { cycle "docker -H unix://$E_SOCK"; }
d_docker() { cycle "docker -H unix://$D_SOCK"; }
floor() { unshare --pid --mount --uts --ipc --net --fork chroot "$ROOTFS" /bin/true; }

printf '%-44s %10s\n' "measure (median of $N)" "ms"
printf '%-44s %10s\n' "floor: unshare + chroot /bin/true" "$(median_ms floor)"
printf '%-44s %10s\n' "engine run -d + wait + rm (engined)" "$(median_ms e_engine)"
printf '%-44s %10s\n' "docker run -d + wait + rm (engined)" "$(median_ms e_docker)"
[ $HAVE_D = 1 ] && printf '%-44s %10s\n' "docker run -d + wait + rm (dockerd)" "$(median_ms d_docker)"

printf '\n%-44s %10s\n' "resident memory" "kB"
printf '%-44s %10s\n' "engined idle" "$(rss_kb "$ENGINED_PID")"
for i in $(seq 50); do $E run -d busybox sleep 600 >/dev/null; done
sleep 1
shims=$(pgrep -f "engine-shim --id" | head -50)
total=0; n=0
for p in $shims; do total=$((total + $(rss_kb "$p"))); n=$((n + 1)); done
printf '%-44s %10s\n' "engined with 50 running containers" "$(rss_kb "$ENGINED_PID")"
[ "$n" -gt 0 ] && printf '%-44s %10s\n' "engine-shim, mean of $n" "$((total / n))"
if [ $HAVE_D = 1 ]; then
	for i in $(seq 5); do docker -H unix://$D_SOCK run -d busybox sleep 600 >/dev/null; done
	sleep 1
	dshim=$(pgrep -f containerd-shim | head -1)
	[ -n "$dshim" ] && printf '%-44s %10s\n' "containerd-shim (dockerd), one" "$(rss_kb "$dshim")"
	docker -H unix://$D_SOCK rm -f $(docker -H unix://$D_SOCK ps -q) >/dev/null
fi
$E rm -f $($E ps -q) >/dev/null
