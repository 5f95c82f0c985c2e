# lib.sh: shared by the bench scripts: a private engined, and a private
# dockerd (Debian's docker.io) in its own network namespace when installed,
# as ../shared/notes/peers.md describes. Both are stopped by PID on exit.
# engined gets a bridge and subnet of its own (BENCH_NET, 10.253 by
# default); its bridges, nftables tables and port forwarders go on exit.
BENCH_DIR=$(mktemp -d /tmp/engine-bench-XXXXXX)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ENGINED=$BUILD/daemon/engined
ENGINE=$BUILD/client/engine
E_SOCK=$BENCH_DIR/engine.sock
D_SOCK=$BENCH_DIR/docker.sock
ENGINED_PID= DOCKERD_PID=
BENCH_NET=${BENCH_NET:-10.253}
PEER_NS=enginebench$$
BENCH_BRIDGE=ebench$$

start_engined() {
	printf '{"bridge": "%s", "bip": "%s.0.1/24", "default-address-pools": [{"base": "%s.128.0/17", "size": 24}]}\n' \
		"${BENCH_BRIDGE:0:15}" "$BENCH_NET" "$BENCH_NET" >"$BENCH_DIR/daemon.json"
	"$ENGINED" -H "unix://$E_SOCK" --data-root "$BENCH_DIR/edata" --exec-root "$BENCH_DIR/eexec" \
		--config-file "$BENCH_DIR/daemon.json" \
		--pidfile "$BENCH_DIR/engined.pid" >"$BENCH_DIR/engined.log" 2>&1 &
	ENGINED_PID=$!
	for _ in $(seq 200); do [ -S "$E_SOCK" ] && "$ENGINE" -H "unix://$E_SOCK" version >/dev/null 2>&1 && return 0; sleep 0.02; done
	echo "engined did not start" >&2; cat "$BENCH_DIR/engined.log" >&2; return 1
}

have_dockerd() { command -v dockerd >/dev/null 2>&1; }

start_dockerd() {
	have_dockerd || return 1
	ip netns add $PEER_NS 2>/dev/null || true
	ip -n $PEER_NS link set lo up
	unshare --mount --propagation shared nsenter --net=/run/netns/$PEER_NS \
		dockerd -H "unix://$D_SOCK" --data-root "$BENCH_DIR/ddata" --exec-root "$BENCH_DIR/dexec" \
		--pidfile "$BENCH_DIR/dockerd.pid" >"$BENCH_DIR/dockerd.log" 2>&1 &
	for _ in $(seq 300); do
		[ -f "$BENCH_DIR/dockerd.pid" ] && DOCKERD_PID=$(cat "$BENCH_DIR/dockerd.pid")
		if DOCKER_HOST=unix://$D_SOCK docker version >/dev/null 2>&1; then
			# the API can answer before the pid file is written
			for _ in $(seq 50); do
				[ -s "$BENCH_DIR/dockerd.pid" ] && DOCKERD_PID=$(cat "$BENCH_DIR/dockerd.pid") && return 0
				sleep 0.1
			done
			return 0
		fi
		sleep 0.1
	done
	echo "dockerd did not start" >&2; return 1
}

rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null; }

# engined's networks outlive it (as docker0 outlives dockerd): remove ours.
remove_engine_networks() {
	local b
	for pf in "$BENCH_DIR"/eexec/proxies/*.pid "$BENCH_DIR"/eexec/dns/engine-dns.pid; do
		[ -f "$pf" ] && kill "$(cat "$pf")" 2>/dev/null
	done
	for b in "${BENCH_BRIDGE:0:15}" $(python3 -c 'import sys, json, glob
for p in glob.glob(sys.argv[1] + "/*.json"): print(json.load(open(p))["Engine"]["Bridge"])' "$BENCH_DIR/edata/networks" 2>/dev/null); do
		ip link del "$b" 2>/dev/null
		nft delete table ip "engine_$(echo "$b" | tr -c 'a-zA-Z0-9\n' _)" 2>/dev/null
	done
	return 0
}

cleanup() {
	set +e # a failing step must not skip the ones after it
	[ -n "$ENGINED_PID" ] && kill "$ENGINED_PID" 2>/dev/null && wait "$ENGINED_PID" 2>/dev/null
	remove_engine_networks
	if [ -n "$DOCKERD_PID" ]; then
		# dockerd stops the containerd it started; wait for both, by PID
		local ctrd
		ctrd=$(cat "$BENCH_DIR/dexec/containerd/containerd.pid" 2>/dev/null || true)
		kill "$DOCKERD_PID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
		if [ -n "$ctrd" ]; then
			for _ in $(seq 50); do kill -0 "$ctrd" 2>/dev/null || break; sleep 0.1; done
			kill -9 "$ctrd" 2>/dev/null
		fi
		kill -9 "$DOCKERD_PID" 2>/dev/null
		ip netns del $PEER_NS 2>/dev/null
	fi
	grep " $BENCH_DIR" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$BENCH_DIR"
}
trap cleanup EXIT INT TERM

# Peak RSS of a process: reset, read (VmHWM); wall clock.
hwm_reset() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
hwm_kb() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
