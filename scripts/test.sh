#!/bin/sh
# test.sh: the whole test suite. Builds, runs every meson test in the normal
# build and again under ASan/UBSan, and ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
ENGINE_ASAN=1 ./scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
status=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
meson test -C build --print-errorlogs || status=1
meson test -C build-asan --print-errorlogs --timeout-multiplier 3 || status=1
/usr/bin/python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
ok = bad = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        bad += 1
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL", "SKIP"):
            ok += 1
        else:
            bad += 1
print("%d passed, %d failed" % (ok, bad))
PY
exit $status
