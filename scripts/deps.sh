#!/bin/sh
# deps.sh: installs everything engine needs to build, run and test on Debian 12.
# Used by the quickstart, by .ci/run and by anyone setting up a machine.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	build-essential clang meson ninja-build pkg-config git ca-certificates \
	libmicrohttpd-dev libcurl4-openssl-dev libjson-c-dev libarchive-dev \
	libssl-dev libseccomp-dev libcap-dev libmnl-dev libnftables-dev check \
	zlib1g-dev libzstd-dev liblzma-dev libbz2-dev \
	python3 python3-docker docker-compose curl tmux busybox-static docker-registry \
	skopeo umoci systemd iproute2 nftables iptables procps psmisc hyperfine
