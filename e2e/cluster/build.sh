#!/usr/bin/env bash
# Builds the localplane binary (control plane, kubelet and kube-proxy) into
# e2e/cluster/bin/localplane, and with --with-coredns also CoreDNS into
# e2e/cluster/bin/coredns. Needs only Go (see go.mod) and the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")"

# The CoreDNS release the real node runs (its own module, built as released).
coredns_module=github.com/coredns/coredns@v1.12.0
with_coredns=false
[[ "${1:-}" == "--with-coredns" ]] && with_coredns=true
# Static binaries: no C toolchain is needed, and nothing depends on the host's libc.
export CGO_ENABLED=0

start=$(date +%s)
echo "localplane build: start ($(go version))"

echo "localplane build: resolving modules"
kube=$(go list -m -f '{{.Version}}' k8s.io/kubernetes)
minor=$(echo "$kube" | cut -d. -f2)
# A module build leaves the Kubernetes version unset ("v0.0.0-master"),
# which kubectl cannot parse; stamp the real one like the release build does.
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$kube -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"

echo "localplane build: compiling (Kubernetes $kube; the first build takes several minutes)"
# -v prints each package as it is compiled, which doubles as progress.
if ! go build -v -trimpath -buildvcs=false -ldflags "$ldflags" -o bin/localplane ./cmd/localplane 2>&1 |
	awk '{ n++; printf "localplane build: [%d] %s\n", n, $0; fflush() }'; then
	echo "localplane build: FAILED after $(( $(date +%s) - start ))s" >&2
	exit 1
fi
echo "localplane build: done in $(( $(date +%s) - start ))s -> $(pwd)/bin/localplane"

if $with_coredns; then
	if [[ -x bin/coredns && "$(cat bin/coredns.version 2>/dev/null)" == "$coredns_module" ]]; then
		echo "coredns build: bin/coredns is $coredns_module already"
	else
		start=$(date +%s)
		echo "coredns build: compiling $coredns_module (the first build takes a few minutes)"
		if ! GOBIN="$(pwd)/bin" go install -v -trimpath "$coredns_module" 2>&1 |
			awk '{ n++; printf "coredns build: [%d] %s\n", n, $0; fflush() }'; then
			echo "coredns build: FAILED after $(( $(date +%s) - start ))s" >&2
			exit 1
		fi
		echo "$coredns_module" >bin/coredns.version
		echo "coredns build: done in $(( $(date +%s) - start ))s -> $(pwd)/bin/coredns"
	fi
fi
