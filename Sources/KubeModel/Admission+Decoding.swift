/// Type checks: what Kubernetes' decoder rejects with 400 before admission runs.
extension Admission {
    /// The typed struct each kind decodes into.
    static let decoders: [String: @Sendable (JSONValue) throws -> Void] = [
        "Namespace": { _ = try $0.decode(Namespace.self) },
        "Node": { _ = try $0.decode(Node.self) },
        "Pod": { _ = try $0.decode(Pod.self) },
        "Service": { _ = try $0.decode(Service.self) },
        "Endpoints": { _ = try $0.decode(Endpoints.self) },
        "PersistentVolume": { _ = try $0.decode(PersistentVolume.self) },
        "PersistentVolumeClaim": { _ = try $0.decode(PersistentVolumeClaim.self) },
        "Event": { _ = try $0.decode(Event.self) },
        "ConfigMap": { _ = try $0.decode(ConfigMap.self) },
        "Secret": { _ = try $0.decode(Secret.self) },
        "StatefulSet": { _ = try $0.decode(StatefulSet.self) },
        "ControllerRevision": { _ = try $0.decode(ControllerRevision.self) },
        "StorageClass": { _ = try $0.decode(StorageClass.self) },
        "EndpointSlice": { _ = try $0.decode(EndpointSlice.self) },
        "Lease": { _ = try $0.decode(Lease.self) },
        "Scale": { _ = try $0.decode(Scale.self) },
        "Binding": { _ = try $0.decode(Binding.self) },
    ]

    /// The message of a 400 when a field has the wrong JSON type, as Kubernetes' decoder words
    /// it (`StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot
    /// unmarshal string into Go struct field .spec.replicas of type int32`); nil when it decodes.
    public static func decodingError(_ object: JSONValue, kind: String, version: String = "v1") -> String? {
        guard let decode = decoders[kind] else { return nil }
        do {
            try decode(object)
            return nil
        } catch let error as DecodingError {
            let prefix = "\(kind) in version \"\(version)\" cannot be handled as a \(kind): "
            switch error {
            case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
                let path = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
                let found = jsonType(at: context.codingPath, in: object)
                return prefix + "json: cannot unmarshal \(found) into Go struct field \(path) of type \(goType(type))"
            case .dataCorrupted(let context):
                let path = context.codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
                return prefix + "\(path): \(context.debugDescription)"
            case .keyNotFound(let key, _):
                return prefix + "missing field \(key.stringValue)"
            @unknown default:
                return prefix + String(describing: error)
            }
        } catch {
            return "\(kind) in version \"\(version)\" cannot be handled as a \(kind): \(error)"
        }
    }

    static func jsonType(at path: [any CodingKey], in object: JSONValue) -> String {
        var current: JSONValue? = object
        for key in path {
            if let index = key.intValue, let items = current?.arrayValue, index < items.count {
                current = items[index]
            } else {
                current = current?[key.stringValue]
            }
        }
        switch current {
        case .string?: return "string"
        case .int?, .double?: return "number"
        case .bool?: return "bool"
        case .array?: return "array"
        case .object?: return "object"
        default: return "null"
        }
    }

    static func goType(_ type: Any.Type) -> String {
        switch type {
        case is Int32.Type: return "int32"
        case is Int64.Type: return "int64"
        case is String.Type: return "string"
        case is Bool.Type: return "bool"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "[]" }
            if name.hasPrefix("Dictionary") { return "map[string]" }
            return name
        }
    }
}
