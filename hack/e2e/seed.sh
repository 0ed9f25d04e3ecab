#!/usr/bin/env bash
# End-to-end: the seed's StatefulSet demo on a real node, with the real kubectl.
# Runs `minikube-swift up --foreground` inside a fresh network namespace of its own (nothing
# leaves the machine), with a temporary data dir and hostPaths in a temp dir, then checks what
# the seed shows and scales the set 3 → 5 → 2 → 3, then deletes it. Root only.
#   hack/e2e/seed.sh [path/to/minikube-swift]
name=e2e-seed
dns_upstream=1
# A stand-in for the machine's LAN address, where NodePorts are asked to answer.
before_up() {
  ip link add lan0 type veth peer name lan1 && ip addr add 192.0.2.10/24 dev lan0 && ip link set lan0 up && ip link set lan1 up
}
up_args=(--nodeport-address 192.0.2.10)
bin=${1:-}
[ -n "$bin" ] || unset bin
source "$(dirname "$0")/lib.sh"

# The seed, unchanged except for the hostPaths (under the temp dir, never the host's /mnt).
mkdir -p "$work/mnt"
for n in 1 2 3 4; do mkdir -p "$work/mnt/data$n"; echo "hello from datadir$n" > "$work/mnt/data$n/index.html"; done
sed "s#/mnt/data#$work/mnt/data#" examples/seed/pv.yaml > "$work/pv.yaml"
cat >> "$work/pv.yaml" <<YAML
---
kind: PersistentVolume
apiVersion: v1
metadata:
  name: datadir4
  labels:
    type: local
spec:
  storageClassName: local-class
  capacity:
    storage: 5Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "$work/mnt/data4"
YAML
k apply -f examples/seed/storageclass.yaml -f "$work/pv.yaml" -f examples/seed/web.yaml -f examples/seed/busybox.yaml
k rollout status sts/web --timeout=60s
k wait --for=condition=Ready pod/web-0 pod/web-1 pod/web-2 pod/busybox pod/busybox-curl --timeout=60s
k get pods -o wide
k get statefulset web | grep -Eq 'web +3/3' || fail "statefulset not 3/3"
k get pvc
for n in 0 1 2; do k get pvc www-web-$n | grep Bound >/dev/null || fail "www-web-$n not Bound"; done
k get pv
[ "$(k get pv | grep -c 'Bound.*default/www-web-')" -eq 3 ] || fail "three PVs should be Bound"
[ "$(k get pv | grep -c Available)" -eq 1 ] || fail "one PV should be Available"

# Services: the headless nginx has no ClusterIP; the cluster's own Services have theirs.
k get svc -A
[ "$(k get svc nginx -o jsonpath='{.spec.clusterIP}')" = None ] || fail "nginx should be headless"
[ "$(k get svc kubernetes -o jsonpath='{.spec.clusterIP}')" = 10.96.0.1 ] || fail "kubernetes Service IP"
[ "$(k -n kube-system get svc kube-dns -o jsonpath='{.spec.clusterIP}')" = 10.96.0.10 ] || fail "kube-dns Service IP"

# Pods started in order.
t0=$(k get pod web-0 -o jsonpath='{.status.containerStatuses[0].state.running.startedAt}')
t2=$(k get pod web-2 -o jsonpath='{.status.containerStatuses[0].state.running.startedAt}')
[[ "$t0" < "$t2" || "$t0" == "$t2" ]] || fail "web-2 started before web-0"

# Node-to-pod traffic over the bridge: each nginx serves its own PV's index.html.
for n in 0 1 2; do
  ip=$(k get pod web-$n -o jsonpath='{.status.podIP}')
  volume=$(k get pvc www-web-$n -o jsonpath='{.spec.volumeName}')
  body=$(curl -s --max-time 5 "http://$ip/")
  [ "$body" = "hello from $volume" ] || fail "node: web-$n at $ip served '$body', expected 'hello from $volume'"
done

k logs web-0 | grep '"GET / HTTP/1.1" 200' >/dev/null || fail "kubectl logs web-0 lacks nginx's access log line"

# kill -9 of the node process: the supervisor starts it again; healthy pods are adopted, not
# restarted; a container that ended while no node process ran is reported with its exit code.
web0_started=$(k get pod web-0 -o jsonpath='{.status.containerStatuses[0].state.running.startedAt}')
node_pid=$(cat "$data/minikube-swift-node.pid")
sleep_pid=$(python3 - "$data/containers" <<'PY'
import json, os, sys
root = sys.argv[1]
for name in os.listdir(root):
    try:
        record = json.load(open(os.path.join(root, name, "state.json")))
    except OSError:
        continue
    if record["spec"]["annotations"].get("io.kubernetes.pod.key") == "default/busybox":
        print(record["pid"])
PY
)
[ -n "$sleep_pid" ] || fail "no record of busybox's container"
kill -9 "$node_pid"
kill -9 "$sleep_pid"
for _ in $(seq 1 100); do
  new_pid=$(cat "$data/minikube-swift-node.pid" 2>/dev/null || true)
  [ -n "$new_pid" ] && [ "$new_pid" != "$node_pid" ] && k get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.1
done
for _ in $(seq 1 100); do
  [ "$(k get pod busybox -o jsonpath='{.status.containerStatuses[0].restartCount}')" = 1 ] && break
  sleep 0.1
done
k get pods
[ "$(k get pod busybox -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}')" = 137 ] \
  || fail "busybox's exit while the node process was down was not reported: $(k get pod busybox -o jsonpath='{.status.containerStatuses[0]}')"
k wait --for=condition=Ready pod/busybox --timeout=30s
[ "$(k get pod web-0 -o jsonpath='{.status.containerStatuses[0].restartCount}')" = 0 ] || fail "web-0 was restarted"
[ "$(k get pod web-0 -o jsonpath='{.status.containerStatuses[0].state.running.startedAt}')" = "$web0_started" ] || fail "web-0 was restarted"
ip=$(k get pod web-0 -o jsonpath='{.status.podIP}')
curl -sf --max-time 5 "http://$ip/after-restart" >/dev/null || true
curl -sf --max-time 5 "http://$ip/" >/dev/null || fail "web-0 does not serve after the node process restarted"
# Its log pipes came back from the supervisor: the new request is in the same log.
until_logged() { k logs web-0 | grep 'GET /after-restart' >/dev/null; }
for _ in $(seq 1 50); do until_logged && break; sleep 0.1; done
until_logged || fail "web-0's log lost what it wrote after the node process restarted"

# Real namespaces: hostnames, /etc/hosts, resolv.conf, the PV's content served by nginx.
[ "$(k exec web-0 -- hostname)" = web-0 ] || fail "hostname of web-0"
k exec web-1 -- cat /etc/hosts | grep 'web-1.nginx.default.svc.cluster.local' >/dev/null || fail "/etc/hosts of web-1"
k exec busybox -- cat /etc/resolv.conf | grep 'nameserver 10.96.0.10' >/dev/null || fail "resolv.conf"
for n in 0 1 2; do
  ip=$(k get pod web-$n -o jsonpath='{.status.podIP}')
  volume=$(k get pvc www-web-$n -o jsonpath='{.spec.volumeName}')
  body=$(k exec busybox-curl -- curl -s --max-time 5 "http://$ip/")
  [ "$body" = "hello from $volume" ] || fail "web-$n at $ip served '$body', expected 'hello from $volume'"
done

# Cluster DNS at 10.96.0.10 (kube-dns): the seed's lookups from busybox, then dig from the node.
# (busybox 1.35 tries every search domain and exits 1 when one of them is NXDOMAIN, as it
# does against CoreDNS.)
out=$(k exec busybox-curl -- nslookup nginx || true)
echo "$out"
grep -q '10.96.0.10' <<<"$out" || fail "nslookup did not use 10.96.0.10"
for n in 0 1 2; do
  grep -q "$(k get pod web-$n -o jsonpath='{.status.podIP}')" <<<"$out" || fail "nslookup nginx lacks web-$n"
done
web0=$(k get pod web-0 -o jsonpath='{.status.podIP}')
out=$(k exec busybox-curl -- nslookup web-0.nginx || true)
grep -q "$web0" <<<"$out" || fail "nslookup web-0.nginx: $out"
[ "$(dig +short @10.96.0.10 nginx.default.svc.cluster.local | sort | wc -l)" = 3 ] || fail "dig A nginx"
[ "$(dig +short +tcp @10.96.0.10 web-0.nginx.default.svc.cluster.local)" = "$web0" ] || fail "dig A over TCP"
out=$(dig +short @10.96.0.10 SRV _web._tcp.nginx.default.svc.cluster.local)
grep -q '80 web-0.nginx.default.svc.cluster.local.' <<<"$out" || fail "dig SRV _web._tcp.nginx: $out"
[ "$(dig +short @10.96.0.10 -x "$web0")" = web-0.nginx.default.svc.cluster.local. ] || fail "dig PTR of web-0"
[ "$(dig +short @10.96.0.10 -x 10.96.0.10)" = kube-dns.kube-system.svc.cluster.local. ] || fail "dig PTR of kube-dns"
out=$(dig @10.96.0.10 nope.default.svc.cluster.local)
grep -q 'status: NXDOMAIN' <<<"$out" || fail "dig NXDOMAIN: $out"
[ "$(dig +short @10.96.0.10 kubernetes.default.svc.cluster.local)" = 10.96.0.1 ] || fail "dig A kubernetes"
# Names outside cluster.local go to the upstream (the stand-in on 127.0.0.1:5353), over UDP and
# TCP, from the node and from a pod.
[ "$(dig +short @10.96.0.10 example.org)" = 192.0.2.53 ] || fail "dig example.org was not forwarded: $(dig @10.96.0.10 example.org)"
[ "$(dig +short +tcp @10.96.0.10 www.example.org)" = 192.0.2.53 ] || fail "dig +tcp www.example.org was not forwarded"
out=$(k exec busybox-curl -- nslookup example.org || true)
grep -q '192.0.2.53' <<<"$out" || fail "nslookup example.org from a pod: $out"
# An ExternalName Service is a CNAME whose target the server follows upstream.
k create service externalname ext --external-name example.org
out=$(dig +short @10.96.0.10 ext.default.svc.cluster.local)
[ "$out" = "$(printf 'example.org.\n192.0.2.53')" ] || fail "dig ext (ExternalName): $out"
out=$(k exec busybox-curl -- nslookup ext || true)
grep -q '192.0.2.53' <<<"$out" || fail "nslookup ext from a pod: $out"

# A ClusterIP Service in front of the nginx pods (named targetPort): nftables DNAT round robin
# to the ready endpoints, from the node and from a pod (by its DNS name), then the pods' own data.
k apply -f - <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: web-vip
spec:
  selector:
    app: nginx
  ports:
  - name: http
    port: 8080
    targetPort: web
YAML
vip=$(k get svc web-vip -o jsonpath='{.spec.clusterIP}')
[[ "$vip" == 10.9[6-9].* || "$vip" == 10.1[01][0-9].* ]] || fail "web-vip's ClusterIP $vip is not in 10.96.0.0/12"
[ "$(dig +short @10.96.0.10 web-vip.default.svc.cluster.local)" = "$vip" ] || fail "dig A web-vip is not its ClusterIP"
until_true 5 curl -sf --max-time 2 "http://$vip:8080/" || fail "node: no answer from web-vip at $vip:8080"
served=$(for _ in $(seq 1 9); do curl -s --max-time 2 "http://$vip:8080/"; echo; done | grep . | sort | uniq -c)
echo "$served"
[ "$(wc -l <<<"$served")" = 3 ] || fail "node: web-vip did not spread 9 requests over the 3 pods: $served"
served=$(k exec busybox-curl -- sh -c 'for i in 1 2 3 4 5 6; do curl -s --max-time 2 http://web-vip:8080/; echo; done' | grep . | sort | uniq -c)
[ "$(wc -l <<<"$served")" = 3 ] || fail "pod: web-vip did not spread 6 requests over the 3 pods: $served"
# A port the Service lacks is refused at once (ICMP port unreachable), not left to time out.
set +e; curl -s --max-time 5 "http://$vip:81/"; rc=$?; set -e
[ "$rc" = 7 ] || fail "node: web-vip:81 should be refused (curl exit 7), got $rc"
nft list table ip minikube-swift | grep 'service-default/web-vip/tcp/http' >/dev/null || fail "no chain for web-vip in the nftables table"
# As a NodePort: a port from 30000-32767, served on the address asked for (from the node and
# from a pod), not on the node's other addresses.
k patch svc web-vip -p '{"spec":{"type":"NodePort"}}'
node_port=$(k get svc web-vip -o jsonpath='{.spec.ports[0].nodePort}')
[ "$node_port" -ge 30000 ] && [ "$node_port" -le 32767 ] || fail "web-vip's nodePort $node_port is not in 30000-32767"
k get svc web-vip | grep "8080:$node_port/TCP" >/dev/null || fail "kubectl get svc does not show the nodePort: $(k get svc web-vip)"
until_true 5 curl -sf --max-time 2 "http://192.0.2.10:$node_port/" || fail "node: no answer at NodePort 192.0.2.10:$node_port"
k exec busybox-curl -- curl -sf --max-time 2 "http://192.0.2.10:$node_port/" | grep 'hello from' >/dev/null || fail "pod: no answer at NodePort 192.0.2.10:$node_port"
set +e; curl -s --max-time 5 "http://10.244.0.1:$node_port/"; rc=$?; set -e
[ "$rc" = 7 ] || fail "the NodePort answered on 10.244.0.1, an address not asked for (curl exit $rc)"
# The rules live in the kernel: they keep serving while the node process is down (kill -9), and
# the next one takes over (the scale below shows that it follows changes).
node_pid=$(cat "$data/minikube-swift-node.pid")
kill -9 "$node_pid"
curl -sf --max-time 2 "http://$vip:8080/" >/dev/null || fail "web-vip stopped answering while the node process was down"
until_true 20 sh -c "[ \"\$(cat '$data/minikube-swift-node.pid' 2>/dev/null)\" != $node_pid ] && kubectl get --raw /readyz" \
  || fail "the node process did not come back"

# Scale to 5: only four PVs, so one claim stays Pending.
k scale sts web --replicas=5
for _ in $(seq 1 100); do k get pod web-3 >/dev/null 2>&1 && break; sleep 0.1; done
k wait --for=condition=Ready pod/web-3 --timeout=60s
sleep 1
k get pvc www-web-4 | grep Pending >/dev/null || fail "www-web-4 should be Pending"
# Back to 2: web-4, web-3, web-2 go; their claims stay.
k scale sts web --replicas=2
k wait --for=delete pod/web-2 pod/web-3 pod/web-4 --timeout=60s
# DNS follows within a second or two: web-2 is gone from the answer.
until_true 2 sh -c "[ \"\$(dig +short @10.96.0.10 nginx.default.svc.cluster.local | wc -l)\" = 2 ]" \
  || fail "web-2 still in DNS: $(dig +short @10.96.0.10 nginx.default.svc.cluster.local)"
k get pvc www-web-2 | grep Bound >/dev/null || fail "www-web-2 should stay Bound"
# The Service follows: web-2's data is no longer served through web-vip.
web2_volume=$(k get pvc www-web-2 -o jsonpath='{.spec.volumeName}')
until_true 2 sh -c "! (for i in 1 2 3 4 5 6; do curl -s --max-time 2 http://$vip:8080/; done | grep -q 'hello from $web2_volume')" \
  || fail "web-vip still sends to web-2"

# Back to 3: web-2 returns with the same claim and data.
k scale sts web --replicas=3
k rollout status sts/web --timeout=60s
ip=$(k get pod web-2 -o jsonpath='{.status.podIP}')
volume=$(k get pvc www-web-2 -o jsonpath='{.spec.volumeName}')
[ "$(k exec busybox-curl -- curl -s --max-time 5 "http://$ip/")" = "hello from $volume" ] || fail "web-2 lost its data"

# Delete the set: pods go, claims and PV data stay.
k delete sts web
k wait --for=delete pod/web-0 pod/web-1 pod/web-2 --timeout=60s
[ "$(k get pvc --no-headers | wc -l)" -ge 4 ] || fail "claims should remain"
[ -f "$work/mnt/data1/index.html" ] || fail "PV data should remain"
k delete pod busybox busybox-curl --wait=true

# Stopping the node removes the Service proxy's table and routes.
kill -TERM "$up_pid"; wait "$up_pid" || true; up_pid=
! nft list table ip minikube-swift >/dev/null 2>&1 || fail "the nftables table outlived the node"
[ -z "$(ip route show proto 211)" ] || fail "Service routes outlived the node: $(ip route show proto 211)"
echo "$name: PASS"
