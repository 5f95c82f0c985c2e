#!/bin/sh
# quickstart.sh: on a fresh Debian 12 machine, as root: installs the
# dependencies, builds and installs engine, starts engined on
# /var/run/engine.sock, makes the default image busybox:latest from
# Debian's busybox-static (no network needed) and runs a container from it.
set -eu
cd "$(dirname "$0")/.."
./scripts/deps.sh
./scripts/build.sh
ninja -C build install >/dev/null
if ! engine version >/dev/null 2>&1; then
	mkdir -p /var/log
	nohup engined >/var/log/engined.log 2>&1 &
	for _ in $(seq 100); do engine version >/dev/null 2>&1 && break; sleep 0.05; done
fi
engine version
engine images -q busybox:latest | grep -q . || ./scripts/make-busybox-image.sh engine
engine run --rm busybox sh -c 'echo "Hello from a container: $(hostname), pid $$, $(uname -r)"'
