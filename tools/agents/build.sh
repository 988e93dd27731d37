#!/usr/bin/env bash
# Builds the pinned Nomad and Consul dev agents from source (through the Go
# module proxy) into a cache dir, once. Both are the last MPL-2.0 releases:
# every later release is under the BUSL, which entretien does not use.
#
#   tools/agents/build.sh            build what is missing, print the dir
#   ENTRETIEN_AGENTS_DIR=dir ...     build there instead of the XDG cache
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${ENTRETIEN_AGENTS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/entretien/agents}
mkdir -p "$dir"

NOMAD_VERSION=1.6.3
CONSUL_VERSION=1.16.3

build() { # name version cgo
	local name=$1 version=$2 cgo=$3 out="$dir/$1-$2"
	if [ -x "$out" ] && "$out" version 2>/dev/null | grep -q "v$version"; then
		echo "agents: $name v$version cached at $out" >&2
		return
	fi
	echo "agents: building $name v$version from source (a few minutes the first time; cached afterwards in $dir)" >&2
	local start=$SECONDS
	(cd "$here/$name" && CGO_ENABLED=$cgo go build -trimpath -ldflags='-s -w' -o "$out.tmp" "github.com/hashicorp/$name")
	mv "$out.tmp" "$out"
	echo "agents: $name v$version built in $((SECONDS - start))s" >&2
}

# Consul builds without cgo; Nomad's executor needs it (runc nsenter).
build consul "$CONSUL_VERSION" 0
build nomad "$NOMAD_VERSION" 1
ln -sf "consul-$CONSUL_VERSION" "$dir/consul"
ln -sf "nomad-$NOMAD_VERSION" "$dir/nomad"
echo "$dir"
