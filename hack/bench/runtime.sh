#!/usr/bin/env bash
# Container start-up: `minikube-swift runtime run -- /bin/true` vs `crun run` and `runc run`
# (Debian's), interleaved on the same busybox rootfs, plus the runtime's in-process
# clone → execve time. Writes the "Runtime" section of docs/BENCHMARKS.md.
#
# Everything runs inside `unshare -m -n`: a fresh network namespace (no container can reach the
# host's network) and a private mount namespace where a tmpfs hides /sys/fs/cgroup/unified
# (crun 1.8 refuses hybrid cgroups otherwise; see FIELD-NOTES). Root only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-60}
SPAWN_ROUNDS=${SPAWN_ROUNDS:-200}
BIN=${BIN:-$PWD/.build/release/minikube-swift}
# Optional second binary: the same release build linked with --static-swift-stdlib (start-up
# without ~30 shared libraries' relocations). Empty: not measured.
BIN_STATIC=${BIN_STATIC:-}
export SWIFT_BACKTRACE=enable=no

if [ "$(id -u)" -ne 0 ]; then echo "bench/runtime: needs root" >&2; exit 1; fi
for tool in crun runc python3 chroot; do
  command -v "$tool" >/dev/null || { echo "bench/runtime: $tool missing (hack/install-deps.sh)" >&2; exit 1; }
done
[ -x "$BIN" ] || swift build -c release --product minikube-swift

work=$(mktemp -d /tmp/mks-bench-runtime.XXXXXX)
trap 'rm -rf "$work"' EXIT

# One busybox rootfs for all three.
root="$work/rootfs"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp}
cp "$(command -v busybox)" "$root/bin/busybox"
chroot "$root" /bin/busybox --install -s
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"

# OCI bundles from the peers' own `spec`, pointed at the shared rootfs, running /bin/true.
for rt in crun runc; do
  mkdir -p "$work/$rt"
  (cd "$work/$rt" && "$rt" spec)
  python3 - "$work/$rt/config.json" "$root" <<'PY'
import json, sys
path, root = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": False}
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["hostname"] = "bench"
json.dump(c, open(path, "w"), indent=2)
PY
done

results="$work/results.txt"
unshare -m -n -- bash -euo pipefail -c '
  mount -t tmpfs none /sys/fs/cgroup/unified
  ip link set lo up
  "$0" runtime bench-spawn --rootfs "$1" --rounds "$3" -- /bin/true > "$2.spawn"
  # Pod containers join the pod netns: the fresh netns of this shell stands in for it.
  "$0" runtime bench-spawn --rootfs "$1" --rounds "$3" --net /proc/$$/ns/net -- /bin/true > "$2.spawn-join"
  python3 - "$0" "$1" "$2" "$4" "$5" "$6" <<"PY"
import subprocess, sys, time, statistics
bin, root, out, rounds, work, static = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
cmds = {
    "minikube-swift": lambda i: [bin, "runtime", "run", "--rootfs", root, "--net", "none", "--", "/bin/true"],
}
if static:
    cmds["minikube-swift-static"] = lambda i: [static, "runtime", "run", "--rootfs", root, "--net", "none", "--", "/bin/true"]
cmds |= {
    "crun": lambda i: ["crun", "run", "-b", work + "/crun", "bench-crun-%d" % i],
    "runc": lambda i: ["runc", "run", "-b", work + "/runc", "bench-runc-%d" % i],
}
times = {k: [] for k in cmds}
for name, cmd in cmds.items():  # warm-up
    subprocess.run(cmd(-1), check=True)
for i in range(rounds):
    for name, cmd in cmds.items():
        t0 = time.perf_counter_ns()
        r = subprocess.run(cmd(i))
        dt = (time.perf_counter_ns() - t0) / 1e6
        if r.returncode != 0:
            sys.exit("%s exited %d" % (name, r.returncode))
        times[name].append(dt)
with open(out, "w") as f:
    for name, ts in times.items():
        ts.sort()
        p99 = ts[min(len(ts) - 1, round(0.99 * (len(ts) - 1)))]
        f.write("%s %.2f %.2f %d\n" % (name, statistics.median(ts), p99, len(ts)))
PY
' "$BIN" "$root" "$results" "$SPAWN_ROUNDS" "$ROUNDS" "$work" "$BIN_STATIC"

cat "$results" "$results.spawn"
python3 - "$results" "$results.spawn" docs/BENCHMARKS.md "$ROUNDS" "$SPAWN_ROUNDS" "$results.spawn-join" <<'PY'
import re, sys, subprocess, datetime
res, spawn, doc, rounds, spawn_rounds, spawn_join = sys.argv[1:7]
rows = {l.split()[0]: [float(x) for x in l.split()[1:3]] for l in open(res) if l.strip()}
sp = {}
for l in open(spawn):
    kind, rest = l.split(" ", 1)
    sp[kind] = dict(kv.split("=") for kv in rest.split())
join = {}
for l in open(spawn_join):
    kind, rest = l.split(" ", 1)
    join[kind] = dict(kv.split("=") for kv in rest.split())
ms, crun, runc = rows["minikube-swift"], rows["crun"], rows["runc"]
kernel = subprocess.run(["uname", "-r"], capture_output=True, text=True).stdout.strip()
crun_v = subprocess.run(["crun", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
runc_v = subprocess.run(["runc", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
ratio = ms[0] / crun[0]
static_row = ""
best = ratio
if "minikube-swift-static" in rows:
    st = rows["minikube-swift-static"]
    best = min(ratio, st[0] / crun[0])
    static_row = f"| same, linked `--static-swift-stdlib` | {st[0]:.2f} ms | {st[1]:.2f} ms | {st[0]/crun[0]:.2f}× |\n"
spawn_med = float(sp["spawn_ms"]["median"])
section = f"""<!-- runtime:begin -->
## Runtime: container start-up (`hack/bench/runtime.sh`)

`/bin/true` in a fresh container (uts, pid, mount, ipc, net namespaces; pivot_root into the same
busybox rootfs; /proc, /dev, /sys; default capabilities, no_new_privs, seccomp for
minikube-swift), whole process from the shell's point of view, {rounds} interleaved rounds inside
`unshare -m -n` (kernel {kernel}, {crun_v}, {runc_v}; crun behind a tmpfs over
`/sys/fs/cgroup/unified`). Release build; load average during the run: {open("/proc/loadavg").read().split()[0]}
(2 cores shared with other builds: absolute numbers are noisy, the interleaved ratios less so). No resource limits, so no runtime creates a cgroup
for minikube-swift; crun and runc create theirs as their spec says.

| runtime | median | p99 | median vs crun |
|---|---|---|---|
| `minikube-swift runtime run` | {ms[0]:.2f} ms | {ms[1]:.2f} ms | {ratio:.2f}× |
{static_row}| `crun run` | {crun[0]:.2f} ms | {crun[1]:.2f} ms | 1.00× |
| `runc run` | {runc[0]:.2f} ms | {runc[1]:.2f} ms | {runc[0]/crun[0]:.2f}× |

In-process (`minikube-swift runtime bench-spawn`, {spawn_rounds} rounds, one process): clone →
execve as the spawner measures it (all five namespaces, mounts, caps, seccomp) median
**{spawn_med:.2f} ms**, p99 {float(sp["spawn_ms"]["p99"]):.2f} ms; create → exit → remove median
{float(sp["run_ms"]["median"]):.2f} ms, p99 {float(sp["run_ms"]["p99"]):.2f} ms. Joining an existing network namespace
instead of creating one (what a pod's containers do): clone → execve median
{float(join["spawn_ms"]["median"]):.2f} ms, p99 {float(join["spawn_ms"]["p99"]):.2f} ms.

Targets: whole-process median ≤ 0.8× crun — **{"met" if ratio <= 0.8 else "not met"}** for the
default (dynamically linked) build ({ratio:.2f}×){"" if best == ratio else f", {'met' if best <= 0.8 else 'not met'} with the static stdlib ({best:.2f}×)"};
in-process median ≤ 3 ms — **{"met" if spawn_med <= 3 else "not met"}**.
Last run: {datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M")} UTC.
<!-- runtime:end -->"""
sys.path.insert(0, "hack/bench")
from benchmarks_doc import write_section
write_section(doc, section)
print("bench/runtime: wrote docs/BENCHMARKS.md (runtime section)")
PY
