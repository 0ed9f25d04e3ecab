import Foundation
import ImageStore
import KubeClient
import KubeModel

/// Why a container could not be created; it waits with this reason (`ErrImageNeverPull`,
/// `CreateContainerConfigError`, `CreateContainerError`) and message.
struct ContainerStartFailure: Error {
    var reason: String
    var message: String
}

extension Kubelet {
    /// Creates and starts the current instance of a container and watches for its exit.
    func startContainer(_ container: Container, pod: Pod, state: PodRuntimeState) async {
        var record = state.record(container.name)
        if let old = record.runtimeID {
            try? await runtime.remove(old)
            record.runtimeID = nil
        }
        let id = "\(state.uid)-\(container.name)-\(record.restartCount)"
        do {
            let (spec, image) = try await containerSpec(container, pod: pod, state: state, id: id, restartCount: record.restartCount)
            record.image = image.reference
            record.imageID = Self.imageID(image)
            if !record.announcedImage {
                record.announcedImage = true
                await events.record(pod, reason: "Pulled", message: "Container image \"\(container.image ?? "")\" already present on machine")
            }
            do {
                try await runtime.create(spec)
            } catch {
                throw ContainerStartFailure(reason: "CreateContainerError", message: error.description)
            }
            record.runtimeID = id
            await events.record(pod, reason: "Created", message: "Created container \(container.name)")
            do {
                try await runtime.start(id)
            } catch {
                // The process never ran (execve failed…): a terminated instance, restarted by policy.
                let now = self.now()
                record.state = .terminated(ContainerStateTerminated(
                    exitCode: 128, reason: "StartError", message: error.description, startedAt: now, finishedAt: now,
                    containerID: Self.containerIDPrefix + id))
                state.containers[container.name] = record
                await events.record(pod, type: "Warning", reason: "Failed", message: "Error: \(error.description)")
                enqueue(pod.key)
                return
            }
            // The time the container's record holds too, so a kubelet that adopts it reports the same.
            record.state = .running(startedAt: spec.annotations[Self.startedAtAnnotation] ?? now())
            record.started = container.startupProbe == nil
            record.ready = container.readinessProbe == nil && container.startupProbe == nil
            state.containers[container.name] = record
            await events.record(pod, reason: "Started", message: "Started container \(container.name)")
            let key = pod.key
            let uid = state.uid
            let name = container.name
            Task { [runtime] in
                let status = try? await runtime.wait(id)
                await self.containerExited(key: key, uid: uid, name: name, id: id, status: status)
            }
            startProbes(container, pod: pod, state: state)
        } catch let failure as ContainerStartFailure {
            record.state = .waiting(reason: failure.reason, message: failure.message)
            // Retry: the image may be loaded, the ConfigMap created.
            record.backoffUntil = Date().addingTimeInterval(TimeInterval((record.backoff ?? .seconds(10)).components.seconds))
            state.containers[container.name] = record
            await events.record(pod, type: "Warning", reason: failure.reason == "ErrImageNeverPull" ? "ErrImageNeverPull" : "Failed",
                                message: failure.reason == "ErrImageNeverPull" ? failure.message : "Error: \(failure.message)")
            enqueue(pod.key, after: record.backoff ?? .seconds(10))
        } catch {
            record.state = .waiting(reason: "CreateContainerError", message: "\(error)")
            state.containers[container.name] = record
            enqueue(pod.key, after: .seconds(10))
        }
    }

    /// Starts the probe loops of a running container instance (once per instance).
    func startProbes(_ container: Container, pod: Pod, state: PodRuntimeState) {
        guard var record = state.containers[container.name], record.isRunning, !record.probing, let id = record.runtimeID,
              container.startupProbe != nil || container.livenessProbe != nil || container.readinessProbe != nil else { return }
        record.probing = true
        state.containers[container.name] = record
        let address = state.network?.ip.description ?? hostIP
        let uid = state.uid
        Task { await self.probe(container, pod: pod, uid: uid, id: id, address: address) }
    }

    /// Records how a container instance ended and syncs its pod.
    func containerExited(key: String, uid: String, name: String, id: String, status: ContainerExitStatus?) {
        guard let state = states[key], state.uid == uid, var record = state.containers[name], record.runtimeID == id,
              case .running(let startedAt) = record.state else { return }
        let status = status ?? ContainerExitStatus(exitCode: 255)
        record.state = .terminated(ContainerStateTerminated(
            exitCode: status.exitCode, signal: status.signal, reason: status.reason, startedAt: startedAt,
            finishedAt: now(), containerID: Self.containerIDPrefix + id))
        record.ready = false
        state.containers[name] = record
        enqueue(key)
    }

    /// `name@sha256:…`, as containerd reports `imageID`.
    static func imageID(_ image: Image) -> String {
        let name = (try? ImageReference(parsing: image.reference)).map { "\($0.domain)/\($0.path)" } ?? image.reference
        return "\(name)@\(image.digest)"
    }

    /// The runtime's spec for a container of a pod: image, argv, environment, user, mounts,
    /// network, security and limits.
    func containerSpec(_ container: Container, pod: Pod, state: PodRuntimeState, id: String, restartCount: Int32) async throws
        -> (ContainerSpec, Image) {
        guard let reference = container.image, !reference.isEmpty else {
            throw ContainerStartFailure(reason: "CreateContainerConfigError", message: "container \(container.name) has no image")
        }
        let image: Image
        do {
            image = try images.resolve(reference)
        } catch {
            throw ContainerStartFailure(reason: "ErrImageNeverPull",
                                        message: "Container image \"\(reference)\" is not present with pull policy of Never")
        }
        let namespace = pod.metadata.namespace ?? "default"
        let references = ContainerEnvironment.references(of: container)
        var sources = ContainerEnvironment.Sources(podIP: state.network?.ip.description, hostIP: hostIP)
        for name in references.configMaps {
            sources.configMaps[name] = try await client.getIfExists(ConfigMap.self, namespace: namespace, name: name)
        }
        for name in references.secrets {
            sources.secrets[name] = try await client.getIfExists(Secret.self, namespace: namespace, name: name)
        }
        let containerEnv: [String]
        do {
            containerEnv = try ContainerEnvironment.resolve(pod: pod, container: container, sources: sources)
        } catch {
            throw ContainerStartFailure(reason: "CreateContainerConfigError", message: error.message)
        }
        var variables: [String: String] = [:]
        for entry in containerEnv {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            variables[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let expand = { (value: String) in ContainerEnvironment.expand(value) { variables[$0] } }
        let hostname = PodFiles.hostname(of: pod)
        let args = ContainerSpec.processArgs(entrypoint: image.config.entrypoint, cmd: image.config.cmd,
                                             command: (container.command ?? []).map(expand), args: (container.args ?? []).map(expand))
        guard !args.isEmpty else {
            throw ContainerStartFailure(reason: "CreateContainerError", message: "no command specified")
        }
        let env = ContainerSpec.environment(image: image.config.env, container: containerEnv, hostname: hostname)
        let security = container.securityContext
        let podSecurity = pod.spec?.securityContext
        var user: ContainerSpec.User
        if let uid = security?.runAsUser ?? podSecurity?.runAsUser {
            let gid = security?.runAsGroup ?? podSecurity?.runAsGroup ?? 0
            user = ContainerSpec.User(uid: UInt32(clamping: uid), gid: UInt32(clamping: gid))
        } else {
            do {
                user = try ContainerSpec.User.resolve(image.config.user, roots: image.layerPaths)
            } catch {
                throw ContainerStartFailure(reason: "CreateContainerConfigError", message: error.description)
            }
            if let gid = security?.runAsGroup ?? podSecurity?.runAsGroup { user.gid = UInt32(clamping: gid) }
        }
        if (security?.runAsNonRoot ?? podSecurity?.runAsNonRoot) == true, user.uid == 0 {
            throw ContainerStartFailure(reason: "CreateContainerConfigError", message: "container has runAsNonRoot and image will run as root (pod: \"\(pod.name)_\(namespace)(\(state.uid))\", container: \(container.name))")
        }
        for gid in (podSecurity?.supplementalGroups ?? []) + [podSecurity?.fsGroup].compactMap({ $0 }) {
            let value = UInt32(clamping: gid)
            if value != user.gid, !user.additionalGids.contains(value) { user.additionalGids.append(value) }
        }

        var mounts: [ContainerSpec.Mount]
        do {
            mounts = try PodVolumes.mounts(for: container, volumes: state.volumes ?? [:])
        } catch let error as VolumeError {
            throw ContainerStartFailure(reason: "CreateContainerConfigError", message: error.description)
        }
        let directory = podDirectory(uid: state.uid)
        for (file, target) in [("etc-hosts", "/etc/hosts"), ("etc-hostname", "/etc/hostname"), ("resolv.conf", "/etc/resolv.conf")]
        where !mounts.contains(where: { $0.destination == target }) {
            mounts.append(ContainerSpec.Mount(source: directory + "/" + file, destination: target))
        }

        var spec = ContainerSpec(
            id: id, rootfs: .overlay(layers: image.layerPaths),
            process: .init(args: args, env: env, cwd: ContainerSpec.workingDirectory(image: image.config.workingDir, container: container.workingDir), user: user),
            hostname: hostname)
        if let network = state.network {
            spec.network = .join(path: network.netnsPath)
        } else {
            spec.network = .host
        }
        spec.mounts = mounts
        spec.security.capabilities = Capability.effectiveSet(add: security?.capabilities?.add ?? [], drop: security?.capabilities?.drop ?? [])
        if security?.allowPrivilegeEscalation == true { spec.security.noNewPrivileges = false }
        spec.security.readOnlyRootFilesystem = security?.readOnlyRootFilesystem ?? false
        let seccomp = security?.seccompProfile?.type ?? podSecurity?.seccompProfile?.type
        if seccomp == "Unconfined" { spec.security.seccomp = .unconfined }
        if security?.privileged == true {
            spec.security.capabilities = Set(Capability.allCases)
            spec.security.noNewPrivileges = false
            spec.security.seccomp = .unconfined
            spec.maskedPaths = []
            spec.readonlyPaths = []
        }
        let limits = container.resources?.limits ?? [:]
        let requests = container.resources?.requests ?? [:]
        if limits["memory"] != nil || limits["cpu"] != nil || requests["cpu"] != nil {
            spec.resources = ResourceLimits(memoryBytes: limits["memory"].map(\.value), cpuLimitMillis: limits["cpu"].map(\.milliValue),
                                            cpuRequestMillis: requests["cpu"].map(\.milliValue))
        }
        let logDirectory = try logLayout.createContainerDirectory(namespace: namespace, pod: pod.name, uid: state.uid, container: container.name)
        spec.annotations = [
            Self.podAnnotation: pod.key, Self.uidAnnotation: state.uid, Self.containerAnnotation: container.name,
            Self.restartCountAnnotation: String(restartCount), Self.imageAnnotation: image.reference,
            Self.imageIDAnnotation: Self.imageID(image), Self.startedAtAnnotation: now(), Self.podStartTimeAnnotation: state.startTime,
        ]
        if let last = state.record(container.name).lastTerminated, let json = try? JSONEncoder().encode(last) {
            spec.annotations[Self.lastStateAnnotation] = String(decoding: json, as: UTF8.self)
        }
        spec.logPath = logLayout.logPath(namespace: namespace, pod: pod.name, uid: state.uid, container: container.name, restartCount: Int(restartCount))
        // Only the current and the previous instance's logs are kept.
        if restartCount >= 2 {
            for index in 0..<LogWriter.Rotation.default.maxFiles {
                try? FileManager.default.removeItem(atPath: ContainerLogLayout.rotatedPath("\(logDirectory)/\(restartCount - 2).log", index))
            }
        }
        return (spec, image)
    }
}
