import Foundation
import KubeModel

extension Kubelet {
    enum ProbeKind: String {
        case startup = "Startup", liveness = "Liveness", readiness = "Readiness"
    }

    /// Runs a container's startup probe, then its liveness and readiness probes, until the
    /// container instance `id` is no longer the current one.
    nonisolated func probe(_ container: Container, pod: Pod, uid: String, id: String, address: String) async {
        let key = pod.key
        let name = container.name
        if let startup = container.startupProbe {
            guard await runProbe(startup, kind: .startup, container: container, pod: pod, uid: uid, id: id, address: address) else { return }
        }
        await markStarted(key: key, uid: uid, name: name, id: id, ready: container.readinessProbe == nil)
        await withTaskGroup(of: Void.self) { group in
            if let liveness = container.livenessProbe {
                group.addTask { _ = await self.runProbe(liveness, kind: .liveness, container: container, pod: pod, uid: uid, id: id, address: address) }
            }
            if let readiness = container.readinessProbe {
                group.addTask { _ = await self.runProbe(readiness, kind: .readiness, container: container, pod: pod, uid: uid, id: id, address: address) }
            }
        }
    }

    /// One probe's loop. Startup: returns true once it succeeded. Liveness and startup: after
    /// `failureThreshold` failures in a row the container is killed (and restarted by policy).
    /// Readiness: sets the container's `ready`.
    nonisolated func runProbe(_ probe: Probe, kind: ProbeKind, container: Container, pod: Pod, uid: String, id: String, address: String) async -> Bool {
        let key = pod.key
        let period = Duration.seconds(Int64(max(1, probe.periodSeconds ?? 10)))
        let timeout = Duration.seconds(Int64(max(1, probe.timeoutSeconds ?? 1)))
        let successThreshold = Int(max(1, probe.successThreshold ?? 1))
        let failureThreshold = Int(max(1, probe.failureThreshold ?? 3))
        var successes = 0
        var failures = 0
        try? await Task.sleep(for: .seconds(Int64(max(0, probe.initialDelaySeconds ?? 0))))
        while !Task.isCancelled, await isCurrent(key: key, uid: uid, name: container.name, id: id) {
            let result = await execute(probe, container: container, id: id, address: address, timeout: timeout)
            switch result {
            case .success:
                successes += 1
                failures = 0
                if kind == .startup { return true }
                if kind == .readiness, successes >= successThreshold {
                    await setReady(true, key: key, uid: uid, name: container.name, id: id)
                }
            case .failure(let message):
                failures += 1
                successes = 0
                await events.record(pod, type: "Warning", reason: "Unhealthy", message: "\(kind.rawValue) probe failed: \(message)")
                if failures >= failureThreshold {
                    if kind == .readiness {
                        await setReady(false, key: key, uid: uid, name: container.name, id: id)
                    } else {
                        await events.record(pod, reason: "Killing",
                                            message: "Container \(container.name) failed \(kind.rawValue.lowercased()) probe, will be restarted")
                        let grace = probe.terminationGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
                        _ = try? await runtime.stop(id, gracePeriod: .seconds(max(0, grace)))
                        return false
                    }
                }
            }
            try? await Task.sleep(for: period)
        }
        return false
    }

    nonisolated func execute(_ probe: Probe, container: Container, id: String, address: String, timeout: Duration) async -> ProbeResult {
        if let http = probe.httpGet {
            guard let port = Prober.port(http.port, container: container) else { return .failure("unknown port \(http.port)") }
            if (http.scheme ?? "HTTP").uppercased() == "HTTPS" {
                return await Prober.tcpSocket(host: http.host ?? address, port: port, timeout: timeout)
            }
            return await Prober.httpGet(host: http.host ?? address, port: port, path: http.path ?? "/", headers: http.httpHeaders ?? [], timeout: timeout)
        }
        if let tcp = probe.tcpSocket {
            guard let port = Prober.port(tcp.port, container: container) else { return .failure("unknown port \(tcp.port)") }
            return await Prober.tcpSocket(host: tcp.host ?? address, port: port, timeout: timeout)
        }
        if let exec = probe.exec {
            return await execProbe(id: id, command: exec.command ?? [], timeout: timeout)
        }
        return .failure("probe has no handler (exec, httpGet or tcpSocket)")
    }

    func isCurrent(key: String, uid: String, name: String, id: String) -> Bool {
        guard let state = states[key], state.uid == uid, let record = state.containers[name] else { return false }
        return record.runtimeID == id && record.isRunning
    }

    func markStarted(key: String, uid: String, name: String, id: String, ready: Bool) {
        guard isCurrent(key: key, uid: uid, name: name, id: id), let state = states[key], var record = state.containers[name] else { return }
        record.started = true
        if ready { record.ready = true }
        state.containers[name] = record
        enqueue(key)
    }

    func setReady(_ ready: Bool, key: String, uid: String, name: String, id: String) {
        guard isCurrent(key: key, uid: uid, name: name, id: id), let state = states[key], var record = state.containers[name],
              record.ready != ready else { return }
        record.ready = ready
        state.containers[name] = record
        enqueue(key)
    }
}
