/// The type of a field in the API's schema.
public indirect enum SchemaType: Sendable, Hashable {
    case string
    /// base64 bytes (`Secret.data` values).
    case byte
    case int32
    case int64
    case double
    case boolean
    /// `resource.Quantity`: `1Gi`, `500m`, or a number.
    case quantity
    /// `intstr.IntOrString`: `8080` or `http`.
    case intOrString
    /// `metav1.Time`, RFC 3339 with seconds.
    case time
    /// `metav1.MicroTime`, RFC 3339 with microseconds.
    case microTime
    /// `runtime.RawExtension`: any embedded JSON object.
    case rawExtension
    /// `metav1.FieldsV1`: the managed-fields trie.
    case fieldsV1
    /// Another definition, by its OpenAPI name (`io.k8s.api.core.v1.Container`).
    case reference(String)
    case array(SchemaType)
    /// A JSON object with free keys (`labels`, `data`).
    case map(SchemaType)

    /// The definition name when this is a reference.
    public var referenceName: String? {
        if case .reference(let name) = self { return name }
        return nil
    }

    /// The element type of an array.
    public var elementType: SchemaType? {
        if case .array(let element) = self { return element }
        return nil
    }
}

/// One field of a definition, with its strategic-merge-patch and list metadata.
public struct SchemaField: Sendable, Hashable {
    public var name: String
    public var type: SchemaType
    public var required: Bool
    /// `["merge"]`, `["merge", "retainKeys"]`, `["retainKeys"]` or `[]` (the `patchStrategy` tag).
    public var patchStrategy: [String]
    /// The `patchMergeKey` tag (`name` for containers, `containerPort` for ports).
    public var patchMergeKey: String?
    /// `atomic`, `set` or `map` (the `+listType` tag), where Kubernetes declares one.
    public var listType: String?
    /// The `+listMapKey` tags of a `map` list.
    public var listMapKeys: [String]
    /// Kubernetes' documentation of the field (what `kubectl explain` shows).
    public var description: String = ""

    public init(name: String, type: SchemaType, required: Bool = false, patchStrategy: [String] = [],
                patchMergeKey: String? = nil, listType: String? = nil, listMapKeys: [String] = []) {
        self.name = name
        self.type = type
        self.required = required
        self.patchStrategy = patchStrategy
        self.patchMergeKey = patchMergeKey
        self.listType = listType
        self.listMapKeys = listMapKeys
    }

    /// Whether strategic merge patch merges this list (instead of replacing it).
    public var mergesList: Bool { patchStrategy.contains("merge") }
}

/// A named object type (`io.k8s.api.core.v1.PodSpec`) and its fields.
public struct SchemaDefinition: Sendable, Hashable {
    /// The OpenAPI name, as Kubernetes names its definitions.
    public var name: String
    public var fields: [String: SchemaField]
    /// The kinds this definition is the body of (top-level objects and lists only).
    public var kinds: [GroupVersionKind]
    /// Kubernetes' documentation of the type.
    public var description: String = ""

    public init(name: String, fields: [String: SchemaField], kinds: [GroupVersionKind] = []) {
        self.name = name
        self.fields = fields
        self.kinds = kinds
    }

    /// Field names in a stable (sorted) order.
    public var fieldNames: [String] { fields.keys.sorted() }
}

/// The schema of the API types the project serves: the field structure of Kubernetes' own types
/// (Schema+Generated.swift) with their patch strategies (Schema+PatchStrategies.swift). Strategic
/// merge patch, OpenAPI documents and strict field validation all read it.
public enum Schema {
    /// Every definition by OpenAPI name.
    public static let definitions: [String: SchemaDefinition] = load()

    public static func definition(named name: String) -> SchemaDefinition? { definitions[name] }

    /// The definition of a kind's object (`apps/v1 StatefulSet` → `io.k8s.api.apps.v1.StatefulSet`).
    public static func definition(for gvk: GroupVersionKind) -> SchemaDefinition? {
        definitions[definitionName(for: gvk)]
    }

    /// The OpenAPI name Kubernetes gives a kind's definition.
    public static func definitionName(for gvk: GroupVersionKind) -> String {
        let package: String
        switch gvk.group {
        case "": package = "io.k8s.api.core.v1"
        case "meta.k8s.io": package = "io.k8s.apimachinery.pkg.apis.meta.v1"
        default:
            // storage.k8s.io → storage, discovery.k8s.io → discovery, apps → apps
            let short = gvk.group.hasSuffix(".k8s.io") ? String(gvk.group.dropLast(".k8s.io".count)) : gvk.group
            package = "io.k8s.api.\(short).\(gvk.version)"
        }
        if gvk.group.isEmpty, ["Status", "DeleteOptions", "WatchEvent"].contains(gvk.kind) {
            return "io.k8s.apimachinery.pkg.apis.meta.v1.\(gvk.kind)"
        }
        return "\(package).\(gvk.kind)"
    }

    /// The field `key` of an object whose type is `type` (a reference or a map), or nil when the
    /// schema does not know it.
    public static func field(_ key: String, in type: SchemaType?) -> SchemaField? {
        switch type {
        case .reference(let name)?: return definitions[name]?.fields[key]
        case .map(let valueType)?: return SchemaField(name: key, type: valueType)
        default: return nil
        }
    }

    // MARK: loading

    private static func load() -> [String: SchemaDefinition] {
        var result: [String: SchemaDefinition] = [:]
        var current: SchemaDefinition?
        for fullLine in generated.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = fullLine
            var description = ""
            if let tab = fullLine.firstIndex(of: "\t") {
                line = fullLine[..<tab]
                description = unescape(fullLine[fullLine.index(after: tab)...])
            }
            if line.hasPrefix("@") {
                if let current { result[current.name] = current }
                current = SchemaDefinition(name: String(line.dropFirst()), fields: [:])
                current?.description = description
                continue
            }
            guard current != nil, let space = line.firstIndex(of: " ") else { continue }
            var name = Substring(line[..<space])
            let required = name.hasPrefix("!")
            if required { name = name.dropFirst() }
            let type = parseType(line[line.index(after: space)...])
            var field = SchemaField(name: String(name), type: type, required: required)
            field.description = description
            if type == .rawExtension || type == .fieldsV1 { field.required = false }
            current?.fields[field.name] = field
        }
        if let current { result[current.name] = current }
        for (definition, fields) in patchMetadata {
            for (fieldName, metadata) in fields {
                guard var field = result[definition]?.fields[fieldName] else { continue }
                field.patchStrategy = metadata.strategy
                field.patchMergeKey = metadata.mergeKey
                field.listType = metadata.listType
                field.listMapKeys = metadata.listMapKeys
                result[definition]?.fields[fieldName] = field
            }
        }
        for (name, kinds) in kindsByDefinition() where result[name] != nil {
            result[name]?.kinds = kinds
        }
        return result
    }

    /// `\\n` → newline, `\\\\` → backslash (the generator's one-line form).
    private static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    private static func parseType(_ text: Substring) -> SchemaType {
        if text.hasPrefix("["), text.hasSuffix("]") { return .array(parseType(text.dropFirst().dropLast())) }
        if text.hasPrefix("{"), text.hasSuffix("}") { return .map(parseType(text.dropFirst().dropLast())) }
        if text.hasPrefix("@") { return .reference(String(text.dropFirst())) }
        switch text {
        case "string": return .string
        case "byte": return .byte
        case "int32": return .int32
        case "int64": return .int64
        case "double": return .double
        case "boolean": return .boolean
        case "quantity": return .quantity
        case "intorstring": return .intOrString
        case "time": return .time
        case "microtime": return .microTime
        case "rawextension": return .rawExtension
        case "fieldsv1": return .fieldsV1
        default: return .string
        }
    }

    /// The group versions whose kinds the schema holds, and the served kinds in them.
    static let servedKinds: [GroupVersionKind] = {
        let core = ["Binding", "ConfigMap", "Endpoints", "Event", "Namespace", "Node", "PersistentVolume",
                    "PersistentVolumeClaim", "Pod", "Secret", "Service"]
        var kinds = core.map { GroupVersionKind(group: "", version: "v1", kind: $0) }
        kinds += ["ControllerRevision", "StatefulSet"].map { GroupVersionKind(group: "apps", version: "v1", kind: $0) }
        kinds.append(GroupVersionKind(group: "storage.k8s.io", version: "v1", kind: "StorageClass"))
        kinds.append(GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice"))
        kinds.append(GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"))
        kinds.append(GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"))
        return kinds
    }()

    /// The group versions the OpenAPI documents cover, in the order a real cluster lists them.
    public static let groupVersions: [(group: String, version: String)] = [
        ("", "v1"), ("apps", "v1"), ("autoscaling", "v1"), ("coordination.k8s.io", "v1"),
        ("discovery.k8s.io", "v1"), ("storage.k8s.io", "v1"),
    ]

    private static func kindsByDefinition() -> [String: [GroupVersionKind]] {
        var result: [String: [GroupVersionKind]] = [:]
        for gvk in servedKinds {
            result[definitionName(for: gvk), default: []].append(gvk)
            if gvk.kind != "Binding", gvk.kind != "Scale" {
                let list = GroupVersionKind(group: gvk.group, version: gvk.version, kind: gvk.kind + "List")
                result[definitionName(for: list), default: []].append(list)
            }
        }
        let meta = "io.k8s.apimachinery.pkg.apis.meta.v1."
        result[meta + "Status"] = [GroupVersionKind(group: "", version: "v1", kind: "Status")]
        for (group, version) in groupVersions {
            result[meta + "DeleteOptions", default: []].append(GroupVersionKind(group: group, version: version, kind: "DeleteOptions"))
            result[meta + "WatchEvent", default: []].append(GroupVersionKind(group: group, version: version, kind: "WatchEvent"))
        }
        return result
    }
}
