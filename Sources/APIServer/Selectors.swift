import Foundation
import KubeClient
import KubeModel

/// A label selector in its string form (`app=nginx,tier!=db,env in (a,b),!x,y`), as list and
/// watch requests carry it.
struct LabelQuery: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    var requirements: [Requirement] = []

    init(parsing text: String) throws {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        for raw in parts {
            let part = raw.trimmingCharacters(in: .whitespaces)
            if part.isEmpty { continue }
            if let range = part.range(of: " notin ") {
                requirements.append(.notIn(String(part[..<range.lowerBound]).trimmingCharacters(in: .whitespaces), try Self.values(part[range.upperBound...])))
            } else if let range = part.range(of: " in ") {
                requirements.append(.isIn(String(part[..<range.lowerBound]).trimmingCharacters(in: .whitespaces), try Self.values(part[range.upperBound...])))
            } else if let range = part.range(of: "!=") {
                requirements.append(.notEquals(Self.trim(part[..<range.lowerBound]), Self.trim(part[range.upperBound...])))
            } else if let range = part.range(of: "==") {
                requirements.append(.equals(Self.trim(part[..<range.lowerBound]), Self.trim(part[range.upperBound...])))
            } else if let range = part.range(of: "=") {
                requirements.append(.equals(Self.trim(part[..<range.lowerBound]), Self.trim(part[range.upperBound...])))
            } else if part.hasPrefix("!") {
                requirements.append(.doesNotExist(Self.trim(part.dropFirst())))
            } else {
                guard !part.contains(" ") else { throw KubeAPIError.badRequest("unable to parse requirement: \(part)") }
                requirements.append(.exists(part))
            }
        }
    }

    private static func trim(_ text: Substring) -> String { text.trimmingCharacters(in: .whitespaces) }

    private static func values(_ text: Substring) throws -> Set<String> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else {
            throw KubeAPIError.badRequest("unable to parse requirement: found '\(trimmed)', expected: '('")
        }
        return Set(trimmed.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .isIn(let key, let values): return labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): return !(labels[key].map(values.contains) ?? false)
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            }
        }
    }
}

/// A field selector (`metadata.name=web-0,status.phase!=Running`): each term names a dotted path
/// of the object compared as a string.
struct FieldQuery: Sendable {
    var terms: [(path: [String], value: String, equal: Bool)] = []

    init(parsing text: String) throws {
        for raw in text.split(separator: ",") {
            let part = String(raw)
            let equal: Bool
            let pieces: [String]
            if let range = part.range(of: "!=") {
                equal = false
                pieces = [String(part[..<range.lowerBound]), String(part[range.upperBound...])]
            } else if let range = part.range(of: "==") {
                equal = true
                pieces = [String(part[..<range.lowerBound]), String(part[range.upperBound...])]
            } else if let range = part.range(of: "=") {
                equal = true
                pieces = [String(part[..<range.lowerBound]), String(part[range.upperBound...])]
            } else {
                throw KubeAPIError.badRequest("invalid selector: '\(text)'; can't understand '\(part)'")
            }
            terms.append((pieces[0].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init),
                          pieces[1].trimmingCharacters(in: .whitespaces), equal))
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            let value: String
            switch object[path: term.path] {
            case .string(let s): value = s
            case .int(let i): value = String(i)
            case .bool(let b): value = String(b)
            default: value = ""
            }
            return (value == term.value) == term.equal
        }
    }
}

/// The label and field selectors of a request together.
struct ObjectFilter: Sendable {
    var label: LabelQuery?
    var field: FieldQuery?

    init(labelSelector: String?, fieldSelector: String?) throws {
        if let labelSelector, !labelSelector.isEmpty { label = try LabelQuery(parsing: labelSelector) }
        if let fieldSelector, !fieldSelector.isEmpty { field = try FieldQuery(parsing: fieldSelector) }
    }

    var isEmpty: Bool { label == nil && field == nil }

    func matches(_ object: JSONValue) -> Bool {
        if let label, !label.matches(labels(of: object)) { return false }
        if let field, !field.matches(object) { return false }
        return true
    }
}
