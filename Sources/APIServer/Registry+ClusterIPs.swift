import Foundation
import KubeClient
import KubeModel
import NIOConcurrencyHelpers

/// Service ClusterIPs from the service CIDR (10.96.0.0/12), as kube-apiserver allocates them:
/// a requested IP must be in the range and free; otherwise a free one is picked at random from
/// the upper part of the range (the lowest /24 is kept for IPs asked for by name, like
/// `kubernetes` at 10.96.0.1 and `kube-dns` at 10.96.0.10). Headless (`None`) and ExternalName
/// Services get none. An IP is free again once its Service is gone.
struct ClusterIPAllocator: Sendable {
    /// 10.96.0.0
    let base: UInt32
    let prefixLength: Int
    /// Addresses below `base + staticBand` are only given on request.
    let staticBand: UInt32 = 256
    let lock = NIOLock()

    init(cidr: String = "10.96.0.0/12") {
        let parts = cidr.split(separator: "/")
        base = Self.parse(String(parts[0])) ?? 0x0A60_0000
        prefixLength = parts.count > 1 ? Int(parts[1]) ?? 12 : 12
    }

    var size: UInt32 { UInt32(1) << UInt32(32 - prefixLength) }
    var cidr: String { "\(Self.format(base))/\(prefixLength)" }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func format(_ ip: UInt32) -> String {
        "\(ip >> 24).\(ip >> 16 & 0xFF).\(ip >> 8 & 0xFF).\(ip & 0xFF)"
    }

    /// Sets `spec.clusterIP` and `spec.clusterIPs` of a Service about to be created, given the
    /// IPs other Services hold. Throws 422 Invalid for an IP outside the range or taken.
    func allocate(_ service: inout JSONValue, used: Set<UInt32>) throws {
        guard var spec = service["spec"]?.objectValue else { return }
        if spec["type"]?.stringValue == "ExternalName" { return }
        let name = service[path: ["metadata", "name"]]?.stringValue ?? ""
        let requested = spec["clusterIP"]?.stringValue ?? spec["clusterIPs"]?.arrayValue?.first?.stringValue ?? ""
        if requested == "None" {
            spec["clusterIPs"] = ["None"]
            service["spec"] = .object(spec)
            return
        }
        let ip: UInt32
        if !requested.isEmpty {
            guard let value = Self.parse(requested) else { return }  // validation already named it
            guard value > base, value < base + size - 1 else {
                throw invalid(name, requested, "failed to allocate IP \(requested): the provided IP (\(requested)) is not in the valid range. The range of valid IPs is \(cidr)")
            }
            guard !used.contains(value) else {
                throw invalid(name, requested, "failed to allocate IP \(requested): provided IP is already allocated")
            }
            ip = value
        } else {
            let low = base + staticBand
            let high = base + size - 2
            let free = UInt64(high - low + 1) - UInt64(used.filter { $0 >= low && $0 <= high }.count)
            guard free > 0 else {
                throw KubeAPIError(code: 500, reason: "InternalError", message: "Internal error occurred: failed to allocate a serviceIP: range is full")
            }
            var candidate = UInt32.random(in: low...high)
            while used.contains(candidate) { candidate = candidate == high ? low : candidate + 1 }
            ip = candidate
        }
        spec["clusterIP"] = .string(Self.format(ip))
        spec["clusterIPs"] = [.string(Self.format(ip))]
        service["spec"] = .object(spec)
    }

    func invalid(_ name: String, _ ip: String, _ message: String) -> KubeAPIError {
        KubeAPIError.invalid(kind: "Service", group: "", name: name, causes: [
            StatusCause(reason: "FieldValueInvalid", message: "Invalid value: []string{\"\(ip)\"}: \(message)", field: "spec.clusterIPs"),
        ])
    }
}

extension Registry {
    /// The ClusterIPs every Service holds now.
    func usedClusterIPs() -> Set<UInt32> {
        var used: Set<UInt32> = []
        for stored in store.list(resource: "services", namespace: nil).objects {
            for ip in stored.object[path: ["spec", "clusterIPs"]]?.arrayValue ?? [] {
                if let value = ip.stringValue.flatMap(ClusterIPAllocator.parse) { used.insert(value) }
            }
        }
        return used
    }

    /// The Services every cluster has: `default/kubernetes` (10.96.0.1, the API) and
    /// `kube-system/kube-dns` (10.96.0.10, the cluster DNS).
    func bootstrapServices() throws {
        let services: [(namespace: String, name: String, body: JSONValue)] = [
            ("default", "kubernetes", [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": "kubernetes", "namespace": "default",
                             "labels": ["component": "apiserver", "provider": "kubernetes"]],
                "spec": ["clusterIP": "10.96.0.1", "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]]],
            ]),
            ("kube-system", "kube-dns", [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": "kube-dns", "namespace": "kube-system",
                             "labels": ["k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "KubeDNS"]],
                "spec": [
                    "clusterIP": "10.96.0.10", "selector": ["k8s-app": "kube-dns"],
                    "ports": [
                        ["name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53],
                        ["name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53],
                    ],
                ],
            ]),
        ]
        let resource = try Service.resource
        for service in services where store.get(key(resource, service.namespace, service.name)) == nil {
            _ = try create(resource, namespace: service.namespace, service.body)
        }
    }
}
