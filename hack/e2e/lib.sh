# Shared by the end-to-end scripts (sourced): re-runs the script inside a fresh network and
# mount namespace, starts `minikube-swift up --foreground` there with a temporary data dir and
# kubeconfig, waits for node-1 to be Ready, and stops and removes everything on exit.
# Before sourcing: `name` (for messages); `bin` (default: the debug build); `up_args` (an array)
# for `up`; functions `before_up`, run in the namespace before `up` starts, and `on_exit`, run
# first on exit; `dns_upstream=1` runs a stand-in upstream resolver
# (hack/e2e/dns-upstream.py, 192.0.2.53 for every name) on 127.0.0.1:5353 for cluster DNS to
# forward to, else forwarding is off. After: $work, $data, $KUBECONFIG, $root, and fail / k /
# until_true.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${bin:-$root/.build/debug/minikube-swift}

if [ "${E2E_IN_NETNS:-}" != 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "$name: skipped (not root)"; exit 0; }
  E2E_IN_NETNS=1 bin=$bin exec unshare --net --mount --propagation private -- "$0" "$@"
fi

work=$(mktemp -d "/tmp/mks-$name.XXXXXX")
data=$work/data
export KUBECONFIG=$work/kubeconfig
up_pid=
upstream_pid=
cleanup() {
  status=$?
  if declare -F on_exit >/dev/null; then on_exit || true; fi
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
    kill -TERM "$up_pid"; wait "$up_pid" || true
  fi
  if [ -n "$upstream_pid" ]; then kill "$upstream_pid" 2>/dev/null || true; wait "$upstream_pid" 2>/dev/null || true; fi
  if [ $status -ne 0 ] && [ -f "$work/up.log" ]; then
    echo "---- up.log (last 60 lines)"; tail -60 "$work/up.log"
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
fail() { echo "$name: FAIL: $*" >&2; exit 1; }
k() { kubectl "$@"; }
until_true() { # until_true SECONDS CMD…
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.1; done
}

cd "$root"
ip link set lo up
"$bin" image load --data-dir "$data" "$root"/images/out/*/ >/dev/null
declare -F before_up >/dev/null && before_up
upstream=none
if [ "${dns_upstream:-}" = 1 ]; then
  python3 "$root/hack/e2e/dns-upstream.py" 5353 &
  upstream_pid=$!
  upstream=127.0.0.1:5353
fi
"$bin" up --foreground --data-dir "$data" --kubeconfig "$KUBECONFIG" --node-name node-1 --dns-upstream "$upstream" \
  ${up_args[@]+"${up_args[@]}"} >"$work/up.log" 2>&1 &
up_pid=$!
until_true 30 sh -c "kubectl get node node-1 -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -q True" \
  || fail "node-1 not Ready"
