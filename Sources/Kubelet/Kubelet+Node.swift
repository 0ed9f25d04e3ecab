import Foundation
import Glibc
import KubeClient
import KubeModel

extension Kubelet {
    /// The version the node reports as `kubeletVersion`.
    public static let version = "v1.33.0"

    /// Creates the Node (or takes over the one of an earlier run) and writes its status.
    func registerNode() async throws {
        let name = configuration.nodeName
        let cidr = configuration.network.podCIDR.description
        if try await client.getIfExists(Node.self, name: name) == nil {
            let node: JSONValue = [
                "apiVersion": "v1", "kind": "Node",
                "metadata": ["name": .string(name), "labels": .object(nodeLabels.mapValues { .string($0) })],
                "spec": ["podCIDR": .string(cidr), "podCIDRs": [.string(cidr)]],
            ]
            do {
                _ = try await client.create(Node.resource, namespace: nil, node)
            } catch let error as KubeAPIError where error.isAlreadyExists {}
        } else {
            _ = try await client.mergePatch(Node.self, name: name, [
                "metadata": ["labels": .object(nodeLabels.mapValues { .string($0) })],
                "spec": ["podCIDR": .string(cidr), "podCIDRs": [.string(cidr)]],
            ])
        }
        try await updateNodeStatus()
        try await renewLease()
    }

    var nodeLabels: [String: String] {
        [
            "kubernetes.io/hostname": configuration.nodeName, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": NodeAddresses.architecture, "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": NodeAddresses.architecture, "node-role.kubernetes.io/control-plane": "",
        ]
    }

    /// Writes the node's status every `nodeStatusUpdateFrequency` and renews its Lease, until
    /// cancelled. A failed write is retried at the next beat.
    func heartbeat() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.nodeStatusUpdateFrequency)
            if Task.isCancelled { return }
            do {
                try await renewLease()
                try await updateNodeStatus()
            } catch {
                logger.warning("node heartbeat: \(error)")
            }
        }
    }

    func updateNodeStatus() async throws {
        let now = self.now()
        let previous = try await client.getIfExists(Node.self, name: configuration.nodeName)?.status?.conditions ?? []
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            let since = previous.first { $0.type == type && $0.status == status }?.lastTransitionTime ?? now
            return [
                "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(since),
            ]
        }
        let memory = NodeAddresses.memoryKibibytes()
        let resources: JSONValue = [
            "cpu": .string(String(NodeAddresses.cpuCount())), "memory": .string("\(memory)Ki"),
            "pods": .string(String(configuration.maxPods)), "ephemeral-storage": .string("\(NodeAddresses.diskKibibytes(configuration.dataDirectory))Ki"),
        ]
        let info = NodeAddresses.systemInfo
        let status: JSONValue = [
            "capacity": resources, "allocatable": resources,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                ["type": "InternalIP", "address": .string(hostIP)],
                ["type": "Hostname", "address": .string(configuration.nodeName)],
            ],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
            "nodeInfo": [
                "machineID": .string(info.machineID), "systemUUID": .string(info.machineID), "bootID": .string(info.bootID),
                "kernelVersion": .string(info.kernel), "osImage": .string(info.osImage),
                "containerRuntimeVersion": "minikube-swift://0.1.0", "kubeletVersion": .string(Self.version),
                "kubeProxyVersion": .string(Self.version), "operatingSystem": "linux", "architecture": .string(NodeAddresses.architecture),
            ],
            "images": .array(((try? images.list()) ?? []).map { image in
                ["names": [.string(image.reference)], "sizeBytes": .int(image.size)]
            }),
        ]
        _ = try await client.mergePatch(Node.self, name: configuration.nodeName, ["status": status], subresource: "status")
    }

    /// Creates or renews `kube-node-lease/<node>`.
    func renewLease() async throws {
        let name = configuration.nodeName
        let renewTime = RFC3339.microString(from: Date())
        if try await client.getIfExists(Lease.self, namespace: "kube-node-lease", name: name) == nil {
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(name), "namespace": "kube-node-lease"],
                "spec": [
                    "holderIdentity": .string(name), "leaseDurationSeconds": .int(Int64(configuration.nodeLeaseDurationSeconds)),
                    "renewTime": .string(renewTime),
                ],
            ]
            do {
                _ = try await client.create(Lease.resource, namespace: "kube-node-lease", lease)
                return
            } catch let error as KubeAPIError where error.isAlreadyExists {}
        }
        _ = try await client.mergePatch(Lease.self, namespace: "kube-node-lease", name: name, [
            "spec": ["holderIdentity": .string(name), "renewTime": .string(renewTime),
                     "leaseDurationSeconds": .int(Int64(configuration.nodeLeaseDurationSeconds))],
        ])
    }
}

/// Facts about the machine the node reports.
enum NodeAddresses {
    static var architecture: String {
        #if arch(x86_64)
        "amd64"
        #elseif arch(arm64)
        "arm64"
        #else
        "unknown"
        #endif
    }

    /// The first IPv4 address of an interface that is up, not loopback and not one of the
    /// pod network's (bridge `cni0`, veths).
    static func primaryIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            let flags = Int32(entry.pointee.ifa_flags)
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == UInt16(AF_INET),
                  flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0 else { continue }
            let name = String(cString: entry.pointee.ifa_name)
            if name == "cni0" || name.hasPrefix("veth") || name.hasPrefix("mks") { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            return String(cString: host)
        }
        return nil
    }

    static func cpuCount() -> Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    static func memoryKibibytes() -> Int64 {
        let pages = Int64(sysconf(Int32(_SC_PHYS_PAGES)))
        let size = Int64(sysconf(Int32(_SC_PAGESIZE)))
        return pages * size / 1024
    }

    static func diskKibibytes(_ path: String) -> Int64 {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { return 0 }
        return Int64(st.f_blocks) * Int64(st.f_frsize) / 1024
    }

    struct SystemInfo: Sendable {
        var machineID: String
        var bootID: String
        var kernel: String
        var osImage: String
    }

    /// Read once: none of it changes while the node runs.
    static let systemInfo: SystemInfo = {
        func read(_ path: String) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        var osImage = "Linux"
        for line in read("/etc/os-release").split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            osImage = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return SystemInfo(machineID: read("/etc/machine-id"), bootID: read("/proc/sys/kernel/random/boot_id"), kernel: kernel, osImage: osImage)
    }()
}
