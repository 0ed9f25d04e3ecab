#!/usr/bin/env bash
# End-to-end: `kubectl logs` (and the Python client) against real containers on a real node:
# plain, --tail, --timestamps, --since, --limit-bytes, -c, default container, --previous of a
# crashed container, -f that ends with the container, errors. Runs `minikube-swift up
# --foreground` inside a fresh network namespace with a temporary data dir. Root only.
#   hack/e2e/logs.sh [path/to/minikube-swift]
name=e2e-logs
bin=${1:-}
[ -n "$bin" ] || unset bin
source "$(dirname "$0")/lib.sh"
# The output of a kubectl command expected to fail.
failing() { kubectl "$@" 2>&1 && echo "(unexpected success)" || true; }

k apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: counter}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "i=0; while true; do echo line $i; echo err $i >&2; i=$((i+1)); sleep 0.2; done"]
---
apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo started; sleep 1; echo dying; exit 3"]
---
apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "echo I am a; sleep 3600"]
  - name: b
    image: busybox
    command: ["sh", "-c", "echo I am b; sleep 3600"]
YAML
k wait --for=condition=Ready pod/counter pod/two --timeout=30s
sleep 1

[ "$(k logs counter --limit-bytes=13)" = "$(printf 'line 0\nerr 0')" ] || fail "logs counter: $(k logs counter --limit-bytes=13)"
[ "$(k logs counter --tail=2 | wc -l)" -eq 2 ] || fail "--tail=2"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z (line|err) [0-9]+$' <<<"$(k logs counter --timestamps --tail=1)" || fail "--timestamps"
[ "$(k logs counter --limit-bytes=10)" = "$(printf 'line 0\nerr')" ] || fail "--limit-bytes"
total=$(k logs counter | wc -l)
recent=$(k logs counter --since=1s | wc -l)
[ "$recent" -gt 0 ] && [ "$recent" -lt "$total" ] || fail "--since=1s: $recent of $total lines"
# -f keeps delivering lines as they are written.
followed=$(timeout 1.5 kubectl logs -f counter --tail=0 || true)
[ "$(echo "$followed" | grep -c line)" -ge 4 ] || fail "-f delivered: $followed"
[ "$(k logs two 2>"$work/err")" = "I am a" ] || fail "default container"
grep -q 'Defaulted container "a" out of: a, b' "$work/err" || fail "no Defaulted container notice"
[ "$(k logs two -c b)" = "I am b" ] || fail "-c b"
grep -q '^\[pod/two/b\] I am b$' <<<"$(k logs two --all-containers --prefix)" || fail "--all-containers --prefix"
grep -q 'pods "nope" not found' <<<"$(failing logs nope)" || fail "missing pod"
grep -q 'container x is not valid for pod counter' <<<"$(failing logs counter -c x)" || fail "unknown container"
grep -q 'previous terminated container "b" in pod "two" not found' <<<"$(failing logs two -c b --previous)" || fail "--previous without one"

# --previous: the crashed instance's log.
until_true 20 sh -c "[ \"\$(kubectl get pod crasher -o jsonpath='{.status.containerStatuses[0].restartCount}')\" -ge 1 ]" \
  || fail "crasher never restarted"
[ "$(k logs crasher --previous)" = "$(printf 'started\ndying')" ] || fail "--previous: $(k logs crasher --previous 2>&1)"

# -f on a running container ends when the container does, with all of its output.
k apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: oneshot}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3 4; do echo tick $i; sleep 0.5; done; printf 'no newline'"]
YAML
k wait --for=condition=Ready pod/oneshot --timeout=30s
out=$(timeout 20 kubectl logs -f oneshot) || fail "logs -f oneshot did not end with the container"
[ "$out" = "$(printf 'tick 1\ntick 2\ntick 3\ntick 4\nno newline')" ] || fail "logs -f oneshot: $out"

# Size rotation (10Mi per file): 300000 short lines make ~14 MB of CRI records, read back whole
# and in order across the rotated files.
k apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: chatty}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "seq 1 300000"]
YAML
until_true 60 sh -c "[ \"\$(kubectl get pod chatty -o jsonpath='{.status.phase}')\" = Succeeded ]" || fail "chatty did not succeed"
ls "$data"/logs/default_chatty_*/c/0.log.1 >/dev/null || fail "the log was not rotated: $(ls -l "$data"/logs/default_chatty_*/c/)"
[ "$(k logs chatty | wc -l)" -eq 300000 ] || fail "rotated log: $(k logs chatty | wc -l) lines"
[ "$(k logs chatty | head -1)" = 1 ] || fail "rotated log starts with $(k logs chatty | head -1)"
[ "$(k logs chatty --tail=1)" = 300000 ] || fail "rotated log --tail=1"

if python3 -c 'import kubernetes' 2>/dev/null; then
  python3 - <<'PY' || fail "python read_namespaced_pod_log"
from kubernetes import client, config
config.load_kube_config()
v1 = client.CoreV1Api()
assert v1.read_namespaced_pod_log("two", "default", container="b") == "I am b\n"
assert len(v1.read_namespaced_pod_log("counter", "default", tail_lines=2).splitlines()) == 2
PY
fi
echo "$name: PASS"
