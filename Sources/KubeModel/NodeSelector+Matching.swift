/// Node selection as `k8s.io/component-helpers/scheduling/corev1/nodeaffinity` does it.
extension NodeSelectorRequirement {
    /// Whether `value` (a label, or a field such as `metadata.name`) satisfies the requirement.
    public func matches(_ value: String?) -> Bool {
        let values = self.values ?? []
        switch self.operator {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt", "Lt":
            guard let value, let actual = Int64(value), values.count == 1, let bound = Int64(values[0]) else {
                return false
            }
            return self.operator == "Gt" ? actual > bound : actual < bound
        default: return false
        }
    }
}

extension NodeSelectorTerm {
    /// All expressions and fields match; a term with neither matches no node.
    public func matches(labels: [String: String], nodeName: String?) -> Bool {
        let expressions = matchExpressions ?? []
        let fields = matchFields ?? []
        if expressions.isEmpty && fields.isEmpty { return false }
        for requirement in expressions where !requirement.matches(labels[requirement.key]) {
            return false
        }
        for requirement in fields {
            guard requirement.key == "metadata.name", requirement.matches(nodeName) else { return false }
        }
        return true
    }
}

extension NodeSelector {
    /// Any of the terms matches the node.
    public func matches(_ node: Node) -> Bool {
        let labels = node.metadata.labels ?? [:]
        return nodeSelectorTerms.contains { $0.matches(labels: labels, nodeName: node.metadata.name) }
    }
}
