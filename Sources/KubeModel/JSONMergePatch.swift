/// JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge key by key, `null`
/// removes a key, anything else (arrays included) replaces.
public enum JSONMergePatch {
    public static func apply(_ patch: JSONValue, to original: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var target = original.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value == .null {
                target.removeValue(forKey: key)
            } else {
                target[key] = apply(value, to: target[key] ?? .null)
            }
        }
        return .object(target)
    }
}
