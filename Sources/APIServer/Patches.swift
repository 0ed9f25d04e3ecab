import Foundation
import KubeClient
import KubeModel

/// The patch formats of PATCH requests, applied on the JSON form.
enum Patches {
    /// RFC 7386 JSON merge patch.
    static func mergePatch(_ patch: JSONValue, onto original: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = original.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = mergePatch(value, onto: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// RFC 6902 JSON patch.
    static func jsonPatch(_ operations: JSONValue, onto original: JSONValue) throws -> JSONValue {
        guard let operations = operations.arrayValue else {
            throw KubeAPIError.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var document = original
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw KubeAPIError.badRequest("the server rejected our request due to an error in our request: operation missing op or path")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                guard let value = operation["value"] else { throw KubeAPIError.badRequest("add operation does not apply: missing value") }
                try pointerSet(&document, pointer, value, insert: true)
            case "replace":
                guard let value = operation["value"] else { throw KubeAPIError.badRequest("replace operation does not apply: missing value") }
                guard pointerGet(document, pointer) != nil else {
                    throw KubeAPIError(code: 422, reason: "Invalid", message: "replace operation does not apply: doc is missing key: \(path)")
                }
                try pointerSet(&document, pointer, value, insert: false)
            case "remove":
                guard pointerGet(document, pointer) != nil else {
                    throw KubeAPIError(code: 422, reason: "Invalid", message: "remove operation does not apply: doc is missing path: \"\(path)\"")
                }
                try pointerRemove(&document, pointer)
            case "move", "copy":
                guard let fromPath = operation["from"]?.stringValue, let value = pointerGet(document, try parsePointer(fromPath)) else {
                    throw KubeAPIError(code: 422, reason: "Invalid", message: "\(op) operation does not apply: missing from")
                }
                if op == "move" { try pointerRemove(&document, try parsePointer(fromPath)) }
                try pointerSet(&document, pointer, value, insert: true)
            case "test":
                guard pointerGet(document, pointer) == operation["value"] else {
                    throw KubeAPIError(code: 422, reason: "Invalid", message: "testing value \(path) failed: test failed")
                }
            default:
                throw KubeAPIError.badRequest("Unexpected kind: \(op)")
            }
        }
        return document
    }

    private static func parsePointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw KubeAPIError.badRequest("JSON pointer must start with '/': \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func pointerGet(_ document: JSONValue, _ pointer: [String]) -> JSONValue? {
        var current: JSONValue? = document
        for token in pointer {
            switch current {
            case .object(let members)?: current = members[token]
            case .array(let items)?:
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }

    private static func pointerSet(_ document: inout JSONValue, _ pointer: [String], _ value: JSONValue, insert: Bool) throws {
        guard let token = pointer.first else {
            document = value
            return
        }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard var child = members[token] else {
                    throw KubeAPIError(code: 422, reason: "Invalid", message: "add operation does not apply: doc is missing path: /\(pointer.joined(separator: "/"))")
                }
                try pointerSet(&child, rest, value, insert: insert)
                members[token] = child
            }
            document = .object(members)
        case .array(var items):
            let index = token == "-" ? items.count : Int(token) ?? -1
            if rest.isEmpty {
                if insert {
                    guard index >= 0, index <= items.count else { throw KubeAPIError(code: 422, reason: "Invalid", message: "add operation does not apply: index out of bounds") }
                    items.insert(value, at: index)
                } else {
                    guard items.indices.contains(index) else { throw KubeAPIError(code: 422, reason: "Invalid", message: "replace operation does not apply: index out of bounds") }
                    items[index] = value
                }
            } else {
                guard items.indices.contains(index) else { throw KubeAPIError(code: 422, reason: "Invalid", message: "operation does not apply: index out of bounds") }
                try pointerSet(&items[index], rest, value, insert: insert)
            }
            document = .array(items)
        default:
            throw KubeAPIError(code: 422, reason: "Invalid", message: "operation does not apply: not a container")
        }
    }

    private static func pointerRemove(_ document: inout JSONValue, _ pointer: [String]) throws {
        guard let token = pointer.first else { return }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var members):
            if rest.isEmpty { members[token] = nil } else if var child = members[token] {
                try pointerRemove(&child, rest)
                members[token] = child
            }
            document = .object(members)
        case .array(var items):
            guard let index = Int(token), items.indices.contains(index) else { return }
            if rest.isEmpty { items.remove(at: index) } else { try pointerRemove(&items[index], rest) }
            document = .array(items)
        default:
            return
        }
    }

    // MARK: Strategic merge patch

    /// The merge key of a list field of the built-in types (`containers` by `name`, …), or nil
    /// when the list is replaced as a whole.
    static func mergeKey(field: String, sample: JSONValue?) -> String? {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets",
             "resourceClaims", "args_unused":
            return "name"
        case "ports":
            if sample?["containerPort"] != nil { return "containerPort" }
            return "port"
        case "volumeMounts": return "mountPath"
        case "volumeDevices": return "devicePath"
        case "conditions": return "type"
        case "ownerReferences": return "uid"
        case "hostAliases": return "ip"
        case "topologySpreadConstraints": return "topologyKey"
        default: return nil
        }
    }

    /// Lists of scalars merged as sets.
    static let mergedScalarLists: Set<String> = ["finalizers"]

    /// Kubernetes' strategic merge patch: maps merge, keyed lists merge by key, `$patch`,
    /// `$setElementOrder/…`, `$deleteFromPrimitiveList/…` and `$retainKeys` directives.
    static func strategicMerge(_ patch: JSONValue, onto original: JSONValue) throws -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        if patchMembers["$patch"]?.stringValue == "replace" {
            var replaced = patchMembers
            replaced["$patch"] = nil
            return .object(replaced)
        }
        var result = original.objectValue ?? [:]
        var orders: [(String, [JSONValue])] = []
        var retainKeys: [String]?
        for (key, value) in patchMembers {
            if key == "$patch" { continue }
            if key == "$retainKeys" {
                retainKeys = value.arrayValue?.compactMap(\.stringValue)
                continue
            }
            if key.hasPrefix("$setElementOrder/") {
                orders.append((String(key.dropFirst("$setElementOrder/".count)), value.arrayValue ?? []))
                continue
            }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = value.arrayValue ?? []
                if let items = result[field]?.arrayValue { result[field] = .array(items.filter { !remove.contains($0) }) }
                continue
            }
            if value == .null {
                result[key] = nil
                continue
            }
            switch (value, result[key]) {
            case (.object(let members), _) where members["$patch"]?.stringValue == "delete":
                result[key] = nil
            case (.object, let existing):
                result[key] = try strategicMerge(value, onto: existing ?? .object([:]))
            case (.array(let items), .array(let existingItems)?):
                result[key] = try mergeList(field: key, patch: items, original: existingItems)
            case (.array(let items), _):
                result[key] = .array(items.filter { $0["$patch"] == nil }.map(stripDirectives))
            default:
                result[key] = value
            }
        }
        for (field, order) in orders {
            guard let items = result[field]?.arrayValue else { continue }
            result[field] = .array(reorder(items, by: order, field: field))
        }
        if let retainKeys {
            result = result.filter { retainKeys.contains($0.key) }
        }
        return .object(result)
    }

    private static func stripDirectives(_ value: JSONValue) -> JSONValue {
        guard case .object(var members) = value else { return value }
        for key in members.keys where key.hasPrefix("$") { members[key] = nil }
        for (key, child) in members { members[key] = stripDirectives(child) }
        return .object(members)
    }

    private static func mergeList(field: String, patch: [JSONValue], original: [JSONValue]) throws -> JSONValue {
        if mergedScalarLists.contains(field) {
            var result = original
            for item in patch where !result.contains(item) { result.append(item) }
            return .array(result)
        }
        guard let key = mergeKey(field: field, sample: patch.first ?? original.first),
              patch.allSatisfy({ $0.objectValue != nil }) else {
            return .array(patch)
        }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"] == nil })
        }
        var result = original
        for item in patch {
            let identity = item[key]
            let index = result.firstIndex { $0[key] == identity }
            if item["$patch"]?.stringValue == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                result[index] = try strategicMerge(item, onto: result[index])
            } else {
                result.append(stripDirectives(item))
            }
        }
        return .array(result)
    }

    private static func reorder(_ items: [JSONValue], by order: [JSONValue], field: String) -> [JSONValue] {
        let key = mergeKey(field: field, sample: items.first)
        func identity(_ item: JSONValue) -> JSONValue { key.flatMap { item[$0] } ?? item }
        let wanted = order.map(identity)
        var ordered: [JSONValue] = []
        var rest = items
        for id in wanted {
            if let index = rest.firstIndex(where: { identity($0) == id }) {
                ordered.append(rest.remove(at: index))
            }
        }
        return ordered + rest
    }
}
