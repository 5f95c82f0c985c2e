#!/bin/bash
# registry.sh: `docker push` and `docker pull` of a generated 200 MB image
# of 5 layers (random, so incompressible) through a local registry (Debian's
# docker-registry, distribution 2.8, plain HTTP on 127.0.0.1, storage in
# BENCH_DIR), against engined and, in the same run, a private dockerd when
# installed (its registry runs in dockerd's network namespace, on the same
# address). The same client (the docker CLI) drives both. Each run starts
# from an empty registry: push, rmi, pull. For each operation: wall seconds,
# the daemon's peak RSS during it (VmHWM, reset through /proc/PID/clear_refs
# before each operation) and, for engined, the peak RSS of its engine-fetch
# helpers (VmHWM sampled every 50 ms). The floor (floor-pull), per daemon:
# curl downloading the blobs that daemon pushed (the config and the 5
# layers, at once) from the registry, each layer piped into `tar -x`.
# engined pushes the layers as stored (plain tar), dockerd gzips them.
# Figures are the median of REPS runs.
#
#   BUILD=build REPS=3 bench/registry.sh
set -eu
. "$(dirname "$0")/lib.sh"
REPS=${REPS:-3}
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
REG_PID= SAMPLER_PID=
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
REF=$REG/bench/big:1

# lib.sh's cleanup, after the registry and the sampler (by PID); a second
# signal must not cut it short.
registry_cleanup() {
	set +e
	trap '' INT TERM
	[ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null && wait "$SAMPLER_PID" 2>/dev/null
	stop_registry
	cleanup
}
trap registry_cleanup EXIT
trap 'exit 1' INT TERM

# start_registry [NETNS]: an empty registry on $REG, in NETNS if given.
start_registry() {
	local ns=()
	[ $# -gt 0 ] && ns=(nsenter "--net=/run/netns/$1")
	rm -rf "$BENCH_DIR/registry"
	mkdir -p "$BENCH_DIR/registry"
	printf '%s\n' "version: 0.1" "log:" "  level: error" "storage:" "  filesystem:" \
		"    rootdirectory: $BENCH_DIR/registry" "  delete:" "    enabled: true" \
		"http:" "  addr: $REG" >"$BENCH_DIR/registry.yml"
	"${ns[@]}" "$REGISTRY_BIN" serve "$BENCH_DIR/registry.yml" >>"$BENCH_DIR/registry.log" 2>&1 &
	REG_PID=$! # nsenter execs the registry: this is its PID
	for _ in $(seq 200); do
		"${ns[@]}" curl -sf -o /dev/null "http://$REG/v2/" && return 0
		kill -0 "$REG_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "docker-registry did not start" >&2; cat "$BENCH_DIR/registry.log" >&2; return 1
}

stop_registry() {
	[ -n "$REG_PID" ] || return 0
	kill "$REG_PID" 2>/dev/null || true
	wait "$REG_PID" 2>/dev/null || true
	REG_PID=
	return 0
}

# The generated image (5 layers, 200 MB)
"$ROOT/bench/make_big_image.py" "$BENCH_DIR/big.tar"

# fetch_sampler PID OUT: writes to OUT the highest VmHWM of PID's
# engine-fetch children, sampled every 50 ms until killed.
fetch_sampler() {
	local max=0 c k v
	echo - >"$2"
	while kill -0 $$ 2>/dev/null; do # not past the script
		for c in $(pgrep -P "$1" -x engine-fetch); do
			while read -r k v _; do
				[ "$k" = VmHWM: ] && [ "$v" -gt "$max" ] && max=$v && echo "$max" >"$2"
			done 2>/dev/null <"/proc/$c/status" || true
		done
		sleep 0.05
	done
}

# timed PID SOCK HELPERS CMD...: runs CMD against SOCK, prints "seconds
# peak_kB helper_kB" (helper_kB "-" unless HELPERS is 1).
timed() {
	local pid=$1 sock=$2 helpers=$3 t0 t1
	shift 3
	echo - >"$BENCH_DIR/fetch.kb"
	if [ "$helpers" = 1 ]; then
		fetch_sampler "$pid" "$BENCH_DIR/fetch.kb" &
		SAMPLER_PID=$!
	fi
	hwm_reset "$pid"
	t0=$(now)
	local rc=0 kb
	DOCKER_HOST=unix://$sock "$@" >"$BENCH_DIR/op.log" 2>&1 || rc=$?
	t1=$(now)
	kb=$(hwm_kb "$pid")
	if [ -n "$SAMPLER_PID" ]; then
		kill "$SAMPLER_PID" && wait "$SAMPLER_PID" 2>/dev/null || true
		SAMPLER_PID=
	fi
	[ "$rc" = 0 ] || { echo "$* failed:" >&2; cat "$BENCH_DIR/op.log" >&2; return 1; }
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}') $kb $(cat "$BENCH_DIR/fetch.kb")"
}

median() { sort -n | sed -n "$(((REPS + 1) / 2))p"; }

# floor [NETNS]: the blobs of $REF straight from the registry with curl,
# at once, each layer piped into `tar -x` in a directory of its own; prints
# seconds.
floor() {
	local ns=() blobs=http://$REG/v2/bench/big/blobs out=$BENCH_DIR/floor t0 t1 d mt z pids=() rc=0
	[ $# -gt 0 ] && ns=(nsenter "--net=/run/netns/$1")
	rm -rf "$out"
	mkdir -p "$out"
	python3 -c 'import json, os, sys
m = json.load(open(sys.argv[1]))
for i, b in enumerate([m["config"]] + m["layers"]):
    print(b["digest"], "config" if i == 0 else b["mediaType"])
    os.mkdir(os.path.join(sys.argv[2], b["digest"][7:]))' "$BENCH_DIR/manifest.json" "$out" >"$BENCH_DIR/blobs.txt"
	t0=$(now)
	while read -r d mt; do
		case $mt in
		config) "${ns[@]}" curl -sf -o "$out/${d#sha256:}/config.json" "$blobs/$d" & ;;
		*)
			case $mt in *gzip) z=-z ;; *zstd) z=--zstd ;; *) z= ;; esac
			(set -o pipefail; "${ns[@]}" curl -sf "$blobs/$d" | tar -x $z -f - -C "$out/${d#sha256:}") &
			;;
		esac
		pids+=($!)
	done <"$BENCH_DIR/blobs.txt"
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	t1=$(now)
	[ "$rc" = 0 ] && [ "$(find "$out" -type f | wc -l)" = 21 ] || { echo "floor: the blobs did not download or extract" >&2; return 1; }
	rm -rf "$out"
	awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f\n", b - a}'
}

# bench PID SOCK HELPERS [NETNS]: one line per operation, "label seconds
# kB helper_kB". Each run: an empty registry, push, rmi, pull. Then the
# floor on the blobs this daemon pushed; LAYERS gets their media types.
bench() {
	local pid=$1 sock=$2 helpers=$3 ns=()
	shift 3
	[ $# -gt 0 ] && ns=(nsenter "--net=/run/netns/$1")
	local push=() pull=() fl=() r
	echo "idle - $(rss_kb "$pid") -"
	DOCKER_HOST=unix://$sock docker load -i "$BENCH_DIR/big.tar" >/dev/null
	DOCKER_HOST=unix://$sock docker tag bench/big:200mb "$REF"
	DOCKER_HOST=unix://$sock docker rmi bench/big:200mb >/dev/null
	for _ in $(seq "$REPS"); do
		stop_registry
		start_registry "$@"
		r=$(timed "$pid" "$sock" "$helpers" docker push "$REF")
		push+=("$r")
		DOCKER_HOST=unix://$sock docker rmi "$REF" >/dev/null
		r=$(timed "$pid" "$sock" "$helpers" docker pull "$REF")
		pull+=("$r")
	done
	echo "push-200MB $(printf '%s\n' "${push[@]}" | median)"
	echo "pull-200MB $(printf '%s\n' "${pull[@]}" | median)"
	"${ns[@]}" curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$REG/v2/bench/big/manifests/1" >"$BENCH_DIR/manifest.json"
	LAYERS=$(python3 -c 'import json, sys
print("+".join(sorted({l["mediaType"].rsplit(".", 1)[-1] for l in json.load(open(sys.argv[1]))["layers"]})))' \
		"$BENCH_DIR/manifest.json")
	for _ in $(seq "$REPS"); do
		r=$(floor "$@")
		fl+=("$r")
	done
	echo "floor-pull $(printf '%s\n' "${fl[@]}" | median) - -"
	stop_registry
}

start_engined
bench "$ENGINED_PID" "$E_SOCK" 1 >"$BENCH_DIR/engined.txt"
e_layers=$LAYERS
kill "$ENGINED_PID" && wait "$ENGINED_PID" 2>/dev/null || true
ENGINED_PID=
: >"$BENCH_DIR/dockerd.txt"
if start_dockerd; then
	sleep 1
	bench "$DOCKERD_PID" "$D_SOCK" 0 "$PEER_NS" >"$BENCH_DIR/dockerd.txt"
	d_layers=$LAYERS
	driver=$(DOCKER_HOST=unix://$D_SOCK docker info --format '{{.Driver}}')
fi

echo "registry: docker-registry $("$REGISTRY_BIN" --version | awk '{print $NF}') on $REG, REPS=$REPS;" \
	"layers pushed as: engined $e_layers${d_layers:+, dockerd $d_layers}"
printf '%-12s %9s %12s %14s   %9s %12s\n' "" "engined" "" "" "dockerd${driver:+ ($driver)}" ""
printf '%-12s %9s %12s %14s   %9s %12s\n' operation seconds "peak RSS" "engine-fetch" seconds "peak RSS"
kb() { [ "${1:--}" = - ] && echo - || echo "$1 kB"; }
while read -r label secs ekb fkb; do
	read -r _ dsecs dkb _ <<<"$(grep "^$label " "$BENCH_DIR/dockerd.txt" || echo "- - - -")"
	printf '%-12s %9s %12s %14s   %9s %12s\n' "$label" "$secs" "$(kb "$ekb")" "$(kb "$fkb")" "${dsecs:--}" "$(kb "$dkb")"
done <"$BENCH_DIR/engined.txt"
echo "floor-pull: curl downloading the blobs that daemon pushed, at once, each layer into tar -x"
