#!/usr/bin/env bash
# Cluster DNS throughput: dnsperf (Debian's) against the node's DNS server at 10.96.0.10 for a
# StatefulSet pod's name, beside the same dnsperf against a minimal C UDP responder
# (hack/bench/dns-responder.c) that answers without any lookup. Inside a fresh network
# namespace with a temp data dir. Writes the "Cluster DNS" section of docs/BENCHMARKS.md. Root.
name=bench-dns
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
bin=${BIN:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/minikube-swift}
command -v dnsperf >/dev/null || { echo "$name: dnsperf missing (hack/install-deps.sh)" >&2; exit 1; }
[ -x "$bin" ] || { echo "$name: build first: swift build -c release --static-swift-stdlib" >&2; exit 1; }
responder_pid=
before_up() {
  # The node exempts kube-dns's address from conntrack; the responder's port gets the same.
  nft -f - <<'NFT'
table ip bench-notrack {
	chain prerouting { type filter hook prerouting priority raw; udp dport 5300 notrack; }
	chain output { type filter hook output priority raw; udp dport 5300 notrack; udp sport 5300 notrack; }
}
NFT
  cc -O2 -o "$work/responder" hack/bench/dns-responder.c
  "$work/responder" 5300 &
  responder_pid=$!
}
on_exit() { [ -z "$responder_pid" ] || kill "$responder_pid" 2>/dev/null; }
source "$(dirname "$0")/../e2e/lib.sh"

mkdir -p "$work/mnt"
sed "s#/mnt/data#$work/mnt/data#" examples/seed/pv.yaml | kubectl apply -f - >/dev/null
kubectl apply -f examples/seed/storageclass.yaml -f examples/seed/web.yaml >/dev/null
kubectl rollout status sts/web --timeout=60s >/dev/null
until_true 5 sh -c "dig +short @10.96.0.10 web-0.nginx.default.svc.cluster.local | grep -q ." || fail "web-0 is not in DNS"

echo "web-0.nginx.default.svc.cluster.local A" > "$work/queries"
run() { dnsperf -s "$1" -p "$2" -d "$work/queries" -l "$SECONDS_PER_RUN" -c 4 -Q 1000000 2>&1; }
# Interleaved rounds (the shared machine's load drifts); the median of each.
ROUNDS=${ROUNDS:-3}
summary() { awk '/Queries per second/ {q=$4} /Queries lost/ {l=$3} /Average Latency/ {a=$4} END {print q, l, a}'; }
for _ in $(seq 1 "$ROUNDS"); do
  run 10.96.0.10 53 | summary >> "$work/ours"
  run 127.0.0.1 5300 | summary >> "$work/peer"
done

python3 - docs/BENCHMARKS.md "$work/ours" "$work/peer" "$SECONDS_PER_RUN" "$ROUNDS" <<'PY'
import os, re, statistics, sys
doc, ours_file, peer_file, seconds, rounds = sys.argv[1:6]
def rows(path):
    return [line.split() for line in open(path) if line.strip()]
ours_rows, peer_rows = rows(ours_file), rows(peer_file)
ours = statistics.median(float(r[0]) for r in ours_rows)
peer = statistics.median(float(r[0]) for r in peer_rows)
lost = sum(int(r[1].split("/")[0]) if r[1].split("/")[0].isdigit() else 0 for r in ours_rows)
lat_ours = statistics.median(float(r[2]) for r in ours_rows)
lat_peer = statistics.median(float(r[2]) for r in peer_rows)
ratio = ours / peer
load = open("/proc/loadavg").read().split()[0]
section = f"""<!-- dns:begin -->
## Cluster DNS: queries per second (`hack/bench/dns.sh`)

`dnsperf -c 4 -l {seconds}` for `web-0.nginx.default.svc.cluster.local A` against the node's DNS
server at 10.96.0.10 (release build, the seed's StatefulSet running, inside a fresh network
namespace), beside the same dnsperf against a minimal C UDP responder on 127.0.0.1 that copies
the question and appends a fixed A record without any lookup (`hack/bench/dns-responder.c`);
medians of {rounds} interleaved rounds.
Kernel {os.uname().release}, load average {load} at the end (2 shared cores: dnsperf, the server and
the rest of the node share them).

| server | queries per second | average latency | ratio |
|---|---|---|---|
| minikube-swift cluster DNS | **{ours:,.0f}** (lost {lost}) | {float(lat_ours)*1000:.2f} ms | {ratio:.2f}× |
| minimal C responder | {peer:,.0f} | {float(lat_peer)*1000:.2f} ms | 1.00× |

Target ≥ 50% of the responder — **{"met" if ratio >= 0.5 else "not met"}** ({ratio:.0%}).
<!-- dns:end -->
"""
sys.path.insert(0, "hack/bench")
from benchmarks_doc import write_section
write_section(doc, section)
print(section)
PY
