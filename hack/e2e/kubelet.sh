#!/usr/bin/env bash
# End-to-end: what the node agent does for a pod, with the real kubectl against a real node in a
# network namespace of its own (temp data dir). Init containers, env and the downward API,
# ConfigMap/Secret/emptyDir/hostPath volumes, securityContext, probes (and Services following
# readiness), restarts with CrashLoopBackOff, restartPolicy Never, graceful deletion with a
# preStop hook, logs and exec.
# Root only.
#   hack/e2e/kubelet.sh [path/to/minikube-swift]
name=e2e-kubelet
bin=${1:-}
[ -n "$bin" ] || unset bin
source "$(dirname "$0")/lib.sh"
jp() { kubectl get pod "$1" -o jsonpath="$2"; }

mkdir -p "$work/host" "$work/out"
chmod 777 "$work/out"
echo "from the host" > "$work/host/file.txt"

k apply -f - <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue, app.conf: "listen 8080\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: features, labels: {app: features}}
spec:
  terminationGracePeriodSeconds: 5
  initContainers:
  - name: init
    image: busybox
    command: [sh, -c, "echo initialized > /work/init.txt"]
    volumeMounts: [{name: scratch, mountPath: /work}]
  containers:
  - name: main
    image: busybox
    command: [sh, -c, "echo started \$(POD_NAME); trap 'echo TERM > /out/term.txt; exit 0' TERM; while true; do sleep 1; done"]
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: color}}}
    - {name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}
    securityContext: {runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true}
    resources: {limits: {memory: 64Mi}}
    readinessProbe: {exec: {command: [test, -f, /work/ready]}, periodSeconds: 1}
    lifecycle: {preStop: {exec: {command: [sh, -c, "echo prestop > /out/prestop.txt"]}}}
    volumeMounts:
    - {name: scratch, mountPath: /work}
    - {name: config, mountPath: /etc/app}
    - {name: secret, mountPath: /etc/creds}
    - {name: host, mountPath: /host, readOnly: true}
    - {name: out, mountPath: /out}
  volumes:
  - {name: scratch, emptyDir: {}}
  - {name: config, configMap: {name: settings}}
  - {name: secret, secret: {secretName: creds}}
  - {name: host, hostPath: {path: "$work/host", type: Directory}}
  - {name: out, hostPath: {path: "$work/out"}}
YAML
until_true 30 sh -c "[ \"\$(kubectl get pod features -o jsonpath='{.status.phase}')\" = Running ]" || fail "features not Running"
[ "$(jp features '{.status.conditions[?(@.type=="Ready")].status}')" = False ] || fail "features Ready before its probe passed"
[ "$(jp features '{.status.initContainerStatuses[0].state.terminated.reason}')" = Completed ] || fail "init container not Completed"
k exec features -- cat /work/init.txt | grep initialized >/dev/null || fail "the init container's emptyDir file"
env_out=$(k exec features -- env)
for want in POD_NAME=features NODE=node-1 COLOR=blue TOKEN=s3cret "POD_IP=$(jp features '{.status.podIP}')"; do
  grep -qx "$want" <<<"$env_out" || fail "env lacks $want"
done
[ "$(k exec features -- id -u)" = 1000 ] || fail "runAsUser"
k exec features -- touch /root-write 2>/dev/null && fail "readOnlyRootFilesystem"
[ "$(k exec features -- cat /etc/app/color)" = blue ] || fail "configMap volume"
[ "$(k exec features -- cat /etc/creds/token)" = s3cret ] || fail "secret volume"
[ "$(k exec features -- cat /host/file.txt)" = "from the host" ] || fail "hostPath volume"
k exec features -- sh -c 'echo x > /host/new' 2>/dev/null && fail "readOnly hostPath mount"
k exec features -- sh -c 'exit 3' && fail "exec exit code" || [ $? -eq 3 ] || fail "exec exit code"
# Readiness follows the exec probe, and the pod's Services follow readiness within a second:
# its name in DNS (headless) and its endpoint in the Service proxy's rules (ClusterIP).
k create service clusterip features --clusterip=None --tcp=80:80 >/dev/null
k create service clusterip features-vip --tcp=8080:8080 >/dev/null
k patch svc features-vip -p '{"spec":{"selector":{"app":"features"}}}' >/dev/null
dns_has_features() { [ -n "$(dig +short @10.96.0.10 features.default.svc.cluster.local)" ]; }
proxy_has_features() { nft list table ip minikube-swift | grep 'service-default/features-vip/tcp/8080-8080 {' >/dev/null; }
sleep 1
dns_has_features && fail "an unready pod is in DNS"
proxy_has_features && fail "an unready pod is in the Service rules"
k exec features -- touch /work/ready
k wait --for=condition=Ready pod/features --timeout=20s
until_true 1 dns_has_features || fail "DNS did not follow the pod to Ready within 1 s"
until_true 1 proxy_has_features || fail "the Service rules did not follow the pod to Ready within 1 s"
k exec features -- rm /work/ready
k wait --for=condition=Ready=false pod/features --timeout=20s
until_true 1 sh -c "! dig +short @10.96.0.10 features.default.svc.cluster.local | grep ." \
  || fail "DNS did not follow the pod to not Ready within 1 s"
until_true 1 sh -c "! nft list table ip minikube-swift | grep 'service-default/features-vip/tcp/8080-8080 {'" \
  || fail "the Service rules did not follow the pod to not Ready within 1 s"
k exec features -- touch /work/ready
k wait --for=condition=Ready pod/features --timeout=20s
k logs features | grep "started features" >/dev/null || fail "kubectl logs"
[ "$(k logs features --tail=1)" = "started features" ] || fail "kubectl logs --tail"
k logs features --timestamps | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z started features' || fail "kubectl logs --timestamps"

events=$(k get events --field-selector involvedObject.name=features -o jsonpath='{range .items[*]}{.reason}{" "}{end}')
for reason in Scheduled Pulled Created Started; do grep -qw "$reason" <<<"$events" || fail "no $reason event: $events"; done

# An image the node does not have (nothing is pulled): ErrImageNeverPull.
k run noimage --image=example.invalid/nothing:1 --image-pull-policy=Never -- sleep 1
until_true 20 sh -c "kubectl get pod noimage | grep -q ErrImageNeverPull" || fail "noimage not ErrImageNeverPull: $(jp noimage '{.status.containerStatuses[0].state}')"

# Crash loop: exits 1 → restarted at once, then CrashLoopBackOff; --previous shows the last run.
k run crash --image=busybox --restart=Always -- sh -c 'echo run; exit 1'
until_true 30 sh -c "[ \"\$(kubectl get pod crash -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')\" = CrashLoopBackOff ]" \
  || fail "crash not in CrashLoopBackOff: $(jp crash '{.status.containerStatuses[0]}')"
[ "$(jp crash '{.status.containerStatuses[0].lastState.terminated.exitCode}')" = 1 ] || fail "crash lastState exit code"
[ "$(jp crash '{.status.containerStatuses[0].restartCount}')" -ge 1 ] || fail "crash restartCount"
k get pods crash | grep CrashLoopBackOff >/dev/null || fail "kubectl get shows CrashLoopBackOff"
k logs crash --previous | grep run >/dev/null || fail "kubectl logs --previous"
k get events --field-selector involvedObject.name=crash | grep BackOff >/dev/null || fail "BackOff event"

# restartPolicy Never, exit 3 → Failed with exit code 3 and reason Error.
k run once --image=busybox --restart=Never -- sh -c 'exit 3'
until_true 30 sh -c "[ \"\$(kubectl get pod once -o jsonpath='{.status.phase}')\" = Failed ]" || fail "once not Failed"
[ "$(jp once '{.status.containerStatuses[0].state.terminated.exitCode}')" = 3 ] || fail "once exit code"
[ "$(jp once '{.status.containerStatuses[0].state.terminated.reason}')" = Error ] || fail "once reason"

# Liveness: an httpGet probe on a closed port kills and restarts the container.
k apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata: {name: liveness}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: [sleep, "3600"]
    livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1, failureThreshold: 2}
YAML
until_true 30 sh -c "[ \"\$(kubectl get pod liveness -o jsonpath='{.status.containerStatuses[0].restartCount}')\" -ge 1 ]" \
  || fail "liveness did not restart the container"
k get events --field-selector involvedObject.name=liveness | grep 'Liveness probe failed' >/dev/null || fail "Unhealthy event"

# A missing hostPath of type Directory: the pod waits with FailedMount and never starts.
k run nomount --image=busybox --overrides='{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/nonexistent-mks","type":"Directory"}}],"containers":[{"name":"nomount","image":"busybox","command":["sleep","3600"],"volumeMounts":[{"name":"v","mountPath":"/v"}]}]}}'
until_true 20 sh -c "kubectl get events --field-selector involvedObject.name=nomount | grep -q FailedMount" || fail "no FailedMount event"
[ "$(jp nomount '{.status.phase}')" = Pending ] || fail "nomount should stay Pending"

# A UDP Service in front of features: a flow to it is tracked (DNAT'd to the pod) ...
k apply -f - <<YAML
apiVersion: v1
kind: Service
metadata: {name: features-udp}
spec:
  selector: {app: features}
  ports: [{port: 9000, protocol: UDP}]
YAML
udp_vip=$(k get svc features-udp -o jsonpath='{.spec.clusterIP}')
until_true 5 sh -c "nft list table ip minikube-swift | grep -q 'service-default/features-udp/udp/9000 {'" || fail "no rules for features-udp"
python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 40000)); s.sendto(b'x', ('$udp_vip', 9000))"
[ -n "$(conntrack -L -p udp --orig-dst "$udp_vip" 2>/dev/null)" ] || fail "no conntrack entry for the flow to features-udp"

# Graceful deletion: preStop runs, then SIGTERM (the trap exits 0), then the object goes.
k delete pod features --wait=true --timeout=30s
# ... and forgotten once the pod is gone from the Service (not 30 s later, when it would time out).
until_true 2 sh -c "[ -z \"\$(conntrack -L -p udp --orig-dst $udp_vip 2>/dev/null)\" ]" \
  || fail "the UDP flow to a deleted endpoint is still tracked: $(conntrack -L -p udp --orig-dst "$udp_vip" 2>&1)"
[ "$(cat "$work/out/prestop.txt" 2>/dev/null)" = prestop ] || fail "the preStop hook did not run"
[ "$(cat "$work/out/term.txt" 2>/dev/null)" = TERM ] || fail "the container did not get SIGTERM"
for p in crash once liveness nomount noimage; do k delete pod "$p" --wait=false >/dev/null; done
until_true 30 sh -c "[ -z \"\$(kubectl get pods --no-headers 2>/dev/null)\" ]" || fail "pods not deleted"
echo "$name: PASS"
