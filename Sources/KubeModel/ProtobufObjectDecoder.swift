import Foundation

/// Reads the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`: the `k8s\0`
/// magic, then a `runtime.Unknown` envelope around the object) for the kinds kubectl sends that
/// way — `kubectl create configmap|secret|namespace|service` — into the JSON form the server
/// stores. Zero values the Go encoder writes anyway (empty strings, 0, false) are left out, as
/// `omitempty` leaves them out of JSON.
public enum ProtobufObjectDecoder {
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The kinds this decoder knows.
    public static let kinds: Set<String> = ["ConfigMap", "Secret", "Namespace", "Service"]

    public static func decode(_ data: Data) throws(DecodingError) -> JSONValue {
        let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]
        guard data.count >= 4, Array(data.prefix(4)) == magic else { throw DecodingError("not a Kubernetes protobuf message (no k8s magic)") }
        var apiVersion = "", kind = ""
        var raw = Data()
        try Reader.forEachField(in: data.dropFirst(4)) { field, value throws(DecodingError) in
            switch (field, value) {
            case (1, .bytes(let typeMeta)):
                try Reader.forEachField(in: typeMeta) { field, value throws(DecodingError) in
                    if field == 1, case .bytes(let bytes) = value { apiVersion = try string(bytes) }
                    if field == 2, case .bytes(let bytes) = value { kind = try string(bytes) }
                }
            case (2, .bytes(let bytes)): raw = bytes
            default: break
            }
        }
        var object: [String: JSONValue] = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
        switch kind {
        case "ConfigMap":
            try Reader.forEachField(in: raw) { field, value throws(DecodingError) in
                switch (field, value) {
                case (1, .bytes(let bytes)): object["metadata"] = try objectMeta(bytes)
                case (2, .bytes(let bytes)): try addEntry(bytes, to: &object, key: "data", binary: false)
                case (3, .bytes(let bytes)): try addEntry(bytes, to: &object, key: "binaryData", binary: true)
                case (4, .varint(let flag)): object["immutable"] = .bool(flag != 0)
                default: break
                }
            }
        case "Secret":
            try Reader.forEachField(in: raw) { field, value throws(DecodingError) in
                switch (field, value) {
                case (1, .bytes(let bytes)): object["metadata"] = try objectMeta(bytes)
                case (2, .bytes(let bytes)): try addEntry(bytes, to: &object, key: "data", binary: true)
                case (3, .bytes(let bytes)): object["type"] = .string(try string(bytes))
                case (4, .bytes(let bytes)): try addEntry(bytes, to: &object, key: "stringData", binary: false)
                case (5, .varint(let flag)): object["immutable"] = .bool(flag != 0)
                default: break
                }
            }
        case "Namespace":
            try Reader.forEachField(in: raw) { field, value throws(DecodingError) in
                switch (field, value) {
                case (1, .bytes(let bytes)): object["metadata"] = try objectMeta(bytes)
                case (2, .bytes(let spec)):
                    var finalizers: [JSONValue] = []
                    try Reader.forEachField(in: spec) { field, value throws(DecodingError) in
                        if field == 1, case .bytes(let bytes) = value { finalizers.append(.string(try string(bytes))) }
                    }
                    if !finalizers.isEmpty { object["spec"] = .object(["finalizers": .array(finalizers)]) }
                default: break
                }
            }
        case "Service":
            try Reader.forEachField(in: raw) { field, value throws(DecodingError) in
                switch (field, value) {
                case (1, .bytes(let bytes)): object["metadata"] = try objectMeta(bytes)
                case (2, .bytes(let bytes)): object["spec"] = try serviceSpec(bytes)
                default: break
                }
            }
        default:
            throw DecodingError("protobuf bodies of kind \(kind.isEmpty ? "(none)" : kind) are not supported; send JSON or YAML")
        }
        return .object(object)
    }

    /// `metav1.ObjectMeta`: the fields a client sets on create.
    static func objectMeta(_ data: Data) throws(DecodingError) -> JSONValue {
        var meta: [String: JSONValue] = [:]
        let strings: [Int: String] = [1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"]
        var finalizers: [JSONValue] = []
        var owners: [JSONValue] = []
        try Reader.forEachField(in: data) { field, value throws(DecodingError) in
            switch (field, value) {
            case (let field, .bytes(let bytes)) where strings[field] != nil:
                meta[strings[field] ?? ""] = .string(try string(bytes))
            case (11, .bytes(let bytes)): try addEntry(bytes, to: &meta, key: "labels", binary: false)
            case (12, .bytes(let bytes)): try addEntry(bytes, to: &meta, key: "annotations", binary: false)
            case (13, .bytes(let bytes)): owners.append(try ownerReference(bytes))
            case (14, .bytes(let bytes)): finalizers.append(.string(try string(bytes)))
            default: break
            }
        }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        if !owners.isEmpty { meta["ownerReferences"] = .array(owners) }
        return .object(meta)
    }

    /// `core/v1 ServiceSpec`.
    static func serviceSpec(_ data: Data) throws(DecodingError) -> JSONValue {
        var spec: [String: JSONValue] = [:]
        let strings: [Int: String] = [
            3: "clusterIP", 4: "type", 7: "sessionAffinity", 8: "loadBalancerIP", 10: "externalName",
            11: "externalTrafficPolicy", 17: "ipFamilyPolicy", 21: "loadBalancerClass", 22: "internalTrafficPolicy",
            23: "trafficDistribution",
        ]
        let lists: [Int: String] = [5: "externalIPs", 9: "loadBalancerSourceRanges", 18: "clusterIPs", 19: "ipFamilies"]
        var ports: [JSONValue] = []
        try Reader.forEachField(in: data) { field, value throws(DecodingError) in
            switch (field, value) {
            case (1, .bytes(let bytes)): ports.append(try servicePort(bytes))
            case (2, .bytes(let bytes)): try addEntry(bytes, to: &spec, key: "selector", binary: false)
            case (let field, .bytes(let bytes)) where strings[field] != nil:
                let text = try string(bytes)
                if !text.isEmpty { spec[strings[field] ?? ""] = .string(text) }
            case (let field, .bytes(let bytes)) where lists[field] != nil:
                let key = lists[field] ?? ""
                spec[key] = .array((spec[key]?.arrayValue ?? []) + [.string(try string(bytes))])
            case (12, .varint(let number)): if number != 0 { spec["healthCheckNodePort"] = .int(int32(number)) }
            case (13, .varint(let flag)): if flag != 0 { spec["publishNotReadyAddresses"] = .bool(true) }
            case (14, .bytes(let bytes)):
                // SessionAffinityConfig { ClientIPConfig clientIP = 1 { int32 timeoutSeconds = 1 } }
                var clientIP: [String: JSONValue] = [:]
                try Reader.forEachField(in: bytes) { field, value throws(DecodingError) in
                    guard field == 1, case .bytes(let config) = value else { return }
                    try Reader.forEachField(in: config) { field, value throws(DecodingError) in
                        if field == 1, case .varint(let seconds) = value { clientIP["timeoutSeconds"] = .int(int32(seconds)) }
                    }
                }
                spec["sessionAffinityConfig"] = .object(["clientIP": .object(clientIP)])
            case (20, .varint(let flag)): spec["allocateLoadBalancerNodePorts"] = .bool(flag != 0)
            default: break
            }
        }
        if !ports.isEmpty { spec["ports"] = .array(ports) }
        return .object(spec)
    }

    /// `core/v1 ServicePort`; `targetPort` is an `intstr.IntOrString` (type 0: intVal, 1: strVal).
    static func servicePort(_ data: Data) throws(DecodingError) -> JSONValue {
        var port: [String: JSONValue] = ["port": .int(0)]
        try Reader.forEachField(in: data) { field, value throws(DecodingError) in
            switch (field, value) {
            case (1, .bytes(let bytes)): if case let text = try string(bytes), !text.isEmpty { port["name"] = .string(text) }
            case (2, .bytes(let bytes)): if case let text = try string(bytes), !text.isEmpty { port["protocol"] = .string(text) }
            case (6, .bytes(let bytes)): if case let text = try string(bytes), !text.isEmpty { port["appProtocol"] = .string(text) }
            case (3, .varint(let number)): port["port"] = .int(int32(number))
            case (5, .varint(let number)): if number != 0 { port["nodePort"] = .int(int32(number)) }
            case (4, .bytes(let bytes)):
                var isString = false, number: Int64 = 0, text = ""
                try Reader.forEachField(in: bytes) { field, value throws(DecodingError) in
                    switch (field, value) {
                    case (1, .varint(let type)): isString = type == 1
                    case (2, .varint(let value)): number = int32(value)
                    case (3, .bytes(let bytes)): text = try string(bytes)
                    default: break
                    }
                }
                if isString, !text.isEmpty { port["targetPort"] = .string(text) }
                if !isString, number != 0 { port["targetPort"] = .int(number) }
            default: break
            }
        }
        return .object(port)
    }

    /// A protobuf `int32` from its varint (negative ones are sign-extended to 64 bits).
    static func int32(_ varint: UInt64) -> Int64 { Int64(Int32(truncatingIfNeeded: varint)) }

    static func ownerReference(_ data: Data) throws(DecodingError) -> JSONValue {
        var owner: [String: JSONValue] = [:]
        try Reader.forEachField(in: data) { field, value throws(DecodingError) in
            switch (field, value) {
            case (1, .bytes(let bytes)): owner["kind"] = .string(try string(bytes))
            case (3, .bytes(let bytes)): owner["name"] = .string(try string(bytes))
            case (4, .bytes(let bytes)): owner["uid"] = .string(try string(bytes))
            case (5, .bytes(let bytes)): owner["apiVersion"] = .string(try string(bytes))
            case (6, .varint(let flag)): owner["controller"] = .bool(flag != 0)
            case (7, .varint(let flag)): owner["blockOwnerDeletion"] = .bool(flag != 0)
            default: break
            }
        }
        return .object(owner)
    }

    /// One `map<string, string|bytes>` entry into `object[key]` (bytes become base64, as in JSON).
    static func addEntry(_ data: Data, to object: inout [String: JSONValue], key: String, binary: Bool) throws(DecodingError) {
        var entryKey = "", entryValue = Data()
        try Reader.forEachField(in: data) { field, value throws(DecodingError) in
            if field == 1, case .bytes(let bytes) = value { entryKey = try string(bytes) }
            if field == 2, case .bytes(let bytes) = value { entryValue = bytes }
        }
        var map = object[key]?.objectValue ?? [:]
        map[entryKey] = .string(binary ? entryValue.base64EncodedString() : try string(entryValue))
        object[key] = .object(map)
    }

    static func string(_ data: Data) throws(DecodingError) -> String {
        guard let string = String(data: data, encoding: .utf8) else { throw DecodingError("invalid UTF-8 in a string field") }
        return string
    }

    /// The protobuf wire format: tagged varints, fixed-size values and length-delimited bytes.
    struct Reader {
        enum Value {
            case varint(UInt64)
            case bytes(Data)
            case fixed
        }

        var bytes: [UInt8]
        var offset = 0

        init(_ data: Data) { bytes = Array(data) }

        mutating func varint() throws(DecodingError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count, shift < 64 {
                let byte = bytes[offset]
                offset += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw DecodingError("truncated varint at byte \(offset)")
        }

        /// Calls `body` with each field of the message in `data`, in order.
        static func forEachField(in data: Data, _ body: (Int, Value) throws(DecodingError) -> Void) throws(DecodingError) {
            var reader = Reader(data)
            try reader.readFields(body)
        }

        mutating func readFields(_ body: (Int, Value) throws(DecodingError) -> Void) throws(DecodingError) {
            while offset < bytes.count {
                let tag = try varint()
                let field = Int(tag >> 3)
                switch tag & 7 {
                case 0: try body(field, .varint(try varint()))
                case 1, 5:
                    let size = tag & 7 == 1 ? 8 : 4
                    guard offset + size <= bytes.count else { throw DecodingError("truncated field \(field)") }
                    offset += size
                    try body(field, .fixed)
                case 2:
                    let length = Int(try varint())
                    guard length >= 0, offset + length <= bytes.count else { throw DecodingError("truncated field \(field)") }
                    try body(field, .bytes(Data(bytes[offset..<(offset + length)])))
                    offset += length
                default:
                    throw DecodingError("unsupported wire type \(tag & 7) for field \(field)")
                }
            }
        }
    }
}
