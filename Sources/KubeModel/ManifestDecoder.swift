import Foundation
import Yams

/// Reads manifests: JSON, or YAML with any number of `---` separated documents, into the JSON
/// form the API server stores. Scalars resolve as Kubernetes' YAML reader resolves them
/// (`80` is a number, `"80"` a string, `true`/`yes` booleans, timestamps stay strings).
public enum ManifestDecoder {
    /// A manifest that cannot be read, naming the line (`yaml: line 12: could not find expected ':'`).
    public struct DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
        /// 1-based line in the input, when known.
        public var line: Int?
        public var problem: String

        public init(line: Int?, problem: String) {
            self.line = line
            self.problem = problem
        }

        public var description: String {
            if let line { return "yaml: line \(line): \(problem)" }
            return "yaml: \(problem)"
        }
    }

    /// Every non-empty document of a JSON or YAML stream, in order.
    public static func documents(from data: Data) throws -> [JSONValue] {
        if let first = data.first(where: { !isSpace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            if let value = try? JSONValue(json: data) { return [value] }
            // Not valid JSON: YAML (a superset of JSON) names the line of the mistake.
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DecodingError(line: nil, problem: "invalid UTF-8 in input")
        }
        return try documents(from: text)
    }

    /// Every non-empty document of a YAML (or JSON) string, in order.
    public static func documents(from text: String) throws -> [JSONValue] {
        var result: [JSONValue] = []
        do {
            // The sequence keeps a parse error instead of throwing it.
            var nodes = try Yams.compose_all(yaml: text, resolver)
            while let node = nodes.next() {
                let value = try jsonValue(node)
                if value != .null { result.append(value) }
            }
            if let error = nodes.error { throw error }
        } catch let error as YamlError {
            throw decodingError(error)
        }
        return result
    }

    /// The objects of a stream, with `kind: List` (and `…List`) documents replaced by their items.
    public static func objects(from data: Data) throws -> [JSONValue] {
        try documents(from: data).flatMap { document -> [JSONValue] in
            if let kind = document["kind"]?.stringValue, kind.hasSuffix("List"),
               let items = document["items"]?.arrayValue {
                return items
            }
            return [document]
        }
    }

    /// YAML 1.1 scalars as Kubernetes' reader (go-yaml v2) resolves them: no sexagesimal
    /// numbers (`1:30` stays a string) and no timestamps (they stay strings).
    /// `Resolver` holds only immutable rules (compiled regular expressions), so sharing it is safe.
    nonisolated(unsafe) static let resolver: Resolver = {
        let int = #"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"#
        let float = #"^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"#
        guard let intRule = try? Resolver.Rule(.int, int), let floatRule = try? Resolver.Rule(.float, float) else {
            return .default
        }
        return Resolver.basic.appending(.bool).appending(intRule).appending(floatRule).appending(.merge).appending(.null)
    }()

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func decodingError(_ error: YamlError) -> DecodingError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return DecodingError(line: mark.line, problem: text)
        case .reader(let problem, _, _, _):
            return DecodingError(line: nil, problem: problem)
        default:
            return DecodingError(line: nil, problem: String(describing: error))
        }
    }

    static func jsonValue(_ node: Yams.Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar, tag: Tag.Name(rawValue: node.tag.description))
        case .sequence(let sequence):
            return .array(try sequence.map(jsonValue))
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                if Tag.Name(rawValue: key.tag.description) == .merge, let merged = try jsonValue(value).objectValue {
                    for (k, v) in merged where members[k] == nil { members[k] = v }
                    continue
                }
                guard case .scalar(let keyScalar) = key else {
                    throw DecodingError(line: key.mark?.line, problem: "invalid map key: mapping or sequence keys are not supported")
                }
                let name: String
                switch scalarValue(keyScalar, tag: Tag.Name(rawValue: key.tag.description)) {
                case .string(let s): name = s
                case .int(let i): name = String(i)
                case .bool(let b): name = String(b)
                case .double: name = keyScalar.string
                case .null: name = "null"
                default: name = keyScalar.string
                }
                members[name] = try jsonValue(value)
            }
            return .object(members)
        }
    }

    private static func scalarValue(_ scalar: Yams.Node.Scalar, tag: Tag.Name) -> JSONValue {
        let node = Yams.Node.scalar(scalar)
        switch tag {
        case .null:
            return .null
        case .bool:
            if let value = node.bool { return .bool(value) }
        case .int:
            if let value = node.int { return .int(Int64(value)) }
            if let value = node.float { return .double(value) }
        case .float:
            if let value = node.float {
                if value.isFinite, value == value.rounded(), abs(value) < 9.2e18,
                   !scalar.string.contains("."), let exact = Int64(exactly: value) {
                    return .int(exact)
                }
                return .double(value)
            }
        default:
            break
        }
        return .string(scalar.string)
    }
}
