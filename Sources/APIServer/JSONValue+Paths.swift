import Foundation
import KubeModel

/// Sets (or removes, with nil) the member at `path`, creating objects on the way.
func setJSON(_ object: inout JSONValue, _ path: [String], _ value: JSONValue?) {
    guard let first = path.first else {
        object = value ?? .null
        return
    }
    guard case .object(var members) = object else {
        if value == nil { return }
        object = .object([:])
        setJSON(&object, path, value)
        return
    }
    if path.count == 1 {
        members[first] = value
    } else {
        var child = members[first] ?? .object([:])
        if case .object = child {} else { child = .object([:]) }
        setJSON(&child, Array(path.dropFirst()), value)
        members[first] = child
    }
    object = .object(members)
}

/// `metadata.<field>` as a string.
func metadataString(_ object: JSONValue, _ field: String) -> String? {
    object["metadata"]?[field]?.stringValue
}

/// `metadata.labels` (non-string values ignored).
func labels(of object: JSONValue) -> [String: String] {
    var result: [String: String] = [:]
    for (key, value) in object["metadata"]?["labels"]?.objectValue ?? [:] {
        if let string = value.stringValue { result[key] = string }
    }
    return result
}

/// RFC 3339 in UTC, seconds precision, as Kubernetes writes `metav1.Time`.
func rfc3339(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
}

func parseRFC3339(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}
