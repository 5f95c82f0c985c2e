#!/bin/bash
# foundation.sh: requests per second of GET /_ping and GET /info over the
# socket (8 keep-alive clients, 20000 requests), and the daemon's idle RSS;
# the same for dockerd in the same run when Debian's docker.io is installed.
set -eu
. "$(dirname "$0")/lib.sh"
cc -O2 -Wall -Werror -pthread -o "$BENCH_DIR/httpload" "$ROOT/bench/httpload.c"
start_engined
sleep 0.5
printf '%-28s %14s %14s\n' measure engined dockerd
e_rss=$(rss_kb "$ENGINED_PID")
d_rss=-
if start_dockerd; then sleep 2; d_rss=$(( $(rss_kb "$DOCKERD_PID") + $(rss_kb "$(pgrep -f "containerd --config $BENCH_DIR" | head -1)" 2>/dev/null || echo 0) )); fi
printf '%-28s %11s kB %11s kB\n' "RSS idle" "$e_rss" "$d_rss"
for path in /_ping /v1.44/info /v1.44/version; do
	e=$("$BENCH_DIR/httpload" "$E_SOCK" "$path" 8 20000)
	d=-
	[ -n "$DOCKERD_PID" ] && d=$("$BENCH_DIR/httpload" "$D_SOCK" "$path" 8 20000)
	printf '%-28s %14s %14s\n' "GET $path" "$e" "$d"
done
printf '%-28s %11s kB\n' "RSS after load" "$(rss_kb "$ENGINED_PID")"
