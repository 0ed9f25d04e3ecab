import Foundation
import KubeClient
import KubeModel

/// PATCH bodies applied with KubeModel's patch implementations; their errors become the
/// Status Kubernetes answers with.
enum Patches {
    static let scaleKind = GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")

    static func apply(_ type: PatchType, _ patch: JSONValue, to original: JSONValue, gvk: GroupVersionKind) throws -> JSONValue {
        switch type {
        case .merge:
            return JSONMergePatch.apply(patch, to: original)
        case .json:
            do {
                return try JSONPatch.apply(patch, to: original)
            } catch let error as JSONPatchError {
                switch error.reason {
                case .invalidPatch: throw KubeAPIError.badRequest(error.message)
                case .missingPath, .testFailed: throw KubeAPIError(code: 422, reason: "Invalid", message: error.message)
                }
            }
        case .strategicMerge, .apply:
            do {
                return try StrategicMergePatch.apply(patch, to: original, gvk: gvk)
            } catch let error as StrategicMergePatchError {
                throw KubeAPIError.badRequest(error.message)
            }
        }
    }
}
