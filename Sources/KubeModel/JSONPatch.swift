/// A JSON patch that cannot be applied, with the reason Kubernetes' json-patch library gives.
public struct JSONPatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// The patch is not an array of operation objects, or an operation lacks a member.
        case invalidPatch
        /// `path` (or `from`) names a location that does not exist.
        case missingPath
        /// A `test` operation found a different value.
        case testFailed
    }
    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}

/// JSON patch (RFC 6902, `application/json-patch+json`): `add`, `remove`, `replace`, `move`,
/// `copy` and `test`, applied in order; the whole patch fails if one operation does.
public enum JSONPatch {
    public static func apply(_ operations: JSONValue, to original: JSONValue) throws -> JSONValue {
        guard case .array(let list) = operations else {
            throw JSONPatchError(.invalidPatch, "json patch must be an array of operations")
        }
        var document = original
        for (index, operation) in list.enumerated() {
            guard case .object(let members) = operation else {
                throw JSONPatchError(.invalidPatch, "operation \(index) is not a JSON object")
            }
            guard let op = members["op"]?.stringValue else {
                throw JSONPatchError(.invalidPatch, "operation \(index) has no \"op\"")
            }
            func pointer(_ key: String) throws -> [String] {
                guard let text = members[key]?.stringValue else {
                    throw JSONPatchError(.invalidPatch, "\(op) operation \(index) has no \"\(key)\"")
                }
                return try parsePointer(text)
            }
            func value() throws -> JSONValue {
                guard let value = members["value"] else {
                    throw JSONPatchError(.invalidPatch, "\(op) operation \(index) has no \"value\"")
                }
                return value
            }
            let path = try pointer("path")
            switch op {
            case "add":
                document = try add(try value(), at: path, in: document, op: op, fullPath: path)
            case "remove":
                document = try remove(at: path, in: document, op: op, fullPath: path).document
            case "replace" where path.isEmpty:
                document = try value()
            case "replace":
                _ = try get(path, in: document, op: op)
                document = try remove(at: path, in: document, op: op, fullPath: path).document
                document = try add(try value(), at: path, in: document, op: op, fullPath: path)
            case "move":
                let from = try pointer("from")
                if path.count > from.count, Array(path.prefix(from.count)) == from {
                    throw JSONPatchError(.invalidPatch, "move operation cannot move \(render(from)) into its own child \(render(path))")
                }
                let removed = try remove(at: from, in: document, op: op, fullPath: from)
                document = try add(removed.value, at: path, in: removed.document, op: op, fullPath: path)
            case "copy":
                let from = try pointer("from")
                document = try add(try get(from, in: document, op: op), at: path, in: document, op: op, fullPath: path)
            case "test":
                let expected = try value()
                let actual = try? get(path, in: document, op: op)
                guard let actual, equal(actual, expected) else {
                    throw JSONPatchError(.testFailed, "testing value \(render(path)) failed: test failed")
                }
            default:
                throw JSONPatchError(.invalidPatch, "Unexpected kind: \(op)")
            }
        }
        return document
    }

    // MARK: pointers (RFC 6901)

    static func parsePointer(_ text: String) throws -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else {
            throw JSONPatchError(.invalidPatch, "JSON pointer must be empty or start with a \"/\": \(text)")
        }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func render(_ path: [String]) -> String {
        path.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }

    /// An array index token: decimal without leading zeros.
    private static func index(_ token: String, count: Int, allowEnd: Bool, path: [String], op: String) throws -> Int {
        if allowEnd, token == "-" { return count }
        guard let number = Int(token), number >= 0, String(number) == token else {
            throw JSONPatchError(.missingPath, "\(op) operation does not apply: doc is missing path: \(render(path)): invalid index \"\(token)\"")
        }
        let limit = allowEnd ? count : count - 1
        guard number <= limit else {
            throw JSONPatchError(.missingPath, "\(op) operation does not apply: doc is missing path: \(render(path)): index out of range")
        }
        return number
    }

    private static func missing(_ op: String, _ path: [String]) -> JSONPatchError {
        JSONPatchError(.missingPath, "\(op) operation does not apply: doc is missing path: \(render(path))")
    }

    static func get(_ path: [String], in document: JSONValue, op: String) throws -> JSONValue {
        var current = document
        for (depth, token) in path.enumerated() {
            switch current {
            case .object(let members):
                guard let next = members[token] else { throw missing(op, path) }
                current = next
            case .array(let items):
                current = items[try index(token, count: items.count, allowEnd: false, path: Array(path.prefix(depth + 1)), op: op)]
            default:
                throw missing(op, path)
            }
        }
        return current
    }

    private static func add(_ value: JSONValue, at path: [String], in document: JSONValue, op: String, fullPath: [String]) throws -> JSONValue {
        guard let token = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard let child = members[token] else { throw missing(op, fullPath) }
                members[token] = try add(value, at: rest, in: child, op: op, fullPath: fullPath)
            }
            return .object(members)
        case .array(var items):
            if rest.isEmpty {
                items.insert(value, at: try index(token, count: items.count, allowEnd: true, path: fullPath, op: op))
            } else {
                let position = try index(token, count: items.count, allowEnd: false, path: fullPath, op: op)
                items[position] = try add(value, at: rest, in: items[position], op: op, fullPath: fullPath)
            }
            return .array(items)
        default:
            throw missing(op, fullPath)
        }
    }

    private static func remove(at path: [String], in document: JSONValue, op: String, fullPath: [String]) throws -> (document: JSONValue, value: JSONValue) {
        guard let token = path.first else {
            throw JSONPatchError(.invalidPatch, "\(op) operation cannot remove the whole document")
        }
        let rest = Array(path.dropFirst())
        switch document {
        case .object(var members):
            guard let child = members[token] else { throw missing(op, fullPath) }
            if rest.isEmpty {
                members.removeValue(forKey: token)
                return (.object(members), child)
            }
            let result = try remove(at: rest, in: child, op: op, fullPath: fullPath)
            members[token] = result.document
            return (.object(members), result.value)
        case .array(var items):
            let position = try index(token, count: items.count, allowEnd: false, path: fullPath, op: op)
            if rest.isEmpty {
                let removed = items.remove(at: position)
                return (.array(items), removed)
            }
            let result = try remove(at: rest, in: items[position], op: op, fullPath: fullPath)
            items[position] = result.document
            return (.array(items), result.value)
        default:
            throw missing(op, fullPath)
        }
    }

    /// JSON equality: numbers compare by value (`1` equals `1.0`), objects ignore key order.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
        default: return lhs == rhs
        }
    }
}
