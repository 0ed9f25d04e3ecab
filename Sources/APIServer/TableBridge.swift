import Foundation
import KubeModel

/// Columns and cells of server-side Tables. NAME/AGE until KubeModel's TableConvertor lands.
enum TableBridge {
    static func columns(for resource: APIResource) -> [JSONValue] {
        [
            .object(["name": .string("Name"), "type": .string("string"), "format": .string("name"), "description": .string("Name"), "priority": .int(0)]),
            .object(["name": .string("Age"), "type": .string("string"), "format": .string(""), "description": .string("CreationTimestamp"), "priority": .int(0)]),
        ]
    }

    static func cells(for object: JSONValue, resource: APIResource, now: Date) -> [JSONValue] {
        let created = metadataString(object, "creationTimestamp").flatMap(parseRFC3339)
        return [.string(metadataString(object, "name") ?? ""), .string(created.map { humanDuration(now.timeIntervalSince($0)) } ?? "<unknown>")]
    }

    /// Kubernetes' `duration.HumanDuration`.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 192 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 { return (hours / 24) % 365 == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\((hours / 24) % 365)d" }
        return "\(hours / 24 / 365)y"
    }
}
