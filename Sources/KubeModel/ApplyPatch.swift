/// Server-side apply (`application/apply-patch+yaml`, `kubectl apply --server-side`) for one
/// field manager, merged structurally as the API server's structured-merge-diff does: objects
/// merge field by field; lists of `x-kubernetes-list-type: map` (or with a patch-merge key)
/// merge item by item on their keys, `set` lists take the union, other lists are atomic and
/// replaced; scalars are replaced. Without managed-fields tracking, fields an earlier apply set
/// and this one omits are kept (as if another manager owned them).
public enum ApplyPatch {
    /// The applied configuration merged over the live object (nil: the object is created from
    /// the configuration alone).
    public static func apply(_ configuration: JSONValue, to live: JSONValue?, resource: APIResource) -> JSONValue {
        let type: SchemaType? = Schema.definition(for: resource.gvk).map { .reference($0.name) }
        guard let live else { return configuration }
        return merge(configuration, into: live, type: type)
    }

    static func merge(_ applied: JSONValue, into live: JSONValue, type: SchemaType?) -> JSONValue {
        switch (applied, live) {
        case (.object(let appliedMembers), .object(var liveMembers)):
            for (key, value) in appliedMembers {
                if value == .null { continue }
                let field = Schema.field(key, in: type)
                if let current = liveMembers[key] {
                    liveMembers[key] = mergeField(value, into: current, field: field)
                } else {
                    liveMembers[key] = value
                }
            }
            return .object(liveMembers)
        default:
            return applied
        }
    }

    private static func mergeField(_ applied: JSONValue, into live: JSONValue, field: SchemaField?) -> JSONValue {
        switch (applied, live) {
        case (.object, .object):
            return merge(applied, into: live, type: field?.type)
        case (.array(let appliedItems), .array(let liveItems)):
            guard let field else { return applied }
            let keys = !field.listMapKeys.isEmpty ? field.listMapKeys : field.patchMergeKey.map { [$0] } ?? []
            let listType = field.listType ?? (keys.isEmpty ? (field.mergesList ? "set" : "atomic") : "map")
            switch listType {
            case "map" where !keys.isEmpty:
                // A key the configuration leaves out (a defaulted `protocol`) matches any value.
                func matches(_ configured: JSONValue, _ existing: JSONValue) -> Bool {
                    keys.allSatisfy { key in configured[key] == nil || configured[key] == existing[key] }
                }
                var result = liveItems
                for item in appliedItems {
                    if let index = result.firstIndex(where: { matches(item, $0) }) {
                        result[index] = merge(item, into: result[index], type: field.type.elementType)
                    } else {
                        result.append(item)
                    }
                }
                return .array(result)
            case "set":
                var result = liveItems
                for item in appliedItems where !result.contains(item) { result.append(item) }
                return .array(result)
            default:
                return applied
            }
        default:
            return applied
        }
    }
}
