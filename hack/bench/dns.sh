#!/usr/bin/env bash
# Cluster DNS throughput: dnsperf (Debian's) against the node's DNS server at 10.96.0.10 for a
# StatefulSet pod's name, beside the same dnsperf against a minimal C UDP responder
# (hack/bench/dns-responder.c) that answers without any lookup. Inside a fresh network
# namespace with a temp data dir. Writes the "Cluster DNS" section of docs/BENCHMARKS.md. Root.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
BIN=${BIN:-$root/.build/release/minikube-swift}

if [ "${BENCH_IN_NETNS:-}" != 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "bench/dns: needs root" >&2; exit 1; }
  command -v dnsperf >/dev/null || { echo "bench/dns: dnsperf missing (hack/install-deps.sh)" >&2; exit 1; }
  [ -x "$BIN" ] || swift build -c release --static-swift-stdlib --product minikube-swift
  BENCH_IN_NETNS=1 BIN=$BIN exec unshare --net --mount --propagation private -- "$0" "$@"
fi

work=$(mktemp -d /tmp/mks-bench-dns.XXXXXX)
data=$work/data
export KUBECONFIG=$work/kubeconfig
up_pid=
responder_pid=
cleanup() {
  [ -n "$responder_pid" ] && kill "$responder_pid" 2>/dev/null || true
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then kill -TERM "$up_pid"; wait "$up_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
ip link set lo up
cc -O2 -o "$work/responder" hack/bench/dns-responder.c
"$work/responder" 5300 &
responder_pid=$!

"$BIN" image load --data-dir "$data" "$root"/images/out/*/ >/dev/null
"$BIN" up --foreground --data-dir "$data" --kubeconfig "$KUBECONFIG" --node-name bench --dns-upstream none >"$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 200); do
  kubectl get node bench -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep True >/dev/null && break
  sleep 0.1
done
mkdir -p "$work/mnt"
sed "s#/mnt/data#$work/mnt/data#" examples/seed/pv.yaml | kubectl apply -f - >/dev/null
kubectl apply -f examples/seed/storageclass.yaml -f examples/seed/web.yaml >/dev/null
kubectl rollout status sts/web --timeout=60s >/dev/null
for _ in $(seq 1 50); do [ -n "$(dig +short @10.96.0.10 web-0.nginx.default.svc.cluster.local)" ] && break; sleep 0.1; done

echo "web-0.nginx.default.svc.cluster.local A" > "$work/queries"
run() { dnsperf -s "$1" -p "$2" -d "$work/queries" -l "$SECONDS_PER_RUN" -c 4 -Q 1000000 2>&1; }
ours=$(run 10.96.0.10 53)
peer=$(run 127.0.0.1 5300)
qps() { awk '/Queries per second/ {print $4}' <<<"$1"; }
lost() { awk '/Queries lost/ {print $3}' <<<"$1"; }
latency() { awk '/Average Latency/ {print $4}' <<<"$1"; }

python3 - docs/BENCHMARKS.md "$(qps "$ours")" "$(qps "$peer")" "$(lost "$ours")" "$(latency "$ours")" "$(latency "$peer")" "$SECONDS_PER_RUN" <<'PY'
import os, re, sys
doc, ours, peer, lost, lat_ours, lat_peer, seconds = sys.argv[1:8]
ours, peer = float(ours), float(peer)
ratio = ours / peer
load = open("/proc/loadavg").read().split()[0]
section = f"""<!-- dns:begin -->
## Cluster DNS: queries per second (`hack/bench/dns.sh`)

`dnsperf -c 4 -l {seconds}` for `web-0.nginx.default.svc.cluster.local A` against the node's DNS
server at 10.96.0.10 (release build, the seed's StatefulSet running, inside a fresh network
namespace), beside the same dnsperf against a minimal C UDP responder on 127.0.0.1 that copies
the question and appends a fixed A record without any lookup (`hack/bench/dns-responder.c`).
Kernel {os.uname().release}, load average {load} at the end (2 shared cores: dnsperf, the server and
the rest of the node share them).

| server | queries per second | average latency | ratio |
|---|---|---|---|
| minikube-swift cluster DNS | **{ours:,.0f}** (lost {lost}) | {float(lat_ours)*1000:.2f} ms | {ratio:.2f}× |
| minimal C responder | {peer:,.0f} | {float(lat_peer)*1000:.2f} ms | 1.00× |

Target ≥ 50% of the responder — **{"met" if ratio >= 0.5 else "not met"}** ({ratio:.0%}).
<!-- dns:end -->
"""
text = open(doc).read()
if "<!-- dns:begin -->" in text:
    text = re.sub(r"<!-- dns:begin -->.*?<!-- dns:end -->\n", section, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + section
open(doc, "w").write(text)
print(section)
PY
