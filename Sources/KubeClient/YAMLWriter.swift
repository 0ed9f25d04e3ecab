import Foundation
import KubeModel
import Yams

/// Writes JSON values as YAML the way kubectl prints them: keys sorted, strings that would read
/// back as another type quoted.
public enum YAMLWriter {
    public static func string(_ value: JSONValue) throws -> String {
        try Yams.serialize(node: node(value))
    }

    static func node(_ value: JSONValue) -> Yams.Node {
        switch value {
        case .null: return Yams.Node("null", Tag(.null))
        case .bool(let b): return Yams.Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Yams.Node(String(i), Tag(.int))
        case .double(let d): return Yams.Node(String(d), Tag(.float))
        case .string(let s):
            let ambiguous = ["true", "false", "yes", "no", "y", "n", "on", "off", "null", "~", ""].contains(s.lowercased())
                || Double(s) != nil || s.first?.isNumber == true || s.hasPrefix(" ") || s.hasSuffix(" ")
            return Yams.Node(s, Tag(.str), ambiguous ? .doubleQuoted : .any)
        case .array(let items): return Yams.Node(items.map(node))
        case .object(let members):
            return Yams.Node(members.sorted { $0.key < $1.key }.map { (Yams.Node($0.key), node($0.value)) })
        }
    }
}
