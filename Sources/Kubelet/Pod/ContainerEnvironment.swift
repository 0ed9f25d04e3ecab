import Foundation
import KubeModel

/// A container's environment as the kubelet builds it: `envFrom` sources, then `env` in order
/// (literal values with `$(VAR)` references expanded, the downward API's `fieldRef` and
/// `resourceFieldRef`, ConfigMap and Secret keys).
public struct ContainerEnvironment: Sendable {
    /// What the pod's environment may reference, fetched beforehand.
    public struct Sources: Sendable {
        public var configMaps: [String: ConfigMap] = [:]
        public var secrets: [String: Secret] = [:]
        public var podIP: String?
        public var hostIP: String?

        public init(configMaps: [String: ConfigMap] = [:], secrets: [String: Secret] = [:], podIP: String? = nil, hostIP: String? = nil) {
            self.configMaps = configMaps
            self.secrets = secrets
            self.podIP = podIP
            self.hostIP = hostIP
        }
    }

    /// A reason the environment cannot be built; the container waits with
    /// `CreateContainerConfigError` and this message.
    public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The ConfigMaps and Secrets a container's environment names (to fetch before `resolve`).
    public static func references(of container: Container) -> (configMaps: Set<String>, secrets: Set<String>) {
        var configMaps: Set<String> = []
        var secrets: Set<String> = []
        for source in container.envFrom ?? [] {
            if let name = source.configMapRef?.name { configMaps.insert(name) }
            if let name = source.secretRef?.name { secrets.insert(name) }
        }
        for variable in container.env ?? [] {
            if let name = variable.valueFrom?.configMapKeyRef?.name { configMaps.insert(name) }
            if let name = variable.valueFrom?.secretKeyRef?.name { secrets.insert(name) }
        }
        return (configMaps, secrets)
    }

    /// `NAME=value` entries, in Kubernetes' order (envFrom first, env overriding by name).
    public static func resolve(pod: Pod, container: Container, sources: Sources) throws(ConfigError) -> [String] {
        var names: [String] = []
        var values: [String: String] = [:]
        func set(_ name: String, _ value: String) {
            if values[name] == nil { names.append(name) }
            values[name] = value
        }
        let namespace = pod.metadata.namespace ?? "default"
        for source in container.envFrom ?? [] {
            let prefix = source.prefix ?? ""
            if let ref = source.configMapRef {
                let name = ref.name ?? ""
                guard let configMap = sources.configMaps[name] else {
                    if ref.optional == true { continue }
                    throw ConfigError(message: "configmap \"\(name)\" not found")
                }
                for (key, value) in (configMap.data ?? [:]).sorted(by: { $0.key < $1.key }) { set(prefix + key, value) }
            }
            if let ref = source.secretRef {
                let name = ref.name ?? ""
                guard let secret = sources.secrets[name] else {
                    if ref.optional == true { continue }
                    throw ConfigError(message: "secret \"\(name)\" not found")
                }
                for (key, value) in secretData(secret).sorted(by: { $0.key < $1.key }) {
                    set(prefix + key, String(decoding: value, as: UTF8.self))
                }
            }
        }
        for variable in container.env ?? [] {
            if let value = variable.value {
                set(variable.name, expand(value) { values[$0] })
                continue
            }
            guard let from = variable.valueFrom else {
                set(variable.name, "")
                continue
            }
            if let field = from.fieldRef {
                set(variable.name, try fieldValue(field.fieldPath, pod: pod, sources: sources))
            } else if let field = from.resourceFieldRef {
                set(variable.name, try resourceValue(field, pod: pod, container: container))
            } else if let ref = from.configMapKeyRef {
                let name = ref.name ?? ""
                guard let configMap = sources.configMaps[name] else {
                    if ref.optional == true { continue }
                    throw ConfigError(message: "configmap \"\(name)\" not found")
                }
                guard let value = configMap.data?[ref.key] else {
                    if ref.optional == true { continue }
                    throw ConfigError(message: "couldn't find key \(ref.key) in ConfigMap \(namespace)/\(name)")
                }
                set(variable.name, value)
            } else if let ref = from.secretKeyRef {
                let name = ref.name ?? ""
                guard let secret = sources.secrets[name] else {
                    if ref.optional == true { continue }
                    throw ConfigError(message: "secret \"\(name)\" not found")
                }
                guard let value = secretData(secret)[ref.key] else {
                    if ref.optional == true { continue }
                    throw ConfigError(message: "couldn't find key \(ref.key) in Secret \(namespace)/\(name)")
                }
                set(variable.name, String(decoding: value, as: UTF8.self))
            }
        }
        return names.compactMap { name in values[name].map { "\(name)=\($0)" } }
    }

    /// Expands `$(VAR)` with `lookup`; `$$(VAR)` stays `$(VAR)`; unknown references stay as
    /// written (Kubernetes' `expansion.Expand`).
    public static func expand(_ input: String, lookup: (String) -> String?) -> String {
        var output = ""
        var index = input.startIndex
        while index < input.endIndex {
            let character = input[index]
            let next = input.index(after: index)
            guard character == "$", next < input.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if input[next] == "$" {
                output.append("$")
                index = input.index(after: next)
            } else if input[next] == "(", let close = input[next...].firstIndex(of: ")") {
                let name = String(input[input.index(after: next)..<close])
                output += lookup(name) ?? "$(\(name))"
                index = input.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }

    /// Decoded `data` (base64) merged over `stringData`.
    public static func secretData(_ secret: Secret) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for (key, value) in secret.stringData ?? [:] { result[key] = Array(value.utf8) }
        for (key, value) in secret.data ?? [:] {
            if let data = Data(base64Encoded: value) { result[key] = Array(data) }
        }
        return result
    }

    static func fieldValue(_ path: String, pod: Pod, sources: Sources) throws(ConfigError) -> String {
        switch path {
        case "metadata.name": return pod.name
        case "metadata.namespace": return pod.metadata.namespace ?? "default"
        case "metadata.uid": return pod.metadata.uid ?? ""
        case "spec.nodeName": return pod.spec?.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? ""
        case "status.hostIP", "status.hostIPs": return sources.hostIP ?? ""
        case "status.podIP", "status.podIPs": return sources.podIP ?? ""
        default:
            for (prefix, map) in [("metadata.labels", pod.metadata.labels), ("metadata.annotations", pod.metadata.annotations)] {
                guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { continue }
                let key = String(path.dropFirst(prefix.count + 2).dropLast(2))
                return map?[key] ?? ""
            }
            throw ConfigError(message: "unsupported fieldPath: \(path)")
        }
    }

    static func resourceValue(_ field: ResourceFieldSelector, pod: Pod, container: Container) throws(ConfigError) -> String {
        let parts = field.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "limits" || parts[0] == "requests" else {
            throw ConfigError(message: "unsupported container resource: \(field.resource)")
        }
        let target = field.containerName.flatMap { name in pod.spec?.containers.first { $0.name == name } } ?? container
        let resources = parts[0] == "limits" ? target.resources?.limits : target.resources?.requests
        guard let quantity = resources?[parts[1]] else { return "0" }
        let divisor = field.divisor.map(\.nanos) ?? 1_000_000_000
        guard divisor > 0 else { return "0" }
        let value = (quantity.nanos + divisor - 1) / divisor
        return String(Int64(clamping: value))
    }
}
