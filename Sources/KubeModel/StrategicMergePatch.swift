/// A strategic merge patch that cannot be applied; the message is Kubernetes' wording.
public struct StrategicMergePatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Strategic merge patch (`application/strategic-merge-patch+json`) as Kubernetes applies it
/// (k8s.io/apimachinery/pkg/util/strategicpatch): lists with a `merge` patch strategy merge by
/// their patch-merge key (containers by `name`, ports by `containerPort`, …) or, for lists of
/// scalars, as a union; other lists are replaced; `null` removes a field; the directives
/// `$patch: replace|delete`, `$retainKeys`, `$deleteFromPrimitiveList/<field>` and
/// `$setElementOrder/<field>` are honoured. Fields the schema does not know merge like a JSON
/// merge patch.
public enum StrategicMergePatch {
    static let directiveMarker = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"
    static let setElementOrderPrefix = "$setElementOrder/"

    public static func apply(_ patch: JSONValue, to original: JSONValue, resource: APIResource) throws -> JSONValue {
        try apply(patch, to: original, gvk: resource.gvk)
    }

    /// Applies a patch to an object of kind `gvk` (`autoscaling/v1 Scale` for `…/scale`).
    public static func apply(_ patch: JSONValue, to original: JSONValue, gvk: GroupVersionKind) throws -> JSONValue {
        let type: SchemaType? = Schema.definition(for: gvk).map { .reference($0.name) }
        return try apply(patch, to: original, type: type)
    }

    /// Applies a patch to a value of schema type `type` (nil: no schema, JSON merge semantics
    /// with directives still honoured).
    public static func apply(_ patch: JSONValue, to original: JSONValue, type: SchemaType?) throws -> JSONValue {
        guard case .object(let patchMembers) = patch else {
            throw StrategicMergePatchError("invalid JSON document")
        }
        let originalMembers: [String: JSONValue]
        switch original {
        case .object(let members): originalMembers = members
        case .null: originalMembers = [:]
        default: throw StrategicMergePatchError("invalid JSON document")
        }
        return .object(try mergeMap(originalMembers, patchMembers, type: type))
    }

    // MARK: maps

    static func mergeMap(_ originalMembers: [String: JSONValue], _ patchMembers: [String: JSONValue], type: SchemaType?) throws -> [String: JSONValue] {
        var original = originalMembers
        var patch = patchMembers
        if let directive = patch[directiveMarker] {
            switch directive.stringValue {
            case "replace":
                patch.removeValue(forKey: directiveMarker)
                return try mergeMap([:], patch, type: type)
            case "delete":
                return [:]
            default:
                throw StrategicMergePatchError("Unknown patch type: \(render(directive)) in map: \(render(.object(patch)))")
            }
        }

        if let retain = patch.removeValue(forKey: retainKeysDirective) {
            guard case .array(let keys) = retain else {
                throw StrategicMergePatchError("invalid patch: the $retainKeys directive must be a list")
            }
            let keep = Set(keys.compactMap(\.stringValue))
            for (key, value) in patch where value != .null && !key.hasPrefix("$") && !keep.contains(key) {
                throw StrategicMergePatchError("doesn't match the $retainKeys list: key \(key) is not in \(render(retain))")
            }
            original = original.filter { keep.contains($0.key) }
        }

        // $setElementOrder lists, with the list they order.
        for (key, order) in patch where key.hasPrefix(setElementOrderPrefix) {
            patch.removeValue(forKey: key)
            let listKey = String(key.dropFirst(setElementOrderPrefix.count))
            guard case .array(let orderList) = order else {
                throw StrategicMergePatchError("invalid patch: the $setElementOrder directive of \(listKey) must be a list")
            }
            let field = Schema.field(listKey, in: type)
            let mergeKey = field?.patchMergeKey
            let originalList = original[listKey]?.arrayValue
            let patchList = patch.removeValue(forKey: listKey)
            if let patchList, patchList != .null, patchList.arrayValue == nil {
                throw StrategicMergePatchError("invalid patch: \(listKey) must be a list")
            }
            if let patchItems = patchList?.arrayValue {
                try validateOrder(patchItems, orderList, mergeKey: mergeKey ?? "")
            }
            let merged: [JSONValue]
            switch (originalList, patchList?.arrayValue) {
            case (let current?, nil): merged = current
            case (nil, let added?): merged = try mergeList([], added, field: field, isDeleteList: false)
            case (let current?, let added?): merged = try mergeList(current, added, field: field, isDeleteList: false)
            case (nil, nil): continue
            }
            let (inOrder, serverOnly) = try partition(merged, by: orderList, mergeKey: mergeKey ?? "")
            original[listKey] = .array(try normalizeOrder(inOrder, serverOnly, patchOrder: orderList,
                                                          serverOrder: originalList ?? [], mergeKey: mergeKey ?? ""))
        }

        for (rawKey, patchValue) in patch {
            if rawKey == directiveMarker || rawKey == retainKeysDirective { continue }
            var key = rawKey
            var isDeleteList = false
            if rawKey.hasPrefix(deleteFromPrimitiveListPrefix) {
                key = String(rawKey.dropFirst(deleteFromPrimitiveListPrefix.count))
                isDeleteList = true
            } else if rawKey.hasPrefix("$") {
                continue
            }
            if patchValue == .null {
                original.removeValue(forKey: key)
                continue
            }
            let field = Schema.field(key, in: type)
            guard let current = original[key] else {
                if !isDeleteList { original[key] = try clean(patchValue, type: field?.type) }
                continue
            }
            switch (current, patchValue) {
            case (.object(let currentMembers), .object(let patchMembers)):
                original[key] = .object(try mergeMap(currentMembers, patchMembers, type: field?.type))
            case (.array(let currentItems), .array(let patchItems)):
                original[key] = .array(try mergeList(currentItems, patchItems, field: field, isDeleteList: isDeleteList))
            default:
                if !isDeleteList { original[key] = try clean(patchValue, type: field?.type) }
            }
        }
        return original
    }

    /// A patch value put where the original has nothing: directives are applied to an empty
    /// value so none are stored.
    static func clean(_ value: JSONValue, type: SchemaType?) throws -> JSONValue {
        switch value {
        case .object(let members): return .object(try mergeMap([:], members, type: type))
        case .array(let items):
            let field = SchemaField(name: "", type: type ?? .array(.rawExtension))
            return .array(try mergeList([], items, field: field, isDeleteList: false))
        default: return value
        }
    }

    // MARK: lists

    static func mergeList(_ original: [JSONValue], _ patch: [JSONValue], field: SchemaField?, isDeleteList: Bool) throws -> [JSONValue] {
        let elementType = field?.type.elementType
        guard let field, field.mergesList else {
            // Replaced whole; elements that are objects still lose their directives.
            return try patch.map { item in
                if case .object(let members) = item, members[directiveMarker] == nil {
                    return .object(try mergeMap([:], members, type: elementType))
                }
                return item
            }.filter { item in
                if case .object(let members) = item, members[directiveMarker] != nil { return false }
                return true
            }
        }
        if original.isEmpty && patch.isEmpty { return original }
        let mergeKey = field.patchMergeKey ?? ""
        let isMapList = (original.first ?? patch.first).map { if case .object = $0 { return true } else { return false } } ?? false
        var current = original
        var patchItems = patch
        var merged: [JSONValue]
        if !isMapList {
            if isDeleteList {
                return original.filter { !patch.contains($0) }
            }
            merged = []
            for item in original + patch where !merged.contains(item) { merged.append(item) }
        } else {
            guard !mergeKey.isEmpty else {
                throw StrategicMergePatchError("cannot merge lists without merge key for \(field.name)")
            }
            // Special elements: `$patch: delete` removes by key, `$patch: replace` replaces.
            var withoutSpecial: [JSONValue] = []
            var replace = false
            for item in patch {
                guard case .object(let members) = item else {
                    throw StrategicMergePatchError("invalid patch: \(field.name) mixes objects and scalars")
                }
                guard let directive = members[directiveMarker] else {
                    withoutSpecial.append(item)
                    continue
                }
                switch directive.stringValue {
                case "delete":
                    guard let value = members[mergeKey] else {
                        throw StrategicMergePatchError("map: \(render(item)) does not contain declared merge key: \(mergeKey)")
                    }
                    current.removeAll { $0[mergeKey] == value }
                case "replace":
                    replace = true
                case "merge":
                    throw StrategicMergePatchError("merging lists cannot yet be specified in the patch")
                default:
                    throw StrategicMergePatchError("Unknown patch type: \(render(directive)) in map: \(render(item))")
                }
            }
            if replace {
                current = try withoutSpecial.map { try clean($0, type: elementType) }
                patchItems = []
            } else {
                patchItems = withoutSpecial
            }
            merged = current
            for item in patchItems {
                guard case .object(let members) = item, let value = members[mergeKey] else {
                    throw StrategicMergePatchError("map: \(render(item)) does not contain declared merge key: \(mergeKey)")
                }
                if let index = merged.firstIndex(where: { $0[mergeKey] == value }), case .object(let existing) = merged[index] {
                    merged[index] = .object(try mergeMap(existing, members, type: elementType))
                } else {
                    merged.append(.object(try mergeMap([:], members, type: elementType)))
                }
            }
        }
        let (inPatch, serverOnly) = try partition(merged, by: isMapList ? patchItems : patch, mergeKey: isMapList ? mergeKey : "")
        return try normalizeOrder(inPatch, serverOnly, patchOrder: isMapList ? patchItems : patch,
                                  serverOrder: current, mergeKey: isMapList ? mergeKey : "")
    }

    /// The identity of a list element: its merge-key value, or the element itself.
    private static func identity(_ item: JSONValue, _ mergeKey: String) -> JSONValue? {
        mergeKey.isEmpty ? item : item[mergeKey]
    }

    private static func partition(_ items: [JSONValue], by list: [JSONValue], mergeKey: String) throws -> ([JSONValue], [JSONValue]) {
        var inList: [JSONValue] = []
        var others: [JSONValue] = []
        for item in items {
            if !mergeKey.isEmpty, item[mergeKey] == nil {
                throw StrategicMergePatchError("map: \(render(item)) does not contain declared merge key: \(mergeKey)")
            }
            let id = identity(item, mergeKey)
            if list.contains(where: { identity($0, mergeKey) == id }) { inList.append(item) } else { others.append(item) }
        }
        return (inList, others)
    }

    private static func index(of item: JSONValue, in list: [JSONValue], mergeKey: String) -> Int? {
        let id = identity(item, mergeKey)
        return list.firstIndex { identity($0, mergeKey) == id }
    }

    /// Sorts the patch's items by the patch (or `$setElementOrder`) order and the server-only
    /// items by the live order, then interleaves them by the live order (normalizeElementOrder).
    private static func normalizeOrder(_ patchItems: [JSONValue], _ serverOnly: [JSONValue], patchOrder: [JSONValue],
                                       serverOrder: [JSONValue], mergeKey: String) throws -> [JSONValue] {
        func sorted(_ items: [JSONValue], by order: [JSONValue]) -> [JSONValue] {
            items.enumerated().sorted { lhs, rhs in
                let left = index(of: lhs.element, in: order, mergeKey: mergeKey) ?? Int.max
                let right = index(of: rhs.element, in: order, mergeKey: mergeKey) ?? Int.max
                return left != right ? left < right : lhs.offset < rhs.offset
            }.map(\.element)
        }
        let right = sorted(patchItems, by: patchOrder)
        let left = sorted(serverOnly, by: serverOrder)
        var result: [JSONValue] = []
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if i >= left.count {
                result.append(right[j]); j += 1
            } else if j >= right.count {
                result.append(left[i]); i += 1
            } else if let li = index(of: left[i], in: serverOrder, mergeKey: mergeKey),
                      let ri = index(of: right[j], in: serverOrder, mergeKey: mergeKey), li < ri {
                result.append(left[i]); i += 1
            } else {
                result.append(right[j]); j += 1
            }
        }
        return result
    }

    /// The patch list must follow the relative order of its `$setElementOrder` list.
    private static func validateOrder(_ patchList: [JSONValue], _ orderList: [JSONValue], mergeKey: String) throws {
        if patchList.isEmpty || orderList.isEmpty { return }
        let items = patchList.filter { $0[directiveMarker] == nil }
        var patchIndex = 0
        var orderIndex = 0
        while patchIndex < items.count, orderIndex < orderList.count {
            if identity(items[patchIndex], mergeKey) == identity(orderList[orderIndex], mergeKey) { patchIndex += 1 }
            orderIndex += 1
        }
        if patchIndex < items.count {
            throw StrategicMergePatchError("The order in patch list:\n\(render(.array(patchList)))\n doesn't match $setElementOrder list:\n\(render(.array(orderList)))\n")
        }
    }

    static func render(_ value: JSONValue) -> String {
        guard let data = try? value.jsonData() else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
