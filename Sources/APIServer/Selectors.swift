import Foundation
import KubeClient
import KubeModel

/// The label and field selectors of a list or watch request.
struct ObjectFilter: Sendable {
    var label: LabelSelector?
    var field: FieldSelector?

    init(labelSelector: String?, fieldSelector: String?, kind: String) throws {
        if let labelSelector, !labelSelector.isEmpty {
            do {
                label = try LabelSelector(parsing: labelSelector)
            } catch {
                throw KubeAPIError.badRequest("unable to parse requirement: \(error.description)")
            }
        }
        if let fieldSelector, !fieldSelector.isEmpty {
            do {
                field = try FieldSelector(parsing: fieldSelector, kind: kind)
            } catch {
                throw KubeAPIError.badRequest(error.description)
            }
        }
    }

    var isEmpty: Bool { label == nil && field == nil }

    func matches(_ object: JSONValue) -> Bool {
        if let label, !label.matches(labels(of: object)) { return false }
        if let field, !field.matches(object) { return false }
        return true
    }
}
