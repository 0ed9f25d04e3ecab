#!/usr/bin/env bash
# The seed's StatefulSet demo, replayed with the real kubectl against a running cluster
# (`sudo make up` first). The YAML in examples/seed/ is the seed's, unchanged: PVs on
# /mnt/data1..3 (created here with an index.html each, if missing), the headless Service
# `nginx`, the StatefulSet `web`, plus pods busybox and busybox-curl.
#   sudo hack/demo-seed.sh            # apply and show
#   sudo hack/demo-seed.sh --delete   # remove what it applied (PVs' data stays)
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBECONFIG=${KUBECONFIG:-${DATA_DIR:-/var/lib/minikube-swift}/kubeconfig}
show() { printf '\n$ %s\n' "$*"; "$@"; }

if [ "${1:-}" = --delete ]; then
  kubectl delete -f examples/seed/ --ignore-not-found
  kubectl delete pvc www-web-0 www-web-1 www-web-2 --ignore-not-found
  exit 0
fi

for n in 1 2 3; do
  dir=/mnt/data$n
  mkdir -p "$dir"
  [ -f "$dir/index.html" ] || echo "hello from datadir$n ($dir)" > "$dir/index.html"
done

show kubectl apply -f examples/seed/
show kubectl rollout status statefulset/web --timeout=120s
kubectl wait --for=condition=Ready pod/busybox pod/busybox-curl --timeout=60s >/dev/null
show kubectl get pods -o wide
show kubectl get statefulset
show kubectl get pvc
show kubectl get pv
show kubectl exec web-0 -- hostname
for n in 0 1 2; do
  ip=$(kubectl get pod web-$n -o jsonpath='{.status.podIP}')
  show kubectl exec busybox-curl -- curl -s "http://$ip/"
done
cat <<'MSG'

Next: kubectl scale statefulset web --replicas=5   (web-3 waits: its claim stays Pending, the seed has three PVs)
      kubectl get pods -w
      hack/demo-seed.sh --delete
MSG
