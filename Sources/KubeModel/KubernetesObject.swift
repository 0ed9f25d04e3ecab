import Foundation

/// A top-level API object: `apiVersion`, `kind`, `metadata`, and the kind it is served as.
public protocol KubernetesObject: Codable, Sendable, Hashable {
    static var gvk: GroupVersionKind { get }
    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta { get set }
}

extension KubernetesObject {
    /// The object in the JSON form the API server stores.
    public func jsonValue() throws -> JSONValue { try JSONValue(encoding: self) }

    /// Decodes an object from its JSON form.
    public init(json: JSONValue) throws { self = try json.decode(Self.self) }
}

/// A list of objects (`PodList`, `StatefulSetList`, …).
public struct ObjectList<Item: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item] = []) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

/// A value that is an integer or a string (`targetPort: 80` or `targetPort: http`).
public enum IntOrString: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int32)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int32.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let value): return value
        }
    }

    /// An integer value, or a percentage (`"25%"`) of `total`, rounded up or down.
    public func scaledValue(total: Int, roundUp: Bool) -> Int? {
        switch self {
        case .int(let value): return Int(value)
        case .string(let s):
            guard s.hasSuffix("%"), let percent = Int(s.dropLast()) else { return nil }
            let product = percent * total
            return roundUp ? (product + 99) / 100 : product / 100
        }
    }
}

/// Timestamps as Kubernetes writes them (`metav1.Time`: RFC 3339, seconds, UTC).
public enum RFC3339 {
    /// `2026-11-30T00:57:03Z`
    public static func string(from date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// `metav1.MicroTime`: `2026-11-30T00:57:03.123456Z`
    public static func microString(from date: Date) -> String {
        let base = string(from: date).dropLast()
        let micros = Int((date.timeIntervalSince1970 - date.timeIntervalSince1970.rounded(.down)) * 1_000_000)
        return base + "." + String(format: "%06d", micros) + "Z"
    }

    /// Parses `2026-11-30T00:57:03Z`, `…03.123456Z` and `…03+02:00`.
    public static func date(from string: String) -> Date? {
        if let date = try? Date(string, strategy: .iso8601) { return date }
        return try? Date(string, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func now() -> String { string(from: Date()) }
}
