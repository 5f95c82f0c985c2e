#!/bin/bash
# interactive.sh: a container's stdio, engined beside dockerd (Debian's
# docker.io, started by lib.sh in its own network namespace) in the same run:
#   - the round trip of one byte through `exec -i cat` (stream_rtt.py, the
#     same API client for both), median and 99th percentile;
#   - attach throughput: `run busybox cat /dev/zero | head -c 1G` (log
#     driver none on both, so that the 1 GB of NULs is not logged), through
#     the docker CLI on both daemons and the engine CLI on engined;
#   - `run --rm busybox true` latency (hyperfine): engine CLI and docker CLI
#     on engined, docker CLI on dockerd.
# Absolute figures drift with the machine and its load: compare the columns.
#
#   BUILD=build RUNS=30 RTT=2000 bench/interactive.sh
set -eu
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-30}
RTT=${RTT:-2000}
SIZE=$((1 << 30))
IMAGES=${IMAGES:-$ROOT/../shared/images}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }

start_engined
have_dockerd && start_dockerd || true
E="$ENGINE -H unix://$E_SOCK"
DE="docker -H unix://$E_SOCK"
DD="docker -H unix://$D_SOCK"
clis=("$DE")
[ -n "$DOCKERD_PID" ] && clis+=("$DD")
for c in "${clis[@]}"; do
	$c load -i "$IMAGES/busybox-1.38.0-musl.docker.tar" >/dev/null
	$c tag busybox:1.38.0-musl busybox
done

printf '%-44s %14s %14s\n' measure engined dockerd

# Byte round trip through exec -i cat.
rtt() {
	local cli=$1 sock=$2 id out
	id=$($cli run -d --log-driver none busybox sleep 1000)
	out=$(/usr/bin/python3 "$ROOT/bench/stream_rtt.py" "$sock" "$id" "$RTT")
	$cli rm -f "$id" >/dev/null
	echo "$out"
}
e_rtt=$(rtt "$DE" "$E_SOCK")
d_rtt="- -"
[ -n "$DOCKERD_PID" ] && d_rtt=$(rtt "$DD" "$D_SOCK")
printf '%-44s %11s us %11s us\n' "exec -i cat: 1-byte round trip, median" "${e_rtt% *}" "${d_rtt% *}"
printf '%-44s %11s us %11s us\n' "exec -i cat: 1-byte round trip, p99" "${e_rtt#* }" "${d_rtt#* }"

# Attach throughput: 1 GiB of output through the attach stream.
throughput() {
	local cli=$1 name=bench-tp-$$ t0 t1 n
	t0=$(date +%s%N)
	n=$($cli run --name "$name" --log-driver none busybox cat /dev/zero 2>/dev/null | head -c $SIZE | wc -c)
	t1=$(date +%s%N)
	$cli rm -f "$name" >/dev/null 2>&1 || true
	[ "$n" = "$SIZE" ] || { echo "short read: $n" >&2; echo -; return; }
	echo $(( SIZE / 1048576 * 1000000000 / (t1 - t0) ))
}
e_tp=$(throughput "$E")
de_tp=$(throughput "$DE")
dd_tp=-
[ -n "$DOCKERD_PID" ] && dd_tp=$(throughput "$DD")
printf '%-44s %9s MB/s %9s MB/s\n' "attach 1 GiB, engine CLI" "$e_tp" "-"
printf '%-44s %9s MB/s %9s MB/s\n' "attach 1 GiB, docker CLI" "$de_tp" "$dd_tp"

# run --rm true.
cmds=("$E run --rm busybox true" "$DE run --rm busybox true")
[ -n "$DOCKERD_PID" ] && cmds+=("$DD run --rm busybox true")
hyperfine -N -w 3 -r "$RUNS" --export-json "$BENCH_DIR/run.json" "${cmds[@]}" >/dev/null 2>&1
median() { /usr/bin/python3 -c "import json,sys; r=json.load(open('$BENCH_DIR/run.json'))['results']; print('%.1f' % (r[int(sys.argv[1])]['median']*1000))" "$1"; }
dd_run=-
[ -n "$DOCKERD_PID" ] && dd_run=$(median 2)
printf '%-44s %11s ms %11s ms\n' "run --rm busybox true, engine CLI" "$(median 0)" "-"
printf '%-44s %11s ms %11s ms\n' "run --rm busybox true, docker CLI" "$(median 1)" "$dd_run"
