#!/bin/bash
# network.sh: what a published port costs. A small static HTTP server of
# ours (bench/tinyhttpd.c, bind-mounted into a busybox container: busybox
# httpd forks per connection and would be what we measure) serves 1 GiB
# and a small page; throughput (MB/s, 10^6 bytes) and
# connections per second are measured through the published port on
# 127.0.0.1 (engine-proxy), through the port on the bridge's gateway address
# (the kernel's DNAT, no proxy on the path), and to the container's address
# directly; then the same against dockerd (Debian's docker.io, in its own
# network namespace, so docker-proxy and its iptables DNAT) in the same run.
# Traffic stays on this machine: loopback, the bridges, the containers.
set -eu
. "$(dirname "$0")/lib.sh"
IMAGE_TAR=${IMAGE_TAR:-$ROOT/../shared/images/busybox-1.38.0-musl.docker.tar}
SECS=${SECS:-5}
BULK_THREADS=${BULK_THREADS:-2}
CONN_THREADS=${CONN_THREADS:-8}
cc -O2 -Wall -Werror -pthread -o "$BENCH_DIR/tcpload" "$ROOT/bench/tcpload.c"
cc -O2 -Wall -Werror -pthread -static -o "$BENCH_DIR/tinyhttpd" "$ROOT/bench/tinyhttpd.c"
LOAD=$BENCH_DIR/tcpload
SERVER=(-v "$BENCH_DIR/tinyhttpd:/tinyhttpd:ro" busybox:1.38.0-musl /tinyhttpd 80)

start_engined
E="$ENGINE -H unix://$E_SOCK"
DOCKER_HOST=unix://$E_SOCK docker load -q -i "$IMAGE_TAR" >/dev/null
HP1=18481 HP2=18482
cid=$($E run -d -p 127.0.0.1:$HP1:80 -p $HP2:80 "${SERVER[@]}")
CIP=$(DOCKER_HOST=unix://$E_SOCK docker inspect -f '{{.NetworkSettings.IPAddress}}' "$cid")
GW=$(DOCKER_HOST=unix://$E_SOCK docker inspect -f '{{.NetworkSettings.Gateway}}' "$cid")
for _ in $(seq 100); do "$LOAD" conn 127.0.0.1 $HP1 1 0.05 >/dev/null 2>&1 && break; sleep 0.05; done

# measure PREFIX HOST PORT: "MB/s conn/s" (PREFIX runs the load elsewhere)
measure() {
	local pre=$1 host=$2 port=$3
	local mb cps
	mb=$($pre "$LOAD" bulk "$host" "$port" /big "$BULK_THREADS" "$SECS")
	cps=$($pre "$LOAD" conn "$host" "$port" "$CONN_THREADS" "$SECS")
	echo "$mb $cps"
}

declare -A R
read -r a b <<<"$(measure "" 127.0.0.1 $HP1)"; R[e_lo_mb]=$a R[e_lo_c]=$b
read -r a b <<<"$(measure "" "$GW" $HP2)"; R[e_gw_mb]=$a R[e_gw_c]=$b
read -r a b <<<"$(measure "" "$CIP" 80)"; R[e_ct_mb]=$a R[e_ct_c]=$b
$E rm -f "$cid" >/dev/null

HAVE_D=0
if start_dockerd; then
	HAVE_D=1
	D="docker -H unix://$D_SOCK"
	$D load -q -i "$IMAGE_TAR" >/dev/null
	dcid=$($D run -d -p 127.0.0.1:$HP1:80 -p $HP2:80 "${SERVER[@]}")
	DCIP=$($D inspect -f '{{.NetworkSettings.IPAddress}}' "$dcid")
	DGW=$($D inspect -f '{{.NetworkSettings.Gateway}}' "$dcid")
	NS="nsenter --net=/run/netns/$PEER_NS"
	for _ in $(seq 100); do $NS "$LOAD" conn 127.0.0.1 $HP1 1 0.05 >/dev/null 2>&1 && break; sleep 0.05; done
	read -r a b <<<"$(measure "$NS" 127.0.0.1 $HP1)"; R[d_lo_mb]=$a R[d_lo_c]=$b
	read -r a b <<<"$(measure "$NS" "$DGW" $HP2)"; R[d_gw_mb]=$a R[d_gw_c]=$b
	read -r a b <<<"$(measure "$NS" "$DCIP" 80)"; R[d_ct_mb]=$a R[d_ct_c]=$b
	$D rm -f "$dcid" >/dev/null
fi

printf '%-48s %12s %12s\n' "measure ($SECS s each)" "engined" "dockerd"
row() { printf '%-48s %12s %12s\n' "$1" "${R[e_$2]}" "$([ $HAVE_D = 1 ] && echo "${R[d_$2]}" || echo -)"; }
row "MB/s, $BULK_THREADS streams, 127.0.0.1:port (userland proxy)" lo_mb
row "MB/s, $BULK_THREADS streams, gateway:port (DNAT)" gw_mb
row "MB/s, $BULK_THREADS streams, container:80 (direct)" ct_mb
row "connections/s, $CONN_THREADS clients, 127.0.0.1:port (proxy)" lo_c
row "connections/s, $CONN_THREADS clients, gateway:port (DNAT)" gw_c
row "connections/s, $CONN_THREADS clients, container:80 (direct)" ct_c
