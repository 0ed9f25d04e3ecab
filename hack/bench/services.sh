#!/usr/bin/env bash
# Service proxy cost: wrk from the node against web-0 (the seed's nginx) through the ClusterIP of a
# Service whose one endpoint it is (nftables DNAT + masquerade) beside the same wrk against web-1,
# its twin, by pod IP directly, with keep-alive connections and with a new connection per request
# (where DNAT and conntrack work once per connection). Inside a fresh network namespace (through
# hack/e2e/lib.sh) with a temp data dir. Writes the "Service proxy" section of
# docs/BENCHMARKS.md. Root.
name=bench-services
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
bin=${BIN:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/minikube-swift}
command -v wrk >/dev/null || { echo "$name: wrk missing (hack/install-deps.sh)" >&2; exit 1; }
[ -x "$bin" ] || { echo "$name: build first: swift build -c release --static-swift-stdlib" >&2; exit 1; }
source "$(dirname "$0")/../e2e/lib.sh"

mkdir -p "$work/mnt"
sed "s#/mnt/data#$work/mnt/data#" examples/seed/pv.yaml | k apply -f - >/dev/null
k apply -f examples/seed/storageclass.yaml -f examples/seed/web.yaml >/dev/null
k rollout status sts/web --timeout=60s >/dev/null
# A Service whose one endpoint is web-0 (its selector is the pod's labels).
k expose pod web-0 --name web-vip --port 8080 --target-port web >/dev/null
for n in 1 2 3; do echo "hello from datadir$n" > "$work/mnt/data$n/index.html"; done
vip=$(k get svc web-vip -o jsonpath='{.spec.clusterIP}')
# Not web-0 itself: with a connection per request, its TIME_WAIT sockets from direct connections
# would meet the Service's connections on the same 4-tuple with other TCP timestamps (PAWS).
pod=$(k get pod web-1 -o jsonpath='{.status.podIP}')
until_true 10 curl -sf "http://$vip:8080/" || fail "web-vip does not answer"

# A connection per request for seconds on end exhausts the ephemeral ports to one address unless
# TIME_WAIT sockets are reused (this namespace's setting only).
sysctl -qw net.ipv4.tcp_tw_reuse=1
rps() { awk '/Requests\/sec/ {print $2}'; }
run() { wrk -t 2 -c 16 -d "${SECONDS_PER_RUN}s" "$@" | rps; }
# Interleaved rounds (the machine's load drifts); the median of each.
ROUNDS=${ROUNDS:-3}
direct_keep=(); vip_keep=(); direct_close=(); vip_close=()
for _ in $(seq 1 "$ROUNDS"); do
  direct_keep+=("$(run "http://$pod/")")
  vip_keep+=("$(run "http://$vip:8080/")")
  direct_close+=("$(run -H "Connection: close" "http://$pod/")")
  vip_close+=("$(run -H "Connection: close" "http://$vip:8080/")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
direct_keep=$(median "${direct_keep[@]}"); vip_keep=$(median "${vip_keep[@]}")
direct_close=$(median "${direct_close[@]}"); vip_close=$(median "${vip_close[@]}")

python3 - docs/BENCHMARKS.md "$direct_keep" "$vip_keep" "$direct_close" "$vip_close" "$SECONDS_PER_RUN" "$ROUNDS" <<'PY'
import os, re, sys
doc, dk, vk, dc, vc, seconds, rounds = sys.argv[1:8]
dk, vk, dc, vc = map(float, (dk, vk, dc, vc))
load = open("/proc/loadavg").read().split()[0]
section = f"""<!-- services:begin -->
## Service proxy: ClusterIP against a pod IP (`hack/bench/services.sh`)

`wrk -t 2 -c 16 -d {seconds}s` from the node against the seed's web-0 (nginx) through the ClusterIP of
a Service whose one endpoint it is (nftables DNAT, masquerade) beside the same wrk against web-1,
its twin, by pod IP (release build, inside a fresh network namespace). With
keep-alive the proxy costs per packet only; with `Connection: close` every request is a new
connection, so a new DNAT decision and conntrack entry. Median of {rounds} interleaved rounds. Kernel {os.uname().release}, load average
{load} at the end (2 shared cores: wrk, nginx and the node share them).

| connections | pod IP (requests/s) | ClusterIP (requests/s) | ratio |
|---|---|---|---|
| keep-alive | {dk:,.0f} | **{vk:,.0f}** | {vk/dk:.2f}× |
| one per request | {dc:,.0f} | **{vc:,.0f}** | {vc/dc:.2f}× |
<!-- services:end -->
"""
sys.path.insert(0, "hack/bench")
from benchmarks_doc import write_section
write_section(doc, section)
print(section)
PY
