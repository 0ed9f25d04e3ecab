import Foundation
import KubeClient
import KubeModel

extension Kubelet {
    /// `<dataDir>/pods/<uid>`: the pod's /etc files and volumes.
    nonisolated func podDirectory(uid: String) -> String { configuration.dataDirectory + "/pods/" + uid }

    /// Container logs: `<dataDir>/logs/<namespace>_<name>_<uid>/<container>/<restartCount>.log`,
    /// kept until the pod goes.
    nonisolated var logLayout: ContainerLogLayout { ContainerLogLayout(root: configuration.dataDirectory + "/logs") }

    /// One level-triggered step for one pod: stop what should not run, start what should,
    /// report the status.
    func sync(_ key: String) async throws {
        guard let pod = pods[key] else {
            // Deleted from the API (forced, or not bound here any more): stop it right away.
            if states[key] != nil { await killPod(key, gracePeriod: .seconds(2), reason: "Killing") }
            return
        }
        if let state = states[key], state.uid != pod.metadata.uid {
            // A new pod of the same name (a StatefulSet's web-0 recreated): the old one goes first.
            await killPod(key, gracePeriod: .seconds(2), reason: "Killing")
        }
        if pod.metadata.deletionTimestamp != nil {
            try await terminate(pod)
            return
        }
        guard !stopping, let uid = pod.metadata.uid else { return }
        if pod.isSucceeded || pod.isFailed, states[key] == nil { return }
        let state = states[key] ?? {
            let created = PodRuntimeState(uid: uid, startTime: now())
            states[key] = created
            return created
        }()
        if !state.finished {
            try await syncPod(pod, state)
        }
        try await reportStatus(pod, state)
    }

    func syncPod(_ pod: Pod, _ state: PodRuntimeState) async throws {
        guard let uid = pod.metadata.uid else { return }
        if state.network == nil, pod.spec?.hostNetwork != true {
            do {
                state.network = try await network.setUp(pod: PodIdentity(namespace: pod.metadata.namespace ?? "default", name: pod.name, uid: uid))
            } catch {
                await events.record(pod, type: "Warning", reason: "FailedCreatePodSandBox", message: "Failed to create pod sandbox: \(error)")
                throw error
            }
        }
        try writePodFiles(pod, state)
        if state.volumes == nil {
            do {
                state.volumes = try await PodVolumes(client: client, podDirectory: podDirectory(uid: uid)).prepare(pod)
            } catch let error as VolumeError {
                await events.record(pod, type: "Warning", reason: "FailedMount", message: error.description)
                try? await reportStatus(pod, state)
                throw error
            }
        }
        let policy = pod.spec?.restartPolicy ?? "Always"
        for container in pod.spec?.initContainers ?? [] {
            let record = state.record(container.name)
            if record.terminated?.exitCode == 0 { continue }
            if record.isRunning { return }
            if record.terminated != nil, policy == "Never" {
                state.finished = true
                return
            }
            await runOrRestart(container, pod: pod, state: state, restart: true)
            return
        }
        for container in pod.spec?.containers ?? [] {
            let record = state.record(container.name)
            if record.isRunning {
                startProbes(container, pod: pod, state: state)
                continue
            }
            let restart: Bool
            if let terminated = record.terminated {
                restart = policy == "Always" || (policy == "OnFailure" && terminated.exitCode != 0)
                if !restart { continue }
            } else {
                restart = true
            }
            await runOrRestart(container, pod: pod, state: state, restart: restart)
        }
        let phase = PodStatusBuilder.phase(pod: pod, state: state, initialized: true)
        if (phase == "Succeeded" || phase == "Failed"), (pod.spec?.containers ?? []).allSatisfy({ state.record($0.name).terminated != nil }) {
            state.finished = true
        }
    }

    /// Starts a container that never ran, or restarts one that ended — at once the first
    /// time, then after a back-off of 10 s doubling to 5 min (reset after 10 min of running).
    func runOrRestart(_ container: Container, pod: Pod, state: PodRuntimeState, restart: Bool) async {
        var record = state.record(container.name)
        let now = Date()
        if let terminated = record.terminated {
            // The last instance ended: decide when the next one starts.
            record.lastTerminated = terminated
            var ran: TimeInterval = 0
            if let started = terminated.startedAt.flatMap(RFC3339.date(from:)), let finished = terminated.finishedAt.flatMap(RFC3339.date(from:)) {
                ran = finished.timeIntervalSince(started)
            }
            if record.backoff == nil || ran >= 600 {
                record.backoff = .seconds(10)
                record.backoffUntil = nil
            } else if let backoff = record.backoff {
                record.backoffUntil = now.addingTimeInterval(TimeInterval(backoff.components.seconds))
                record.state = .waiting(reason: "CrashLoopBackOff",
                                        message: "back-off \(Self.duration(backoff)) restarting failed container=\(container.name) pod=\(pod.name)_\(pod.metadata.namespace ?? "default")(\(state.uid))")
                record.backoff = min(backoff * 2, .seconds(300))
                state.containers[container.name] = record
                await events.record(pod, type: "Warning", reason: "BackOff", message: "Back-off restarting failed container \(container.name) in pod \(pod.name)_\(pod.metadata.namespace ?? "default")(\(state.uid))")
                enqueue(pod.key, after: backoff)
                return
            }
        } else if let until = record.backoffUntil, until > now {
            enqueue(pod.key, after: .milliseconds(Int(until.timeIntervalSince(now) * 1000) + 1))
            return
        }
        if record.runtimeID != nil || record.lastTerminated != nil { record.restartCount += 1 }
        record.backoffUntil = nil
        state.containers[container.name] = record
        await startContainer(container, pod: pod, state: state)
    }

    static func duration(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return seconds >= 60 && seconds % 60 == 0 ? "\(seconds / 60)m0s" : seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }

    /// Writes `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf` into the pod directory.
    func writePodFiles(_ pod: Pod, _ state: PodRuntimeState) throws {
        let directory = podDirectory(uid: state.uid)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let hostResolv = (try? String(contentsOfFile: configuration.hostResolvConfPath, encoding: .utf8)) ?? ""
        let files = [
            "etc-hosts": PodFiles.hosts(pod: pod, podIP: state.network?.ip.description, clusterDomain: configuration.clusterDomain),
            "etc-hostname": PodFiles.hostname(of: pod) + "\n",
            "resolv.conf": PodFiles.resolvConf(pod: pod, clusterDNS: configuration.clusterDNS, clusterDomain: configuration.clusterDomain,
                                               hostResolvConf: hostResolv),
        ]
        for (name, text) in files {
            let path = directory + "/" + name
            if (try? String(contentsOfFile: path, encoding: .utf8)) == text { continue }
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }

    /// Writes the pod's status when it changed.
    func reportStatus(_ pod: Pod, _ state: PodRuntimeState) async throws {
        let status = PodStatusBuilder.status(pod: pod, state: state, hostIP: hostIP, now: now())
        if status == state.reported || status == pod.status { return }
        _ = try await client.mergePatch(Pod.self, namespace: pod.metadata.namespace, name: pod.name,
                                        ["status": try JSONValue(encoding: status)], subresource: "status")
        state.reported = status
    }

    // MARK: - Termination

    /// A pod being deleted: stop its containers within the grace period, clean up, then
    /// remove the API object (grace period 0, this pod's UID only).
    func terminate(_ pod: Pod) async throws {
        let key = pod.key
        let grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
        if states[key] != nil {
            await killPod(key, gracePeriod: .seconds(max(0, grace)), reason: "Killing")
        }
        do {
            try await client.delete(Pod.resource, namespace: pod.metadata.namespace, name: pod.name,
                                    options: DeleteOptions(gracePeriodSeconds: 0, preconditions: Preconditions(uid: pod.metadata.uid)))
        } catch let error as KubeAPIError where error.isNotFound || error.isConflict {}
    }

    /// Stops every container of a pod (preStop hooks, SIGTERM, SIGKILL after the grace period),
    /// removes them, its volumes, its network and its files, and forgets it.
    func killPod(_ key: String, gracePeriod: Duration, reason: String) async {
        guard let state = states[key] else { return }
        let pod = pods[key]
        let running = state.containers.compactMap { name, record in record.isRunning ? record.runtimeID.map { (name, $0) } : nil }
        let address = state.network?.ip.description ?? hostIP
        await withTaskGroup(of: Void.self) { group in
            for (name, id) in running {
                let container = (pod?.spec?.containers ?? []).first { $0.name == name }
                if let pod { await events.record(pod, reason: reason, message: "Stopping container \(name)") }
                group.addTask {
                    let remaining = await self.runPreStop(container, pod: pod, id: id, address: address, budget: gracePeriod)
                    _ = try? await self.runtime.stop(id, gracePeriod: remaining)
                }
            }
        }
        for record in state.containers.values {
            if let id = record.runtimeID { try? await runtime.remove(id) }
        }
        if states[key] === state { states[key] = nil }
        do { try await network.tearDown(podUID: state.uid) } catch { logger.warning("tear down the network of \(key): \(error)") }
        try? FileManager.default.removeItem(atPath: podDirectory(uid: state.uid))
        if let pod, pod.metadata.uid == state.uid {
            try? logLayout.removePodDirectory(namespace: pod.metadata.namespace ?? "default", pod: pod.name, uid: state.uid)
        }
    }
}
