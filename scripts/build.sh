#!/bin/sh
# build.sh: configures (once) and builds engine in ./build (and ./build-asan
# with ENGINE_ASAN=1: AddressSanitizer + UndefinedBehaviorSanitizer).
set -eu
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build
ninja -C build
if [ "${ENGINE_ASAN:-0}" = 1 ]; then
	[ -f build-asan/build.ninja ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
fi
