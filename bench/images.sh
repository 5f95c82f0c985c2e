#!/bin/bash
# images.sh: `docker load` and `docker save` of Alpine (8 MB, one layer)
# and of a generated 200 MB image of 5 layers (random, so incompressible),
# against engined and, in the same run, a private dockerd when installed.
# The same client (the docker CLI) drives both. For each operation: wall
# seconds, and the daemon's peak RSS during it (VmHWM, reset through
# /proc/PID/clear_refs before each operation), which must not grow with the
# image: both daemons stream. Figures are the median of REPS runs.
#
#   BUILD=build REPS=3 bench/images.sh
set -eu
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-3}
IMAGES=${IMAGES:-$ROOT/../shared/images}
ALPINE_TAR=$IMAGES/alpine-3.20.3.docker.tar

# The generated image (5 layers, 200 MB)
"$ROOT/bench/make_big_image.py" "$BENCH_DIR/big.tar"

# run PID SOCK NAME CMD...: prints "seconds peak_kB" of the median run.
measure() {
	local pid=$1 sock=$2 name=$3
	shift 3
	local results=()
	for _ in $(seq "$REPS"); do
		[ "$name" = load ] && DOCKER_HOST=unix://$sock docker rmi -f bench/big:200mb alpine:3.20.3 >/dev/null 2>&1 || true
		hwm_reset "$pid"
		local t0 t1
		t0=$(now)
		DOCKER_HOST=unix://$sock "$@" >/dev/null
		t1=$(now)
		results+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}') $(hwm_kb "$pid")")
	done
	printf '%s\n' "${results[@]}" | sort -n | sed -n "$(((REPS + 1) / 2))p"
}

# bench PID SOCK: one line per operation, "label seconds kB".
bench() {
	local pid=$1 sock=$2
	echo "idle - $(rss_kb "$pid")"
	echo "load-alpine $(measure "$pid" "$sock" load docker load -i "$ALPINE_TAR")"
	echo "save-alpine $(measure "$pid" "$sock" save docker save -o "$BENCH_DIR/out.tar" alpine:3.20.3)"
	echo "load-200MB $(measure "$pid" "$sock" load docker load -i "$BENCH_DIR/big.tar")"
	echo "save-200MB $(measure "$pid" "$sock" save docker save -o "$BENCH_DIR/out.tar" bench/big:200mb)"
}

start_engined
bench "$ENGINED_PID" "$E_SOCK" >"$BENCH_DIR/engined.txt"
kill "$ENGINED_PID" && wait "$ENGINED_PID" 2>/dev/null || true
ENGINED_PID=
: >"$BENCH_DIR/dockerd.txt"
if start_dockerd; then
	sleep 1
	bench "$DOCKERD_PID" "$D_SOCK" >"$BENCH_DIR/dockerd.txt"
	driver=$(DOCKER_HOST=unix://$D_SOCK docker info --format '{{.Driver}}')
fi

printf '%-14s %10s %12s   %10s %12s\n' "" "engined" "" "dockerd${driver:+ ($driver)}" ""
printf '%-14s %10s %12s   %10s %12s\n' operation seconds "peak RSS" seconds "peak RSS"
while read -r label secs kb; do
	read -r _ dsecs dkb <<<"$(grep "^$label " "$BENCH_DIR/dockerd.txt" || echo "- - -")"
	printf '%-14s %10s %9s kB   %10s %9s kB\n' "$label" "$secs" "$kb" "${dsecs:--}" "${dkb:--}"
done <"$BENCH_DIR/engined.txt"
