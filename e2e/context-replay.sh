#!/usr/bin/env bash
# The replay on a cluster of one's own, as a user with kind or minikube runs it: the local plane is
# started apart (a control plane with a simulated node), reached through a kubeconfig of its own
# whose current context points nowhere, and `npm run e2e -- --context k8s101-own` runs against it:
# first a replay killed with SIGKILL midway, then a whole one, which must delete the killed one's
# namespaces first. Afterwards the cluster must hold the same namespaces and objects as before.
# Exits non-zero if not.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$(mktemp -d)
plane_pid=
cleanup() {
	if [[ -n "$plane_pid" ]]; then
		kill "$plane_pid" 2>/dev/null || true
		# localplane stops in about 1.5 s; it gets 30.
		timeout 30 tail --pid="$plane_pid" -f /dev/null || kill -9 "$plane_pid" 2>/dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

bash e2e/cluster/build.sh | tail -n 1
# Waits until FILE has a line matching PATTERN, while process PID lives, for at most SECONDS.
wait_for_line() {
	local file=$1 pattern=$2 pid=$3 seconds=$4
	for _ in $(seq 1 $((seconds * 2))); do
		grep -q "$pattern" "$file" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	grep -q "$pattern" "$file"
}

e2e/cluster/bin/localplane up --dir "$dir/plane" >"$dir/up.log" 2>&1 &
plane_pid=$!
if ! wait_for_line "$dir/up.log" '^localplane: ready kubeconfig=' "$plane_pid" 180; then
	echo "the local plane was not ready within 180 s:" >&2
	tail -n 20 "$dir/up.log" >&2
	exit 1
fi

# A kubeconfig of its own: the plane's context renamed, and a current context that reaches nothing
# (a closed loopback port), so that a replay ignoring --context fails.
export KUBECONFIG="$dir/kubeconfig"
cp "$dir/plane/kubeconfig" "$KUBECONFIG"
kubectl config rename-context "$(kubectl config current-context)" k8s101-own >/dev/null
kubectl config set-cluster nowhere --server=https://127.0.0.1:9 >/dev/null
kubectl config set-context nowhere --cluster=nowhere >/dev/null
kubectl config use-context nowhere >/dev/null

# Every object the API server lists, by kind, namespace and name (events come and go on their own).
objects() {
	local kinds
	kinds=$(kubectl --context k8s101-own --request-timeout=60s api-resources --verbs=list -o name 2>/dev/null |
		grep -v '^events' | paste -sd, -)
	kubectl --context k8s101-own --request-timeout=60s get "$kinds" --all-namespaces --no-headers \
		-o custom-columns=KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name 2>/dev/null | sort
}
objects >"$dir/before"
echo "own cluster: $(grep -c '^Namespace ' "$dir/before") namespaces, $(wc -l <"$dir/before") objects before the replay"

# A replay killed with SIGKILL leaves its namespaces behind; the next one deletes them first and says so.
node --require tsx/cjs e2e/replay.ts --context k8s101-own >"$dir/killed.log" 2>&1 &
killed_pid=$!
wait_for_line "$dir/killed.log" 'creates the homepage Service' "$killed_pid" 120 || true
kill -9 "$killed_pid" 2>/dev/null || true
wait "$killed_pid" 2>/dev/null || true
echo "own cluster: a replay killed with SIGKILL left $(kubectl --context k8s101-own get namespaces -o name | grep -c k8s101-e2e) namespaces"

set +e
npm run --silent e2e -- --context k8s101-own 2>&1 | tee "$dir/run.log"
status=${PIPESTATUS[0]}
set -e
if ! grep -q '^e2e: deleted the namespaces of dead replays' "$dir/run.log"; then
	echo "own cluster: the replay did not delete the namespaces of the killed one first" >&2
	status=1
fi

objects >"$dir/after"
if ! diff -u "$dir/before" "$dir/after" >"$dir/diff"; then
	echo "own cluster: the replay left the cluster changed:" >&2
	grep '^[-+][^-+]' "$dir/diff" | head -n 20 >&2
	status=1
else
	echo "own cluster: after the replay, the same $(grep -c '^Namespace ' "$dir/after") namespaces and $(wc -l <"$dir/after") objects"
fi
exit "$status"
