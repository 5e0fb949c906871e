#!/usr/bin/env bash
# Smoke test of bin/localplane with kubectl: start, deploy, check Service
# endpoints through pod deletion and scaling, server-side dry run and diff,
# stop, and check nothing is left behind. Build first with ./build.sh.
set -uo pipefail
cd "$(dirname "$0")"

dir=$(mktemp -d)
kc="$dir/kubeconfig"
k() { kubectl --kubeconfig "$kc" "$@"; }
passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
	bin/localplane down --dir "$dir" >/dev/null 2>&1
	rm -rf "$dir"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

bin/localplane up --dir "$dir" >"$dir/up.log" 2>&1 &
for _ in $(seq 1 600); do
	grep -q '^localplane: ready kubeconfig=' "$dir/up.log" && break
	kill -0 $! 2>/dev/null || break
	sleep 0.2
done
cat "$dir/up.log"
if ! grep -q '^localplane: ready kubeconfig=' "$dir/up.log"; then
	bad "localplane did not become ready"
	finish
	exit 1
fi
ok "ready"

# Endpoint IPs of Service x, sorted, space separated.
eps() { k get endpointslices -l kubernetes.io/service-name=x -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]}{"\n"}{end}' | sort | xargs; }
wait_eps() { # $1 = count, $2 = IPs that must not be present (optional)
	for _ in $(seq 1 100); do
		local e n
		e=$(eps)
		n=$(echo "$e" | wc -w)
		if [ "$n" -eq "$1" ] && { [ -z "${2:-}" ] || ! echo " $e " | grep -q " $2 "; }; then
			echo "$e"
			return 0
		fi
		sleep 0.2
	done
	eps
	return 1
}

manifest() { # $1 = replicas
	cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: x, labels: {app: x}}
spec:
  replicas: $1
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers:
      - name: web
        image: nginx
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: x}
spec:
  selector: {app: x}
  ports: [{port: 80, targetPort: 80}]
EOF
}

manifest 1 | k apply -f - && ok "apply" || bad "apply"
k rollout status deploy/x --timeout 60s >/dev/null && ok "rollout" || bad "rollout"
if first=$(wait_eps 1); then ok "1 endpoint: $first"; else bad "1 endpoint: got '$first'"; fi

k delete pod -l app=x --wait=true >/dev/null
if second=$(wait_eps 1 "$first"); then ok "pod replaced, new endpoint: $second"; else bad "pod replaced: got '$second'"; fi

k scale deploy/x --replicas 3 >/dev/null
if three=$(wait_eps 3); then ok "3 endpoints: $three"; else bad "3 endpoints: got '$three'"; fi

manifest 3 | k apply --dry-run=server --validate=strict -f - >/dev/null && ok "server dry run" || bad "server dry run"
manifest 3 | sed 's/containerPort:/containerPorts:/' | k apply --dry-run=server --validate=strict -f - >/dev/null 2>&1 &&
	bad "strict validation accepted an unknown field" || ok "strict validation rejects an unknown field"
manifest 3 | k diff -f - >/dev/null; rc=$?
[ $rc -eq 0 ] && ok "diff: no changes" || bad "diff: exit $rc, want 0"
manifest 2 | k diff -f - >/dev/null; rc=$?
[ $rc -eq 1 ] && ok "diff: change found" || bad "diff: exit $rc, want 1"

k delete deploy/x svc/x --wait=true >/dev/null
for _ in $(seq 1 100); do [ -z "$(k get pods -o name)" ] && break; sleep 0.2; done
[ -z "$(k get pods -o name)" ] && ok "pods removed" || bad "pods left: $(k get pods -o name | xargs)"

state=$(sed -n 's/^localplane: state directory \([^,]*\),.*/\1/p' "$dir/up.log")
bin/localplane down --dir "$dir" >/dev/null && ok "down" || bad "down"
[ ! -e "$kc" ] && [ ! -e "$dir/localplane.pid" ] && ok "kubeconfig and pid file removed" || bad "files left in $dir"
[ -n "$state" ] && [ ! -e "$state" ] && ok "state directory removed" || bad "state directory '$state' left"
finish
