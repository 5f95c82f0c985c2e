# lib.sh: shared by the bench scripts: a private engined, and a private
# dockerd (Debian's docker.io) in its own network namespace when installed,
# as ../shared/notes/peers.md describes. Both are stopped by PID on exit.
BENCH_DIR=$(mktemp -d /tmp/engine-bench-XXXXXX)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ENGINED=$BUILD/daemon/engined
ENGINE=$BUILD/client/engine
E_SOCK=$BENCH_DIR/engine.sock
D_SOCK=$BENCH_DIR/docker.sock
ENGINED_PID= DOCKERD_PID=

start_engined() {
	"$ENGINED" -H "unix://$E_SOCK" --data-root "$BENCH_DIR/edata" --exec-root "$BENCH_DIR/eexec" \
		--pidfile "$BENCH_DIR/engined.pid" >"$BENCH_DIR/engined.log" 2>&1 &
	ENGINED_PID=$!
	for _ in $(seq 200); do [ -S "$E_SOCK" ] && "$ENGINE" -H "unix://$E_SOCK" version >/dev/null 2>&1 && return 0; sleep 0.02; done
	echo "engined did not start" >&2; cat "$BENCH_DIR/engined.log" >&2; return 1
}

have_dockerd() { command -v dockerd >/dev/null 2>&1; }

start_dockerd() {
	have_dockerd || return 1
	ip netns add enginebench 2>/dev/null || true
	ip -n enginebench link set lo up
	unshare --mount --propagation shared nsenter --net=/run/netns/enginebench \
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

cleanup() {
	[ -n "$ENGINED_PID" ] && kill "$ENGINED_PID" 2>/dev/null && wait "$ENGINED_PID" 2>/dev/null
	if [ -n "$DOCKERD_PID" ]; then
		kill "$DOCKERD_PID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
		pkill -f "containerd --config $BENCH_DIR" 2>/dev/null
		for _ in $(seq 50); do pgrep -f "containerd --config $BENCH_DIR" >/dev/null || break; sleep 0.1; done
		ip netns del enginebench 2>/dev/null
	fi
	grep " $BENCH_DIR" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$BENCH_DIR"
}
trap cleanup EXIT INT TERM
